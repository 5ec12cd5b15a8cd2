"""Worker processes for scans that pay for parallelism: each builds its own scanner once and
keeps per-task resources (one cat-file per repository) in a WorkerState it hands to every
task; the pool stops them with everything they started, and they stop themselves when
their coordinator is killed."""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

from scanner.engine.config import ScanConfig
from scanner.engine.processes import kill_tree
from scanner.engine.scanner import Scanner

PARENT_CHECK_SECONDS = 0.5  # how soon a worker notices its coordinator was killed


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
    otherwise inherit and hold open, and build their scanners while the caller walks or
    lists what they will scan. At most a few tasks are in flight, so memory stays bounded.
    Results come back in the order they finish."""

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
        self._used = False
        self._closed = False
        for proc in self._procs:
            proc.start()  # not waited for: each builds its scanner while the caller goes on

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
        self._used = True
        while self._pending > 2 * self.workers:
            yield self._result()

    def drain(self) -> Iterator[Any]:
        while self._pending > 0:
            yield self._result()

    def close(self) -> None:
        """Stop the workers: at once if tasks are still in flight (the caller gave up on
        them) or none was ever given (they may still be getting ready), else after they close
        their state. Closing again does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._pending or not self._used:
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
