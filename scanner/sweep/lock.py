"""One sweep per store at a time: an OS file lock (``flock``) on ``<db>.lock``, held for the
whole sweep. Two sweeps on one store would each take the other's running scans for ones a
killed run left behind. The kernel drops the lock when its holder dies, even by ``kill -9``,
so a stale lock file never blocks. Readers (``keysweep report``) do not take it: SQLite's
WAL lets them read while a sweep writes."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from scanner.errors import UsageError


class StoreInUse(UsageError):
    """Another sweep holds the store's lock (exit 2)."""


class SweepLock:
    def __init__(self, db: str | Path, wait: float = 0.0, poll: float = 0.1,
                 on_wait: Callable[[str], None] | None = None) -> None:
        self.db = str(db)
        self.path = self.db + ".lock"
        self.wait = wait
        self.poll = poll
        self.on_wait = on_wait  # told once, with a one-line message, if this has to wait
        self._fd: int | None = None

    def __enter__(self) -> SweepLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise UsageError(f"cannot lock the store {self.db} ({self.path}: {exc.strerror}); "
                             "a sweep needs to write the store and its directory: make "
                             "them writable or give another --db") from exc
        try:
            if os.fstat(fd).st_mode & 0o077:  # made by an older keysweep under the umask
                os.fchmod(fd, 0o600)
            deadline = time.monotonic() + self.wait
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreInUse(self._busy_message()) from None
                    if not told and self.on_wait is not None:
                        self.on_wait(f"{self._busy_message()}; waiting up to "
                                     f"{self.wait:.0f}s")
                        told = True
                    time.sleep(self.poll)
            # The file is never deleted (that would race with a waiter's flock); its
            # content only names the holder for the other sweep's message.
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

    def _busy_message(self) -> str:
        try:
            pid = Path(self.path).read_text().strip()
        except OSError:
            pid = ""
        holder = f" (pid {pid})" if pid.isdigit() else ""
        return f"the store {self.db} is in use by another sweep{holder}"
