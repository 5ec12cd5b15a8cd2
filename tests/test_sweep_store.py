"""The sweep store's life around the scans: one sweep per store at a time (a second one
exits 2 or waits, and never marks the first one's scans interrupted; report still reads),
and schema migrations from stores that older keysweeps wrote."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import leak
from tests.helpers.run import keysweep_command, run_keysweep

SECRET = "J0RlgLKOmxgJTeKdNnFRIBXuDL7Dxt"


@contextmanager
def stalled_remote() -> Iterator[tuple[str, threading.Event]]:
    """An http URL whose server accepts connections and never answers: a clone of it hangs
    until the server goes away. Yields the URL and an event set on the first connection."""
    server = socket.create_server(("127.0.0.1", 0))
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            connected.set()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/stalled.git", connected
    finally:
        server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        server.close()
        for conn in held:
            conn.close()
        thread.join(timeout=10)


def scans(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT r.name, s.status FROM scans s JOIN repositories r "
                                 "ON r.id = s.repository_id ORDER BY s.id"))


def wait_for(event: threading.Event, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while not event.wait(0.05):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first sweep never reached the remote"


def sweep_list(tmp_path: Path, url: str) -> Path:
    local = GitRepo(tmp_path / "local")
    local.commit("k", **{"k.ini": leak(SECRET)})
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{local.path}\n{url}\n")  # the local one is committed first (-j 1)
    return listing


def start_sweep(listing: Path, db: Path, cache: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(keysweep_command() + [
        "sweep", str(listing), "--db", str(db), "--cache", str(cache), "--jobs", "1",
        "--repo-timeout", "120", "--no-progress", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_second_sweep_on_the_same_store_exits_2_and_leaves_the_first_alone(tmp_path: Path):
    db, cache = tmp_path / "sweep.db", tmp_path / "cache"
    with stalled_remote() as (url, connected):
        listing = sweep_list(tmp_path, url)
        first = start_sweep(listing, db, cache)
        wait_for(connected, first)  # the first sweep holds the store, mid-scan
        second = run_keysweep("sweep", listing, "--db", db, "--cache", cache,
                              "--repo-timeout", "5", expected_code=2)
        lines = second.stderr.strip().splitlines()
        assert lines == [f"keysweep: error: the store {db} is in use by another sweep "
                         f"(pid {first.pid})"]
        # Reading while the sweep writes works (WAL), and sees what is committed so far.
        doc = run_keysweep("report", "--db", db, "-f", "json").json()
        assert {f["repository"] for f in doc["findings"]} == {"local"}
        assert first.poll() is None
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert b"Swept 2 repositories" in out
    statuses = scans(db)
    assert [s for _, s in statuses] == ["ok", "error"], statuses  # nothing interrupted


def test_a_second_sweep_with_wait_runs_after_the_first(tmp_path: Path):
    db, cache = tmp_path / "sweep.db", tmp_path / "cache"
    with stalled_remote() as (url, connected):
        listing = sweep_list(tmp_path, url)
        first = start_sweep(listing, db, cache)
        wait_for(connected, first)
        second = start_sweep(listing, db, cache, "--wait", "120", "--repo-timeout", "5")
        assert second.stderr is not None
        told = second.stderr.readline().decode()
        assert told == (f"keysweep: the store {db} is in use by another sweep "
                        f"(pid {first.pid}); waiting up to 120s\n")
        # Waiting, it has touched nothing: the first sweep's remote scan is still running.
        assert scans(db) == [("local", "ok"), ("127.0.0.1/stalled", "running")]
    for proc in (first, second):
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert b"Swept 2 repositories" in out
    # The first sweep's scans finished as ok/error, never marked interrupted by the second;
    # the second skipped the unchanged local repository and retried the remote.
    assert scans(db) == [("local", "ok"), ("127.0.0.1/stalled", "error"),
                         ("127.0.0.1/stalled", "error")]


def test_a_sweep_killed_with_the_lock_held_does_not_block_the_next(tmp_path: Path):
    db, cache = tmp_path / "sweep.db", tmp_path / "cache"
    with stalled_remote() as (url, connected):
        listing = sweep_list(tmp_path, url)
        first = start_sweep(listing, db, cache)
        wait_for(connected, first)
        first.kill()
        first.communicate()
    assert (tmp_path / "sweep.db.lock").exists()  # left behind, and harmless
    run_keysweep("sweep", listing, "--db", db, "--cache", cache, "--repo-timeout", "20")
    assert [s for _, s in scans(db)] == ["ok", "interrupted", "error"]


def downgrade_to_v1(db: Path) -> None:
    """Make ``db`` what keysweep wrote before the schema_version ledger: the same tables,
    without version 2's index, and ``PRAGMA user_version = 1``."""
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE schema_version")
        conn.execute("DROP INDEX blob_findings_by_secret")
        conn.execute("ALTER TABLE verifications DROP COLUMN facts")  # version 3's
        conn.execute("ALTER TABLE verifications DROP COLUMN root")
        conn.execute("PRAGMA user_version = 1")


