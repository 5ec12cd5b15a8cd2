"""Which blob each commit introduced at which path, from one streaming ``git log --raw``
over the whole scope: no patches, no per-commit processes.

Merges are read as combined diffs (``-c``), so a blob a merge created (a conflict resolution)
counts as introduced by the merge, while one taken from a parent keeps its earlier commit.
Commits come oldest first (``--reverse --date-order``: parents before children), so the
first commit seen with a blob at a path is the one that introduced it there."""

from __future__ import annotations

import dataclasses
import queue
import re
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from scanner.sources.git.command import Git, GitError, first_error, is_null_id
from scanner.sources.git.objects import start_thread, write_ids

GITLINK_MODE = "160000"  # a submodule: a commit of another repository, not a blob
# Up to this many blobs are named to git (--find-object), which then diffs as before but
# prints only the commits that introduce them; more, and the whole log is read and filtered.
FIND_OBJECTS_MAX = 4000
# Placing blobs: runs of consecutive commits, a git process each, this many per process and
# no shorter than LOCATE_RUN commits (a small history is one run per process, or fewer).
RUNS_PER_PART = 4
LOCATE_RUN = 2000
DIFF = ("--raw", "-c", "--no-renames", "--no-abbrev")
# Placing a few blobs: a merge diffed against its first parent only (a fifth cheaper than -c).
# It then also lists what the merge took from its other parents, but those blobs were
# introduced there by earlier commits, and the earliest commit is the one kept.
PLACE_DIFF = ("--raw", "--diff-merges=first-parent", "--no-renames", "--no-abbrev")
ORDER = ("--reverse", "--date-order")  # oldest first, parents before children
# Every field NUL-terminated (with -z the raw entries are too): a commit is its id line, then
# four fields, then its changes. The id line is the only field that can start a commit.
_FORMAT = "%H %P%x00%an%x00%ae%x00%aI%x00%B%x00"  # "%H " ends in a space for a root commit
_HEADER = re.compile(rb"([0-9a-f]{40}|[0-9a-f]{64}) (?:[0-9a-f]{40,64}(?: [0-9a-f]{40,64})*)?")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author: str
    email: str
    date: str
    order: int  # position in history order, oldest first


@dataclass(slots=True)
class History:
    commits: dict[str, Commit] = field(default_factory=dict)
    # blob id -> path -> sha of the first commit (history order) with that blob at that path
    introductions: dict[str, dict[str, str]] = field(default_factory=dict)
    submodules: set[str] = field(default_factory=set)
    placed: bool = True  # False: no blob was looked up (each is then known by its id only)


MessageSink = Callable[[Commit, str], None]


def read_history(git: Git, revs: Sequence[str], on_message: MessageSink | None = None,
                 paths: Sequence[str] = ()) -> History:
    history = History()
    for commit, message, changes in iter_log(git, revs, paths):
        history.commits[commit.sha] = commit
        if on_message is not None and message.strip():
            on_message(commit, message)
        for mode, blob, path in changes:
            if mode == GITLINK_MODE:
                history.submodules.add(path)
                continue
            history.introductions.setdefault(blob, {}).setdefault(path, commit.sha)
    return history


def read_messages(git: Git, revs: Sequence[str], on_message: MessageSink) -> list[str]:
    """Every commit message in ``revs``, with no diff (far cheaper than the history), and
    the ids of all the commits in history order, oldest first."""
    order = []
    for commit, message, _ in iter_log(git, [*ORDER, *revs], diff=False):
        order.append(commit.sha)
        if message.strip():
            on_message(commit, message)
    return order


