"""The sweep's store: an embedded SQLite database in WAL mode, and the one module that holds
SQL. It keeps repositories, scans, the objects already scanned per repository (so reruns are
incremental), secrets (hashes and redacted forms, never raw values), their locations, and
verification results. Callers get typed methods and frozen rows, never a cursor.

Writes for one repository batch are one transaction (``Store.batch``), so a process killed at
any moment loses nothing already committed. The schema is versioned by the ``schema_version``
table (one row per applied migration); ``MIGRATIONS`` are applied in order, each in its own
transaction. Stores written before that table existed carry ``PRAGMA user_version = 1``.

The database is created 0600 (SQLite gives its -wal and -shm the same mode): it names every
repository and where its secrets are. ``keysweep report`` opens it read-only, so it works on
a store it cannot write. Every SQLite error leaving a ``with Store(...)`` block becomes one
``StoreError`` line saying what is wrong with the file and what to do."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from scanner.engine.history import is_message
from scanner.errors import SourceError
from scanner.models import Fact, Finding, Verification
from scanner.sources.git.log import Commit

V1_SCHEMA = """
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


@dataclass(frozen=True)
class Migration:
    version: int
    why: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the original tables", V1_SCHEMA),
    # Stale re-verification looks blobs up by secret; version 2 also starts the ledger.
    Migration(2, "schema_version ledger; blob_findings by secret",
              "CREATE INDEX IF NOT EXISTS blob_findings_by_secret ON blob_findings (secret_id)"),
    # A live key's blast radius and whether it is an account's own (root) key.
    Migration(3, "verifications keep facts and root",
              "ALTER TABLE verifications ADD COLUMN facts TEXT;"  # JSON [[name, value, risk]]
              "ALTER TABLE verifications ADD COLUMN root INTEGER NOT NULL DEFAULT 0"),
)
SCHEMA_VERSION = MIGRATIONS[-1].version
_LEDGER = ("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
           "applied_at TEXT NOT NULL)")


class StoreError(SourceError):
    pass


# SQLite's primary result codes (the low byte of an extended one) that say what is wrong.
_CORRUPT = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_FULL = 13  # SQLITE_FULL
_IOERR = 10  # SQLITE_IOERR (a failed write: EFBIG, EIO, ...)
_READONLY = 8  # SQLITE_READONLY
_CANTOPEN = 14  # SQLITE_CANTOPEN
_BUSY = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


