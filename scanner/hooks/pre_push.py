"""Which objects a push would publish: every ref line git sends (or the pre-commit
framework's variables), as a history scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.errors import UsageError
from scanner.sources.git.command import NULL_SHA, Git, is_null_id
from scanner.sources.git.scope import GitScope


@dataclass(frozen=True, slots=True)
class RefUpdate:
    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


def parse_pre_push(lines: str) -> list[RefUpdate]:
    """Every line of git's pre-push input: ``<local ref> <local sha> <remote ref> <remote sha>``."""
    updates = []
    for line in lines.splitlines():
        parts = line.split()
        if len(parts) == 4:
            updates.append(RefUpdate(*parts))
        elif parts:
            raise UsageError(f"unexpected pre-push input line: {line[:100]!r}")
    return updates


def push_scope(git: Git, updates: Sequence[RefUpdate], remote: str | None) -> GitScope | None:
    """The commits a push adds to the remote: reachable from what is pushed, not from anything
    the remote is known to have (its remote-tracking refs and the old values of the pushed
    refs). Deletions push nothing. None when nothing new is pushed."""
    tips = sorted({u.local_sha for u in updates if not is_null_id(u.local_sha)})
    if not tips:
        return None
    known = [u.remote_sha for u in updates if not is_null_id(u.remote_sha)]
    exclude = [f"--remotes={remote}"] if remote and _is_remote(git, remote) else []
    exclude += _existing_commits(git, known)
    return GitScope(revs=tuple(tips + (["--not", *exclude] if exclude else [])))


def pre_commit_env_updates(env: dict[str, str]) -> list[RefUpdate]:
    """The pre-commit framework runs pre-push hooks without git's stdin and passes the range
    in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF instead."""
    to = env.get("PRE_COMMIT_TO_REF")
    if not to:
        return []
    return [RefUpdate(env.get("PRE_COMMIT_LOCAL_BRANCH", "HEAD"), to,
                      env.get("PRE_COMMIT_REMOTE_BRANCH", ""),
                      env.get("PRE_COMMIT_FROM_REF") or NULL_SHA)]


def _is_remote(git: Git, name: str) -> bool:
    return name in git.text(["remote"], check=False).split()


def _existing_commits(git: Git, shas: Sequence[str]) -> list[str]:
    """The remote's old ref values that exist locally (a fetch may not have brought them)."""
    if not shas:
        return []
    out = git.run(["cat-file", "--batch-check"], input="".join(s + "\n" for s in shas).encode())
    return [line.split()[0] for line in out.decode().splitlines()
            if len(line.split()) == 3 and line.split()[1] == "commit"]
