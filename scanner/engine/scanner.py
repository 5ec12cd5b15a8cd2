"""Run a scan: sources -> pipeline -> ScanResult, in worker processes when the input is large
enough for parallelism to pay."""

from __future__ import annotations

import io
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from scanner.engine.config import ScanConfig
from scanner.engine.detector import Pipeline
from scanner.engine.processes import kill_tree
from scanner.errors import SourceError
from scanner.matching.prefilter import engine_name
from scanner.models import Chunk, Finding, Origin, ScanResult, Skipped, unexpected
from scanner.progress import NullProgress, Progress
from scanner.sources.files import STDIN, FileItem, iter_files, read_file
from scanner.sources.inputs import iter_input
from scanner.sources.reader import Readable

INLINE_BYTES = 8 << 20  # below this much input a worker pool costs more than it saves
BATCH_BYTES = 4 << 20
BATCH_FILES = 256
PARENT_CHECK_SECONDS = 0.5  # how soon a worker notices its coordinator was killed


class ScanTimeout(SourceError):
    """An input, or a repository, took longer than its time budget."""


class Scanner:
    """A configured scanner; builds its pipeline once and reuses it."""

    def __init__(self, config: ScanConfig | None = None) -> None:
        self.config = config or ScanConfig()
        self._pipeline: Pipeline | None = None

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = build_pipeline(self.config)
        return self._pipeline

    def scan_chunks(self, parts: Iterable[Chunk | Skipped],
                    deadline: float | None = None) -> ScanResult:
        """``deadline`` (a ``time.monotonic()`` value) is checked before each chunk, so a
        time budget holds inside one huge input too."""
        result = ScanResult()
        for part in parts:
            if deadline is not None and time.monotonic() > deadline:
                raise ScanTimeout("timed out")
            if isinstance(part, Skipped):
                result.skipped.append(part)
                continue
            chunk_result = self.pipeline.scan_chunk(part)
            result.findings.extend(chunk_result.findings)
            result.suppressed.extend(chunk_result.suppressed)
            result.dropped.extend(chunk_result.dropped)
            result.skipped.extend(chunk_result.skipped)
            own_to = len(part.text) if part.own_to is None else part.own_to
            result.stats.bytes += own_to - part.own_from
        return result

    def scan_blob(self, stream: Readable, deadline: float | None = None) -> ScanResult:
        """One git blob (or any stream); locations carry no path yet."""
        return self.scan_chunks(iter_input(stream, Origin(""), self.config.read), deadline)

    def scan_text(self, text: str | bytes, path: str = "<text>") -> ScanResult:
        data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        result = self.scan_chunks(iter_input(io.BytesIO(data), Origin(path), self.config.read))
        result.stats.files = 1
        return finish(result, self.pipeline.engine, 0.0)

    def scan_items(self, items: Sequence[FileItem]) -> ScanResult:
        result = ScanResult()
        for item in items:
            try:
                result.extend(self.scan_chunks(read_file(item, self.config.read)))
            except Exception as exc:  # noqa: BLE001 - contained at the file, the scan goes on
                result.skipped.append(Skipped(item.display, unexpected(exc)))
            result.stats.files += 1
        return result

    def scan_paths(self, paths: Sequence[str], progress: Progress | None = None) -> ScanResult:
        started = time.perf_counter()
        progress = progress or NullProgress()
        result = ScanResult()
        items: list[FileItem] = []
        for entry in iter_files(paths, self.config.excludes, self.config.default_excludes):
            if isinstance(entry, Skipped):
                result.skipped.append(entry)
            else:
                items.append(entry)
        result.missing = [p for p in paths if p != STDIN and not os.path.lexists(p)]
        total = sum(i.size for i in items)
        progress.start(total)
        batches = list(_batches(items))
        parallel = self.config.jobs > 1 and total >= INLINE_BYTES and len(batches) > 1
        results = _in_pool(self.config, batches) if parallel else map(self.scan_items, batches)
        try:
            for part in results:
                result.extend(part)
                progress.advance(part.stats.bytes, part.stats.files)
        finally:
            progress.finish()
        return finish(result, engine_name(self.config.engine), time.perf_counter() - started)


def build_pipeline(config: ScanConfig) -> Pipeline:
    return Pipeline(config.rules, engine=config.engine, decode_depth=config.decode_depth,
                    regex_timeout=config.regex_timeout, explain=config.explain)


def finish(result: ScanResult, engine: str, seconds: float) -> ScanResult:
    """Sort findings, drop exact repeats, fill in the totals."""
    unique: dict[tuple[object, ...], Finding] = {}
    for f in result.findings:
        loc = f.location
        unique.setdefault((f.rule_id, loc.path, loc.commit, loc.line, loc.column, f.secret), f)
    result.findings = sorted(unique.values(), key=lambda f: (
        f.location.path, f.location.commit or "", f.location.line, f.location.column, f.rule_id))
    result.stats.skipped = len(result.skipped)
    result.stats.dropped = len(result.dropped)
    result.stats.engine = engine
    result.stats.seconds = seconds
    return result


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


class Closeable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=Closeable)


