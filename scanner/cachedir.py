"""Where keysweep keeps what it can rebuild: ``$XDG_CACHE_HOME/keysweep`` (``~/.cache``
without it). Verification verdicts, sweep mirrors and the compiled prefilter live there."""

from __future__ import annotations

import os
from pathlib import Path


def cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "keysweep"
