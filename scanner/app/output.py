"""Files keysweep writes for the user: reports name secrets (even redacted), so they are
created readable by their owner only."""

from __future__ import annotations

import os

from scanner.errors import UsageError


def write_private(path: str, text: str) -> None:
    """A report file only its owner can read: reports name secrets, even redacted."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.fchmod(fd, 0o600)  # also when the file already existed with wider permissions
            f.write(text)
    except OSError as exc:  # a full disk (ENOSPC, EFBIG), an I/O error
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
