"""Hyperscan as the keyword prefilter: the same contract as the Aho-Corasick one, about
twenty times faster, used automatically when the ``hyperscan`` package imports."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scanner.cachedir import keep

hyperscan: Any
try:
    import hyperscan
except ImportError:  # platforms without wheels
    hyperscan = None


def available() -> bool:
    return hyperscan is not None


class HyperscanPrefilter:
    name = "hyperscan"

    def __init__(self, keywords: Sequence[str],
                 spellings: Sequence[str | tuple[str, ...] | None] = (),
                 cache: Path | None = None, key: str | None = None) -> None:
        """``key``: what identifies these keywords and spellings, when the caller knows (then
        a cached database is found without building its expressions)."""
        assert hyperscan is not None
        self._lengths = [len(k) for k in keywords]
        self._db: Any = None
        if keywords:
            self._db = _cached(lambda: _expressions(keywords, spellings), cache, key)
            self._scratch = hyperscan.Scratch(self._db)

    def find(self, text: str) -> list[tuple[int, int]]:
        return self.find_bytes(text.encode("latin-1"))

    def find_bytes(self, data: bytes) -> list[tuple[int, int]]:
        if self._db is None or not data:
            return []
        hits: list[tuple[int, int]] = []
        lengths = self._lengths

        def on_match(index: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
            hits.append((index, to - lengths[index]))

        self._db.scan(data, match_event_handler=on_match,
                      scratch=self._scratch)
        return hits


Expressions = tuple[list[bytes], list[int], list[int]]  # patterns, flags, keyword ids


def _expressions(keywords: Sequence[str],
                 spellings: Sequence[str | tuple[str, ...] | None]) -> Expressions:
    # A keyword only some spellings of count is matched as spelled: "YC" is not reported at
    # every "yc" of "sync" and "cycle".
    spelled = list(spellings) + [None] * (len(keywords) - len(spellings))
    expressions, flags, ids = [], [], []
    for index, (keyword, spelling) in enumerate(zip(keywords, spelled, strict=True)):
        forms = (spelling,) if isinstance(spelling, str) else spelling or (keyword,)
        for form in forms:
            expressions.append(re.escape(form).encode("latin-1"))
            flags.append(0 if spelling else hyperscan.HS_FLAG_CASELESS)
            ids.append(index)
    return expressions, flags, ids


def _compile(built: Expressions) -> Any:
    expressions, flags, ids = built
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
    return db


def _cached(build: Callable[[], Expressions], cache: Path | None, key: str | None) -> Any:
    """The compiled database, from ``cache`` when an earlier run of the same keywords, flags
    and Hyperscan version left it there (compiling thousands of keywords takes a start a
    quarter of a second; loading takes a millisecond). Any problem with the cache only
    means compiling."""
    if cache is None:
        return _compile(build())
    built = None if key else build()
    version = getattr(hyperscan, "__version__", "")
    # With a key, this module's own code stands for how the expressions are made from it.
    made = (key, Path(__file__).read_bytes()) if key else built
    digest = hashlib.sha256(repr((version, made)).encode()).hexdigest()[:32]
    path = cache / f"prefilter-{digest}.hsdb"
    try:
        return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
    except Exception:  # noqa: BLE001 - missing, truncated or from another build: recompile
        pass
    db = _compile(built or build())
    keep(path, hyperscan.dumpb(db))
    return db
