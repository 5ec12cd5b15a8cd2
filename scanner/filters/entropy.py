"""Shannon entropy of a candidate value, in bits per character."""

import math
from collections import Counter

# c * log2(c) for the counts a candidate's characters have: H = log2(n) - sum(c log2 c) / n,
# one table lookup per distinct character (a dense line has tens of thousands of candidates).
_C_LOG_C = tuple(c * math.log2(c) if c else 0.0 for c in range(257))


def _c_log_c(c: int) -> float:
    return _C_LOG_C[c] if c <= 256 else c * math.log2(c)


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    n = len(value)
    return max(0.0, math.log2(n) - sum(map(_c_log_c, Counter(value).values())) / n)
