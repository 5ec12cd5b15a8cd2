"""What part of a repository's history a scan covers, as git revision arguments."""

from __future__ import annotations

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

    def rev_args(self, git: Git) -> list[str]:
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
            tips = ["--all", *stash_entries(git)]
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
    """What a whole-history scan asks of a repository before it starts, from one git."""

    shallow: bool
    pack_dir: str  # the absolute path of objects/pack
    refs: tuple[str, ...]  # the object id of every ref


def repo_state(git: Git) -> RepoState:
    # One process for all three: a sweep of small repositories pays for every one it starts
    # (and ``rev-list -n 1 --all``, which asked whether there is a commit, parses every
    # ref's commit: 25 ms for Flask's 3,700 refs; ``--symbolic-full-name`` 50 ms).
    out = git.text(["rev-parse", "--is-shallow-repository", "--path-format=absolute",
                    "--git-path", "objects/pack", "--all"], check=False).splitlines()
    return RepoState(shallow=out[:1] == ["true"], pack_dir=out[1] if len(out) > 1 else "",
                     refs=tuple(out[2:]))


def has_commits(git: Git, state: RepoState) -> bool:
    """Whether there may be a commit to scan: a ref, or a detached HEAD in a repository
    without any (``--all`` counts HEAD too)."""
    return bool(state.refs) or bool(git.run(["rev-list", "-n", "1", "HEAD"], check=False).strip())
