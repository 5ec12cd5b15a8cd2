"""The one wrapper for running git: a scrubbed environment (hooks export GIT_DIR and friends,
which would point our commands at the wrong repository), plumbing-safe configuration, clear
errors, timeouts."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from scanner.errors import SourceError

PIPE_BYTES = 1 << 20  # git's output pipe: Linux allows up to 1 MiB unprivileged by default
# What git writes for "no object": a ref that does not exist yet, a deleted file.
NULL_SHA = "0" * 40  # git's "no object" in SHA-1 repositories (64 zeros in SHA-256 ones)


def is_null_id(sha: str) -> bool:
    """git's all-zero id, which means "no object", in a SHA-1 or SHA-256 repository."""
    return bool(sha) and sha.strip("0") == ""

# Kept from the caller's environment: how git reaches remotes and its own configuration.
_KEEP = {"GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY",
         "GIT_ASKPASS", "GIT_ALLOW_PROTOCOL", "GIT_HTTP_PROXY_AUTHMETHOD", "GIT_CONFIG_COUNT",
         "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_TERMINAL_PROMPT", "GIT_AUTHOR_NAME",
         "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"}
# Output settings a user's configuration could change under our parsers.
_CONFIG = ("core.quotePath=false", "log.showSignature=false", "color.ui=never",
           "core.fsmonitor=false", "diff.noprefix=false", "log.showRoot=true")
# Not bounded: git's pack windows (core.packedGitLimit). Bounding them to 64 MiB took
# cat-file's resident memory on git/git's history from 724 to 258-281 MB, but its time from
# 14.4-15.6 s to 16.8-26.0 s on two days (the extra in the kernel, mapping the same pages
# again): what is resident is the pack file's page cache, which the kernel can take back.


class GitError(SourceError):
    """A git command failed; the message names the command and git's own first error line."""


def git_env(keep_index: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") or k in _KEEP or k.startswith("GIT_CONFIG_KEY_")
           or k.startswith("GIT_CONFIG_VALUE_") or (keep_index and k == "GIT_INDEX_FILE")}
    env["LC_ALL"] = "C"
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


@dataclass(frozen=True)
class Git:
    """git run against one repository (work tree or bare)."""

    repo: str
    index_file: str | None = None  # a hook's GIT_INDEX_FILE, made absolute

    def argv(self, args: Sequence[str]) -> list[str]:
        argv = ["git", "-C", self.repo]
        for setting in _CONFIG:
            argv += ["-c", setting]
        return argv + list(args)

    def env(self) -> dict[str, str]:
        env = git_env()
        if self.index_file:
            env["GIT_INDEX_FILE"] = self.index_file
        return env

    def run(self, args: Sequence[str], timeout: float = 120, check: bool = True,
            input: bytes | None = None) -> bytes:
        try:
            proc = subprocess.run(self.argv(args), env=self.env(), capture_output=True,
                                  timeout=timeout, input=input)
        except FileNotFoundError as exc:
            raise GitError("git is not installed or not on PATH") from exc
        except subprocess.TimeoutExpired as exc:
            raise GitError(f"git {args[0]} timed out after {timeout:.0f}s in {self.repo}") from exc
        if check and proc.returncode != 0:
            raise GitError(f"git {' '.join(args[:2])} failed in {self.repo}: "
                           f"{first_error(proc.stderr)}")
        return proc.stdout

    def text(self, args: Sequence[str], **kw: object) -> str:
        return self.run(args, **kw).decode("utf-8", "replace").strip()  # type: ignore[arg-type]

    def popen(self, args: Sequence[str], stdin: bool = False) -> subprocess.Popen[bytes]:
        try:
            proc = subprocess.Popen(self.argv(args), env=self.env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE,
                                    stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
        except FileNotFoundError as exc:
            raise GitError("git is not installed or not on PATH") from exc
        _widen(proc.stdout)
        return proc


def _widen(pipe: IO[bytes] | None) -> None:
    """A larger pipe lets git run ahead (decompressing the next objects) while we scan the
    last ones, instead of stopping every 64 KiB; the size is only a hint to the kernel."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is not None and set_size is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), set_size, PIPE_BYTES)


def first_error(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[0] if lines else "no error message"


def open_repo(path: str) -> Git:
    """A Git for the repository at ``path``; SourceError if it is not one."""
    if not os.path.exists(path):
        raise GitError(f"repository not found: {path}")
    git = Git(os.path.abspath(path))
    try:
        git.run(["rev-parse", "--git-dir"], timeout=30)
    except GitError as exc:
        raise GitError(f"not a git repository: {path} ({exc})") from exc
    return git
