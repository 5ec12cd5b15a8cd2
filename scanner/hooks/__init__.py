"""Git hooks: which objects a push would publish (every ref line git sends), the message that
stops it, and installing or removing the hook scripts."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import UsageError
from scanner.engine.history import GitScope
from scanner.models import ScanResult
from scanner.sources.git.command import NULL_SHA, Git

HOOK_MARK = "# keysweep-hook"
HOOK_NAMES = ("pre-push", "pre-commit")
BACKUP_SUFFIX = ".pre-keysweep"


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
    tips = sorted({u.local_sha for u in updates if u.local_sha != NULL_SHA})
    if not tips:
        return None
    known = [u.remote_sha for u in updates if u.remote_sha != NULL_SHA]
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


def blocked_message(result: ScanResult, action: str) -> str:
    """What a developer sees when a hook stops them: each secret, and how to proceed."""
    groups: dict[tuple[str, str], list[str]] = {}
    for f in result.findings:
        loc = f.location
        where = f"{loc.path}:{loc.line}"
        if loc.commit:
            where += f" (commit {loc.commit[:10]})"
        groups.setdefault((f"{f.rule_id}  {f.redacted}", f.secret_sha256), []).append(where)
    lines = [f"keysweep: {action} blocked: {len(groups)} secret"
             f"{'s' if len(groups) != 1 else ''} would be published", ""]
    for (label, _), places in groups.items():
        lines.append(f"  {label}")
        lines.extend(f"      at {p}" for p in places)
    lines += [
        "",
        "How to proceed:",
        "  1. Remove the key from the code, and rotate it: treat it as leaked. If it is in a",
        "     commit, rewrite that commit (git commit --amend, or git rebase -i <commit>^).",
        "  2. A false positive? Add `keysweep:allow` in a comment on its line, or add the",
        "     finding's fingerprint to .keysweepignore.",
        "  3. As a last resort, skip this check: git " + ("push" if "push" in action
                                                        else "commit") + " --no-verify",
    ]
    return "\n".join(lines) + "\n"


# -- installing -------------------------------------------------------------------------------


def hooks_dir(git: Git) -> Path:
    """The repository's hooks directory, honouring core.hooksPath."""
    raw = git.text(["rev-parse", "--git-path", "hooks"])
    path = Path(raw)
    return path if path.is_absolute() else Path(git.repo) / path


def hook_script(name: str) -> str:
    """A hook that runs this installation's keysweep by absolute path, so it also works from
    GUI clients whose PATH lacks the virtualenv; 'keysweep' on PATH is the fallback."""
    script = Path(sys.executable).with_name("keysweep")
    installed = shlex.quote(str(script if script.exists() else shutil.which("keysweep") or ""))
    return (
        "#!/bin/sh\n"
        f"{HOOK_MARK}: {name} (installed by `keysweep hook install`; "
        "remove with `keysweep hook uninstall`)\n"
        f"keysweep={installed}\n"
        '[ -x "$keysweep" ] || keysweep=keysweep\n'
        f'exec "$keysweep" hook {name} "$@"\n'
    )


def install(git: Git, names: Sequence[str], force: bool = False) -> list[str]:
    directory = hooks_dir(git)
    directory.mkdir(parents=True, exist_ok=True)
    messages = []
    for name in names:
        path = directory / name
        if path.exists() and not _is_ours(path):
            if not force:
                raise UsageError(f"{path} exists and was not installed by keysweep; "
                                 "use --force to replace it (it is kept as "
                                 f"{name}{BACKUP_SUFFIX})")
            os.replace(path, directory / f"{name}{BACKUP_SUFFIX}")
            messages.append(f"moved the existing {name} hook to {name}{BACKUP_SUFFIX}")
        path.write_text(hook_script(name))
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        messages.append(f"installed {path}")
    return messages


def uninstall(git: Git, names: Sequence[str]) -> list[str]:
    directory = hooks_dir(git)
    messages = []
    for name in names:
        path = directory / name
        if not path.exists():
            messages.append(f"no {name} hook installed")
            continue
        if not _is_ours(path):
            messages.append(f"left {path} alone: it was not installed by keysweep")
            continue
        path.unlink()
        backup = directory / f"{name}{BACKUP_SUFFIX}"
        if backup.exists():
            os.replace(backup, path)
            messages.append(f"removed the keysweep {name} hook and restored the previous one")
        else:
            messages.append(f"removed {path}")
    return messages


def _is_ours(path: Path) -> bool:
    try:
        return HOOK_MARK in path.read_text(errors="replace")[:500]
    except OSError:
        return False
