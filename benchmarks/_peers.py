"""Where the peer scanners installed for benchmarks live."""

from __future__ import annotations

import compileall
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


def byte_compiled(build: Path) -> Path:
    """``build`` with its package compiled to bytecode, as ``pip install`` leaves it: a run
    that imports from source (``PYTHONDONTWRITEBYTECODE=1``, a fresh checkout) would pay for
    compiling every module at each start and time that instead of keysweep."""
    compileall.compile_dir(build / "scanner", quiet=1)
    return build
