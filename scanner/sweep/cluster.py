"""Sweep tasks on a Dask cluster (--scheduler). Imported only on that path: distributed is an
optional dependency (keysweep[cluster]). Each worker gets, through a plugin registered for
this sweep alone, one scanner per thread; a task carries everything else it needs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from distributed import Client, WorkerPlugin, get_worker
from distributed import as_completed as dask_completed

from scanner.engine.config import ScanConfig
from scanner.sweep.worker import RepoOutcome, RepoTask, ThreadScanners, scan_repository


class ScannersPlugin(WorkerPlugin):
    """Installed on every worker (and on workers that join later); its scanners live as
    long as the plugin, i.e. this sweep."""

    def __init__(self, config: ScanConfig) -> None:
        self.config = config
        self.scanners: ThreadScanners | None = None

    def setup(self, worker: Any) -> None:
        self.scanners = ThreadScanners(self.config)

    def teardown(self, worker: Any) -> None:
        self.scanners = None


def scan_on_worker(task: RepoTask, plugin: str) -> RepoOutcome:
    """The task a Dask worker runs, in any of its threads: the thread's own scanner."""
    installed = get_worker().plugins[plugin]
    assert isinstance(installed, ScannersPlugin) and installed.scanners is not None
    return scan_repository(task, installed.scanners.get())


def run_on_dask(address: str, config: ScanConfig,
                tasks: Sequence[RepoTask]) -> Iterator[RepoOutcome]:
    name = f"keysweep-scanners-{uuid.uuid4().hex}"  # one sweep's, whatever else runs there
    with Client(address, timeout=30) as client:
        client.register_plugin(ScannersPlugin(config), name=name)
        try:
            futures = [client.submit(scan_on_worker, task, name, pure=False)
                       for task in tasks]
            for future in dask_completed(futures):
                yield future.result()
        finally:
            client.unregister_worker_plugin(name)