def fault(path: str, exc: sqlite3.Error) -> StoreError:
    """One line for a failed store operation: what is wrong with the file, what to do."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    said = str(exc) or type(exc).__name__
    if primary in _CORRUPT:
        why = f"the store {path} is corrupt ({said}); move it aside and rerun the sweep"
    elif primary == _FULL:
        why = (f"the store {path} cannot grow ({said}); free some disk space and rerun "
               "the sweep")
    elif primary == _IOERR:
        why = (f"the store {path} could not be written or read ({said}); check that its "
               "disk has free space and works, then rerun the sweep")
    elif primary == _READONLY:
        why = (f"the store {path} is read-only ({said}); make it and its directory "
               "writable, or sweep into another --db")
    elif primary == _CANTOPEN:
        why = (f"cannot open the store {path} ({said}); check that it and its directory "
               "exist and are readable (and writable, for a sweep)")
    elif primary in _BUSY:
        why = f"the store {path} is busy ({said}); retry when the other process is done"
    else:
        why = f"the store {path} failed ({said}); move it aside and rerun the sweep"
    return StoreError(why)


def _create_private(path: str) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask), and take
    group and other access from an existing one (SQLite copies its mode to -wal/-shm)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # SQLite's own open says why, in its words
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    except OSError:
        pass  # not ours to change: it still works
    finally:
        os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RepoRow:
    id: int
    name: str
    url: str
    path: str
    tips: tuple[str, ...]
    refs_state: str | None = None


@dataclass(frozen=True)
class LocationRow:
    """One secret at one path, joined with its secret, repository and paired secret."""

    secret_id: int
    rule_id: str
    rule_name: str
    provider: str
    kind: str
    severity: str
    secret_sha256: str
    redacted: str
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    commit: str | None
    author: str | None
    date: str | None
    in_head: bool | None
    owner: str | None
    paired_rule: str | None
    paired_sha256: str | None
    paired_redacted: str | None
    decoded: tuple[str, ...]
    tags: tuple[str, ...]
    repository: str


@dataclass(frozen=True)
class VerificationRow:
    pair_sha256: str
    secret_id: int
    verification: Verification
    checked_at: str


@dataclass(frozen=True)
class BlobHolder:
    """A blob known to hold a secret, and the git directory it can be read from."""

    rule_id: str
    secret_sha256: str
    blob: str
    repo_path: str


@dataclass(frozen=True)
class PairResult:
    """A verification result to store for one side (rule, secret hash) of a pair."""

    pair_sha256: str
    rule_id: str
    secret_sha256: str
    verification: Verification


@dataclass(frozen=True)
class Totals:
    secrets: int
    locations: int
    active: int


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _member(path: str) -> str:
    return "!" + path.split("!", 1)[1] if "!" in path else ""


class Batch:
    """The writes of one transaction (a repository, or one batch of a big one)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _secret_id(self, f: Finding) -> int:
        self._db.execute(
            "INSERT INTO secrets (rule_id, secret_sha256, redacted, rule_name, provider, "
            "kind, severity) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(rule_id, secret_sha256) DO NOTHING",
            (f.rule_id, f.secret_sha256, f.redacted, f.rule_name, f.provider, f.kind,
             f.severity))
        return int(self._db.execute(
            "SELECT id FROM secrets WHERE rule_id = ? AND secret_sha256 = ?",
            (f.rule_id, f.secret_sha256)).fetchone()[0])

    def add_blobs(self, repo_id: int, seen: Iterable[str],
                  findings: Mapping[str, Sequence[Finding]]) -> None:
        """Blobs scanned (never read again) and what each holds, wherever it sits."""
        self._db.executemany(
            "INSERT OR IGNORE INTO scanned_objects (repository_id, object) VALUES (?, ?)",
            [(repo_id, sha) for sha in seen])
        for sha, found in findings.items():
            for f in found:
                loc, pair = f.location, f.paired_with
                self._db.execute(
                    "INSERT OR IGNORE INTO blob_findings (repository_id, blob, secret_id, "
                    "member, line, col, end_line, end_col, paired_rule, paired_sha256, "
                    "decoded, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (repo_id, sha, self._secret_id(f), loc.path, loc.line, loc.column,
                     loc.end_line, loc.end_column, pair.rule_id if pair else None,
                     pair.secret_sha256 if pair else None, ",".join(f.decoded),
                     ",".join(f.tags)))

    def add_locations(self, repo_id: int, scan_id: int,
                      placed: Iterable[tuple[int, str | None, Finding]]) -> None:
        """Findings placed in history: (history order, blob or None, finding). Within one
        scan the earliest commit wins a (secret, path)."""
        for seq, blob, f in placed:
            loc, pair = f.location, f.paired_with
            self._db.execute(
                "INSERT INTO locations (secret_id, repository_id, path, blob, line, col, "
                "end_line, end_col, commit_sha, author, date, paired_rule, paired_sha256, "
                "member, decoded, tags, scan_id, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(repository_id, secret_id, path) DO UPDATE SET "
                "blob = excluded.blob, line = excluded.line, col = excluded.col, "
                "end_line = excluded.end_line, end_col = excluded.end_col, "
                "commit_sha = excluded.commit_sha, author = excluded.author, "
                "date = excluded.date, seq = excluded.seq "
                "WHERE excluded.scan_id = locations.scan_id AND excluded.seq < locations.seq",
                (self._secret_id(f), repo_id, loc.path, blob, loc.line, loc.column,
                 loc.end_line, loc.end_column, loc.commit, loc.author, loc.date,
                 pair.rule_id if pair else None, pair.secret_sha256 if pair else None,
                 _member(loc.path), ",".join(f.decoded), ",".join(f.tags), scan_id, seq))

    def add_known(self, repo_id: int, scan_id: int,
                  known: Sequence[tuple[str, str, Commit]]) -> None:
        """Blobs scanned by an earlier run that new commits put at new paths."""
        for blob, path, commit in known:
            rows = self._db.execute(
                "SELECT secret_id, member, line, col, end_line, end_col, paired_rule, "
                "paired_sha256, decoded, tags FROM blob_findings "
                "WHERE repository_id = ? AND blob = ?", (repo_id, blob)).fetchall()
            for secret_id, member, line, col, end_line, end_col, p_rule, p_sha, dec, tags \
                    in rows:
                self._db.execute(
                    "INSERT OR IGNORE INTO locations (secret_id, repository_id, path, blob, "
                    "line, col, end_line, end_col, commit_sha, author, date, paired_rule, "
                    "paired_sha256, member, decoded, tags, scan_id, seq) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (secret_id, repo_id, path + member, blob, line, col, end_line, end_col,
                     commit.sha, commit.author, commit.date, p_rule, p_sha, member, dec, tags,
                     scan_id, commit.order))

    def file_locations(self, repo_id: int) -> list[tuple[int, str]]:
        """(secret id, path) of every location in a file, not a commit or tag message."""
        return [(int(s), str(p)) for s, p in self._db.execute(
            "SELECT secret_id, path FROM locations WHERE repository_id = ?", (repo_id,))
            if not is_message(str(p))]

    def blob_holders(self, repo_id: int) -> dict[int, set[str]]:
        """The blobs holding each secret in this repository."""
        holders: dict[int, set[str]] = {}
        for secret_id, blob in self._db.execute(
                "SELECT secret_id, blob FROM blob_findings WHERE repository_id = ?",
                (repo_id,)):
            holders.setdefault(int(secret_id), set()).add(str(blob))
        return holders

    def set_heads(self, repo_id: int,
                  rows: Iterable[tuple[int, str, bool, str | None]]) -> None:
        """(secret id, path, still in HEAD, owner or None to keep the old one)."""
        self._db.executemany(
            "UPDATE locations SET in_head = ?, owner = COALESCE(?, owner) "
            "WHERE repository_id = ? AND secret_id = ? AND path = ?",
            [(int(in_head), owner, repo_id, secret_id, path)
             for secret_id, path, in_head, owner in rows])

    def finish_ok(self, repo_id: int, scan_id: int, tips: Sequence[str], path: str,
                  refs_state: str | None, objects: int, nbytes: int) -> None:
        """The scan succeeded: remember what it covered, count its findings."""
        self._db.execute("UPDATE repositories SET tips = ?, path = ?, refs_state = ? "
                         "WHERE id = ?", (json.dumps(list(tips)), path, refs_state, repo_id))
        count = self._db.execute("SELECT COUNT(*) FROM locations WHERE scan_id = ?",
                                 (scan_id,)).fetchone()[0]
        self._db.execute("UPDATE scans SET finished_at = ?, status = 'ok', objects = ?, "
                         "bytes = ?, findings = ? WHERE id = ?",
                         (_now(), objects, nbytes, count, scan_id))


