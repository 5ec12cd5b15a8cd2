"""A rule's regex, compiled for the engine that can run it safely fastest. The ``regex``
module has the per-call timeout that protects a scan from a pattern that backtracks without
bound; a pattern that provably cannot (no unbounded repeat, no repeat inside another, each
repeat over one character, little choice in all) runs under the standard ``re`` module
instead, which is several times faster over a long dense line and needs no timeout: the
work per starting position is bounded by the pattern alone."""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.cachedir import remembered

if TYPE_CHECKING:
    import regex


def _regex_module() -> Any:
    """The ``regex`` module, imported by the first rule that needs it: a hook whose staged
    change wakes no such rule never pays for it."""
    import regex

    return regex


def sre_parser() -> Any:
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
    parser = sre_parser()
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

    def __init__(self, pattern: str, uses_re: bool | None = None,
                 cache: Path | None = None) -> None:
        """``uses_re``: what ``bounded(pattern)`` said before (kept with the rules' cache),
        which spares a start parsing every pattern twice. ``cache``: a private directory
        where a pattern compiled by ``regex`` is kept for the next start."""
        self.uses_re = bounded(pattern) if uses_re is None else uses_re
        self._re = re.compile(pattern) if self.uses_re else None
        self._regex = None if self.uses_re else compiled_regex(pattern, cache)
        self._scout = _scout(pattern) if self._re is not None else None

    @property
    def scouted(self) -> bool:
        """Searched by what follows its leading look-behind (see ``_scout``)."""
        return self._scout is not None

    def finditer(self, text: str, pos: int, endpos: int,
                 timeout: float) -> Iterator[re.Match[str] | regex.Match[str]]:
        if self._scout is not None:
            return _scouted(*self._scout, text, pos, endpos)
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


def compiled_regex(pattern: str, cache: Path | None = None) -> Any:
    """``regex.compile(pattern)``, read back from ``cache`` when the same ``regex`` build
    compiled it before. ``regex`` pickles a pattern as its compiled program, which loads
    without parsing; its parser is Python, and compiling the 181 patterns that run under it
    cost a worker 0.18 s of its start on a tree that wakes every rule (0.015 s read back).
    Kept per pattern (by its hash), so a start reads only the patterns it needs."""
    module = _regex_module()
    if cache is None:
        return module.compile(pattern)
    build = f"regex-{module.__version__}-py{sys.version_info[0]}.{sys.version_info[1]}"
    name = hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return remembered(cache / build / f"{name}.pickle", lambda: module.compile(pattern),
                      lambda kept: isinstance(kept, module.Pattern) and kept.pattern == pattern)


# -- a leading look-behind -------------------------------------------------------------------
# ``re`` skips ahead to a pattern's literal prefix (AKIA, LTAI, ghp_) with a fast search, but
# only when the pattern starts with it: the usual ``(?<![A-Za-z0-9])`` boundary in front turns
# that off and every position is tried (17x slower over a long line dense with hits). So the
# rest is searched for and the look-behind checked where it matches: the same matches.

MAX_FIRST = 4  # the rest must start with one of at most this many characters


def _scout(pattern: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """(look-behind, rest) of a pattern that is a group-free look-behind followed by a part
    that starts with one of a few literal characters; None for any other pattern."""
    if not pattern.startswith(("(?<!", "(?<=")):
        return None
    close = _group_end(pattern)
    if close is None:
        return None
    try:
        head, rest = re.compile(pattern[:close]), re.compile(pattern[close:])
        parser = sre_parser()
        first = _first_chars(parser.parse(pattern[close:])) if parser else None
    except (re.error, OverflowError, RecursionError, ValueError):
        return None
    if head.groups or first is None or len(first) > MAX_FIRST:
        return None
    return head, rest


def _group_end(pattern: str) -> int | None:
    """The index just after the parenthesised group the pattern starts with."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                i += 1
            if pattern[i + 1:i + 2] == "]":  # a "]" first in a class is a literal
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _first_chars(items: Any) -> set[int] | None:
    """The characters a match of the parsed pattern can start with, if all are literals."""
    if not items:
        return None
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL":
        return {arg}
    if name == "SUBPATTERN":
        return _first_chars(arg[-1])
    if name == "BRANCH":
        chars: set[int] = set()
        for branch in arg[1]:
            first = _first_chars(branch)
            if first is None:
                return None
            chars |= first
        return chars
    return None


def _scouted(head: re.Pattern[str], rest: re.Pattern[str], text: str, pos: int,
             endpos: int) -> Iterator[re.Match[str]]:
    """The full pattern's matches: where the rest matches and the look-behind holds (it sees
    the text before ``pos``, as the full pattern's does). A failed look-behind moves on by one
    character, not past the rest's match, which may hold the next real start."""
    search, behind = rest.search, head.match
    while True:
        m = search(text, pos, endpos)
        if m is None:
            return
        start = m.start()
        if behind(text, start, endpos) is None:
            pos = start + 1
            continue
        yield m
        pos = m.end() if m.end() > start else start + 1
