"""``keysweep sweep`` (many repositories into a store) and ``keysweep report`` (read it
back), through the application service."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from scanner.app.options import RunOptions
from scanner.app.service import Service
from scanner.cli.progress import CountProgress
from scanner.engine.config import default_jobs
from scanner.errors import ExitCode, UsageError


def _age(text: str | None) -> Any:
    """'7d', '12h', '30m' -> timedelta."""
    from datetime import timedelta

    if text is None:
        return None
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    try:
        return timedelta(**{units[text[-1]]: float(text[:-1])})
    except (KeyError, ValueError):
        raise UsageError(f"--reverify-after takes an age like 7d, 12h or 30m, not {text!r}") \
            from None


@click.command()
@click.argument("repo_list", required=False, type=click.Path(dir_okay=False))
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Also every git repository under DIR.")
@click.option("--db", default="sweep.db", show_default=True, help="The SQLite store.")
@click.option("--cache", type=click.Path(file_okay=False),
              help="Where remote repositories are mirrored [default: the user cache dir].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=default_jobs,
              show_default="all cores")
@click.option("--full", is_flag=True, help="Rescan everything (after adding rules).")
@click.option("--repo-timeout", type=click.FloatRange(min=1), default=3600.0,
              show_default=True, help="Seconds per repository before it is recorded as failed.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Run the per-repository scans on this Dask cluster.")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True))
@click.option("--verify", is_flag=True, help="Verify each unique ID/secret pair once.")
@click.option("--verify-endpoint", multiple=True, metavar="PROVIDER=URL")
@click.option("--verify-jobs", type=click.IntRange(min=1), default=8)
@click.option("--verify-timeout", type=click.FloatRange(min=0.1), default=10.0)
@click.option("--reverify-after", metavar="AGE",
              help="Re-check verification results older than AGE (7d, 12h).")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
              help="If another sweep is using the store, wait up to SECONDS for it "
                   "[default: exit 2 at once].")
@click.option("--quiet", "-q", is_flag=True)
@click.option("--progress/--no-progress", default=None)
def sweep(repo_list: str | None, directory: str | None, db: str, cache: str | None,
          jobs: int, full: bool, repo_timeout: float, scheduler: str | None,
          rule_files: tuple[str, ...], verify: bool, verify_endpoint: tuple[str, ...],
          verify_jobs: int, verify_timeout: float, reverify_after: str | None, wait: float,
          quiet: bool, progress: bool | None) -> int:
    """Scan many repositories into a SQLite store, incrementally: a rerun scans only what
    is new. REPO_LIST holds clone URLs, file:// URLs or paths, one per line."""
    from scanner.app.sweeping import SweepRequest, run_sweep

    run = Service(RunOptions(rule_files=rule_files, jobs=jobs, no_config=True,
                             verify=verify, verify_endpoints=verify_endpoint,
                             verify_jobs=verify_jobs, verify_timeout=verify_timeout))
    request = SweepRequest(
        repo_list=Path(repo_list) if repo_list else None,
        directory=Path(directory) if directory else None, db=Path(db),
        cache=Path(cache) if cache else None, jobs=jobs, full=full, repo_timeout=repo_timeout,
        scheduler=scheduler, reverify_after=_age(reverify_after), wait=wait)

    def waiting(message: str) -> None:
        if not quiet:
            click.echo(f"keysweep: {message}", err=True)

    show = (not quiet) and (progress if progress is not None else sys.stderr.isatty())
    done = run_sweep(run, request, CountProgress(show), waiting)
    if not quiet:
        s = done.summary
        for name, error in done.failures:
            click.echo(f"keysweep: warning: {name}: {error}", err=True)
        click.echo(f"Swept {s.repositories} repositories ({s.scanned} with new objects, "
                   f"{s.errors} failed): {s.objects} objects, {s.bytes / 1e6:.1f} MB in "
                   f"{s.seconds:.1f}s; {s.new_findings} new findings. Store {db}: "
                   f"{done.secrets} secrets in {done.locations} locations, {done.active} active"
                   + (f" ({done.verified} verification results updated)" if verify else "")
                   + ".")
    return done.code


@click.command()
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The store a sweep wrote.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "csv", "sarif", "html"]),
              help="[default: text on a terminal, json otherwise]")
@click.option("--repo", "repository", metavar="NAME", help="Only this repository.")
@click.option("--status", type=click.Choice(["active", "inactive", "unknown", "skipped"]),
              help="Only secrets with this verification status; 'active' with text format "
                   "is the rotate-now list.")
@click.option("--only-verified", is_flag=True, help="Only secrets verified active.")
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.option("--show-secrets", is_flag=True, hidden=True)
def report(db: str, fmt: str | None, repository: str | None, status: str | None,
           only_verified: bool, output: str | None, show_secrets: bool) -> int:
    """Report from a sweep's store without rescanning."""
    from scanner.app.sweeping import store_report

    run = Service(RunOptions(fmt=fmt, output=output, no_config=True))
    outcome = store_report(run, Path(db), repository, "active" if only_verified else status,
                           to_terminal=sys.stdout.isatty())
    if outcome.stdout:
        click.echo(outcome.stdout, nl=False, color=outcome.color)
    return ExitCode.OK
