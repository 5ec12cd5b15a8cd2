"""Where the peer scanners installed for benchmarks live."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def kingfisher_binary() -> str:
    """Kingfisher from PATH, this interpreter's venv or a /work/venv* (``pip install
    kingfisher-bin``); empty when it is not installed."""
    found = shutil.which("kingfisher") or str(Path(sys.executable).parent / "kingfisher")
    if Path(found).exists():
        return found
    return next((str(p) for p in Path("/work").glob("venv*/bin/kingfisher")), "")
