"""Run a scan: sources -> pipeline -> ScanResult, in worker processes when the input is large
enough for parallelism to pay."""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from scanner.engine.config import ScanConfig
from scanner.engine.detector import Pipeline, keyword_prefilter
from scanner.errors import SourceError
from scanner.matching.prefilter import Prefilter, engine_name
from scanner.models import (
    Chunk,
    Finding,
    Origin,
    ResultBuilder,
    ScanResult,
    Skipped,
    unexpected,
)
from scanner.progress import NullProgress, Progress
from scanner.sources.files import STDIN, FileItem, iter_files, read_file
from scanner.sources.inputs import iter_input
from scanner.sources.reader import Readable

if TYPE_CHECKING:
    from scanner.engine.workers import WorkerPool, WorkerState

INLINE_BYTES = 8 << 20  # below this much input a worker pool costs more than it saves
BATCH_BYTES = 4 << 20
BATCH_FILES = 256


class ScanTimeout(SourceError):
    """An input, or a repository, took longer than its time budget."""


class Scanner:
    """A configured scanner; builds its pipeline once and reuses it."""

    def __init__(self, config: ScanConfig | None = None) -> None:
        self.config = config or ScanConfig()
        self._pipeline: Pipeline | None = None

    @property
    def engine(self) -> str:
        """The prefilter engine's name, without building the pipeline for it (a history
        scanned by workers never needs one in the coordinator)."""
        if self._pipeline is not None:
            return self._pipeline.engine
        return engine_name(self.config.engine)

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = build_pipeline(self.config)
        return self._pipeline

    def scan_chunks(self, parts: Iterable[Chunk | Skipped],
                    deadline: float | None = None,
                    hits: list[tuple[int, int]] | None = None) -> ScanResult:
        """``deadline`` (a ``time.monotonic()`` value) is checked before each chunk, so a
        time budget holds inside one huge input too. ``hits``: the one chunk's keyword hits,
        when the caller has them."""
        out = ResultBuilder()
        for part in parts:
            if deadline is not None and time.monotonic() > deadline:
                raise ScanTimeout("timed out")
            if isinstance(part, Skipped):
                out.skipped.append(part)
                continue
            chunk_result = self.pipeline.scan_chunk(part, hits)
            out.findings.extend(chunk_result.findings)
            out.suppressed.extend(chunk_result.suppressed)
            out.dropped.extend(chunk_result.dropped)
            out.skipped.extend(chunk_result.skipped)
            own_to = len(part.text) if part.own_to is None else part.own_to
            out.bytes += own_to - part.own_from
        return out.build()

    def scan_plain_blob(self, text: str, hits: list[tuple[int, int]]) -> ScanResult:
        """A small blob that is read byte for byte (``reader.is_plain``, no archive), as
        Latin-1 ``text``, with the keyword hits a prefilter already found in it: the one
        chunk ``scan_blob`` would make of it, without a second prefilter pass."""
        return self.scan_chunks([Chunk(Origin(""), text, 0, 0, 0, None)], hits=hits)

    def scan_blob(self, stream: Readable, deadline: float | None = None) -> ScanResult:
        """One git blob (or any stream); locations carry no path yet."""
        return self.scan_chunks(iter_input(stream, Origin(""), self.config.read), deadline)

    def scan_text(self, text: str | bytes, path: str = "<text>") -> ScanResult:
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        result = self.scan_chunks(iter_input(io.BytesIO(data), Origin(path), self.config.read))
        return finish(replace(result, stats=replace(result.stats, files=1)),
                      self.engine, 0.0)

    def scan_items(self, items: Sequence[FileItem]) -> ScanResult:
        out = ResultBuilder()
        for item in items:
            try:
                out.add(self.scan_chunks(read_file(item, self.config.read)))
            except Exception as exc:  # noqa: BLE001 - contained at the file, the scan goes on
                out.skipped.append(Skipped(item.display, unexpected(exc)))
            out.files += 1
        return out.build()

    def scan_paths(self, paths: Sequence[str], progress: Progress | None = None) -> ScanResult:
        started = time.perf_counter()
        progress = progress or NullProgress()
        out = ResultBuilder()
        items: list[FileItem] = []
        total = 0
        with contextlib.ExitStack() as stack:
            pool: WorkerPool | None = None
            for entry in iter_files(paths, self.config.excludes, self.config.default_excludes):
                if isinstance(entry, Skipped):
                    out.skipped.append(entry)
                    continue
                items.append(entry)
                total += entry.size
                if pool is None and self.config.jobs > 1 and total >= INLINE_BYTES:
                    # Started as soon as the tree is known to be large: the workers get
                    # ready while the rest of it is walked.
                    pool = stack.enter_context(_pool(self.config))
            out.missing = [p for p in paths if p != STDIN and not os.path.lexists(p)]
            progress.start(total)
            batches = list(_batches(items))
            results = _in_pool(pool, batches) if pool is not None and len(batches) > 1 \
                else map(self.scan_items, batches)
            try:
                for part in results:
                    out.add(part)
                    progress.advance(part.stats.bytes, part.stats.files)
            finally:
                progress.finish()
        return finish(out.build(), engine_name(self.config.engine), time.perf_counter() - started)


