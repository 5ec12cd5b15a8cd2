"""Which repositories a sweep covers, and where it reads them: a list file (clone URLs,
``file://`` URLs or local paths, ``#`` comments) and/or every repository under a directory.
Remote repositories are kept as bare mirrors in a cache directory and fetched, not cloned
again, on later runs (``scanner.sources.git.remote``). Credentials come from git's own
configuration and credential helpers, or from a listed ``https://user:token@`` URL, which
``remote`` hands to git in its environment only; URLs are stored and logged without any
``user:password@`` part."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scanner.errors import UsageError
from scanner.sources.git import remote
from scanner.sources.git.remote import FetchProgress

_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:)", re.IGNORECASE)


@dataclass(frozen=True)
class RepoSpec:
    name: str  # stable, unique within a sweep: host/owner/repo, or the directory's path
    url: str  # as listed, credentials removed
    # what to clone/fetch from (may carry credentials), or the local path; kept out of
    # repr, which tracebacks and Dask's task errors print
    source: str = field(repr=False)
    remote: bool


def safe_url(url: str) -> str:
    """The URL without a user or password, for the store and logs."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()  # keeps an IPv6 host's brackets
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def read_repo_list(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read the repository list {path}: {exc.strerror}") from exc
    entries = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if entry:
            entries.append(entry)
    return entries


def find_repositories(root: Path) -> Iterator[Path]:
    """Every git repository under ``root`` (work trees and bare ones), not descending into
    a repository once found."""
    if not root.is_dir():
        raise UsageError(f"not a directory: {root}")
    stack = [root]
    while stack:
        directory = stack.pop()
        if _is_repository(directory):
            yield directory
            continue
        try:
            children = sorted((e for e in os.scandir(directory)
                               if e.is_dir(follow_symlinks=False)), key=lambda e: e.name,
                              reverse=True)
        except OSError:
            continue
        stack.extend(Path(e.path) for e in children)


def _is_repository(path: Path) -> bool:
    if (path / ".git").exists():
        return True
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def specs(entries: list[str], root: Path | None = None) -> list[RepoSpec]:
    out: list[RepoSpec] = []
    seen: set[str] = set()
    for entry in entries:
        if _REMOTE.match(entry) and not entry.startswith("file://"):
            name = _url_name(entry)
            spec = RepoSpec(name, safe_url(entry), entry, True)
        else:
            local = Path(entry[len("file://"):] if entry.startswith("file://") else entry)
            local = local.expanduser()
            absolute = local.resolve()
            if root is not None and absolute.is_relative_to(root.resolve()):
                name = absolute.relative_to(root.resolve()).as_posix() or absolute.name
            else:
                name = absolute.name.removesuffix(".git") or str(absolute)
            spec = RepoSpec(name, entry if entry.startswith("file://") else str(absolute),
                            str(absolute), False)
        unique, n = spec.name, 2
        while unique in seen:
            unique, n = f"{spec.name}-{n}", n + 1
        seen.add(unique)
        out.append(RepoSpec(unique, spec.url, spec.source, spec.remote))
    return out


def _url_name(url: str) -> str:
    if "://" in url:
        parts = urlsplit(url)
        host, path = parts.hostname or "", parts.path
    else:  # scp-like: git@host:owner/repo.git
        host, _, path = url.split("@", 1)[1].partition(":")
    path = path.strip("/").removesuffix(".git")
    return f"{host}/{path}" if host else path


def mirror(spec: RepoSpec, cache: Path, timeout: float,
           progress: FetchProgress | None = None) -> str:
    """The local git directory for a repository: the path itself for a local one; a bare
    mirror in ``cache`` for a remote one, cloned the first time and fetched afterwards."""
    if not spec.remote:
        return spec.source
    return remote.mirror(remote.Remote(spec.name, spec.url, spec.source), cache, timeout,
                         progress)


def refs_state(path: str) -> str | None:
    """A fingerprint of a local repository's refs from file metadata alone: the same value
    means no ref moved, so a rerun can skip the repository without running git at all.
    None when it cannot be told (then the repository is looked at with git)."""
    root = Path(path)
    gitdir = root / ".git"
    if gitdir.is_file():  # a linked work tree or submodule: "gitdir: <path>"
        text = gitdir.read_text(errors="replace").strip()
        if not text.startswith("gitdir:"):
            return None
        gitdir = (root / text[len("gitdir:"):].strip()).resolve()
        common = gitdir / "commondir"
        if common.is_file():
            gitdir = (gitdir / common.read_text().strip()).resolve()
    elif not gitdir.is_dir():
        gitdir = root
    parts = []
    try:
        for name in ("HEAD", "packed-refs", "logs/refs/stash"):
            item = gitdir / name
            if item.exists():
                st = item.stat()
                parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
        for top in ("refs", "reftable"):
            for directory, _dirs, files in os.walk(gitdir / top):
                st = os.stat(directory)
                parts.append(f"{directory}:{st.st_mtime_ns}")
                for name in files:
                    st = os.stat(os.path.join(directory, name))
                    parts.append(f"{directory}/{name}:{st.st_mtime_ns}:{st.st_size}")
    except OSError:
        return None
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()
