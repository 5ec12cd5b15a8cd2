"""An optional cache of verification results (``--verify-cache``), so rescanning the same tree
does not call the providers again. Rows are keyed by the SHA-256 of the whole credential and
hold only the verdict: status, reason, identity and when it was decided. No ID, secret or token
is ever written."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from scanner.models import Verification

# Only settled answers are kept; unknown ones (timeouts, throttling) are worth asking again,
# and skipped ones are decided offline anyway.
CACHED_STATUSES = ("active", "inactive")


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/keysweep/verify.sqlite``, or under ``~/.cache`` without it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "keysweep" / "verify.sqlite"


class VerifyCache:
    def __init__(self, path: Path, ttl: float) -> None:
        self.path = path
        self.ttl = ttl
        missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        for directory in reversed(missing):  # each one 0700 (mkdir's mode is masked)
            directory.mkdir(exist_ok=True)
            os.chmod(directory, 0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # private before sqlite opens it
        try:
            if os.fstat(fd).st_mode & 0o077:  # SQLite gives its journal the same mode
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        self._db = sqlite3.connect(path, timeout=5.0)
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, "
                         "status TEXT NOT NULL, reason TEXT, identity TEXT, at REAL NOT NULL)")

    def get(self, key: str) -> Verification | None:
        row = self._db.execute("SELECT status, reason, identity, at FROM results WHERE key = ?",
                               (key,)).fetchone()
        if row is None or time.time() - row[3] > self.ttl:
            return None
        identity = json.loads(row[2]) if row[2] else None
        return Verification(row[0], row[1], identity)

    def put(self, key: str, verdict: Verification) -> None:
        if verdict.status not in CACHED_STATUSES:
            return
        identity = json.dumps(verdict.identity, sort_keys=True) if verdict.identity else None
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?)",
                             (key, verdict.status, verdict.reason, identity, time.time()))

    def prune(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM results WHERE at < ?", (time.time() - self.ttl,))

    def close(self) -> None:
        self._db.close()
