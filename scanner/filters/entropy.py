"""Shannon entropy of a candidate value, in bits per character."""

import math
from collections import Counter


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())
