"""Remote repositories as bare mirrors: clone then fetch (directly, and through a sweep list
over dumb HTTP on 127.0.0.1), progress reported as git gives it, the scrubbed environment,
timeouts, killed clones, and no credentials in errors, logs or the store."""

from __future__ import annotations

import base64
import functools
import http.server
import os
import shutil
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

import pytest

from scanner.sources.git.command import GitError
from scanner.sources.git.remote import Remote, mirror, mirror_path, redact
from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import SECRET, SECRET2, leak
from tests.helpers.run import run_keysweep


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, int, int]] = []

    def update(self, repository: str, phase: str, done: int, total: int) -> None:
        self.events.append((repository, phase, done, total))


def origin_with_history(path: Path, commits: int = 30) -> GitRepo:
    repo = GitRepo(path)
    for i in range(commits):  # enough objects for git to report its phases
        repo.commit(f"c{i}", **{f"f{i}.txt": f"{i}\n" * 100})
    return repo


def has_commit(git_dir: Path, sha: str) -> bool:
    return subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "-e", sha],
                          capture_output=True).returncode == 0


def test_clone_then_fetch_reports_progress_and_leaves_no_partial(tmp_path: Path):
    origin = origin_with_history(tmp_path / "origin")
    remote = Remote("example.org/team/origin", "file://" + str(origin.path),
                    "file://" + str(origin.path))
    cache, seen = tmp_path / "cache", Recorder()
    path = Path(mirror(remote, cache, timeout=60, progress=seen))
    assert path == mirror_path(remote, cache) and (path / "HEAD").exists()
    assert not list(cache.glob("*.partial"))
    assert has_commit(path, origin.head())
    phases = {phase for _, phase, _, _ in seen.events}
    assert "Receiving objects" in phases
    assert {name for name, _, _, _ in seen.events} == {"example.org/team/origin"}
    last = [(done, total) for _, phase, done, total in seen.events
            if phase == "Receiving objects"][-1]
    assert last[0] == last[1] > 0  # counted up to the end

    new = origin.commit("more", **{"g.txt": "g\n" * 1000})
    seen.events.clear()
    assert mirror(remote, cache, timeout=60, progress=seen) == str(path)  # fetched in place
    assert has_commit(path, new)
    assert len(list(cache.iterdir())) == 1


def test_a_killed_clone_is_redone_and_never_used(tmp_path: Path):
    origin = origin_with_history(tmp_path / "origin", commits=2)
    remote = Remote("origin", "file://" + str(origin.path), "file://" + str(origin.path))
    cache = tmp_path / "cache"
    partial = mirror_path(remote, cache).with_suffix(".partial")
    partial.mkdir(parents=True)
    (partial / "HEAD").write_text("ref: refs/heads/half\n")  # what a killed clone leaves
    path = Path(mirror(remote, cache, timeout=60))
    assert has_commit(path, origin.head()) and not partial.exists()


def test_a_hook_environment_does_not_redirect_the_fetch(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch):
    origin = origin_with_history(tmp_path / "origin", commits=2)
    remote = Remote("origin", "file://" + str(origin.path), "file://" + str(origin.path))
    cache = tmp_path / "cache"
    path = Path(mirror(remote, cache, timeout=60))
    new = origin.commit("after", **{"h.txt": "h\n"})
    decoy = GitRepo(tmp_path / "decoy.git", bare=True)
    # A pre-receive hook runs with these set; a fetch that kept them would write elsewhere.
    monkeypatch.setenv("GIT_DIR", str(decoy.path))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(decoy.path / "objects"))
    mirror(remote, cache, timeout=60)
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_OBJECT_DIRECTORY")
    assert has_commit(path, new) and not has_commit(decoy.path, new)


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        server.shutdown(socket.SHUT_RDWR)
        server.close()
        for conn in held:
            conn.close()
        thread.join(timeout=10)


