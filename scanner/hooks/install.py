"""Installing and removing the hook scripts (honouring core.hooksPath), keeping a hook that
keysweep did not write."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from scanner.errors import UsageError
from scanner.sources.git.command import Git

HOOK_MARK = "# keysweep-hook"
HOOK_NAMES = ("pre-push", "pre-commit")
BACKUP_SUFFIX = ".pre-keysweep"



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
