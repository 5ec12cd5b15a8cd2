"""The per-candidate filters against their definitions: the fast forms (a table of c·log2 c,
one search for all placeholder words and for a run) must give the same answers, on random
values with runs, words and non-ASCII letters in them."""

from __future__ import annotations

import math
import random
import re
import string
from collections import Counter

from scanner.filters.checks import letters_and_digits, mixed_case
from scanner.filters.entropy import shannon_entropy
from scanner.filters.placeholders import PlaceholderData, placeholder_reason
from scanner.matching.candidate import Candidate
from scanner.rules.loader import load_rules

ALPHABET = string.ascii_letters + string.digits + "+/=_-ÄéßÑ"


def _values(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        value = "".join(rng.choice(ALPHABET[:rng.randint(1, len(ALPHABET))])
                        for _ in range(rng.randint(0, 60)))
        if rng.random() < 0.3:  # a run of one character somewhere
            at = rng.randint(0, len(value))
            value = value[:at] + rng.choice(ALPHABET) * rng.randint(2, 6) + value[at:]
        if rng.random() < 0.2:
            value += rng.choice(["EXAMPLE", "Your", "dummy", "x"])
        out.append(value)
    return out + ["", "a" * 300, "ab" * 400]


def test_entropy_is_shannons() -> None:
    for value in _values(3000, 1):
        n = len(value)
        expected = -sum(c / n * math.log2(c / n) for c in Counter(value).values()) if n else 0.0
        assert math.isclose(shannon_entropy(value), expected, abs_tol=1e-9), value


def _placeholder_by_definition(value: str, data: PlaceholderData) -> str | None:
    lowered = value.lower()
    if len(value) > 128:
        return None
    for word in data.words:
        if word in lowered:
            return f"placeholder: contains {word!r}"
    run = max((len(m.group()) for m in re.finditer(r"(.)\1*", value, re.S)), default=0)
    if run >= data.min_run:
        return f"placeholder: a character repeated {run} times"
    return None


def test_placeholder_words_and_runs_as_defined() -> None:
    data = load_rules().placeholders
    for value in _values(3000, 2):
        reason = placeholder_reason(value, data)
        expected = _placeholder_by_definition(value, data)
        if expected is not None:
            assert reason == expected, value
        else:  # sequences and periods are judged after words and runs
            assert reason is None or "sequential" in reason or "repeats" in reason, value


def test_case_and_class_checks_as_defined() -> None:
    rule = load_rules().rules[0]
    for value in _values(3000, 3):
        c = Candidate(rule, value, 0, len(value), value)
        mixed = any(ch.isupper() for ch in value) and any(ch.islower() for ch in value)
        both = any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)
        assert (mixed_case(c) is None) == mixed, value
        assert (letters_and_digits(c) is None) == both, value
