"""Placeholder and fake-value heuristics: runs, sequences, repeated units, placeholder words.

The word lists and known example values are data (``patterns/placeholders.toml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
MAX_CHECKED_LENGTH = 128  # long tokens and key blocks are judged by their own checks
_RUNS = re.compile(r"(.)\1+", re.S)
_ALPHABETS = ("abcdefghijklmnopqrstuvwxyz", "0123456789")


@dataclass(frozen=True)
class PlaceholderData:
    known_values: frozenset[str] = frozenset()
    example_suffixes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    min_run: int = 4
    min_sequence: int = 5

    @cached_property
    def sequences(self) -> re.Pattern[str]:
        """Every ascending, descending and keyboard-row run of ``min_sequence`` ASCII
        characters, as one alternation: one pass over a value instead of a loop per
        character (a dense line has tens of thousands of candidates)."""
        n = self.min_sequence
        runs = {row[i:i + n] for row in _ALPHABETS + tuple(a[::-1] for a in _ALPHABETS)
                + KEYBOARD_ROWS for i in range(len(row) - n + 1)}
        return re.compile("|".join(sorted(runs)))

    @cached_property
    def any_word(self) -> re.Pattern[str] | None:
        """One search for all the placeholder words (the loop then names the first)."""
        return re.compile("|".join(map(re.escape, self.words))) if self.words else None

    @cached_property
    def long_run(self) -> re.Pattern[str]:
        """A character repeated ``min_run`` times: one search, the length only when found."""
        return re.compile(rf"(.)\1{{{max(0, self.min_run - 1)},}}", re.S)


def placeholder_reason(value: str, data: PlaceholderData) -> str | None:
    if len(value) > MAX_CHECKED_LENGTH:
        return None
    lowered = value.lower()
    if data.any_word is not None and data.any_word.search(lowered):
        for word in data.words:
            if word in lowered:
                return f"placeholder: contains {word!r}"
    if data.min_run <= 1 or data.long_run.search(value):
        run = _longest_run(value)
        if run >= data.min_run:
            return f"placeholder: a character repeated {run} times"
    seq = _sequence(lowered, data)
    if seq:
        # Not the run itself: --explain must show no more of a value than redaction does.
        return f"placeholder: {len(seq)} sequential characters"
    period = _period(value)
    if period:
        return f"placeholder: repeats a {period}-character unit"
    return None


def _longest_run(value: str) -> int:
    return max((m.end() - m.start() for m in _RUNS.finditer(value)),
               default=1 if value else 0)


def _sequence(lowered: str, data: PlaceholderData) -> str | None:
    """An ascending or descending run (abcde, 54321) or a keyboard-row run (qwert)."""
    if lowered.isascii():
        found = data.sequences.search(lowered)
        return found.group() if found else None
    length = data.min_sequence  # other alphanumerics (Latin-1 letters): step by step
    up = down = 1
    for i in range(1, len(lowered)):
        step = ord(lowered[i]) - ord(lowered[i - 1])
        up = up + 1 if step == 1 and lowered[i].isalnum() else 1
        down = down + 1 if step == -1 and lowered[i].isalnum() else 1
        if up >= length or down >= length:
            return lowered[i - length + 1 : i + 1]
    for row in KEYBOARD_ROWS:
        for i in range(len(row) - length + 1):
            if row[i : i + length] in lowered:
                return row[i : i + length]
    return None


def _period(value: str) -> int | None:
    """The length of a unit the whole value repeats (at least three times), if any."""
    n = len(value)
    for p in range(2, n // 3 + 1):
        if value[p:] == value[:-p]:
            return p
    return None