def locate_blobs(git: Git, commits: Sequence[str], blobs: Collection[str],
                 parts: int = 1) -> History:
    """Which of ``commits`` (ids in history order, oldest first) introduced each of
    ``blobs`` at which path. ``parts`` git processes at a time diff runs of consecutive
    commits (``locate_runs``) each; naming the blobs (``--find-object``, when there are few
    enough) lets git print only the commits that introduce them."""
    position = {sha: i for i, sha in enumerate(commits)}
    find = [f"--find-object={b}" for b in sorted(blobs)] if len(blobs) <= FIND_OBJECTS_MAX \
        else []
    runs: queue.SimpleQueue[Sequence[str]] = queue.SimpleQueue()
    for run in locate_runs(commits, parts):
        runs.put(run)
    found: list[list[tuple[Commit, list[tuple[str, str, str]]]]] = [[] for _ in range(parts)]
    errors: list[BaseException] = []

    def read(part: int) -> None:
        try:
            while not errors:
                try:
                    ids = runs.get_nowait()
                except queue.Empty:
                    return
                for commit, _, changes in iter_log(git, ["--no-walk=unsorted", "--stdin"],
                                                   options=[*PLACE_DIFF, *find], diff=False,
                                                   stdin=ids):
                    kept = [c for c in changes if c[1] in blobs]
                    if kept:
                        found[part].append((commit, kept))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(parts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    history = History()
    located = sorted((position[c.sha], c, changes) for part in found for c, changes in part)
    for order, commit, changes in located:
        history.commits[commit.sha] = dataclasses.replace(commit, order=order)
        for _, blob, path in changes:
            history.introductions.setdefault(blob, {}).setdefault(path, commit.sha)
    return history


def locate_runs(commits: Sequence[str], parts: int) -> list[Sequence[str]]:
    """``commits`` (history order) cut into runs of consecutive commits: up to RUNS_PER_PART
    per process, each at least LOCATE_RUN long if the history allows. A run's git reads the
    trees of one stretch of history, which consecutive commits share, so each process holds
    a part of the history's trees, not all of them (git/git's 203k commits on two
    processes: 690 -> 265 MB each, and a fifth less CPU than giving each process every
    other commit)."""
    # A multiple of ``parts`` runs of one length: no process is left with the last one alone.
    count = parts * min(RUNS_PER_PART, max(1, len(commits) // (parts * LOCATE_RUN)))
    n = len(commits)
    cuts = sorted({n * i // count for i in range(count + 1)})
    return [commits[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def iter_log(git: Git, revs: Sequence[str], paths: Sequence[str] = (),
             options: Sequence[str] = (), diff: bool = True,
             stdin: Sequence[str] | None = None,
             ) -> Iterator[tuple[Commit, str, list[tuple[str, str, str]]]]:
    """Each commit with its message and the (mode, new blob, path) it added or changed, when
    a diff is asked for: ``diff``, the history's (combined diffs of merges, oldest first), or
    one in ``options``. ``stdin``: commit ids to show (with ``--stdin`` among ``revs``)."""
    args = ["log", *(DIFF + ORDER if diff else ()), "-z", "--no-color", f"--format={_FORMAT}",
            *options, *revs, "--", *paths]
    proc = git.popen(args, stdin=stdin is not None)
    assert proc.stdout is not None and proc.stderr is not None
    # From a thread: writing every id first could fill the pipe while git waits to write.
    writer = start_thread(write_ids, proc.stdin, stdin) if stdin is not None else None
    try:
        yield from parse_log(_tokens(proc.stdout))
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
        if writer is not None:
            writer.join()
    if code != 0:
        raise GitError(f"git log failed in {git.repo}: {first_error(stderr)}")


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """The NUL-terminated fields of ``git log -z`` output. No field can hold a NUL (git keeps
    none in names, messages or paths), so no content can shift the fields."""
    pending = b""
    while block := stream.read(1 << 20):
        fields = (pending + block).split(b"\0")
        pending = fields.pop()
        yield from fields
    if pending:
        yield pending


def parse_log(tokens: Iterable[bytes]) -> Iterator[tuple[Commit, str, list[tuple[str, str, str]]]]:
    """Commits from the fields of ``git log -z --raw -c --format=`` with ``_FORMAT``: five
    header fields (ids, author, email, date, message), then (meta, path) pairs whose meta
    starts with ':'. Empty fields separate commits."""
    it = iter(tokens)
    order = 0
    token = next(it, None)
    header = _HEADER.fullmatch(token) if token else None
    while token is not None:
        if header is None:  # a separator between commits
            token = next(it, None)
            header = _HEADER.fullmatch(token) if token else None
            continue
        ids = header.group(1)
        author, email, date, message = next(it, b""), next(it, b""), next(it, b""), next(it, b"")
        changes = []
        # Each field is matched against the header once: the match that ends this commit
        # starts the next (an empty field, the separator, is no header).
        while (token := next(it, None)) is not None:
            if token and (header := _HEADER.fullmatch(token)) is not None:
                break
            meta = token.lstrip(b"\n")
            if meta.startswith(b":"):
                change = _change(meta, next(it, b""))
                if change is not None:
                    changes.append(change)
        # Names repeat across thousands of commits: keep one copy of each.
        commit = Commit(ids.decode(), sys.intern(_text(author)),
                        sys.intern(_text(email)), date.decode("ascii", "replace"), order)
        yield commit, _text(message), changes
        order += 1


def _change(meta: bytes, path: bytes) -> tuple[str, str, str] | None:
    """(mode, blob, path) from one raw entry; None for a deletion or an entry we cannot
    read. Merges (``-c``) list one mode and one id per parent before the result's."""
    parents = len(meta) - len(meta.lstrip(b":"))
    fields = meta[parents:].split()
    if len(fields) < 2 * parents + 2:
        return None
    mode, blob = fields[parents].decode(), fields[2 * parents + 1].decode()
    if is_null_id(blob):  # deleted in this commit
        return None
    return mode, blob, sys.intern(_text(path))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")
