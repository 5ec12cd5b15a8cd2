"""Which blob each commit introduced at which path, from one streaming ``git log --raw``
over the whole scope: no patches, no per-commit processes.

Merges are read as combined diffs (``-c``), so a blob a merge created (a conflict resolution)
counts as introduced by the merge, while one taken from a parent keeps its earlier commit.
Commits come oldest first (``--reverse --date-order``: parents before children), so the
first commit seen with a blob at a path is the one that introduced it there."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from scanner.sources.git.command import Git, GitError, first_error, is_null_id

GITLINK_MODE = "160000"
# Up to this many blobs are named to git (--find-object), which then diffs as before but
# prints only the commits that introduce them; more, and the whole log is read and filtered.
FIND_OBJECTS_MAX = 4000  # a submodule: a commit of another repository, not a blob
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


MessageSink = Callable[[Commit, str], None]


def read_history(git: Git, revs: Sequence[str], on_message: MessageSink | None = None,
                 paths: Sequence[str] = (), blobs: Collection[str] | None = None) -> History:
    """Every commit in ``revs`` with the blobs it introduced at each path; only where
    ``blobs`` are introduced when those are given (git itself then leaves out the commits
    that introduce none of them, when there are few enough to name)."""
    history = History()
    find = [f"--find-object={b}" for b in sorted(blobs)] \
        if blobs is not None and len(blobs) <= FIND_OBJECTS_MAX else []
    for commit, message, changes in iter_log(git, revs, paths, find):
        if on_message is not None and message.strip():
            on_message(commit, message)
        if blobs is None:
            history.commits[commit.sha] = commit
        for mode, blob, path in changes:
            if mode == GITLINK_MODE:
                history.submodules.add(path)
                continue
            if blobs is not None:
                if blob not in blobs:
                    continue
                history.commits[commit.sha] = commit
            history.introductions.setdefault(blob, {}).setdefault(path, commit.sha)
    return history


def read_messages(git: Git, revs: Sequence[str], on_message: MessageSink) -> None:
    """Every commit message in ``revs``, with no diff: far cheaper than the history."""
    for commit, message, _ in iter_log(git, revs, raw=False):
        if message.strip():
            on_message(commit, message)


def iter_log(git: Git, revs: Sequence[str], paths: Sequence[str] = (),
             options: Sequence[str] = (), raw: bool = True,
             ) -> Iterator[tuple[Commit, str, list[tuple[str, str, str]]]]:
    """Each commit with its message and the (mode, new blob, path) it added or changed
    (with ``raw``; without, in no particular order and with no changes)."""
    diff = ["--raw", "-c", "--no-renames", "--no-abbrev", "--reverse", "--date-order"] \
        if raw else []
    args = ["log", *diff, "-z", "--no-color", f"--format={_FORMAT}", *options, *revs,
            "--", *paths]
    proc = git.popen(args)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        yield from parse_log(_tokens(proc.stdout))
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
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
    while token is not None:
        header = _HEADER.fullmatch(token)
        if header is None:  # a separator between commits
            token = next(it, None)
            continue
        author, email, date, message = (next(it, b"") for _ in range(4))
        changes = []
        token = next(it, None)
        while token is not None and not _HEADER.fullmatch(token):
            meta = token.lstrip(b"\n")
            if meta.startswith(b":"):
                change = _change(meta, next(it, b""))
                if change is not None:
                    changes.append(change)
            token = next(it, None)
        # Names repeat across thousands of commits: keep one copy of each.
        commit = Commit(header.group(1).decode(), sys.intern(_text(author)),
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
