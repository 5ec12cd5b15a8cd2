"""Org-wide sweeps on a directory of real repositories: findings per repository, errors that
do not stop the sweep, incremental reruns, kill -9 and resume, the cross-repository view,
and the Dask path giving the same findings as the local pool."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scanner.sweep.repos import safe_url
from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import leak
from tests.helpers.run import keysweep_command, run_keysweep

SECRETS = ["J0RlgLKOmxgJTeKdNnFRIBXuDL7Dxt", "pYlSXpfKtHF4vUCsMehGAkWvj7FAc9",
           "QeWJKY40uvSwMFLZDe1f8rESQedUSt", "Xk3PqL9vRt2WmZ8cYb4NhJd6FsGa1E"]
SHARED = "Tz7RwQ2mKp9LxVb4NcYd8HjF3sGa6E"


def make_repos(root: Path, count: int = 6) -> dict[str, set[str]]:
    """Repositories under ``root``; returns the redacted secrets each should report."""
    expected: dict[str, set[str]] = {}
    for i in range(count):
        repo = GitRepo(root / f"team{i % 2}" / f"svc{i}")
        repo.commit("init", **{"README.md": f"service {i}\n"})
        want = set()
        if i % 3 == 0:  # a key added and removed: only in history
            repo.commit("oops", **{"conf.ini": leak(SECRETS[i % 4])})
            repo.commit("fix", **{"conf.ini": "\n"})
            want.add(SECRETS[i % 4][:4] + "…")
        if i < 3:  # one key shared by three repositories
            repo.commit("shared", **{"deploy.env": leak(SHARED)})
            want.add(SHARED[:4] + "…")
        expected[f"team{i % 2}/svc{i}"] = want
    GitRepo(root / "empty")  # a repository without commits
    expected["empty"] = set()
    return expected


def report(db: Path, *args: str) -> dict:
    return run_keysweep("report", "--db", db, "-f", "json", *args, expected_code=0).json()


def per_repo(doc: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in doc["findings"]:
        out.setdefault(f["repository"], set()).add(f["redacted"])
    return out


def comparable(doc: dict) -> list[tuple]:
    return sorted((f["repository"], f["path"], f["rule_id"], f["secret_sha256"], f["line"],
                   f["commit"], f["in_head"]) for f in doc["findings"])


def scans(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT r.name, s.status, s.objects, s.error FROM scans s "
                                 "JOIN repositories r ON r.id = s.repository_id ORDER BY s.id"))


def test_sweep_finds_per_repository_and_records_errors(tmp_path: Path):
    root = tmp_path / "org"
    expected = make_repos(root)
    corrupt = GitRepo(root / "broken")
    corrupt.commit("c", **{"a.txt": "a\n"})
    (corrupt.path / ".git" / "HEAD").write_text("garbage\n")
    db = tmp_path / "sweep.db"
    run = run_keysweep("sweep", "--dir", root, "--db", db, "--jobs", "2")
    assert "Swept 8 repositories" in run.stdout and "1 failed" in run.stdout
    assert "keysweep: warning: broken:" in run.stderr
    got = per_repo(report(db))
    assert got == {name: want for name, want in expected.items() if want}
    statuses = {name: status for name, status, _, _ in scans(db)}
    assert statuses["broken"] == "error" and statuses["empty"] == "ok"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        dump = "\n".join(conn.iterdump())
    assert not any(s in dump for s in SECRETS + [SHARED])  # hashes only, never raw secrets


def test_same_key_in_three_repositories_is_one_secret(tmp_path: Path):
    root = tmp_path / "org"
    make_repos(root)
    db = tmp_path / "sweep.db"
    run_keysweep("sweep", "--dir", root, "--db", db)
    doc = report(db)
    shared = [f for f in doc["findings"] if f["redacted"] == SHARED[:4] + "…"]
    assert len({f["secret_sha256"] for f in shared}) == 1
    assert {f["repository"] for f in shared} == {"team0/svc0", "team1/svc1", "team0/svc2"}
    text = run_keysweep("report", "--db", db, "-f", "text").stdout
    assert "in 3 repositories: team0/svc0, team0/svc2, team1/svc1" in text
    only = report(db, "--repo", "team1/svc1")
    assert {f["repository"] for f in only["findings"]} == {"team1/svc1"}


def test_rerun_is_incremental_and_finds_a_new_key(tmp_path: Path):
    root = tmp_path / "org"
    make_repos(root)
    db = tmp_path / "sweep.db"
    run_keysweep("sweep", "--dir", root, "--db", db)
    first = scans(db)
    run_keysweep("sweep", "--dir", root, "--db", db)
    second = scans(db)[len(first):]
    assert all(objects == 0 for _, _, objects, _ in second)  # nothing new, nothing scanned
    repo = GitRepo(root / "team1" / "svc3", init=False)
    repo.commit("new key", **{"new.ini": leak(SECRETS[1]), "other.txt": "x\n"})
    run_keysweep("sweep", "--dir", root, "--db", db)
    third = scans(db)[len(first) + len(second):]
    # two new blobs and one commit message, in that repository only
    assert {name: objects for name, _, objects, _ in third if objects} == {"team1/svc3": 3}
    assert SECRETS[1][:4] + "…" in per_repo(report(db))["team1/svc3"]
    # A blob scanned before that a new commit puts at a new path: a new location, no rescan.
    repo.commit("copy", **{"copy.ini": leak(SECRETS[1])})
    run_keysweep("sweep", "--dir", root, "--db", db)
    fourth = scans(db)[len(first) + len(second) + len(third):]
    assert {name: objects for name, _, objects, _ in fourth if objects} == {"team1/svc3": 1}
    paths = {f["path"] for f in report(db, "--repo", "team1/svc3")["findings"]}
    assert {"new.ini", "copy.ini"} <= paths
    full = run_keysweep("sweep", "--dir", root, "--db", db, "--full")
    assert "0 failed" in full.stdout


class HeldRemote:
    """A git remote on 127.0.0.1 that holds every request until released, then answers 404:
    a sweep reaching it stops there, so the test knows exactly where it is when it kills it."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        held = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                held.reached.set()
                held.released.wait(timeout=120)
                self.send_error(404)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/held.git"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> HeldRemote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail, saying what did not happen, after timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.01)


