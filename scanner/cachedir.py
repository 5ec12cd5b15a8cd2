"""Where keysweep keeps what it can rebuild: ``$XDG_CACHE_HOME/keysweep`` (``~/.cache``
without it). Verification verdicts, sweep mirrors and the compiled prefilter live there."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "keysweep"


def private_dirs(path: Path) -> None:
    """``path`` and each missing parent created 0700 whatever the umask (mkdir's own mode
    applies to the last one only and is masked)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            directory.mkdir()
            os.chmod(directory, 0o700)


def private_dir(path: Path) -> Path:
    """``path`` as ``private_dirs`` makes it, and it and its parent narrowed to 0700 if an
    older keysweep left them readable by others: what is cached can name what was scanned."""
    private_dirs(path)
    for directory in (path.parent, path):
        if directory.stat().st_mode & 0o077:
            os.chmod(directory, 0o700)
    return path
