"""What a report says was scanned, and where its findings can be seen on the code host:
the target for people, and the web address of each repository (from ``git remote get-url
origin``, or a sweep's stored URL), never with any credentials the remote URL holds."""

from __future__ import annotations

import os
from collections.abc import Sequence

from scanner.errors import SourceError
from scanner.reporters.codehost import web_base
from scanner.reporters.options import RepoInfo, ReportScope
from scanner.sources.git.command import Git, open_repo


def origin_url(git: Git) -> str | None:
    """The ``origin`` remote's URL, or None (no such remote, not a repository)."""
    try:
        url = git.text(["remote", "get-url", "origin"], timeout=30, check=False)
    except SourceError:
        return None
    return url.splitlines()[0] if url else None


def repository_scope(repo: str | Git, target: str) -> ReportScope:
    """A git or ci scan of one repository."""
    try:
        git = repo if isinstance(repo, Git) else open_repo(repo)
    except SourceError:
        return ReportScope(target=target)
    base = web_base(origin_url(git))
    name = base.split("://", 1)[1] if base else os.path.basename(git.repo.rstrip("/")) \
        or git.repo
    return ReportScope(target=target, repository=name, web_urls={"": base} if base else {})


def paths_scope(targets: Sequence[str]) -> ReportScope:
    return ReportScope(target=", ".join(targets))


def sweep_scope(target: str, repos: Sequence[tuple[str, str, str, str | None]]) -> ReportScope:
    """A sweep's store: each repository's web address from its stored URL, or, for a local
    repository, from its own ``origin`` remote."""
    infos = []
    for name, url, path, last_scanned in repos:
        base = web_base(url)
        if base is None and path and os.path.isdir(path):
            base = web_base(origin_url(Git(path)))
        infos.append(RepoInfo(name, base, last_scanned))
    return ReportScope(target=target, repositories=tuple(infos),
                       web_urls={r.name: r.web_url for r in infos if r.web_url})
