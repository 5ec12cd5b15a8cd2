"""Where keysweep keeps what it can rebuild: ``$XDG_CACHE_HOME/keysweep`` (``~/.cache``
without it). Verification verdicts, sweep mirrors and the compiled prefilter live there."""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


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


def read_kept(path: Path) -> bytes | None:
    """What ``keep`` put at ``path``; None if nothing is there (or it cannot be read)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def keep(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` in a private directory, whole or not at all however many
    processes race here (written 0600 beside it, then renamed). A cache that cannot be
    written is only a cache that is not there next time."""
    import tempfile

    tmp = None
    try:
        private_dir(path.parent)  # 0700: only this user can put what we later read back
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keep-")  # 0600
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def remembered(path: Path, make: Callable[[], T], fits: Callable[[T], bool] = lambda _: True,
               ) -> T:
    """What ``make`` returns, kept pickled at ``path`` (in a private directory) and read back
    the next time, if it unpickles and ``fits``. Any problem with the file only means making
    it again."""
    kept = read_kept(path)
    if kept is not None:
        try:
            value: T = pickle.loads(kept)
            if fits(value):
                return value
        except Exception:  # noqa: BLE001 - truncated, from another build: make it again
            pass
    value = make()
    keep(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value
