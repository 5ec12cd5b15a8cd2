"""What part of a repository's history a scan covers, as git revision arguments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.errors import UsageError
from scanner.sources.git.command import Git


@dataclass(frozen=True)
class GitScope:
    """What part of history to scan. Default: everything reachable from any ref."""

    branch: str | None = None  # only what this ref reaches
    since: str | None = None  # only commits not reachable from this revision
    range: str | None = None  # A..B, as git understands it
    revs: tuple[str, ...] = ()  # raw revision arguments (the pre-push hook builds these)

    @property
    def is_full(self) -> bool:
        return not (self.branch or self.since or self.range or self.revs)

    def rev_args(self, git: Git, state: RepoState | None = None) -> list[str]:
        """``state``: what ``repo_state`` found, when the caller has it; where a ref's object
        is missing (``git log --all`` would refuse the whole history), the other refs are
        named one by one instead of ``--all``."""
        if self.revs:
            return list(self.revs)
        if self.range:
            for end in self.range.replace("...", "..").split(".."):
                if end:
                    _verify_rev(git, end)
            return [self.range]
        if self.branch:
            _verify_rev(git, self.branch)
            tips = [self.branch]
        else:
            every = ["--all"] if state is None or not state.missing else readable_tips(git, state)
            tips = [*every, *stash_entries(git)]
        if self.since:
            _verify_rev(git, self.since)
            tips += ["--not", self.since]
        return tips


def _verify_rev(git: Git, rev: str) -> None:
    if rev.startswith("-"):
        raise UsageError(f"not a revision: {rev!r}")
    out = git.run(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], check=False)
    if not out.strip():
        raise UsageError(f"unknown revision {rev!r} in {git.repo}")


def stash_entries(git: Git) -> list[str]:
    """Older stash entries live only in the stash's reflog, not in any ref."""
    out = git.run(["log", "-g", "--format=%H", "refs/stash", "--"], check=False)
    return out.decode().split()


@dataclass(frozen=True)
class RepoState:
    """What a whole-history scan asks of a repository before it starts."""

    shallow: bool
    pack_dir: str  # the absolute path of objects/pack
    refs: tuple[str, ...]  # the object id of every ref
    missing: tuple[str, ...] = ()  # those of ``refs`` whose object is not in the repository


def repo_state(git: Git) -> RepoState:
    # One process for all three: a sweep of small repositories pays for every one it starts
    # (and ``rev-list -n 1 --all``, which asked whether there is a commit, parses every
    # ref's commit: 25 ms for Flask's 3,700 refs; ``--symbolic-full-name`` 50 ms).
    out = git.text(["rev-parse", "--is-shallow-repository", "--path-format=absolute",
                    "--git-path", "objects/pack", "--all"], check=False).splitlines()
    refs = tuple(out[2:])
    return RepoState(shallow=out[:1] == ["true"], pack_dir=out[1] if len(out) > 1 else "",
                     refs=refs, missing=tuple(missing_objects(git, refs)))


def missing_objects(git: Git, ids: Sequence[str]) -> list[str]:
    """Those of ``ids`` whose object the repository does not have (one ``cat-file``)."""
    unique = sorted(set(ids))
    if not unique:
        return []
    out = git.run(["cat-file", "--batch-check"], input="".join(i + "\n" for i in unique).encode(),
                  check=False)
    return [line.split()[0] for line in out.decode().splitlines() if line.endswith(" missing")]


def broken_refs(git: Git, state: RepoState) -> list[tuple[str, str]]:
    """Each ref whose object is missing, as (its name, the id it points at)."""
    if not state.missing:
        return []
    missing = set(state.missing)
    out = git.text(["for-each-ref", "--format=%(objectname) %(refname)"], check=False)
    pairs = (line.split(" ", 1) for line in out.splitlines())
    return [(name, oid) for oid, name in pairs if oid in missing]


def readable_tips(git: Git, state: RepoState) -> list[str]:
    """What ``--all`` stands for, less the refs whose object is missing: every other ref's
    object, and HEAD where it resolves (a detached HEAD is in no ref)."""
    head = git.text(["rev-parse", "--verify", "--quiet", "HEAD"], check=False)
    tips = [*state.refs, *([head] if head else [])]
    return list(dict.fromkeys(t for t in tips if t not in state.missing))


def has_commits(git: Git, state: RepoState) -> bool:
    """Whether there may be a commit to scan: a ref whose object is there, or a detached
    HEAD in a repository without any (``--all`` counts HEAD too)."""
    return bool(set(state.refs) - set(state.missing)) or bool(
        git.run(["rev-list", "-n", "1", "HEAD"], check=False).strip())