class Store:
    """The store, opened for a sweep (created if missing, migrated) or, ``read_only``, for a
    report: not written (except to migrate an older store it can write), and no -wal/-shm
    created where they cannot be. An older store that cannot be migrated is read as it is
    (every migration so far only adds to the schema)."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        try:
            self._db = self._open_read_only() if read_only else self._open()
        except sqlite3.Error as exc:
            raise fault(self.path, exc) from exc
        if read_only:
            try:
                older = self.version() < SCHEMA_VERSION and self._writable()
            except sqlite3.Error as exc:
                self._db.close()
                raise fault(self.path, exc) from exc
            if older:  # migrated once, by whichever command opens it first and can
                self._db.close()
                try:
                    self._db = self._open()
                except sqlite3.Error as exc:
                    raise fault(self.path, exc) from exc

    def _writable(self) -> bool:
        return os.access(self.path, os.W_OK) and \
            os.access(os.path.dirname(os.path.abspath(self.path)), os.W_OK)

    def _open(self) -> sqlite3.Connection:
        _create_private(self.path)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db = db
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except BaseException:
            db.close()
            raise
        return db

    def _open_read_only(self) -> sqlite3.Connection:
        """``mode=ro`` reads a WAL store beside its -wal/-shm, creating the -shm if it can.
        In a directory it cannot write, with no -shm there, that fails; then no sweep can
        be writing it either, so it is opened ``immutable`` unless a -wal holds changes not
        yet in the file (reading without them would be wrong)."""
        uri = f"file:{quote(os.path.abspath(self.path))}"
        try:
            return self._connect(uri + "?mode=ro")
        except sqlite3.Error as exc:
            code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
            if code not in (_CANTOPEN, _READONLY) or not os.path.isfile(self.path) or \
                    os.access(os.path.dirname(os.path.abspath(self.path)), os.W_OK):
                raise
            wal = Path(self.path + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError(
                    f"the store {self.path} has changes in {wal} that need a writable "
                    "directory to be read; make its directory writable, or copy the store "
                    "and its -wal into a writable one and report from there") from exc
            return self._connect(uri + "?immutable=1")

    def _connect(self, uri: str) -> sqlite3.Connection:
        db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        self._db = db
        try:
            db.execute("PRAGMA query_only=ON")
            found = self.version()  # reads the file: a locked or corrupt one fails here
            if found > SCHEMA_VERSION:
                raise StoreError(f"the store {self.path} has schema version {found}, newer "
                                 f"than this keysweep knows ({SCHEMA_VERSION}): upgrade "
                                 "keysweep")
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):  # one line for the user, not a traceback
            raise fault(self.path, exc) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            # A failed write may have rolled back already; the first error is the one to tell.
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """Writes committed together, or not at all."""
        with self._transaction() as db:
            yield Batch(db)

    # -- schema ------------------------------------------------------------------------------

    def version(self) -> int:
        """The schema version: the ledger's highest row; before the ledger, user_version
        (0 for a new file, 1 for every store written before version 2)."""
        has_ledger = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if has_ledger:
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int(row[0] or 0)
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        for migration in MIGRATIONS:
            if self.version() >= migration.version:
                continue
            with self._transaction() as db:
                # Another process may have migrated between the check and the lock.
                if self.version() >= migration.version:
                    continue
                for statement in migration.sql.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(_LEDGER)
                db.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                           (migration.version, _now()))
        found = self.version()
        if found > SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} has schema version {found}, newer than "
                             f"this keysweep knows ({SCHEMA_VERSION}): upgrade keysweep")

    def migrations(self) -> list[tuple[int, str]]:
        """(version, applied_at) of every migration recorded in the ledger."""
        return [(int(v), str(at)) for v, at in self._db.execute(
            "SELECT version, applied_at FROM schema_version ORDER BY version")]

    # -- repositories and scans ------------------------------------------------------------

    def repository(self, name: str, url: str, path: str) -> RepoRow:
        with self._transaction() as db:
            db.execute("INSERT INTO repositories (name, url, path) VALUES (?, ?, ?) "
                       "ON CONFLICT(name) DO UPDATE SET url = excluded.url, path = excluded.path",
                       (name, url, path))
        return self.repo_by_name(name)

    def repo_by_name(self, name: str) -> RepoRow:
        row = self._db.execute("SELECT id, name, url, path, tips, refs_state FROM repositories "
                               "WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise StoreError(f"no repository {name!r} in {self.path}")
        return RepoRow(row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5])

    def scanned_objects(self, repo_id: int) -> set[str]:
        return {r[0] for r in self._db.execute(
            "SELECT object FROM scanned_objects WHERE repository_id = ?", (repo_id,))}

    def repository_list(self) -> list[tuple[str, str, str, str | None]]:
        """(name, url, path, when its latest successful scan finished) of every repository."""
        return [(str(name), str(url), str(path), last) for name, url, path, last in
                self._db.execute(
                    "SELECT r.name, r.url, r.path, (SELECT MAX(s.finished_at) FROM scans s "
                    "WHERE s.repository_id = r.id AND s.status = 'ok') "
                    "FROM repositories r ORDER BY r.name")]

    def interrupt_running(self) -> int:
        """Mark scans a killed run left 'running' as interrupted (only safe while holding
        the sweep lock: otherwise they may belong to a live sweep)."""
        with self._transaction() as db:
            cur = db.execute("UPDATE scans SET status = 'interrupted', finished_at = ? "
                             "WHERE status = 'running'", (_now(),))
        return cur.rowcount

    def start_scan(self, repo_id: int) -> int:
        with self._transaction() as db:
            cur = db.execute("INSERT INTO scans (repository_id, started_at, status) "
                             "VALUES (?, ?, 'running')", (repo_id, _now()))
        return int(cur.lastrowid or 0)

    def finish_scan(self, scan_id: int, status: str, error: str | None = None) -> None:
        with self._transaction() as db:
            db.execute("UPDATE scans SET finished_at = ?, status = ?, error = ? WHERE id = ?",
                       (_now(), status, error, scan_id))

    def failed_repositories(self) -> list[tuple[str, str]]:
        """(name, error) of repositories whose latest scan failed."""
        return [(str(name), str(error or "")) for name, error in self._db.execute(
            "SELECT r.name, s.error FROM scans s JOIN repositories r ON r.id = s.repository_id "
            "WHERE s.status = 'error' AND s.id IN "
            "(SELECT MAX(id) FROM scans GROUP BY repository_id) ORDER BY r.name")]

    def totals(self) -> Totals:
        row = self._db.execute(
            "SELECT (SELECT COUNT(*) FROM secrets), (SELECT COUNT(*) FROM locations), "
            "(SELECT COUNT(DISTINCT secret_id) FROM verifications WHERE status = 'active')"
        ).fetchone()
        return Totals(int(row[0]), int(row[1]), int(row[2]))

    # -- findings and verifications ----------------------------------------------------------

    def locations(self, repository: str | None = None) -> list[LocationRow]:
        sql = (
            "SELECT s.id, s.rule_id, s.rule_name, s.provider, s.kind, s.severity, "
            "s.secret_sha256, s.redacted, l.path, l.line, l.col, l.end_line, l.end_col, "
            "l.commit_sha, l.author, l.date, l.in_head, l.owner, l.paired_rule, "
            "l.paired_sha256, p.redacted, l.decoded, l.tags, r.name "
            "FROM locations l JOIN secrets s ON s.id = l.secret_id "
            "JOIN repositories r ON r.id = l.repository_id "
            "LEFT JOIN secrets p ON p.rule_id = l.paired_rule "
            "AND p.secret_sha256 = l.paired_sha256 "
            + ("WHERE r.name = ? " if repository else "")
            + "ORDER BY r.name, l.path, l.line, l.col, s.rule_id")
        out = []
        for row in self._db.execute(sql, (repository,) if repository else ()):
            values = list(row)
            values[16] = None if row[16] is None else bool(row[16])
            values[21], values[22] = _split(row[21]), _split(row[22])
            out.append(LocationRow(*values))
        return out

    def verifications(self) -> list[VerificationRow]:
        return [VerificationRow(pair, int(secret_id), Verification(
                    status, reason, json.loads(identity) if identity else None,
                    tuple(Fact(*f) for f in json.loads(facts)) if facts else (), bool(root)),
                    checked)
                for pair, secret_id, status, reason, identity, checked, facts, root
                in self._db.execute(
                    "SELECT pair_sha256, secret_id, status, reason, identity, checked_at, "
                    "facts, root FROM verifications")]

    def record_verifications(self, results: Iterable[PairResult], when: str) -> int:
        """Store each result (newest wins per pair and side); returns how many were kept."""
        count = 0
        with self._transaction() as db:
            for r in results:
                row = db.execute("SELECT id FROM secrets WHERE rule_id = ? AND "
                                 "secret_sha256 = ?", (r.rule_id, r.secret_sha256)).fetchone()
                if row is None:
                    continue
                v = r.verification
                db.execute(
                    "INSERT INTO verifications (pair_sha256, secret_id, status, reason, "
                    "identity, checked_at, facts, root) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(pair_sha256, secret_id) DO UPDATE SET status = "
                    "excluded.status, reason = excluded.reason, identity = excluded.identity,"
                    " checked_at = excluded.checked_at, facts = excluded.facts, "
                    "root = excluded.root",
                    (r.pair_sha256, row[0], v.status, v.reason,
                     json.dumps(v.identity) if v.identity else None, when,
                     json.dumps([[f.name, f.value, f.risk] for f in v.facts])
                     if v.facts else None, int(v.root)))
                count += 1
        return count

    def blob_holders(self, rule_ids: Sequence[str]) -> list[BlobHolder]:
        """Blobs holding secrets of these rules, in repositories with a known git dir."""
        if not rule_ids:
            return []
        marks = ",".join("?" * len(rule_ids))
        return [BlobHolder(*row) for row in self._db.execute(
            "SELECT s.rule_id, s.secret_sha256, b.blob, r.path FROM secrets s "
            "JOIN blob_findings b ON b.secret_id = s.id JOIN repositories r "
            f"ON r.id = b.repository_id WHERE s.rule_id IN ({marks}) AND r.path != ''",
            tuple(rule_ids))]
