"""``keysweep scan``, ``keysweep git`` and ``keysweep ci``: one scan each, through the
application service."""

from __future__ import annotations

import os
from typing import Any

import click

from scanner.cli.options import finish, scan_options, service
from scanner.cli.progress import TqdmProgress
from scanner.errors import UsageError


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--exclude", "-e", multiple=True, metavar="GLOB",
              help="Skip paths matching GLOB, gitignore-style (repeatable).")
@click.option("--no-default-excludes", is_flag=True,
              help="Also scan what is skipped by default: virtual environments, keysweep's own "
                   "installed package, lockfiles and .git/.")
@click.option("--staged", is_flag=True,
              help="Scan what is staged in the git index of PATH (for a pre-commit hook).")
@scan_options
def scan(paths: tuple[str, ...], exclude: tuple[str, ...], no_default_excludes: bool,
         staged: bool, **opts: Any) -> int:
    """Scan files and directories (default: the current directory; '-' reads stdin)."""
    targets = list(paths) or ["."]
    if staged and len(paths) > 1:
        raise UsageError("--staged takes one repository path")
    run = service(opts, targets[0], excludes=exclude, default_excludes=not no_default_excludes)
    progress = TqdmProgress(run.progress_enabled)
    from scanner.app.scope import paths_scope, repository_scope

    if staged:
        return finish(run, run.scan_staged(targets[0], progress),
                      repository_scope(targets[0], f"staged changes in {targets[0]}"))
    return finish(run, run.scan_paths(targets, progress), paths_scope(targets))


@click.command("git")
@click.argument("repo", default=".", required=False)
@click.option("--all", "all_refs", is_flag=True,
              help="Everything reachable from any ref: branches, tags, remotes, stash (default).")
@click.option("--branch", metavar="REF", help="Only what REF reaches.")
@click.option("--since", metavar="REV", help="Only commits not reachable from REV.")
@click.option("--range", "rev_range", metavar="A..B", help="Only the commits in A..B.")
@click.option("--staged", is_flag=True, help="Only what is staged in the index.")
@scan_options
def git_command(repo: str, all_refs: bool, branch: str | None, since: str | None,
                rev_range: str | None, staged: bool, **opts: Any) -> int:
    """Scan the whole history of a git repository (bare or not): every blob ever committed,
    each read once, and every commit message. Each finding names the commit that introduced
    it at its path."""
    from scanner.sources.git.scope import GitScope

    chosen = [name for name, on in (("--all", all_refs), ("--branch", branch),
                                    ("--range", rev_range), ("--staged", staged)) if on]
    if len(chosen) > 1 or (since and (rev_range or staged)):
        raise UsageError(f"choose one of {', '.join(chosen + (['--since'] if since else []))}")
    from scanner.app.scope import repository_scope

    run = service(opts, repo)
    progress = TqdmProgress(run.progress_enabled)
    if staged:
        return finish(run, run.scan_staged(repo, progress),
                      repository_scope(repo, f"staged changes in {repo}"))
    scope = GitScope(branch=branch, since=since, range=rev_range)
    which = (f"branch {branch}" if branch else f"range {rev_range}" if rev_range
             else "all refs") + (f", since {since}" if since else "")
    return finish(run, run.scan_history(repo, scope, progress),
                  repository_scope(repo, f"git history of {repo} ({which})"))


@click.command("ci")
@click.argument("repo", default=".", required=False)
@scan_options
def ci_command(repo: str, **opts: Any) -> int:
    """Scan what a CI job should: a pull/merge request's commits, a push's new commits, or
    the whole history elsewhere. GitHub Actions and GitLab CI are detected from their
    variables; the checkout needs full history (fetch-depth: 0 / GIT_DEPTH: 0)."""
    from scanner.app.ci_scope import ci_scope
    from scanner.sources.git.command import open_repo

    run = service(opts, repo)
    git = open_repo(repo)
    scope, description = ci_scope(dict(os.environ), git)
    if not opts["quiet"]:
        click.echo(f"keysweep: scanning {description}", err=True)
    from scanner.app.scope import repository_scope

    return finish(run, run.scan_history(git, scope, TqdmProgress(run.progress_enabled)),
                  repository_scope(git, f"{description} of {repo}"))
