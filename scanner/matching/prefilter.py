"""The keyword prefilter: one multi-pattern automaton over every rule's keywords, so that a
chunk without any keyword costs one linear pass and nothing else.

Two implementations behind one interface: pyahocorasick (always installed) and Hyperscan
(``matching.fast``, used when it imports). Both report every occurrence of every keyword,
case-insensitively, as ``(keyword index, start offset)``, so they give identical findings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import ahocorasick

ENGINES = ("auto", "hyperscan", "pyahocorasick")


class Prefilter(Protocol):
    name: str

    def find(self, text: str) -> list[tuple[int, int]]:
        """Every case-insensitive occurrence of every keyword in ``text`` (Latin-1),
        as (keyword index, start offset), in no particular order."""
        ...

    def find_bytes(self, data: bytes) -> list[tuple[int, int]]:
        """``find`` of ``data`` read as Latin-1: an engine that scans bytes spares a caller
        that holds bytes (a megabyte of git blobs) decoding what has no keyword."""
        ...


class AhoCorasickPrefilter:
    name = "pyahocorasick"

    def __init__(self, keywords: Sequence[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for index, keyword in enumerate(keywords):
            lowered = keyword.lower()
            existing = self._automaton.get(lowered, None)
            entry = (existing or ()) + ((index, len(lowered)),)
            self._automaton.add_word(lowered, entry)
        self._automaton.make_automaton()
        self._empty = not keywords

    def find(self, text: str) -> list[tuple[int, int]]:
        if self._empty:
            return []
        # Lower-casing Latin-1 text keeps every offset: each of its characters lowers to one.
        hits = []
        for end, entries in self._automaton.iter(text.lower()):
            for index, length in entries:
                hits.append((index, end - length + 1))
        return hits

    def find_bytes(self, data: bytes) -> list[tuple[int, int]]:
        return self.find(data.decode("latin-1"))


def make_prefilter(keywords: Sequence[str], engine: str = "auto",
                   spellings: Sequence[str | tuple[str, ...] | None] = (),
                   cache: Path | None = None, key: str | None = None) -> Prefilter:
    """``spellings``: per keyword, the spelling or spellings that alone count (None: any
    case); an engine may use them to report fewer hits, never more than the case-insensitive
    set. ``cache``: a directory where an engine may keep its compiled database between runs;
    ``key``: what identifies the keywords and spellings there, if the caller knows."""
    if engine not in ENGINES:
        raise ValueError(f"unknown prefilter engine {engine!r}")
    if engine in ("auto", "hyperscan"):
        from scanner.matching import fast

        if fast.available():
            return fast.HyperscanPrefilter(keywords, spellings, cache, key)
        if engine == "hyperscan":
            raise RuntimeError("the hyperscan engine was requested but does not import")
    return AhoCorasickPrefilter(keywords)


def engine_name(engine: str = "auto") -> str:
    """The engine ``make_prefilter(..., engine)`` would pick, without building it."""
    if engine == "auto":
        from scanner.matching import fast

        return "hyperscan" if fast.available() else "pyahocorasick"
    return engine
