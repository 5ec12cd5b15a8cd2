"""keysweep through the pre-commit framework (https://pre-commit.com), as its users run it:
`pre-commit try-repo` builds a virtualenv, pip-installs this repository into it and runs the
hook from `.pre-commit-hooks.yaml` against a real repository with a staged key.

try-repo installs the hook repository at a commit. On a checkout with uncommitted changes it
makes a "shadow" commit itself, but only of staged files and tracked modifications (new,
unstaged files are left out) and with a new commit id on every run. So the tests hand it a
snapshot instead: one commit of every file of the working tree that git does not ignore,
which is the code under test both in a fresh clone (CI) and in a dev worktree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import SECRET, SECRET2, leak

ROOT = Path(__file__).resolve().parents[1]
INSTALL_TIMEOUT = 900  # a virtualenv and a pip install from the package index

pytestmark = pytest.mark.timeout(INSTALL_TIMEOUT * 2)

_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
             "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


@dataclass(frozen=True)
class Framework:
    hook_repo: Path  # the snapshot try-repo installs
    home: Path  # PRE_COMMIT_HOME, and the pip / virtualenv caches, shared by the runs

    def try_repo(self, repo: GitRepo, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, PRE_COMMIT_HOME=str(self.home / "pre-commit"),
                   PIP_CACHE_DIR=str(self.home / "pip"),
                   VIRTUALENV_OVERRIDE_APP_DATA=str(self.home / "virtualenv"))
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(self.hook_repo), hook,
             "--verbose", *args],
            cwd=repo.path, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)


def snapshot(target: Path) -> Path:
    """One commit of the working tree at ROOT: tracked files as they are on disk, plus
    untracked files git does not ignore."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted on disk is not part of the tree
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")} | _IDENTITY
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "commit.gpgsign=false", "commit", "-qm", "snapshot"]):
        subprocess.run(["git", "-C", str(target), *args], check=True, env=env,
                       capture_output=True)
    return target


@pytest.fixture(scope="module")
def framework(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Framework]:
    yield Framework(snapshot(tmp_path_factory.mktemp("keysweep-hook-repo")),
                    tmp_path_factory.mktemp("pre-commit-home"))


def staged_repo(path: Path, files: dict[str, str]) -> GitRepo:
    repo = GitRepo(path)
    repo.commit("initial", **{"README.md": "# app\n"})
    for name, text in files.items():
        repo.write(name, text)
    repo.git("add", "-A")
    return repo


def test_manifest_needs_the_pre_commit_version_that_knows_its_stage_names():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert text.count('minimum_pre_commit_version: "3.2.0"') == 2


def test_try_repo_blocks_a_staged_key(framework: Framework, tmp_path: Path):
    repo = staged_repo(tmp_path / "app", {"conf/app.ini": leak(SECRET)})
    proc = framework.try_repo(repo, "keysweep", "--hook-stage", "pre-commit")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "alibaba-access-key-secret" in out and "conf/app.ini:1" in out
    assert SECRET not in out


def test_try_repo_lets_suppressed_keys_through(framework: Framework, tmp_path: Path):
    repo = staged_repo(tmp_path / "app", {
        "fixtures/app.ini": leak(SECRET),
        "conf/known.ini": leak(SECRET2).rstrip("\n") + "  # keysweep:allow revoked\n",
        ".keysweepignore": "fixtures/**\n"})
    proc = framework.try_repo(repo, "keysweep", "--hook-stage", "pre-commit")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "keysweep (secrets in staged changes)" in out and "Passed" in out