class WorkerState:
    """What one worker process keeps across its tasks: its scanner (the automaton and
    regexes built once), and resources worth reusing between tasks (e.g. one cat-file per
    repository), all closed when the worker stops. Built by the worker's own main loop and
    handed to every task, so nothing lives in a module global."""

    def __init__(self, config: ScanConfig) -> None:
        self.scanner = Scanner(config)
        self.scanner.pipeline  # noqa: B018  build the automaton and regexes once per process
        self._kept: dict[str, Closeable] = {}

    def kept(self, key: str, make: Callable[[], C]) -> C:
        """The resource kept under ``key``, made on first use."""
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = make()
        return found  # type: ignore[return-value]  # always made by this key's factory

    def discard(self, key: str) -> None:
        """Close and forget a resource (e.g. a reader left mid-stream by a failed task)."""
        found = self._kept.pop(key, None)
        if found is not None:
            found.close()

    def close(self) -> None:
        while self._kept:
            self.discard(next(iter(self._kept)))

    def __enter__(self) -> WorkerState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Task = Callable[[WorkerState, Any], Any]  # a module-level function: it is pickled by name


class WorkerFailed(RuntimeError):
    """A worker process died (killed, out of memory) with tasks in flight."""


def _worker_main(config: ScanConfig, tasks: Any, results: Any, parent: int) -> None:
    """A worker process: build its state once, then run tasks until told to stop."""
    # Its own process group, so ^C at a terminal reaches the coordinator alone, which stops
    # the workers itself (with the git processes they started).
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    with WorkerState(config) as state:
        results.put(None)  # ready
        while (item := tasks.get()) is not None:
            fn, arg = item
            try:
                payload = pickle.dumps((True, fn(state, arg)))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                try:
                    payload = pickle.dumps((False, exc))
                except Exception:  # noqa: BLE001 - an exception that does not pickle
                    payload = pickle.dumps((False, RuntimeError(repr(exc))))
            results.put(payload)


def _exit_with(parent: int) -> None:
    """End this worker, and the git processes it started, once its coordinator is gone (a
    kill -9 runs no cleanup; its workers would otherwise scan on for nobody)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    kill_tree(os.getpid())


class WorkerPool:
    """Worker processes, each with its own WorkerState, taking tasks from one queue. Workers
    are forked at once, before the caller starts any git process whose pipes they would
    otherwise inherit and hold open. At most a few tasks are in flight, so memory stays
    bounded. Results come back in the order they finish."""

    def __init__(self, config: ScanConfig, workers: int) -> None:
        # Imported here: a pre-push hook never needs them, and they cost it 10 ms.
        from multiprocessing import get_all_start_methods, get_context

        method = "fork" if "fork" in get_all_start_methods() else "spawn"
        context: Any = get_context(method)  # typeshed's BaseContext lacks Process
        self.workers = workers
        self._tasks = context.Queue()
        self._results = context.Queue()
        self._procs = [context.Process(target=_worker_main, daemon=True,
                                       args=(config, self._tasks, self._results, os.getpid()))
                       for _ in range(workers)]
        self._pending = 0
        for proc in self._procs:
            proc.start()
        for _ in self._procs:
            self._get()  # every worker ready

    def _get(self) -> Any:
        """The next message from any worker; WorkerFailed if one died instead."""
        from queue import Empty

        while True:
            try:
                return self._results.get(timeout=1.0)
            except Empty:
                if any(p.exitcode is not None for p in self._procs):
                    raise WorkerFailed("a worker process exited unexpectedly") from None

    def _result(self) -> Any:
        ok, value = pickle.loads(self._get())
        self._pending -= 1
        if not ok:
            raise value
        return value

    def submit(self, fn: Task, arg: Any) -> Iterator[Any]:
        """Queue one task; yields results of tasks that finished meanwhile (never blocks
        unless too many are in flight)."""
        self._tasks.put((fn, arg))
        self._pending += 1
        while self._pending > 2 * self.workers:
            yield self._result()

    def drain(self) -> Iterator[Any]:
        while self._pending > 0:
            yield self._result()

    def close(self) -> None:
        """Stop the workers: at once if tasks are still in flight (the caller gave up on
        them), else after they close their state."""
        if self._pending:
            for proc in self._procs:
                kill_tree(proc.pid)  # with the git processes it started
            self._tasks.cancel_join_thread()
        else:
            for _ in self._procs:
                self._tasks.put(None)
        for proc in self._procs:
            proc.join()
        self._tasks.close()
        self._results.close()
        self._pending = 0

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scan_batch(state: WorkerState, items: list[FileItem]) -> ScanResult:
    return state.scanner.scan_items(items)


def _in_pool(config: ScanConfig, batches: list[list[FileItem]]) -> Iterator[ScanResult]:
    with WorkerPool(config, min(config.jobs, len(batches))) as pool:
        for batch in batches:
            yield from pool.submit(_scan_batch, batch)
        yield from pool.drain()


def scan_paths(paths: Sequence[str], config: ScanConfig | None = None,
               progress: Progress | None = None) -> ScanResult:
    return Scanner(config).scan_paths(paths, progress)


def scan_text(text: str | bytes, config: ScanConfig | None = None,
              path: str = "<text>") -> ScanResult:
    return Scanner(config).scan_text(text, path)
