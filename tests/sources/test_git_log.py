"""History parsing that no commit content can confuse: control bytes in messages and author
names, odd paths and root commits, through the real ``keysweep git`` and a real pre-push."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scanner.sources.git import log as git_log
from tests.helpers.git_repo import GitRepo, push, with_pushed_remote
from tests.helpers.keys import ID, SECRET, SECRET2, SECRET3, leak
from tests.helpers.run import run_keysweep

FIVE_KEYS = (f"access_key_id = '{ID}'\naccess_key_secret = '{SECRET}'\n"
             + leak(SECRET2) + leak(SECRET3) + "\n" + leak("Xq7TnB2mWkR9dLz4HcVp8sYfJ3aGe1"))


def _secrets(repo: Path) -> set[tuple[str, str]]:
    report = run_keysweep("git", repo, "-f", "json", "--show-secrets", expected_code=1).json()
    return {(f["path"], f["secret"]) for f in report["findings"]}


def test_record_separator_in_a_commit_message_does_not_stop_the_scan(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.commit("notes\x1emore\x1eand more", **{"k.ini": leak(SECRET)})
    assert _secrets(repo.path) == {("k.ini", SECRET)}


def test_unit_separator_in_author_and_message_loses_no_file(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.commit("readme", **{"README.md": "# app\n"})
    repo.write("a.ini", FIVE_KEYS)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "add\x1fkeys", env={"GIT_AUTHOR_NAME": "Bob\x1fSmith"})
    found = _secrets(repo.path)
    assert {s for _, s in found} == {ID, SECRET, SECRET2, SECRET3,
                                     "Xq7TnB2mWkR9dLz4HcVp8sYfJ3aGe1"}
    assert {p for p, _ in found} == {"a.ini"}


def test_root_commit_and_a_path_with_a_newline_are_read(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.commit("root", **{"we ird\nname.ini": leak(SECRET), "b.ini": leak(SECRET2)})
    assert _secrets(repo.path) == {("we ird\nname.ini", SECRET), ("b.ini", SECRET2)}


def test_a_key_in_a_message_with_separators_is_found_once(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.commit(f"deploy\x1f\x1e{leak(SECRET).strip()}\x1e", **{"a.txt": "x\n"})
    report = run_keysweep("git", repo.path, "-f", "json", expected_code=1).json()
    assert [f["path"] for f in report["findings"]] == ["<commit message>"]


def test_pre_push_refuses_a_key_committed_by_an_author_with_a_unit_separator(tmp_path: Path):
    local, _ = with_pushed_remote(tmp_path)
    run_keysweep("hook", "install", "--repo", local.path, "--pre-push")
    local.write("a.ini", FIVE_KEYS)
    local.git("add", "-A")
    local.git("commit", "-qm", "add", env={"GIT_AUTHOR_NAME": "Bob\x1fSmith"})
    proc = push(local, "origin", "main")
    assert proc.returncode != 0 and "push blocked: 5 secrets" in proc.stderr


def test_parser_reads_merges_and_skips_deletions():
    a, b, m = "a" * 40, "b" * 40, "c" * 40
    blob, other = "1" * 40, "2" * 40
    tokens = [
        f"{a} ".encode(), b"A", b"a@x", b"2024-01-01T00:00:00+00:00", b"root\n", b"",
        b"\n:000000 100644 " + b"0" * 40 + b" " + blob.encode() + b" A", b"f.txt",
        f"{b} {a}".encode(), b"B\x1fC", b"b@x", b"2024-01-02T00:00:00+00:00", b"", b"",
        b"\n:100644 000000 " + blob.encode() + b" " + b"0" * 40 + b" D", b"f.txt",
        f"{m} {a} {b}".encode(), b"M", b"m@x", b"2024-01-03T00:00:00+00:00", b"merge\x1e\n",
        b"", b"\n::100644 100644 100644 " + blob.encode() + b" " + blob.encode() + b" "
        + other.encode() + b" MM", b"g.txt", b"",
    ]
    commits = list(git_log.parse_log(tokens))
    assert [(c.sha, c.author, c.order) for c, _, _ in commits] == [
        (a, "A", 0), (b, "B\x1fC", 1), (m, "M", 2)]
    assert [ch for _, _, ch in commits] == [[("100644", blob, "f.txt")], [],
                                           [("100644", other, "g.txt")]]
    assert commits[2][1] == "merge\x1e\n"


def test_sha256_repository_history_and_a_branch_deletion_push(tmp_path: Path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "--object-format=sha256", str(remote)],
                   check=True)
    local = tmp_path / "local"
    subprocess.run(["git", "init", "-q", "-b", "main", "--object-format=sha256", str(local)],
                   check=True)
    repo = GitRepo(local, init=False)
    first = repo.commit("first", **{"README.md": "# app\n"})
    assert len(first) == 64
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main", "main:old")
    run_keysweep("hook", "install", "--repo", local, "--pre-push")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_DIR")}
    deletion = subprocess.run(["git", "-C", str(local), "push", "-q", "origin", ":old"],
                              capture_output=True, text=True, env=env, timeout=120)
    assert deletion.returncode == 0, deletion.stderr
    bad = repo.commit("add\x1fkey", **{"k.ini": leak(SECRET)})
    assert _secrets(local) == {("k.ini", SECRET)}
    report = run_keysweep("git", local, "-f", "json", expected_code=1).json()
    assert report["findings"][0]["commit"] == bad and report["findings"][0]["in_head"] is True
    push = subprocess.run(["git", "-C", str(local), "push", "-q", "origin", "main"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert push.returncode != 0 and "push blocked: 1 secret" in push.stderr
