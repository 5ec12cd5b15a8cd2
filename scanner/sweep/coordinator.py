"""keysweep sweep: many repositories, incrementally, into the store. Repositories are scanned
in parallel, one per worker (a local process pool, or a Dask cluster with --scheduler); one
with very many new blobs is scanned afterwards by all workers together. The coordinating
process alone writes the store, one transaction per repository batch."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scanner.engine.config import ScanConfig
from scanner.engine.history import (
    BlobResults,
    place,
    scan_blobs_in_pool,
)
from scanner.engine.scanner import Scanner
from scanner.engine.workers import WorkerPool
from scanner.errors import KeysweepError
from scanner.models import Finding
from scanner.progress import NullProgress, Progress
from scanner.sources.git.command import Git
from scanner.sources.git.log import Commit, History
from scanner.sources.git.objects import list_blobs
from scanner.sources.git.scope import GitScope
from scanner.sweep.repos import RepoSpec, refs_state
from scanner.sweep.store import Batch, RepoRow, Store
from scanner.sweep.worker import (
    RepoOutcome,
    RepoTask,
    finish_outcome,
    is_first_scan,
    open_mirror,
    plan,
    scan_first,
    scan_in_pool,
    scan_repository,
)

BIG_REPO_BLOBS = 20_000  # more new blobs than this: scanned by all workers together


@dataclass(frozen=True)
class SweepOptions:
    cache: Path
    jobs: int = 1
    full: bool = False  # rescan everything (e.g. after new rules)
    repo_timeout: float = 3600.0
    scheduler: str | None = None  # a Dask scheduler address, or None for a local pool
    big_repo_blobs: int = BIG_REPO_BLOBS


@dataclass
class SweepSummary:
    repositories: int = 0
    scanned: int = 0  # repositories with something new
    errors: int = 0
    objects: int = 0
    bytes: int = 0
    new_findings: int = 0
    seconds: float = 0.0
    new: list[Finding] = field(default_factory=list)  # this run's findings, raw: for --verify


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- the coordinator -----------------------------------------------------------------------


class Sweep:
    def __init__(self, store: Store, config: ScanConfig, options: SweepOptions,
                 progress: Progress | None = None,
                 on_repo: Callable[[RepoOutcome], None] | None = None) -> None:
        self.store = store
        self.config = config
        self.options = options
        self.progress = progress or NullProgress()
        self.on_repo = on_repo
        self._big_findings: list[Finding] = []

    def run(self, specs: Sequence[RepoSpec]) -> SweepSummary:
        started = time.perf_counter()
        summary = SweepSummary(repositories=len(specs))
        self.store.interrupt_running()  # scans a killed run left behind
        tasks = []
        for spec in specs:
            repo = self.store.repository(spec.name, spec.url,
                                         spec.source if not spec.remote else "")
            state = None if spec.remote else refs_state(spec.source)
            if not self.options.full and state is not None and state == repo.refs_state:
                continue  # no ref moved since the last scan: nothing can be new
            tasks.append(self._task(spec, repo, state))
        self.progress.start(len(tasks))
        deferred: list[RepoOutcome] = []
        for outcome in self._execute(tasks):
            if outcome.deferred:
                deferred.append(outcome)
                continue
            self._record(outcome, summary)
        for outcome in deferred:  # big ones: every worker on one repository
            self._scan_big(outcome, summary)
        summary.seconds = time.perf_counter() - started
        self.progress.finish()
        return summary

    def _task(self, spec: RepoSpec, repo: RepoRow, state: str | None) -> RepoTask:
        full = self.options.full
        return RepoTask(spec=spec, repo_id=repo.id, scan_id=self.store.start_scan(repo.id),
                        refs_state=state,
                        old_tips=() if full else repo.tips,
                        already=frozenset() if full else frozenset(
                            self.store.scanned_objects(repo.id)),
                        cache=self.options.cache, timeout=self.options.repo_timeout,
                        max_blobs=self.options.big_repo_blobs)

    def _execute(self, tasks: list[RepoTask]) -> Iterator[RepoOutcome]:
        if self.options.scheduler:
            yield from self._on_dask(tasks)
            return
        if self.options.jobs <= 1 or len(tasks) <= 1:
            scanner = Scanner(self.config)
            for task in tasks:
                yield scan_repository(task, scanner)
            return
        with WorkerPool(self.config, self.options.jobs) as pool:
            for task in tasks:
                yield from pool.submit(scan_in_pool, task)
            yield from pool.drain()

    def _on_dask(self, tasks: list[RepoTask]) -> Iterator[RepoOutcome]:
        assert self.options.scheduler is not None
        try:
            from scanner.sweep.cluster import run_on_dask
        except ImportError as exc:
            raise KeysweepError("--scheduler needs Dask: pip install 'keysweep[cluster]'") \
                from exc
        yield from run_on_dask(self.options.scheduler, self.config, tasks)

    def _scan_big(self, outcome: RepoOutcome, summary: SweepSummary) -> None:
        """A repository with very many new blobs: all workers on it, its batches committed
        as they complete, so a kill loses at most the batches in flight."""
        task = outcome.task
        if is_first_scan(task):
            self._scan_big_first(outcome, summary)
            return
        try:
            found = plan(task)
            git, tips, history, new_blobs = found.git, found.tips, found.history, found.new_blobs
            messages = found.messages
            assert history is not None
            listing = _sizes(git, new_blobs)
            with WorkerPool(self.config, max(self.options.jobs, 1)) as pool:
                for part in scan_blobs_in_pool(pool, git, listing):
                    self._commit_blobs(task, history, part)
            outcome.path, outcome.tips = git.repo, tips
            outcome.blobs = BlobResults()
            finish_outcome(outcome, history, Scanner(self.config), messages)
            outcome.objects = len(new_blobs) + len(messages)
            outcome.bytes = sum(size for _, size in listing)
        except (KeysweepError, OSError) as exc:
            outcome.error = str(exc)
        self._record(outcome, summary)
        # Written batch by batch above; counted here for the summary and --verify.
        summary.new_findings += len(self._big_findings)
        summary.new.extend(self._big_findings)
        self._big_findings.clear()

    def _scan_big_first(self, outcome: RepoOutcome, summary: SweepSummary) -> None:
        """A big repository seen for the first time: all workers read every blob in pack
        order, each batch's blobs committed as it completes (a kill loses at most the batches
        in flight; the rerun places what was written from the store); then the few blobs
        with findings are placed and written with the repository's outcome."""
        task = outcome.task
        try:
            with WorkerPool(self.config, max(self.options.jobs, 1)) as pool:
                git, tips = open_mirror(task)  # the pool is forked before git starts
                listing = list_blobs(git)

                def scan_listed(blobs: Iterable[tuple[str, int]]) -> BlobResults:
                    found = BlobResults()
                    for part in scan_blobs_in_pool(pool, git, blobs):
                        with self.store.batch() as batch:
                            write_blobs(batch, task, part)
                        self.progress.advance(part.bytes, 0)
                        found.merge(part)
                    pool.close()  # before placing: each worker's cat-file maps the pack
                    return found

                history, blobs, messages = scan_first(git, tips, self.config, scan_listed,
                                                      listing, max(self.options.jobs, 1))
            outcome.path, outcome.tips = git.repo, tips
            # The blobs were written and their bytes counted batch by batch above: the
            # outcome keeps none of them, only their placed findings.
            outcome.blobs = BlobResults()
            finish_outcome(outcome, history, Scanner(self.config), messages, blobs.findings)
            outcome.objects = blobs.blobs + len(messages)
            summary.bytes += blobs.bytes
        except (KeysweepError, OSError) as exc:
            outcome.error = str(exc)
        self._record(outcome, summary)

    def _commit_blobs(self, task: RepoTask, history: History, part: BlobResults) -> None:
        placed = place(history, part.findings)
        with self.store.batch() as batch:
            write_blobs(batch, task, part)
            write_placed(batch, task, placed)
        self.progress.advance(part.bytes, 0)
        self._big_findings.extend(f for _, _, f in placed)

    def _record(self, outcome: RepoOutcome, summary: SweepSummary) -> None:
        task = outcome.task
        with self.store.batch() as batch:
            if outcome.error is None and outcome.path is not None:
                write_blobs(batch, task, outcome.blobs)
                write_placed(batch, task, outcome.placed)
                write_known(batch, task, outcome.known)
                try:
                    if outcome.objects or outcome.known:
                        update_heads(batch, Git(outcome.path), task.repo_id)
                except (KeysweepError, OSError) as exc:
                    outcome.error = str(exc)
            if outcome.error is None:
                batch.finish_ok(task.repo_id, task.scan_id, outcome.tips, outcome.path or "",
                                task.refs_state, outcome.objects, outcome.bytes)
        if outcome.error is not None:  # nothing of a failed repository is kept but the error
            self.store.finish_scan(task.scan_id, "error", outcome.error)
        summary.errors += outcome.error is not None
        summary.scanned += outcome.objects > 0
        summary.objects += outcome.objects
        summary.bytes += outcome.bytes
        summary.new_findings += len(outcome.placed)
        summary.new.extend(f for _, _, f in outcome.placed)
        self.progress.advance(outcome.bytes, 1)
        if self.on_repo is not None:
            self.on_repo(outcome)