def test_timeout_and_errors_name_the_url_without_credentials(tmp_path: Path):
    cache = tmp_path / "cache"
    with silent_server() as port:
        remote = Remote("127.0.0.1/x", f"http://127.0.0.1:{port}/x.git",
                        f"http://bob:hunter2@127.0.0.1:{port}/x.git")
        with pytest.raises(GitError) as info:
            mirror(remote, cache, timeout=1)
    assert str(info.value) == f"http://127.0.0.1:{port}/x.git: git clone timed out after 1s"
    assert not (mirror_path(remote, cache) / "HEAD").exists()
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: connection refused
    remote = Remote("127.0.0.1/y", f"http://127.0.0.1:{port}/y.git",
                    f"http://bob:hunter2@127.0.0.1:{port}/y.git")
    with pytest.raises(GitError) as info:
        mirror(remote, cache, timeout=30)
    assert "hunter2" not in str(info.value) and str(info.value).startswith(remote.url + ": ")
    assert redact(f"fatal: unable to access 'https://u:p@h/r.git/' and {remote.source}",
                  remote) == f"fatal: unable to access 'https://h/r.git/' and {remote.url}"


class _Files(http.server.SimpleHTTPRequestHandler):
    """Files, behind Basic authorization when ``basic`` is set; records each request's
    headers in ``seen``."""

    basic: str | None = None
    seen: list[Message]

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.headers)
        given = self.headers.get("Authorization")
        if self.basic is not None and given != "Basic " + base64.b64encode(
                self.basic.encode()).decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def dumb_http(root: Path, basic: str | None = None,
              seen: list[Message] | None = None) -> Iterator[str]:
    """Serve ``root`` read-only over HTTP on 127.0.0.1: git's dumb HTTP protocol; with
    ``basic`` ("user:password"), only to requests that authorize as that."""
    handler = type("Files", (_Files,), {"basic": basic, "seen": [] if seen is None else seen})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def publish(work: GitRepo, bare: Path) -> None:
    work.git("push", "-q", "--mirror", str(bare))
    subprocess.run(["git", "--git-dir", str(bare), "update-server-info"], check=True)


def served_repository(tmp_path: Path) -> tuple[GitRepo, Path]:
    """A work repository with one leaked key, published to ``served/acme/api.git`` for the
    dumb-HTTP server: (work repository, bare repository)."""
    work = GitRepo(tmp_path / "work")
    work.commit("k", **{"k.ini": leak(SECRET)})
    bare = tmp_path / "served" / "acme" / "api.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    publish(work, bare)
    return work, bare


def test_a_sweep_list_clones_then_fetches_an_http_remote(tmp_path: Path):
    work, bare = served_repository(tmp_path)
    db, cache, listing = tmp_path / "s.db", tmp_path / "cache", tmp_path / "repos.txt"
    with dumb_http(tmp_path / "served") as host:
        listing.write_text(f"http://bob:hunter2@{host}/acme/api.git\n")
        first = run_keysweep("sweep", listing, "--db", db, "--cache", cache)
        assert "0 failed" in first.stdout
        mirrors = list(cache.glob("*.git"))
        assert len(mirrors) == 1 and "hunter2" not in mirrors[0].name
        doc = run_keysweep("report", "--db", db, "-f", "json").json()
        assert {(f["repository"], f["redacted"]) for f in doc["findings"]} == {
            ("127.0.0.1/acme/api", SECRET[:4] + "…")}
        work.commit("k2", **{"k2.ini": leak(SECRET2)})
        publish(work, bare)
        second = run_keysweep("sweep", listing, "--db", db, "--cache", cache)
        assert "(1 with new objects, 0 failed)" in second.stdout
        assert list(cache.glob("*.git")) == mirrors  # fetched, not cloned again
    doc = run_keysweep("report", "--db", db, "-f", "json").json()
    assert {f["redacted"] for f in doc["findings"]} == {SECRET[:4] + "…", SECRET2[:4] + "…"}
    with sqlite3.connect(db) as conn:
        assert "hunter2" not in "\n".join(conn.iterdump())
    assert "hunter2" not in first.stdout + first.stderr + second.stdout + second.stderr


