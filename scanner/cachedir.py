"""Where keysweep keeps what it can rebuild: ``$XDG_CACHE_HOME/keysweep`` (``~/.cache``
without it). Verification verdicts, sweep mirrors and the compiled prefilter live there."""

from __future__ import annotations

import os
from pathlib import Path


def cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "keysweep"


def private_dir(path: Path) -> Path:
    """``path`` and its parent created 0700, and narrowed to 0700 if an older keysweep left
    them readable by others: what is cached can name what was scanned."""
    for directory in (path.parent, path):
        directory.mkdir(mode=0o700, exist_ok=True)
        if directory.stat().st_mode & 0o077:
            os.chmod(directory, 0o700)
    return path
