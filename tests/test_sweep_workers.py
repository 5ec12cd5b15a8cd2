"""The workers of a sweep: several Dask threads in one worker give exactly the local pool's
findings (file and commit-message keys each under their own repository), and a sweep of
hundreds of repositories neither runs out of file descriptors nor leaves git processes."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scanner.engine.workers import WorkerFailed, WorkerPool, WorkerState
from scanner.matching import fast
from scanner.sources.git.command import GitError, open_repo
from scanner.sources.git.objects import CatFile
from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import leak
from tests.helpers.run import keysweep_command, run_keysweep
from tests.test_sweep import comparable, report, scans

BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def secrets(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(BASE62, k=30)) for _ in range(count)]


def by_repository(doc: dict) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for f in doc["findings"]:
        out.setdefault(f["repository"], set()).add((f["path"], f["redacted"]))
    return out


def make_org(root: Path, count: int = 24) -> dict[str, set[tuple[str, str]]]:
    """Repositories with a distinct key in a file and another in a commit message each;
    returns what each should report."""
    keys = secrets(2 * count, seed=7)
    expected: dict[str, set[tuple[str, str]]] = {}
    for i in range(count):
        in_file, in_message = keys[2 * i], keys[2 * i + 1]
        repo = GitRepo(root / f"svc{i:02d}")
        repo.commit("init", **{"README.md": f"service {i}\n" * 200})
        repo.commit("config", **{"conf.ini": leak(in_file), "notes.txt": f"{i}\n" * 500})
        repo.commit(f"rotate the key\n\n{leak(in_message)}")
        expected[f"svc{i:02d}"] = {("conf.ini", in_file[:4] + "…"),
                                   ("<commit message>", in_message[:4] + "…")}
    return expected


def threaded_cluster() -> Any:
    """One Dask worker running four tasks at once, in this process, reachable over TCP."""
    import distributed

    return distributed.LocalCluster(n_workers=1, threads_per_worker=4, processes=False,
                                    protocol="tcp", host="127.0.0.1", dashboard_address=":0")


def test_dask_worker_with_four_threads_gives_the_local_pool_findings(tmp_path: Path):
    assert fast.available(), "this test is about the Hyperscan engine's per-thread scratch"
    root = tmp_path / "org"
    expected = make_org(root)
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    run_keysweep("sweep", "--dir", root, "--db", local_db, "--jobs", "2")
    with threaded_cluster() as cluster:
        run = run_keysweep("sweep", "--dir", root, "--db", dask_db, "--scheduler",
                           cluster.scheduler_address)
        # the sweep's plugin is gone afterwards, so its scanners are not kept by the worker
        plugins = cluster.workers[0].plugins
        assert not [name for name in plugins if name.startswith("keysweep")]
    assert "0 failed" in run.stdout
    assert by_repository(report(local_db)) == expected
    assert by_repository(report(dask_db)) == expected
    assert comparable(report(dask_db)) == comparable(report(local_db))
    assert all(status == "ok" for _, status, _, _ in scans(dask_db))


def test_commit_messages_stay_with_their_repository_on_a_threaded_worker(tmp_path: Path):
    from scanner.engine.config import ScanConfig
    from scanner.sweep.coordinator import Sweep, SweepOptions
    from scanner.sweep.repos import find_repositories, specs
    from scanner.sweep.store import Store

    root = tmp_path / "org"
    expected = make_org(root)
    listing = specs([str(p) for p in find_repositories(root)], root)
    config = ScanConfig(engine="pyahocorasick", jobs=1)
    store = Store(tmp_path / "dask.db")
    try:
        with threaded_cluster() as cluster:
            summary = Sweep(store, config, SweepOptions(
                cache=tmp_path / "cache", scheduler=cluster.scheduler_address)).run(listing)
    finally:
        store.close()
    assert summary.errors == 0
    assert by_repository(report(tmp_path / "dask.db")) == expected


def make_tiny_repos(root: Path, count: int) -> None:
    """``count`` repositories of one commit each, written by git fast-import (fast)."""
    for i in range(count):
        path = root / f"r{i:03d}"
        subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
        body = f"repository {i}\n".encode()
        stream = (b"blob\nmark :1\ndata %d\n%s\n" % (len(body), body)
                  + b"commit refs/heads/main\n"
                  + b"committer dev <dev@example.com> 1704067200 +0000\n"
                  + b"data 5\nfirst\nM 100644 :1 README.md\n\n")
        subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=stream,
                       check=True)


def process_group(pgid: int) -> list[str]:
    """Command lines of the live processes in a process group."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(cmdline.replace(b"\0", b" ").decode("utf-8", "replace"))
    return found


