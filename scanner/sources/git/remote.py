"""Remote repositories kept as bare mirrors in a cache directory: cloned the first time,
fetched afterwards. git runs in the scrubbed environment of ``git_env()`` (a hook's
GIT_DIR or GIT_OBJECT_DIRECTORY would otherwise send the objects elsewhere), within a
timeout, and a clone goes to ``<name>.partial`` first so a killed one never looks finished.
Progress (git's ``--progress`` lines) goes to a callback.

A credential in the listed URL (``https://user:token@host/r.git``) is never written down: git
is given the URL without it (so the mirror's ``config`` and ``FETCH_HEAD`` never hold it) and,
for http(s), an ``Authorization`` header through ``GIT_CONFIG_*`` environment variables, which
are neither on the command line (``ps``) nor in a file. Errors carry the URL without it. git
runs with umask 077: a mirror holds whatever secrets the repository does.

(GitPython is not used: it starts every command from the caller's whole environment, so
GIT_OBJECT_DIRECTORY leaks into fetches, and it has no timeout for a clone with progress.)"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import re
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

from scanner.cachedir import private_dirs
from scanner.sources.git.command import GitError, first_error, git_env

# "Receiving objects:  45% (450/1000), 1.20 MiB | 2.00 MiB/s", with "remote: " for the
# server's phases. Only the phase words and counts are kept: the rest is the remote's text.
_PROGRESS = re.compile(rb"^(?:remote: )?([A-Za-z][A-Za-z ]{0,40}):\s+\d+% \((\d+)/(\d+)\)")
_USERINFO = re.compile(r"(://)[^/@\s]+@")  # user:password@ in any URL git echoes
_HTTP = ("http", "https")


@dataclass(frozen=True)
class Remote:
    name: str  # for the cache directory's name and progress: host/owner/repo
    url: str  # without credentials: for errors and the store
    # as listed: may carry credentials, which only ever reach git's environment (not repr)
    source: str = field(repr=False)


class FetchProgress(Protocol):
    """Told as git reports a phase of a clone or fetch (the CLI draws a bar)."""

    def update(self, repository: str, phase: str, done: int, total: int) -> None: ...


def mirror_path(remote: Remote, cache: Path) -> Path:
    digest = hashlib.sha256(remote.url.encode()).hexdigest()[:12]
    return cache / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', remote.name)}-{digest}.git"


def mirror(remote: Remote, cache: Path, timeout: float,
           progress: FetchProgress | None = None) -> str:
    """The bare mirror of ``remote`` in ``cache``, cloned or fetched now."""
    target = mirror_path(remote, cache)
    url = fetch_url(remote.source)
    if (target / "HEAD").exists():
        os.chmod(target, 0o700)  # a mirror made by an older keysweep with the umask's mode
        # Also rewrites a URL an older keysweep stored with its credential.
        _git(["-C", str(target), "config", "remote.origin.url", url], remote, timeout, None)
        _git(["-C", str(target), "fetch", "--prune", "origin"], remote, timeout, progress)
        return str(target)
    private_dirs(cache)
    partial = target.with_suffix(".partial")
    if partial.exists():  # left by a clone that was killed
        shutil.rmtree(partial)
    _git(["clone", "--mirror", url, str(partial)], remote, timeout, progress)
    os.replace(partial, target)  # a killed clone never looks like a finished mirror
    return str(target)


def fetch_url(source: str) -> str:
    """What git is given: the URL without its password, and for http(s) without its user
    too (both go in a header, see ``auth_config``); an ssh user name is kept (it is the
    account, ``git@``, not a secret). Local paths and scp-like URLs have no password."""
    if "://" not in source:
        return source
    parts = urlsplit(source)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return source
    user = userinfo.split(":", 1)[0]
    keep = f"{user}@" if user and parts.scheme.lower() not in _HTTP else ""
    return urlunsplit((parts.scheme, keep + hostport, parts.path, parts.query, parts.fragment))


def auth_config(source: str) -> list[tuple[str, str]]:
    """git configuration sending an http(s) URL's ``user:password`` as Basic authorization
    to that URL only (``http.<url>.extraHeader``); a user alone is sent with an empty
    password, as a token given as the user name is."""
    if "://" not in source:
        return []
    parts = urlsplit(source)
    if parts.scheme.lower() not in _HTTP or "@" not in parts.netloc:
        return []
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return [(f"http.{fetch_url(source)}.extraHeader", f"Authorization: Basic {token}")]


def _env(remote: Remote) -> dict[str, str]:
    """git's scrubbed environment plus the remote's credential, after any GIT_CONFIG_*
    entries the caller already has."""
    env = git_env()
    extra = auth_config(remote.source)
    if extra:
        try:
            count = int(env.get("GIT_CONFIG_COUNT", "0"))
        except ValueError:
            count = 0
        for i, (key, value) in enumerate(extra, start=count):
            env[f"GIT_CONFIG_KEY_{i}"] = key
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        env["GIT_CONFIG_COUNT"] = str(count + len(extra))
    return env


def redact(text: str, remote: Remote) -> str:
    """git's message can echo the URL it was given, credentials included."""
    return _USERINFO.sub(r"\1", text.replace(remote.source, remote.url))


def _git(args: list[str], remote: Remote, timeout: float,
         progress: FetchProgress | None) -> None:
    command = args[2] if args[0] == "-C" else args[0]
    argv = ["git", *args]
    if command != "config":
        argv.append("--progress" if progress is not None else "--quiet")
    try:
        # Its own process group, so a timeout also ends git's helpers (git-remote-http),
        # which would otherwise live on holding the pipe.
        # umask set by the fork itself (preexec_fn is unsafe with threads).
        proc = subprocess.Popen(argv, env=_env(remote), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True, umask=0o077)
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    assert isinstance(proc.stderr, io.BufferedReader)
    stderr = bytearray()
    reader = threading.Thread(target=_read_stderr, daemon=True,
                              args=(proc.stderr, stderr, remote.name, progress))
    reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise GitError(f"{remote.url}: git {command} timed out after {timeout:.0f}s") from exc
    except BaseException:  # Ctrl-C: the new session does not get the terminal's SIGINT
        _kill_group(proc)
        raise
    finally:
        reader.join(timeout=10)
        if not reader.is_alive():
            proc.stderr.close()
    if proc.returncode != 0:
        said = b"\n".join(line for line in re.split(rb"[\r\n]", bytes(stderr))
                           if not _PROGRESS.match(line) and not line.startswith(b"Cloning "))
        raise GitError(f"{remote.url}: {redact(first_error(said), remote)}")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _read_stderr(stream: io.BufferedReader, into: bytearray, name: str,
                 progress: FetchProgress | None) -> None:
    """Keep git's stderr (for the error) and pass its progress lines on as they come;
    git redraws a progress line with \\r, so each \\r or \\n ends one."""
    pending = b""
    for chunk in iter(lambda: stream.read1(65536), b""):
        into += chunk
        if progress is None:
            continue
        *lines, pending = re.split(rb"[\r\n]", pending + chunk)
        for line in lines:
            match = _PROGRESS.match(line)
            if match:
                progress.update(name, match[1].decode().strip(), int(match[2]),
                                int(match[3]))
