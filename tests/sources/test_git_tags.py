"""Annotated tag messages are published with the tag, so they are scanned like commit
messages: in a whole-history scan and in the tags a push sends."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.git_repo import GitRepo, push, with_pushed_remote
from tests.helpers.keys import SECRET, SECRET2, leak
from tests.helpers.run import run_keysweep


def _tag(repo: GitRepo, name: str, message: str) -> str:
    repo.git("tag", "-a", name, "-m", message)
    return repo.git("rev-parse", name)


def test_a_key_in_an_annotated_tag_message_is_found_at_the_tag(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.commit("first", **{"README.md": "# app\n"})
    tag = _tag(repo, "v1.0", "release notes\x1e\n" + leak(SECRET))
    repo.git("tag", "light")  # a lightweight tag has no message of its own
    report = run_keysweep("git", repo.path, "-f", "json", "--show-secrets",
                          expected_code=1).json()
    assert [(f["path"], f["commit"], f["secret"]) for f in report["findings"]] == [
        ("<tag v1.0 message>", tag, SECRET)]
    assert report["findings"][0]["author"] == "Test Committer"


def test_pushing_a_tag_whose_message_holds_a_key_is_refused(tmp_path: Path):
    local, remote = with_pushed_remote(tmp_path)
    run_keysweep("hook", "install", "--repo", local.path, "--pre-push")
    _tag(local, "v2", "deploy with\n" + leak(SECRET2))
    proc = push(local, "origin", "v2")
    assert proc.returncode != 0 and "<tag v2 message>" in proc.stderr
    assert remote.git("tag", "--list") == ""


def test_a_commit_range_does_not_report_tags(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    first = repo.commit("first", **{"README.md": "# app\n"})
    _tag(repo, "v1.0", leak(SECRET))
    repo.commit("second", **{"b.txt": "b\n"})
    run_keysweep("git", repo.path, "--range", f"{first}..HEAD", expected_code=0)
