"""What keysweep keeps on disk: private to its owner whatever the umask (the store with its
-wal/-shm and lock, baselines, the verification cache, the mirror cache and each mirror), and
store faults (a corrupt file, a full disk, a read-only store) told in one line that says
what to do, while ``keysweep report`` still reads a store it cannot write."""

from __future__ import annotations

import base64
import os
import random
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scanner.models import Verification
from scanner.sources.git.remote import Remote, auth_config, fetch_url
from scanner.sweep.repos import safe_url, specs
from scanner.verifiers.cache import VerifyCache
from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import SECRET, SECRET2, leak
from tests.helpers.run import Run, as_unprivileged, keysweep_command, run_keysweep
from tests.sources.test_git_remote import dumb_http, publish
from tests.test_sweep_store import stalled_remote, wait_for

UMASK_022 = ["sh", "-c", 'umask 022 && exec "$@"', "sh"]  # a prefix: keysweep under umask 022


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


@contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def org(tmp_path: Path, secrets: int = 1) -> Path:
    """A directory with one repository leaking ``secrets`` secrets."""
    repo = GitRepo(tmp_path / "org" / "app")
    for i, secret in enumerate([SECRET, SECRET2][:secrets]):
        repo.commit(f"k{i}", **{f"k{i}.ini": leak(secret)})
    return tmp_path / "org"


def one_error_line(run: Run, *starts: str) -> str:
    """The run failed with exit 2 or 3 and said one ``keysweep: error:`` line, no traceback."""
    lines = run.stderr.strip().splitlines()
    assert run.code in (2, 3), (run.code, run.stderr)
    assert len(lines) == 1 and lines[0].startswith("keysweep: error: "), run.stderr
    assert "unexpected" not in lines[0] and "Traceback" not in run.stderr
    assert any(lines[0].startswith(f"keysweep: error: {s}") for s in starts), lines[0]
    return lines[0]


# -- private files -------------------------------------------------------------------------