def test_sweep_of_300_repositories_fits_in_128_file_descriptors(tmp_path: Path):
    root = tmp_path / "org"
    make_tiny_repos(root, 300)
    db = tmp_path / "sweep.db"
    for jobs in ("1", "2"):  # inline, and in the local pool's worker processes
        command = " ".join(keysweep_command() + [
            "sweep", "--dir", str(root), "--db", f"{db}.{jobs}", "--jobs", jobs,
            "--no-progress"])
        proc = subprocess.Popen(["bash", "-c", f"ulimit -n 128; exec {command}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)  # its own process group
        out, err = proc.communicate(timeout=600)
        left = process_group(proc.pid)
        assert proc.returncode == 0, err.decode()
        assert "Swept 300 repositories" in out.decode()
        statuses = [status for _, status, _, _ in scans(Path(f"{db}.{jobs}"))]
        assert statuses == ["ok"] * 300
        assert left == [], f"processes of the sweep still running: {left}"


def open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


def children() -> set[int]:
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        text = Path(f"/proc/self/task/{task}/children").read_text()
        found.update(int(pid) for pid in text.split())
    return found


def test_cat_file_closes_its_process_and_pipes_however_the_read_ends(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.commit("c", **{"a.txt": "a\n" * 100_000, "b.txt": "b\n"})
    git = open_repo(str(repo.path))
    ids = repo.git("ls-tree", "HEAD", "--object-only").split()
    fds, kids = open_fds(), children()
    with CatFile(git) as reader:
        assert sorted(o.sha for o in reader.read(ids)) == sorted(ids)
        assert len(children() - kids) == 1
    assert open_fds() == fds and children() == kids
    with pytest.raises(KeyError), CatFile(git) as reader:
        for _ in reader.read(ids):  # stopped in the middle of a 200 kB object
            raise KeyError("stop")
    assert open_fds() == fds and children() == kids


def test_big_repositories_scanned_by_all_workers_give_the_same_findings(tmp_path: Path):
    from scanner.engine.config import ScanConfig
    from scanner.sweep.coordinator import Sweep, SweepOptions
    from scanner.sweep.repos import specs
    from scanner.sweep.store import Store

    root = tmp_path / "org"
    keys = secrets(12, seed=11)
    for i in range(4):
        repo = GitRepo(root / f"big{i}")
        for j in range(3):
            repo.commit(f"c{j}\n\n{leak(keys[3 * i + j])}" if j == 2 else f"c{j}",
                        **{f"k{j}.ini": leak(keys[3 * i + j]), f"f{j}.txt": f"{i}{j}\n"})
    listing = specs([str(root / f"big{i}") for i in range(4)])
    config = ScanConfig(jobs=2)
    for name, big in (("whole.db", 10_000), ("split.db", 1)):  # every repository "big"
        store = Store(tmp_path / name)
        try:
            summary = Sweep(store, config, SweepOptions(
                cache=tmp_path / "cache", jobs=2, big_repo_blobs=big)).run(listing)
        finally:
            store.close()
        assert summary.errors == 0 and summary.repositories == 4
    whole, split = report(tmp_path / "whole.db"), report(tmp_path / "split.db")
    assert comparable(split) == comparable(whole)
    assert {path for repo in by_repository(whole).values() for path, _ in repo} == {
        "k0.ini", "k1.ini", "k2.ini", "<commit message>"}
    assert all(len(found) == 4 for found in by_repository(whole).values())


def _exit_at_once(state: WorkerState, code: int) -> None:
    os._exit(code)


def _fail(state: WorkerState, message: str) -> None:
    raise GitError(message)


def _engine(state: WorkerState, _: None) -> str:
    return state.scanner.pipeline.engine


def test_worker_pool_passes_errors_back_and_notices_a_dead_worker():
    from scanner.engine.config import ScanConfig

    with WorkerPool(ScanConfig(engine="pyahocorasick", jobs=2), 2) as pool:
        list(pool.submit(_fail, "broken repository"))
        with pytest.raises(GitError, match="broken repository"):
            list(pool.drain())
        list(pool.submit(_engine, None))
        assert list(pool.drain()) == ["pyahocorasick"]  # still working after an error
        list(pool.submit(_exit_at_once, 9))
        with pytest.raises(WorkerFailed):
            list(pool.drain())


def _history_with_every_kind_of_place(path: Path, keys: list[str]) -> GitRepo:
    """A key added then renamed (the same blob at a second path), one introduced on a merged
    branch, one in a commit message, one in an annotated tag message, and one in a blob no
    commit reaches (never reported)."""
    repo = GitRepo(path)
    repo.commit("init", **{"README.md": "hello\n"})
    repo.commit("add", **{"a.ini": leak(keys[0])})
    repo.git("mv", "a.ini", "b.ini")
    repo.commit("rename")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature", **{"f.ini": leak(keys[1])})
    repo.git("checkout", "-q", "-")
    repo.commit("main work", **{"m.txt": "main\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    repo.commit(f"deploy\n\n{leak(keys[2])}", **{"m.txt": "more\n"})
    repo.git("tag", "-a", "v1", "-m", f"release\n\n{leak(keys[3])}")
    repo.git("hash-object", "-w", "--stdin", input=leak(keys[4]))
    return repo


def _git_findings(repo: Path) -> list[tuple]:
    doc = run_keysweep("git", str(repo), "-f", "json", expected_code=1).json()
    return sorted(("r", f["path"], f["rule_id"], f["secret_sha256"], f["line"], f["commit"],
                   f["in_head"]) for f in doc["findings"])


class _KilledAfterTheBlobs(Exception):
    """Raised from the progress bar once a batch of blobs is committed: what a kill of the
    coordinator between writing the blobs and placing them leaves in the store."""


class _DiesAfterFirstBatch:
    def start(self, total: int) -> None: ...

    def advance(self, nbytes: int, items: int) -> None:
        raise _KilledAfterTheBlobs

    def finish(self) -> None: ...


@pytest.mark.parametrize("big_repo_blobs", [10_000, 1])  # one worker, or all on it
def test_a_first_sweep_places_every_finding_as_keysweep_git_does(tmp_path: Path,
                                                                  big_repo_blobs: int):
    from scanner.engine.config import ScanConfig
    from scanner.sweep.coordinator import Sweep, SweepOptions
    from scanner.sweep.repos import specs
    from scanner.sweep.store import Store

    repo = _history_with_every_kind_of_place(tmp_path / "org" / "r", secrets(5, seed=5))
    expected = _git_findings(repo.path)
    assert {p for _, p, *_ in expected} == {"b.ini", "a.ini", "f.ini", "<commit message>",
                                           "<tag v1 message>"}
    db = tmp_path / "sweep.db"
    store = Store(db)
    try:
        summary = Sweep(store, ScanConfig(jobs=2), SweepOptions(
            cache=tmp_path / "cache", jobs=2, big_repo_blobs=big_repo_blobs)).run(
                specs([str(repo.path)]))
    finally:
        store.close()
    assert summary.errors == 0 and summary.new_findings == len(expected)
    swept = [("r", *rest) for _, *rest in comparable(report(db))]
    assert sorted(swept) == expected


def test_a_big_first_sweep_stopped_after_its_blobs_are_written_is_placed_by_the_rerun(
        tmp_path: Path):
    from scanner.engine.config import ScanConfig
    from scanner.sweep.coordinator import Sweep, SweepOptions
    from scanner.sweep.repos import specs
    from scanner.sweep.store import Store

    repo = _history_with_every_kind_of_place(tmp_path / "org" / "r", secrets(5, seed=6))
    expected = _git_findings(repo.path)
    db = tmp_path / "sweep.db"
    options = SweepOptions(cache=tmp_path / "cache", jobs=2, big_repo_blobs=1)
    store = Store(db)
    try:
        with pytest.raises(_KilledAfterTheBlobs):
            Sweep(store, ScanConfig(jobs=2), options, _DiesAfterFirstBatch()).run(
                specs([str(repo.path)]))
    finally:
        store.close()
    assert report(db)["findings"] == []  # blobs written, nothing placed yet
    store = Store(db)
    try:
        summary = Sweep(store, ScanConfig(jobs=2), options).run(specs([str(repo.path)]))
    finally:
        store.close()
    assert summary.errors == 0
    swept = [("r", *rest) for _, *rest in comparable(report(db))]
    assert sorted(swept) == expected
