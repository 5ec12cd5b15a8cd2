"""A rule's regex, compiled for the engine that can run it safely fastest. The ``regex``
module has the per-call timeout that protects a scan from a pattern that backtracks without
bound; a pattern that provably cannot (no unbounded repeat, no repeat inside another, each
repeat over one character, little choice in all) runs under the standard ``re`` module
instead, which is several times faster over a long dense line and needs no timeout: the
work per starting position is bounded by the pattern alone."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

import regex


def _sre_parser() -> Any:
    """CPython's own regex parser; without it every pattern simply stays on ``regex``."""
    try:
        return importlib.import_module("re._parser")
    except ImportError:  # pragma: no cover - other Pythons
        return None


MAX_CHOICE = 4096  # product of the repeats' ranges: the most ways to try one position
_SINGLE = {"LITERAL", "NOT_LITERAL", "IN", "ANY", "CATEGORY"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def bounded(pattern: str) -> bool:
    """Whether ``re`` compiles the pattern and its work per position is bounded."""
    parser = _sre_parser()
    if parser is None:
        return False
    try:
        tree = parser.parse(pattern)
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError):
        return False
    choice = [1]
    return _walk(tree, choice, parser.MAXREPEAT) and choice[0] <= MAX_CHOICE


def _walk(items: Any, choice: list[int], unbounded: int) -> bool:
    for op, arg in items:
        name = str(op)
        if name in _REPEATS:
            low, high, body = arg
            if high == unbounded:
                return False
            if len(body) != 1 or str(body[0][0]) not in _SINGLE:
                return False
            choice[0] *= high - low + 1
        elif name == "SUBPATTERN":
            if not _walk(arg[-1], choice, unbounded):
                return False
        elif name == "BRANCH":
            if not all(_walk(b, choice, unbounded) for b in arg[1]):
                return False
            choice[0] *= len(arg[1])
        elif name in ("ASSERT", "ASSERT_NOT"):
            if not _walk(arg[1], choice, unbounded):
                return False
        elif name not in _SINGLE and name != "AT":  # group references, atomic groups, ...
            return False
    return True


class RulePattern:
    """``finditer``/``match`` over ``text[pos:endpos]`` with one signature for both engines;
    ``timeout`` applies to the ``regex`` engine only."""

    def __init__(self, pattern: str) -> None:
        self.uses_re = bounded(pattern)
        self._re = re.compile(pattern) if self.uses_re else None
        self._regex = None if self.uses_re else regex.compile(pattern)

    def finditer(self, text: str, pos: int, endpos: int,
                 timeout: float) -> Iterator[re.Match[str] | regex.Match[str]]:
        if self._re is not None:
            return self._re.finditer(text, pos, endpos)
        assert self._regex is not None
        found: Iterator[regex.Match[str]] = self._regex.finditer(text, pos, endpos,
                                                                 timeout=timeout)
        return found

    def match(self, text: str, pos: int, endpos: int,
              timeout: float) -> re.Match[str] | regex.Match[str] | None:
        if self._re is not None:
            return self._re.match(text, pos, endpos)
        assert self._regex is not None
        return self._regex.match(text, pos, endpos, timeout=timeout)