def _sizes(git: Git, ids: Sequence[str]) -> list[tuple[str, int]]:
    """Sizes of these blobs, in pack order (see git_scan.list_blobs)."""
    wanted = set(ids)
    return [(sha, size) for sha, size in list_blobs(git) if sha in wanted]


# -- writing (the SQL is in store.Batch) ----------------------------------------------------


def write_blobs(batch: Batch, task: RepoTask, blobs: BlobResults) -> None:
    batch.add_blobs(task.repo_id, blobs.seen, blobs.findings)


def write_placed(batch: Batch, task: RepoTask,
                 placed: Iterable[tuple[int, str | None, Finding]]) -> None:
    batch.add_locations(task.repo_id, task.scan_id, placed)


def write_known(batch: Batch, task: RepoTask, known: Sequence[tuple[str, str, Commit]]) -> None:
    """Blobs scanned by an earlier run that new commits put at new paths."""
    batch.add_known(task.repo_id, task.scan_id, known)


def update_heads(batch: Batch, git: Git, repo_id: int) -> None:
    """For every location of the repository: is its secret still at its path in HEAD, and
    who last committed that path (its owner)."""
    rows = batch.file_locations(repo_id)
    paths = {path.split("!", 1)[0] for _, path in rows}
    if not paths:
        return
    head: dict[str, str] = {}
    for entry in git.run(["ls-tree", "-r", "-z", "HEAD"], check=False).split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        name = raw.decode("utf-8", "replace")
        if name in paths:
            head[name] = meta.split()[2].decode()
    holders = batch.blob_holders(repo_id)
    owners = {path: _owner(git, path) for path in paths}
    batch.set_heads(repo_id, [
        (secret_id, path, head.get(path.split("!", 1)[0]) in holders.get(secret_id, set()),
         owners.get(path.split("!", 1)[0])) for secret_id, path in rows])


def _owner(git: Git, path: str) -> str | None:
    out = git.text(["log", "-1", "--format=%an <%ae>", "HEAD", "--", path], check=False)
    return out or None


__all__ = ["GitScope", "RepoOutcome", "RepoTask", "Sweep", "SweepOptions", "SweepSummary",
           "scan_repository"]