def grep_tree(root: Path, needle: bytes) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle`` (grep -r)."""
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_credential_in_a_listed_url_is_sent_to_git_but_never_written(tmp_path: Path):
    """A sweep list URL with user:password: the server (which requires them) serves the
    clone and the later fetch, and the token is in no file of the cache, the store, the
    output or git's command line; the mirror's config names the URL without it."""
    token = "s3cr3tT0KEN-9f8e7d"
    work, bare = served_repository(tmp_path)
    db, cache, listing = tmp_path / "s.db", tmp_path / "cache", tmp_path / "repos.txt"
    # git on PATH logs its argv (what ps shows) to a file under tmp_path, grepped below.
    bin_dir, argv_log = tmp_path / "bin", tmp_path / "argv.log"
    bin_dir.mkdir()
    real_git = shutil.which("git")
    (bin_dir / "git").write_text(f'#!/bin/sh\necho "$@" >> "{argv_log}"\nexec {real_git} "$@"\n')
    (bin_dir / "git").chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    seen: list[Message] = []
    with dumb_http(tmp_path / "served", basic=f"deploy:{token}", seen=seen) as host:
        listing.write_text(f"http://deploy:{token}@{host}/acme/api.git\n")
        first = run_keysweep("sweep", listing, "--db", db, "--cache", cache, env=env)
        assert "0 failed" in first.stdout, first.stdout + first.stderr
        work.commit("k2", **{"k2.ini": leak(SECRET2)})
        publish(work, bare)
        second = run_keysweep("sweep", listing, "--db", db, "--cache", cache, env=env)
        assert "(1 with new objects, 0 failed)" in second.stdout, second.stdout + second.stderr
        report = run_keysweep("report", "--db", db, "-f", "json")
    assert {f["redacted"] for f in report.json()["findings"]} == {SECRET[:4] + "…",
                                                                   SECRET2[:4] + "…"}
    assert seen and all(h["Authorization"] for h in seen)  # each request had the credential
    assert " clone " in f" {argv_log.read_text()}" and " fetch " in argv_log.read_text()
    (mirror_dir,) = cache.glob("*.git")
    url = subprocess.run(["git", "--git-dir", str(mirror_dir), "config", "remote.origin.url"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert url == f"http://{host}/acme/api.git"
    assert grep_tree(cache, token.encode()) == []
    assert grep_tree(tmp_path, token.encode()) == [listing]  # the store and all, but the list
    output = "".join(r.stdout + r.stderr for r in (first, second, report))
    assert token not in output and "deploy" not in output


def test_the_credential_reaches_git_by_its_environment_after_the_callers_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A caller's own GIT_CONFIG_* entries are kept (the credential comes after them), and
    a mirror made by an older keysweep with the credential in its config is rewritten."""
    work = GitRepo(tmp_path / "work")
    work.commit("a", **{"a.txt": "a\n"})
    bare = tmp_path / "served" / "r.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    publish(work, bare)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "http.userAgent")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "kept-agent")
    cache = tmp_path / "cache"
    seen: list[Message] = []
    with dumb_http(tmp_path / "served", basic="u:p%w", seen=seen) as host:
        remote = Remote("r", f"http://{host}/r.git", f"http://u:p%25w@{host}/r.git")
        path = Path(mirror(remote, cache, timeout=60))
        # What an older keysweep left: the credential in the mirror's config.
        subprocess.run(["git", "--git-dir", str(path), "config", "remote.origin.url",
                        remote.source], check=True)
        new = work.commit("b", **{"b.txt": "b\n"})
        publish(work, bare)
        mirror(remote, cache, timeout=60)
    assert has_commit(path, new)
    assert seen and {h["User-Agent"] for h in seen} == {"kept-agent"}
    assert "p%25w" not in (path / "config").read_text()
    assert os.stat(path).st_mode & 0o777 == 0o700
