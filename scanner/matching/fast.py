"""Hyperscan as the keyword prefilter: the same contract as the Aho-Corasick one, about
twenty times faster, used automatically when the ``hyperscan`` package imports."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.cachedir import private_dir

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
                 cache: Path | None = None) -> None:
        assert hyperscan is not None
        self._lengths = [len(k) for k in keywords]
        self._db: Any = None
        if keywords:
            # A keyword only some spellings of count is matched as spelled: "YC" is not
            # reported at every "yc" of "sync" and "cycle".
            spelled = list(spellings) + [None] * (len(keywords) - len(spellings))
            expressions, ids, flags = [], [], []
            for index, (keyword, spelling) in enumerate(zip(keywords, spelled, strict=True)):
                forms = (spelling,) if isinstance(spelling, str) else spelling or (keyword,)
                for form in forms:
                    expressions.append(re.escape(form).encode("latin-1"))
                    ids.append(index)
                    flags.append(0 if spelling else hyperscan.HS_FLAG_CASELESS)
            self._db = _cached(expressions, flags, cache, ids)
            self._scratch = hyperscan.Scratch(self._db)

    def find(self, text: str) -> list[tuple[int, int]]:
        if self._db is None or not text:
            return []
        hits: list[tuple[int, int]] = []
        lengths = self._lengths

        def on_match(index: int, _from: int, to: int, _flags: int, _ctx: Any) -> None:
            hits.append((index, to - lengths[index]))

        self._db.scan(text.encode("latin-1"), match_event_handler=on_match,
                      scratch=self._scratch)
        return hits


def _compile(expressions: list[bytes], flags: list[int], ids: list[int]) -> Any:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
    return db


def _cached(expressions: list[bytes], flags: list[int], cache: Path | None,
            ids: list[int]) -> Any:
    """The compiled database, from ``cache`` when an earlier run of the same keywords, flags
    and Hyperscan version left it there (compiling thousands of keywords takes a start a
    quarter of a second; loading takes a millisecond). Any problem with the cache only
    means compiling."""
    if cache is None:
        return _compile(expressions, flags, ids)
    digest = hashlib.sha256(repr((getattr(hyperscan, "__version__", ""), expressions,
                                  flags, ids)).encode()).hexdigest()[:32]
    path = cache / f"prefilter-{digest}.hsdb"
    try:
        return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
    except Exception:  # noqa: BLE001 - missing, truncated or from another build: recompile
        pass
    db = _compile(expressions, flags, ids)
    tmp = None
    try:
        private_dir(cache)
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=".prefilter-")  # 0600
        with os.fdopen(fd, "wb") as out:
            out.write(hyperscan.dumpb(db))
        os.replace(tmp, path)  # whole or not at all, however many processes race here
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return db
