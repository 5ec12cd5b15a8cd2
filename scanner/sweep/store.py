"""The sweep's store: an embedded SQLite database in WAL mode. It holds repositories, scans,
the objects already scanned per repository (so reruns are incremental), secrets (hashes and
redacted forms, never raw values), their locations, and verification results.

Writes for one repository batch are one transaction, so a process killed at any moment
loses nothing already committed. The schema is versioned with ``PRAGMA user_version``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import SourceError

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS repositories (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,    -- a stable short name (host/owner/repo or dir name)
    url         TEXT NOT NULL,           -- as listed, with any user:password@ removed
    path        TEXT NOT NULL,           -- the git directory scanned (a cache mirror or local)
    tips        TEXT NOT NULL DEFAULT '[]', -- JSON list of ref tips covered by the last scan
    refs_state  TEXT                      -- what the ref files looked like then (local repos)
);
CREATE TABLE IF NOT EXISTS scans (
    id            INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories(id),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL,         -- running | ok | error
    error         TEXT,
    objects       INTEGER NOT NULL DEFAULT 0,  -- blobs and commit messages scanned
    bytes         INTEGER NOT NULL DEFAULT 0,
    findings      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS scanned_objects (
    repository_id INTEGER NOT NULL REFERENCES repositories(id),
    object        TEXT NOT NULL,          -- a blob id, or a commit id whose message was read
    PRIMARY KEY (repository_id, object)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS secrets (
    id            INTEGER PRIMARY KEY,
    rule_id       TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    redacted      TEXT NOT NULL,
    rule_name     TEXT NOT NULL,
    provider      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    UNIQUE (rule_id, secret_sha256)
);
CREATE TABLE IF NOT EXISTS locations (
    id            INTEGER PRIMARY KEY,
    secret_id     INTEGER NOT NULL REFERENCES secrets(id),
    repository_id INTEGER NOT NULL REFERENCES repositories(id),
    path          TEXT NOT NULL,
    blob          TEXT,                   -- the blob holding it (NULL for commit messages)
    line          INTEGER NOT NULL,
    col           INTEGER NOT NULL,
    end_line      INTEGER NOT NULL,
    end_col       INTEGER NOT NULL,
    commit_sha    TEXT,                   -- the commit that introduced it at this path
    author        TEXT,
    date          TEXT,
    owner         TEXT,                   -- the last committer of the path
    in_head       INTEGER,
    paired_rule   TEXT,
    paired_sha256 TEXT,
    member        TEXT NOT NULL DEFAULT '', -- "!inner/path" inside an archive blob
    decoded       TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '',
    scan_id       INTEGER REFERENCES scans(id),
    seq           INTEGER NOT NULL DEFAULT 0, -- history order of commit_sha within its scan
    UNIQUE (repository_id, secret_id, path)
);
CREATE INDEX IF NOT EXISTS locations_by_repo ON locations (repository_id);
CREATE TABLE IF NOT EXISTS blob_findings (  -- what each scanned blob holds, wherever it sits
    repository_id INTEGER NOT NULL REFERENCES repositories(id),
    blob          TEXT NOT NULL,
    secret_id     INTEGER NOT NULL REFERENCES secrets(id),
    member        TEXT NOT NULL DEFAULT '',
    line          INTEGER NOT NULL,
    col           INTEGER NOT NULL,
    end_line      INTEGER NOT NULL,
    end_col       INTEGER NOT NULL,
    paired_rule   TEXT,
    paired_sha256 TEXT,
    decoded       TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (repository_id, blob, secret_id, member, line, col)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS verifications (
    pair_sha256   TEXT NOT NULL,          -- sha256 of verifier, id and secret: no raw value
    secret_id     INTEGER NOT NULL REFERENCES secrets(id),  -- each side of the pair has a row
    status        TEXT NOT NULL,          -- active | inactive | unknown | skipped
    reason        TEXT,
    identity      TEXT,                   -- JSON
    checked_at    TEXT NOT NULL,
    PRIMARY KEY (pair_sha256, secret_id)
);
"""


class StoreError(SourceError):
    pass


@dataclass(frozen=True)
class RepoRow:
    id: int
    name: str
    url: str
    path: str
    tips: tuple[str, ...]
    refs_state: str | None = None


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{path} was written by a newer keysweep (schema {version})")
            if version < SCHEMA_VERSION:
                with self.transaction():
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {path}: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- repositories and scans ------------------------------------------------------------

    def repository(self, name: str, url: str, path: str) -> RepoRow:
        with self.transaction() as db:
            db.execute("INSERT INTO repositories (name, url, path) VALUES (?, ?, ?) "
                       "ON CONFLICT(name) DO UPDATE SET url = excluded.url, path = excluded.path",
                       (name, url, path))
        return self.repo_by_name(name)

    def repo_by_name(self, name: str) -> RepoRow:
        row = self.db.execute("SELECT id, name, url, path, tips, refs_state FROM repositories "
                              "WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"no repository {name!r} in {self.path}")
        return RepoRow(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5])

    def scanned_objects(self, repo_id: int) -> set[str]:
        return {r[0] for r in self.db.execute(
            "SELECT object FROM scanned_objects WHERE repository_id = ?", (repo_id,))}

    def start_scan(self, repo_id: int, now: str) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO scans (repository_id, started_at, status) "
                             "VALUES (?, ?, 'running')", (repo_id, now))
        return int(cur.lastrowid or 0)

    def finish_scan(self, scan_id: int, now: str, status: str, error: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE scans SET finished_at = ?, status = ?, error = ? WHERE id = ?",
                       (now, status, error, scan_id))

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.db.execute(sql, tuple(params)))
