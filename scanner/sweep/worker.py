"""One repository of a sweep, as a worker scans it: mirror or fetch, find what is new since
the last run, scan it. Everything a scan needs comes in as arguments and everything it
finds goes out in the returned RepoOutcome; nothing is kept in module globals, because a
Dask worker runs several of these at once in threads."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.engine.config import ScanConfig
from scanner.engine.history import (
    COMMIT_MESSAGE,
    BlobResults,
    new_tag_messages,
    place,
    scan_blob_ids,
    scan_whole_history,
)
from scanner.engine.scanner import Scanner
from scanner.engine.workers import WorkerState
from scanner.errors import KeysweepError
from scanner.models import Finding, unexpected
from scanner.sources.git.command import Git, open_repo
from scanner.sources.git.log import Commit, History, read_history
from scanner.sources.git.objects import CatFile, list_blobs
from scanner.sources.git.scope import missing_objects, stash_entries
from scanner.sweep.repos import RepoSpec, mirror


@dataclass(frozen=True)
class RepoTask:
    spec: RepoSpec
    repo_id: int
    scan_id: int
    old_tips: tuple[str, ...]
    already: frozenset[str]  # blobs scanned by earlier runs
    cache: Path
    timeout: float
    max_blobs: int
    refs_state: str | None = None  # the local repository's refs before this scan


@dataclass
class RepoOutcome:
    task: RepoTask
    path: str | None = None
    tips: list[str] = field(default_factory=list)
    blobs: BlobResults = field(default_factory=BlobResults)
    placed: list[tuple[int, str | None, Finding]] = field(default_factory=list)
    known: list[tuple[str, str, Commit]] = field(default_factory=list)  # older blobs, new places
    objects: int = 0
    bytes: int = 0
    error: str | None = None
    deferred: bool = False  # too many new blobs for one worker


@dataclass(frozen=True)
class Plan:
    """What is new in one repository since the last run."""

    git: Git
    tips: list[str]
    history: History | None  # None: no ref moved, nothing to read
    new_blobs: list[str]
    # the new commits' and annotated tags' messages, with the path findings go to
    messages: tuple[tuple[Commit, str, str], ...]


def current_tips(git: Git) -> list[str]:
    out = git.run(["for-each-ref", "--format=%(objectname)"])
    return sorted(set(out.decode().split()) | set(stash_entries(git)))


def _existing(git: Git, shas: Sequence[str]) -> list[str]:
    missing = set(missing_objects(git, shas))
    return [s for s in shas if s not in missing]


def is_first_scan(task: RepoTask) -> bool:
    """Nothing of this repository is in the store yet (a new one, or ``--full``): every
    blob is new, so the whole object store is read in pack order and only the blobs with
    findings are placed, as ``keysweep git`` does. (A first scan killed midway left blobs
    behind: its rerun takes the incremental path, which places those from the store.)"""
    return not task.old_tips and not task.already


def open_mirror(task: RepoTask) -> tuple[Git, list[str]]:
    """Mirror or fetch; the repository and its tips."""
    git = open_repo(mirror(task.spec, task.cache, task.timeout))
    return git, current_tips(git)


def scan_first(git: Git, tips: list[str], config: ScanConfig,
               scan_listed: Callable[[Iterable[tuple[str, int]]], BlobResults],
               listing: list[tuple[str, int]], jobs: int = 1,
               ) -> tuple[History, BlobResults, list[tuple[Commit, str, str]]]:
    """A first scan of a repository: its blobs through ``scan_listed``, its commit and
    annotated tag messages; the history that places the blobs with findings."""
    found: list[tuple[Commit, str]] = []
    history, blobs = scan_whole_history(git, tips, scan_listed, config, found, jobs, listing)
    messages = [(commit, message, COMMIT_MESSAGE) for commit, message in found]
    messages.extend(new_tag_messages(git, tips))
    return history, blobs, messages


def plan(task: RepoTask) -> Plan:
    """Mirror or fetch, then find what is new since the last run: the commits no earlier tip
    reaches, and their blobs not scanned before."""
    git, tips = open_mirror(task)
    if not tips or set(tips) == set(task.old_tips):
        return Plan(git, tips, None, [], ())
    old = _existing(git, task.old_tips)
    revs = tips + (["--not", *old] if old else [])
    messages: list[tuple[Commit, str, str]] = []
    history = read_history(git, revs, lambda commit, message: messages.append(
        (commit, message, COMMIT_MESSAGE)))
    new_blobs = [b for b in history.introductions if b not in task.already]
    messages.extend(new_tag_messages(git, [t for t in tips if t not in set(task.old_tips)]))
    return Plan(git, tips, history, new_blobs, tuple(messages))


def scan_repository(task: RepoTask, scanner: Scanner) -> RepoOutcome:
    """Scan one repository with the caller's scanner (used by one thread at a time). Its
    cat-file is closed when the scan ends, however it ends."""
    outcome = RepoOutcome(task)
    deadline = time.monotonic() + task.timeout
    try:
        if is_first_scan(task):
            _scan_first_time(outcome, scanner, deadline)
            return outcome
        found = plan(task)
        outcome.path, outcome.tips = found.git.repo, found.tips
        if found.history is None:
            return outcome
        if len(found.new_blobs) > task.max_blobs:
            outcome.deferred = True
            return outcome
        with CatFile(found.git) as reader:
            outcome.blobs = scan_blob_ids(scanner, reader, found.new_blobs, deadline)
        finish_outcome(outcome, found.history, scanner, found.messages)
    except (KeysweepError, OSError) as exc:
        outcome.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one repository must not stop the sweep
        outcome.error = unexpected(exc)
    return outcome


def _scan_first_time(outcome: RepoOutcome, scanner: Scanner, deadline: float) -> None:
    task = outcome.task
    git, tips = open_mirror(task)
    outcome.path, outcome.tips = git.repo, tips
    if not tips:
        return
    listing = list_blobs(git)
    if len(listing) > task.max_blobs:
        outcome.deferred = True
        return
    with CatFile(git) as reader:
        history, outcome.blobs, messages = scan_first(
            git, tips, scanner.config,
            lambda blobs: scan_blob_ids(scanner, reader, [sha for sha, _ in blobs], deadline),
            listing)
    finish_outcome(outcome, history, scanner, messages)


def scan_in_pool(state: WorkerState, task: RepoTask) -> RepoOutcome:
    """The task of a local pool worker: its process's scanner."""
    return scan_repository(task, state.scanner)