def test_the_store_its_wal_shm_and_lock_and_the_mirrors_are_private_under_umask_022(
        tmp_path: Path) -> None:
    work = GitRepo(tmp_path / "work")
    work.commit("k", **{"k.ini": leak(SECRET)})
    bare = tmp_path / "served" / "acme" / "api.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    publish(work, bare)
    db, cache = tmp_path / "sweep.db", tmp_path / "xdg" / "keysweep" / "mirrors"
    listing = tmp_path / "repos.txt"
    with dumb_http(tmp_path / "served") as host:
        listing.write_text(f"http://{host}/acme/api.git\n")
        run_keysweep("sweep", listing, "--db", db, "--cache", cache, prefix=UMASK_022)
    assert mode(db) == 0o600 and mode(Path(f"{db}.lock")) == 0o600
    for directory in (cache, cache.parent, cache.parent.parent):  # each one it created
        assert mode(directory) == 0o700, directory
    (mirror,) = cache.glob("*.git")
    assert mode(mirror) == 0o700
    wide = [p for p in mirror.rglob("*") if os.lstat(p).st_mode & 0o077]
    assert wide == []  # nothing in the mirror readable by group or others

    # -wal and -shm exist while a sweep has the store open: look mid-sweep.
    with stalled_remote() as (url, connected):
        listing.write_text(f"{url}\n")
        proc = subprocess.Popen(UMASK_022 + keysweep_command() + [
            "sweep", str(listing), "--db", str(db), "--cache", str(cache), "--no-progress",
            "--repo-timeout", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            wait_for(connected, proc)
            assert mode(Path(f"{db}-wal")) == 0o600 and mode(Path(f"{db}-shm")) == 0o600
            (partial,) = cache.glob("*.partial")  # the clone in progress
            assert mode(partial) == 0o700
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)


def test_a_store_an_older_keysweep_left_world_readable_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "sweep.db"
    run_keysweep("sweep", "--dir", org(tmp_path), "--db", db)
    db.chmod(0o644)
    Path(f"{db}.lock").chmod(0o644)
    run_keysweep("sweep", "--dir", tmp_path / "org", "--db", db, "--full", prefix=UMASK_022)
    assert mode(db) == 0o600 and mode(Path(f"{db}.lock")) == 0o600


def test_baselines_are_written_private_under_umask_022(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "k.ini").write_text(leak(SECRET))
    out = tmp_path / "base.json"
    run_keysweep("baseline", "create", tree, "-o", out, prefix=UMASK_022)
    assert mode(out) == 0o600 and SECRET[:4] in out.read_text()
    out.chmod(0o644)  # as a checkout or an older keysweep leaves it
    (tree / "k2.ini").write_text(leak(SECRET2))
    run_keysweep("baseline", "update", tree, "--baseline", out, prefix=UMASK_022)
    assert mode(out) == 0o600 and SECRET2[:4] in out.read_text()


def test_the_verification_cache_and_its_directories_are_private_under_umask_022(
        tmp_path: Path) -> None:
    path = tmp_path / "xdg" / "keysweep" / "verify.sqlite"
    with umask(0o022):
        cache = VerifyCache(path, ttl=3600)
        try:
            cache.put("k" * 64, Verification("inactive", "test"))
        finally:
            cache.close()
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700


# -- store faults --------------------------------------------------------------------------


def garbage(path: Path, at: int, size: int) -> None:
    data = random.Random(1234).randbytes(size)
    with open(path, "r+b" if path.exists() else "wb") as f:
        f.seek(at)
        f.write(data)


@pytest.mark.parametrize("damage", ["not a database", "damaged pages"])
def test_a_corrupt_store_is_one_line_saying_move_it_aside(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "sweep.db"
    root = org(tmp_path, secrets=2)
    if damage == "not a database":
        garbage(db, 0, 8192)
    else:  # a real store, its pages after the header overwritten
        run_keysweep("sweep", "--dir", root, "--db", db)
        garbage(db, 100, db.stat().st_size - 100)
    commands: list[list[str | Path]] = [["sweep", "--dir", root, "--db", db],
                                        ["report", "--db", db]]
    for args in commands:
        line = one_error_line(run_keysweep(*args, expected_code=None),
                              f"the store {db} is corrupt (")
        assert line.endswith("move it aside and rerun the sweep"), line


def no_bigger_than(limit: int) -> None:
    """In the child: files cannot grow past ``limit`` bytes (EFBIG, as on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_store_that_cannot_grow_is_one_line_and_report_still_reads_it(tmp_path: Path) -> None:
    db = tmp_path / "sweep.db"
    root = org(tmp_path)
    run_keysweep("sweep", "--dir", root, "--db", db)
    size = db.stat().st_size
    big = GitRepo(root / "big")  # a WAL (~190 KiB) about 3 times the limit
    for i in range(60):
        big.commit(f"c{i}", **{f"f{j}.txt": f"{i} {j}\n" for j in range(40)})
    limit = max(size, 64 * 1024)  # the -shm (32 KiB) fits; the sweep's writes do not
    proc = subprocess.run(keysweep_command() + ["sweep", "--dir", str(root), "--db", str(db)],
                          capture_output=True, preexec_fn=lambda: no_bigger_than(limit),
                          timeout=300)
    run = Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    line = one_error_line(run, f"the store {db} could not be written or read (",
                          f"the store {db} cannot grow (")
    assert "free" in line and line.endswith("rerun the sweep"), line
    # What was committed before is intact and readable, under the same limit.
    proc = subprocess.run(keysweep_command() + ["report", "--db", str(db), "-f", "json"],
                          capture_output=True, preexec_fn=lambda: no_bigger_than(limit),
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(SECRET[:4].encode()) >= 1


def read_only_store(tmp_path: Path) -> tuple[Path, Path]:
    """A store of one sweep, then the file 0444 in a 0555 directory (and no lock file: a
    copy of the store, say)."""
    db = tmp_path / "ro" / "sweep.db"
    db.parent.mkdir()
    root = org(tmp_path)
    run_keysweep("sweep", "--dir", root, "--db", db)
    Path(f"{db}.lock").unlink()
    db.chmod(0o444)
    db.parent.chmod(0o555)
    return db, root


def test_report_reads_a_read_only_store_in_a_read_only_directory(tmp_path: Path) -> None:
    db, _ = read_only_store(tmp_path)
    try:
        before = sorted(os.listdir(db.parent))
        run = run_keysweep("report", "--db", db, "-f", "json", prefix=as_unprivileged())
        assert {f["redacted"] for f in run.json()["findings"]} == {SECRET[:4] + "…"}
        assert sorted(os.listdir(db.parent)) == before  # no -wal/-shm (it cannot), nothing
    finally:
        db.parent.chmod(0o755)


def test_report_refuses_a_read_only_store_whose_wal_it_cannot_read(tmp_path: Path) -> None:
    """Changes still in the -wal of a read-only directory's store: reading the file alone
    would silently drop them, so report says so instead."""
    db, root = read_only_store(tmp_path)
    db.parent.chmod(0o755)
    db.chmod(0o644)
    # A writer killed with the store open leaves its commit in the -wal, not in the file.
    with subprocess.Popen(
            [sys.executable, "-c", "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]);"
             "c.execute('PRAGMA wal_autocheckpoint=0');"
             "c.execute(\"UPDATE secrets SET redacted = 'changed'\"); c.commit();"
             "print('ready', flush=True); time.sleep(600)", str(db)],
            stdout=subprocess.PIPE) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == b"ready\n"
        finally:
            holder.kill()
    (Path(f"{db}-shm")).unlink()
    assert Path(f"{db}-wal").stat().st_size > 0
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        run = run_keysweep("report", "--db", db, expected_code=None, prefix=as_unprivileged())
        one_error_line(run, f"the store {db} has changes in {db}-wal")
    finally:
        db.parent.chmod(0o755)


def test_a_sweep_into_a_read_only_store_is_one_line(tmp_path: Path) -> None:
    db, root = read_only_store(tmp_path)
    try:
        run = run_keysweep("sweep", "--dir", root, "--db", db, expected_code=None,
                           prefix=as_unprivileged())
        line = one_error_line(run, f"cannot lock the store {db} (")
        assert "writable" in line
        db.parent.chmod(0o755)  # a writable directory, the file still read-only
        run = run_keysweep("sweep", "--dir", root, "--db", db, "--full", expected_code=None,
                           prefix=as_unprivileged())
        line = one_error_line(run, f"the store {db} is read-only (")
        assert "writable" in line
        run_keysweep("report", "--db", db, prefix=as_unprivileged())
    finally:
        db.parent.chmod(0o755)



def test_a_report_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "k.ini").write_text(leak(SECRET))
    out = tmp_path / "report.json"
    proc = subprocess.run(keysweep_command() + ["scan", str(tree), "-f", "json", "-o", str(out)],
                          capture_output=True, preexec_fn=lambda: no_bigger_than(16),
                          timeout=300)
    run = Run(proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    one_error_line(run, f"cannot write {out}: File too large")
    assert mode(out) == 0o600


# -- URLs ----------------------------------------------------------------------------------


def test_what_git_is_given_and_what_is_stored_carry_no_password() -> None:
    assert safe_url("http://u:p@[::1]:8080/r.git") == "http://[::1]:8080/r.git"
    assert safe_url("https://tok@Host.Example/r.git") == "https://host.example/r.git"
    # git gets no user or password for http(s) (they go in a header), an ssh user name but
    # no password; scp-like URLs and paths are left alone.
    assert fetch_url("https://deploy:t%40k@[::1]:8443/r.git") == "https://[::1]:8443/r.git"
    assert fetch_url("ssh://git:pw@host:2222/r.git") == "ssh://git@host:2222/r.git"
    assert fetch_url("git@host:owner/r.git") == "git@host:owner/r.git"
    assert auth_config("ssh://git:pw@host/r.git") == []
    assert auth_config("https://deploy:t%40k@h/r.git") == [
        ("http.https://h/r.git.extraHeader",
         "Authorization: Basic " + base64.b64encode(b"deploy:t@k").decode())]


def test_a_listed_credential_is_not_in_the_repr_of_what_carries_it() -> None:
    """Tracebacks (--debug) and Dask's task errors print these objects."""
    (spec,) = specs(["https://deploy:t0ken-x1@host/acme/api.git"])
    carried = Remote(spec.name, spec.url, spec.source)
    assert spec.source.startswith("https://deploy:t0ken-x1@")
    assert "t0ken-x1" not in repr(spec) + repr(carried)