def test_a_store_written_before_the_schema_ledger_is_migrated_and_keeps_its_findings(
        tmp_path: Path):
    repo = GitRepo(tmp_path / "org" / "svc")
    repo.commit("k", **{"k.ini": leak(SECRET)})
    db = tmp_path / "sweep.db"
    run_keysweep("sweep", "--dir", tmp_path / "org", "--db", db)
    before = run_keysweep("report", "--db", db, "-f", "json").json()["findings"]
    downgrade_to_v1(db)
    after = run_keysweep("report", "--db", db, "-f", "json").json()["findings"]
    assert after == before and len(after) == 1
    with sqlite3.connect(db) as conn:
        assert [v for v, in conn.execute("SELECT version FROM schema_version")] == [2, 3]
        assert conn.execute("SELECT name FROM sqlite_master WHERE "
                            "name = 'blob_findings_by_secret'").fetchone()
    # Still incremental after the migration: a new commit is the only thing scanned.
    repo.commit("k2", **{"k2.ini": leak(SECRET[::-1])})
    rerun = run_keysweep("sweep", "--dir", tmp_path / "org", "--db", db)
    assert "(1 with new objects, 0 failed): 2 objects" in rerun.stdout
    assert "2 secrets in 2 locations" in rerun.stdout


def test_a_new_store_records_every_migration(tmp_path: Path):
    db = tmp_path / "sweep.db"
    GitRepo(tmp_path / "org" / "svc").commit("c", **{"a.txt": "a\n"})
    run_keysweep("sweep", "--dir", tmp_path / "org", "--db", db)
    with sqlite3.connect(db) as conn:
        rows = list(conn.execute("SELECT version, applied_at FROM schema_version"))
    assert [v for v, _ in rows] == [1, 2, 3] and all(at for _, at in rows)


def test_a_store_from_a_newer_keysweep_is_a_one_line_error(tmp_path: Path):
    db = tmp_path / "sweep.db"
    GitRepo(tmp_path / "org" / "svc").commit("c", **{"a.txt": "a\n"})
    run_keysweep("sweep", "--dir", tmp_path / "org", "--db", db)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00+00:00')")
    for args in (["report", "--db", db], ["sweep", "--dir", tmp_path / "org", "--db", db]):
        run = run_keysweep(*args, expected_code=3)
        assert run.stderr.splitlines() == [
            f"keysweep: error: the store {db} has schema version 99, newer than this keysweep "
            "knows (3): upgrade keysweep"]


def test_sweep_verification_is_stored_and_stale_results_are_read_back_from_blobs(
        tmp_path: Path):
    from tests.helpers.fake_provider import Account, FakeProvider
    from tests.helpers.keys import ID

    repo = GitRepo(tmp_path / "org" / "svc")
    repo.commit("keys", **{"a.env": f"ALIBABA_CLOUD_ACCESS_KEY_ID={ID}\n"
                                    f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={SECRET}\n"})
    repo.commit("gone", **{"a.env": "\n"})  # only in history: found in a blob, not HEAD
    db = tmp_path / "sweep.db"
    with FakeProvider({ID: Account(secret=SECRET)}) as fake:
        args = ["sweep", "--dir", tmp_path / "org", "--db", db, "--verify",
                "--verify-endpoint", f"alibaba={fake.url}", "--verify-timeout", "5"]
        first = run_keysweep(*args)
        assert "2 active (2 verification results updated)" in first.stdout
        assert fake.count(ID) == 1  # one pair, one request
        run_keysweep(*args, "--reverify-after", "7d")  # fresh: not asked again
        assert fake.count(ID) == 1
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE verifications SET checked_at = '2000-01-01T00:00:00+00:00'")
        # Nothing new was scanned, so the raw pair comes from the blob holding it.
        stale = run_keysweep(*args, "--reverify-after", "7d")
        assert "0 with new objects" in stale.stdout
        assert "(2 verification results updated)" in stale.stdout
        assert fake.count(ID) == 2
        assert SECRET not in fake.log_text()
    doc = run_keysweep("report", "--db", db, "--status", "active", "-f", "json").json()
    assert {f["rule_id"] for f in doc["findings"]} == {"alibaba-access-key-id",
                                                       "alibaba-access-key-secret"}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT MIN(checked_at) FROM verifications").fetchone()[0] > "2001"


def test_a_sweeps_store_keeps_the_blast_radius_and_the_root_severity(tmp_path: Path):
    from tests.helpers.fake_provider import Account, FakeProvider, RamUser
    from tests.helpers.keys import ID

    other_id, other_secret = "LTAI5tQm8Xr2Lp9Zk4Wv7Ny3", SECRET[::-1]
    repo = GitRepo(tmp_path / "org" / "svc")
    repo.commit("keys", **{"a.env": f"ALIBABA_CLOUD_ACCESS_KEY_ID={ID}\n"
                                    f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={SECRET}\n",
                           "b.env": f"ALIBABA_CLOUD_ACCESS_KEY_ID={other_id}\n"
                                    f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={other_secret}\n"})
    db = tmp_path / "sweep.db"
    admin = RamUser(policies=[("AdministratorAccess", "System")], console=True, mfa=False)
    accounts = {ID: Account(secret=SECRET, identity_type="Account"),
                other_id: Account(secret=other_secret, ram=admin)}
    with FakeProvider(accounts) as fake:
        run_keysweep("sweep", "--dir", tmp_path / "org", "--db", db, "--verify",
                     "--verify-endpoint", f"alibaba={fake.url}", "--verify-timeout", "5")
    doc = run_keysweep("report", "--db", db, "-f", "json").json()
    by_path = {f["path"]: f for f in doc["findings"] if f["rule_id"] == "alibaba-access-key-secret"}
    root, user = by_path["a.env"], by_path["b.env"]
    assert root["severity"] == "root" and root["verification"]["root"] is True
    assert user["severity"] == "critical" and user["verification"]["root"] is False
    facts = {(f["name"], f["risk"]) for f in user["verification"]["facts"]}
    assert ("policy", "critical") in facts and ("mfa", "high") in facts
    page = run_keysweep("report", "--db", db, "-f", "html").stdout
    assert "AdministratorAccess" in page and "Root-account keys" in page