def finish_outcome(outcome: RepoOutcome, history: History, scanner: Scanner,
                   messages: Sequence[tuple[Commit, str, str]],
                   findings: dict[str, list[Finding]] | None = None) -> None:
    """Place the findings (by default those of ``outcome.blobs``) and the messages' own."""
    outcome.placed = place(history, outcome.blobs.findings if findings is None else findings)
    for commit, message, label in messages:
        for f in scanner.scan_text(message, label).findings:
            placed = dataclasses.replace(f, location=dataclasses.replace(
                f.location, path=label, commit=commit.sha, author=commit.author,
                date=commit.date))
            outcome.placed.append((commit.order, None, placed))
    outcome.known = [(blob, path, history.commits[sha])
                     for blob, paths in history.introductions.items()
                     if blob in outcome.task.already for path, sha in paths.items()]
    outcome.objects = outcome.blobs.blobs + len(messages)
    outcome.bytes = outcome.blobs.bytes


class ThreadScanners:
    """One scanner per thread for one configuration, made on a thread's first use: a
    scanner's pipeline (its Hyperscan scratch above all) serves one scan at a time, and a
    Dask worker runs several tasks at once. Owned by whoever runs the tasks (a Dask worker
    plugin), not by this module."""

    def __init__(self, config: ScanConfig) -> None:
        self.config = config
        self._local = threading.local()

    def get(self) -> Scanner:
        scanner: Scanner | None = getattr(self._local, "scanner", None)
        if scanner is None:
            scanner = self._local.scanner = Scanner(self.config)
        return scanner
