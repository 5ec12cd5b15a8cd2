"""Real git repositories for tests, built with the git CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitRepo:
    def __init__(self, path: Path, bare: bool = False, init: bool = True,
                 branch: str = "main") -> None:
        self.path = path
        self.bare = bare
        if init:
            path.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q", "-b", branch, *(["--bare"] if bare else []))
            self.git("config", "commit.gpgsign", "false")
        self._tick = 0

    def git(self, *args: str, input: str | None = None, check: bool = True,
            env: dict[str, str] | None = None) -> str:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_DIR")}
        full_env.update(env or {})
        proc = subprocess.run(["git", "-C", str(self.path), *args], input=input,
                              capture_output=True, text=True, env=full_env)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({proc.returncode}):\n"
                                 f"{proc.stdout}\n{proc.stderr}")
        return proc.stdout.strip()

    def write(self, name: str, text: str | bytes) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text)
        return target

    def commit(self, message: str, **files: str) -> str:
        """Write files (keyword names use '__' for '/'), stage everything, commit; returns
        the sha. Each commit gets a later date, so history order is well defined."""
        for name, text in files.items():
            self.write(name.replace("__", "/"), text)
        self.git("add", "-A")
        self._tick += 1
        date = f"2024-01-01T00:{self._tick // 60:02d}:{self._tick % 60:02d}+00:00"
        self.git("commit", "-q", "--allow-empty", "-m", message,
                 env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def rm(self, name: str) -> None:
        self.git("rm", "-q", name)


def push(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """``git push`` as a developer runs it (hooks and all); the result, not an assertion."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_DIR")}
    return subprocess.run(["git", "-C", str(repo.path), "push", "-q", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def with_pushed_remote(tmp_path: Path) -> tuple[GitRepo, GitRepo]:
    """A repository whose first commit is pushed to a bare ``origin``: (local, remote)."""
    remote = GitRepo(tmp_path / "remote.git", bare=True)
    local = GitRepo(tmp_path / "local")
    local.commit("initial", **{"README.md": "# app\n"})
    local.git("remote", "add", "origin", str(remote.path))
    assert push(local, "origin", "main").returncode == 0
    return local, remote
