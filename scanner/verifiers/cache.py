"""An optional cache of verification results (``--verify-cache``), so rescanning the same tree
does not call the providers again. Rows are keyed by the SHA-256 of the whole credential and
hold only the verdict: status, reason, identity, facts, whether it is the account's root key,
and when it was decided. No ID, secret or token is ever written."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from scanner.cachedir import cache_home, private_dirs
from scanner.models import Fact, Verification

# Only settled answers are kept; unknown ones (timeouts, throttling) are worth asking again,
# and skipped ones are decided offline anyway.
CACHED_STATUSES = ("active", "inactive")


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/keysweep/verify.sqlite``, or under ``~/.cache`` without it."""
    return cache_home() / "verify.sqlite"


class VerifyCache:
    def __init__(self, path: Path, ttl: float) -> None:
        self.path = path
        self.ttl = ttl
        private_dirs(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # private before sqlite opens it
        try:
            if os.fstat(fd).st_mode & 0o077:  # SQLite gives its journal the same mode
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
        self._db = sqlite3.connect(path, timeout=5.0)
        self._db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, "
                         "status TEXT NOT NULL, reason TEXT, identity TEXT, at REAL NOT NULL)")
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
        with self._db:  # a cache written before facts existed gains the columns
            if "facts" not in columns:
                self._db.execute("ALTER TABLE results ADD COLUMN facts TEXT")
            if "root" not in columns:
                self._db.execute("ALTER TABLE results ADD COLUMN root INTEGER NOT NULL DEFAULT 0")

    def get(self, key: str) -> Verification | None:
        row = self._db.execute("SELECT status, reason, identity, at, facts, root FROM results "
                               "WHERE key = ?", (key,)).fetchone()
        if row is None or time.time() - row[3] > self.ttl:
            return None
        identity = json.loads(row[2]) if row[2] else None
        facts = tuple(Fact(*f) for f in json.loads(row[4])) if row[4] else ()
        return Verification(row[0], row[1], identity, facts, bool(row[5]))

    def put(self, key: str, verdict: Verification) -> None:
        if verdict.status not in CACHED_STATUSES:
            return
        identity = json.dumps(verdict.identity, sort_keys=True) if verdict.identity else None
        facts = (json.dumps([[f.name, f.value, f.risk] for f in verdict.facts])
                 if verdict.facts else None)
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO results (key, status, reason, identity, at, "
                             "facts, root) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (key, verdict.status, verdict.reason, identity, time.time(), facts,
                              int(verdict.root)))

    def prune(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM results WHERE at < ?", (time.time() - self.ttl,))

    def close(self) -> None:
        self._db.close()
