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


def builds(root: Path, also: list[str]) -> dict[str, Path]:
    """The keysweep builds a benchmark runs: this checkout (``root``) as "keysweep" and each
    ``--also NAME=CHECKOUT``, each byte-compiled."""
    named = {"keysweep": root, **{n: Path(p) for n, p in (a.split("=", 1) for a in also)}}
    return {name: byte_compiled(path) for name, path in named.items()}