def ok_count(db: Path) -> int:
    try:
        return sum(1 for _, status, _, _ in scans(db) if status == "ok")
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_kill_9_then_rerun_gives_the_uninterrupted_findings_scanning_nothing_twice(
        tmp_path: Path):
    root = tmp_path / "org"
    for i in range(40):
        repo = GitRepo(root / f"r{i:02d}")
        for j in range(8):
            repo.commit(f"c{j}", **{f"f{j}.txt": f"{i}-{j}\n" * 50,
                                    "conf.ini": leak(SECRETS[(i + j) % 4])})
    clean_db, killed_db = tmp_path / "clean.db", tmp_path / "killed.db"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    with HeldRemote() as remote:
        # The held remote eleventh: with one job the sweep stops there after ten repositories.
        listing = tmp_path / "repos.txt"
        paths = [str(root / f"r{i:02d}") for i in range(40)]
        listing.write_text("\n".join(paths[:10] + [remote.url] + paths[10:]) + "\n")
        args = ["sweep", str(listing), "--cache", str(tmp_path / "cache"), "--jobs", "1"]
        proc = subprocess.Popen(keysweep_command() + args + ["--db", str(killed_db)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(remote.reached.is_set, 120, "the sweep reached the held remote")
            wait_until(lambda: ok_count(killed_db) == 10, 30, "ten repositories committed")
            assert proc.poll() is None
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert ok_count(killed_db) == 10
        remote.released.set()  # from now on it fails at once, like an unreachable remote
        run_keysweep(*args, "--db", clean_db, env=env)
        run_keysweep(*args, "--db", killed_db, env=env)
    assert comparable(report(killed_db)) == comparable(report(clean_db))
    runs = scans(killed_db)
    ok = [(name, objects) for name, status, objects, _ in runs if status == "ok" and objects]
    assert len(ok) == 40 and len({name for name, _ in ok}) == 40  # each repository scanned once
    assert sum(o for _, o in ok) == sum(o for _, s, o, _ in scans(clean_db) if s == "ok")
    assert any(status == "interrupted" for _, status, _, _ in runs)


def test_remote_urls_are_mirrored_fetched_and_stored_without_credentials(tmp_path: Path):
    origin = GitRepo(tmp_path / "origin")
    origin.commit("k", **{"k.ini": leak(SECRETS[0])})
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# our repositories\nfile://{origin.path}\n"
                       "https://bob:hunter2token@127.0.0.1:9/nowhere.git  # unreachable\n")
    db, cache = tmp_path / "s.db", tmp_path / "cache"
    run = run_keysweep("sweep", listing, "--db", db, "--cache", cache, "--repo-timeout", "20")
    assert "1 failed" in run.stdout and "hunter2token" not in run.stdout + run.stderr
    mirrors = list(cache.glob("*.git"))
    assert len(mirrors) == 0 or all((m / "HEAD").exists() for m in mirrors)
    assert per_repo(report(db)) == {"origin": {SECRETS[0][:4] + "…"}}
    origin.commit("k2", **{"k2.ini": leak(SECRETS[1])})
    run_keysweep("sweep", listing, "--db", db, "--cache", cache, "--repo-timeout", "20")
    assert per_repo(report(db))["origin"] == {SECRETS[0][:4] + "…", SECRETS[1][:4] + "…"}
    with sqlite3.connect(db) as conn:
        assert "hunter2token" not in "\n".join(conn.iterdump())
    assert safe_url("https://bob:pw@example.com:8443/a.git") == "https://example.com:8443/a.git"


def test_dask_cluster_gives_the_same_findings_as_the_local_pool(tmp_path: Path):
    import distributed  # in the test extras, as keysweep[cluster] needs it

    root = tmp_path / "org"
    make_repos(root)
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    run_keysweep("sweep", "--dir", root, "--db", local_db, "--jobs", "2")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        run = run_keysweep("sweep", "--dir", root, "--db", dask_db, "--scheduler",
                           cluster.scheduler_address)
    assert "0 failed" in run.stdout
    assert comparable(report(dask_db)) == comparable(report(local_db))
    assert comparable(report(local_db))


def test_sweep_scans_annotated_tag_messages_first_and_incrementally(tmp_path: Path):
    root = tmp_path / "org"
    repo = GitRepo(root / "svc")
    repo.commit("init", **{"README.md": "service\n"})
    repo.git("tag", "-a", "v1", "-m", "release\n\n" + leak(SECRETS[0]))
    db = tmp_path / "sweep.db"
    run_keysweep("sweep", "--dir", root, "--db", db)
    found = {(f["path"], f["redacted"]) for f in report(db)["findings"]}
    assert ("<tag v1 message>", SECRETS[0][:4] + "…") in found
    # A tag added later, on a commit already swept: only its message is new.
    repo.git("tag", "-a", "v2", "-m", "hotfix\n\n" + leak(SECRETS[2]))
    before = scans(db)
    run_keysweep("sweep", "--dir", root, "--db", db)
    assert [objects for _, _, objects, _ in scans(db)[len(before):]] == [1]
    found = {(f["path"], f["redacted"]) for f in report(db)["findings"]}
    assert ("<tag v2 message>", SECRETS[2][:4] + "…") in found