def build_pipeline(config: ScanConfig) -> Pipeline:
    return Pipeline(config.rules, engine=config.engine, decode_depth=config.decode_depth,
                    regex_timeout=config.regex_timeout, explain=config.explain,
                    prefilter_cache=config.prefilter_cache)


def build_keyword_prefilter(config: ScanConfig) -> Prefilter:
    """The keyword prefilter of ``build_pipeline(config)``, built alone."""
    return keyword_prefilter(config.rules, config.engine, config.decode_depth,
                             config.prefilter_cache)


def finish(result: ScanResult, engine: str, seconds: float) -> ScanResult:
    """Sort findings, drop exact repeats, fill in the totals."""
    unique: dict[tuple[object, ...], Finding] = {}
    for f in result.findings:
        loc = f.location
        unique.setdefault((f.rule_id, loc.path, loc.commit, loc.line, loc.column, f.secret), f)
    findings = sorted(unique.values(), key=lambda f: (
        f.location.path, f.location.commit or "", f.location.line, f.location.column, f.rule_id))
    return replace(result, findings=tuple(findings), stats=replace(
        result.stats, skipped=len(result.skipped), dropped=len(result.dropped), engine=engine,
        seconds=seconds))


def _batches(items: list[FileItem]) -> Iterator[list[FileItem]]:
    """Groups of files of about BATCH_BYTES; large files first, so no worker ends the scan
    alone on a big file it picked up last."""
    batch: list[FileItem] = []
    size = 0
    for item in sorted(items, key=lambda i: -i.size):
        batch.append(item)
        size += item.size
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# -- worker processes ------------------------------------------------------------------------


def _scan_batch(state: WorkerState, items: list[FileItem]) -> ScanResult:
    return state.scanner.scan_items(items)


def _pool(config: ScanConfig) -> WorkerPool:
    from scanner.engine.workers import WorkerPool  # a hook scans in-process: not imported

    return WorkerPool(config, config.jobs)


def _in_pool(pool: WorkerPool, batches: list[list[FileItem]]) -> Iterator[ScanResult]:
    for batch in batches:
        yield from pool.submit(_scan_batch, batch)
    yield from pool.drain()


def scan_paths(paths: Sequence[str], config: ScanConfig | None = None,
               progress: Progress | None = None) -> ScanResult:
    return Scanner(config).scan_paths(paths, progress)


def scan_text(text: str | bytes, config: ScanConfig | None = None,
              path: str = "<text>") -> ScanResult:
    return Scanner(config).scan_text(text, path)
