"""Which blob each commit introduced at which path, from one streaming ``git log --raw``
over the whole scope: no patches, no per-commit processes.

Merges are read as combined diffs (``-c``), so a blob a merge created (a conflict resolution)
counts as introduced by the merge, while one taken from a parent keeps its earlier commit.
Commits come oldest first (``--reverse --date-order``: parents before children), so the
first commit seen with a blob at a path is the one that introduced it there."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from scanner.sources.git.command import NULL_SHA, Git, GitError, first_error

GITLINK_MODE = "160000"  # a submodule: a commit of another repository, not a blob
_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%B%x1f"


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


def iter_log(git: Git, revs: Sequence[str],
             paths: Sequence[str] = ()) -> Iterator[tuple[Commit, str, list[tuple[str, str, str]]]]:
    """Each commit with its message and the (mode, new blob, path) it added or changed."""
    args = ["log", "--raw", "-c", "--no-renames", "--no-abbrev", "-z", "--reverse",
            "--date-order", "--no-color", f"--format={_FORMAT}", *revs, "--", *paths]
    proc = git.popen(args)
    assert proc.stdout is not None and proc.stderr is not None
    order = 0
    pending = b""
    try:
        while True:
            block = proc.stdout.read(1 << 20)
            if not block:
                break
            records = (pending + block).split(b"\x1e")
            pending = records.pop()
            for record in records:
                if record:
                    yield _parse(record, order)
                    order += 1
        if pending:
            yield _parse(pending, order)
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        raise GitError(f"git log failed in {git.repo}: {first_error(stderr)}")


def _parse(record: bytes, order: int) -> tuple[Commit, str, list[tuple[str, str, str]]]:
    sha, _parents, author, email, date, message, rest = record.split(b"\x1f", 6)
    # Names repeat across thousands of commits: keep one copy of each.
    commit = Commit(sha.decode(), sys.intern(_text(author)), sys.intern(_text(email)),
                    date.decode(), order)
    tokens = rest.lstrip(b"\0\n").split(b"\0")
    changes = []
    i = 0
    while i + 1 < len(tokens):
        meta, path = tokens[i], tokens[i + 1]
        i += 2
        if not meta.startswith(b":"):
            continue
        fields = meta.lstrip(b":").split()
        parents_n = len(meta) - len(meta.lstrip(b":"))
        mode = fields[parents_n].decode()  # the result's mode follows the parents' modes
        blob = fields[2 * parents_n + 1].decode()
        if blob == NULL_SHA:  # deleted in this commit
            continue
        changes.append((mode, blob, sys.intern(_text(path))))
    return commit, _text(message), changes


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")
