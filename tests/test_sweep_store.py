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
