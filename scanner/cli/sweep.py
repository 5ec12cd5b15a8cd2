"""``keysweep sweep`` (many repositories into a store) and ``keysweep report`` (read it
back), through the application service."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from scanner.app.options import RunOptions
from scanner.app.service import Service
from scanner.cli.progress import CountProgress
from scanner.engine.config import default_jobs
from scanner.errors import ExitCode, UsageError
from scanner.models import ScanResult


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
    from pathlib import Path

    from scanner.sweep import repos as mirrors
    from scanner.sweep.coordinator import Sweep, SweepOptions
    from scanner.sweep.lock import SweepLock
    from scanner.sweep.store import Store
    from scanner.sweep.verify import verify_sweep

    entries = mirrors.read_repo_list(Path(repo_list)) if repo_list else []
    root = Path(directory) if directory else None
    specs = mirrors.specs(entries) + (mirrors.specs(
        [str(p) for p in mirrors.find_repositories(root)], root) if root else [])
    if not specs:
        raise UsageError("no repositories: give a list file and/or --dir DIR")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        specs = mirrors.specs([s.source for s in specs])
    run = Service(RunOptions(rule_files=rule_files, jobs=jobs, no_config=True,
                             verify=verify, verify_endpoints=verify_endpoint,
                             verify_jobs=verify_jobs, verify_timeout=verify_timeout))
    cache_dir = Path(cache) if cache else _cache_dir() / "mirrors"
    def waiting(message: str) -> None:
        if not quiet:
            click.echo(f"keysweep: {message}", err=True)

    with SweepLock(db, wait, on_wait=waiting), Store(db) as store:
        show = (not quiet) and (progress if progress is not None else sys.stderr.isatty())
        summary = Sweep(store, run.config, SweepOptions(
            cache=cache_dir, jobs=jobs, full=full, repo_timeout=repo_timeout,
            scheduler=scheduler), CountProgress(show)).run(specs)
        checked = verify_sweep(store, run, summary.new, _age(reverify_after)) if verify else 0
        totals = store.totals()
        errors = store.failed_repositories()
    if not quiet:
        for name, error in errors:
            click.echo(f"keysweep: warning: {name}: {error}", err=True)
        click.echo(f"Swept {summary.repositories} repositories ({summary.scanned} with new "
                   f"objects, {summary.errors} failed): {summary.objects} objects, "
                   f"{summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f}s; "
                   f"{summary.new_findings} new findings. Store {db}: {totals.secrets} secrets in "
                   f"{totals.locations} locations, {totals.active} active"
                   + (f" ({checked} verification results updated)" if verify else "") + ".")
    return ExitCode.SCAN_ERROR if summary.errors == summary.repositories else ExitCode.OK


def _cache_dir() -> Any:
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "keysweep"


@click.command()
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The store a sweep wrote.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "csv", "sarif"]),
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
    from scanner.reporters.rotation import render_rotation
    from scanner.sweep.findings import load_findings
    from scanner.sweep.store import Store

    store = Store(db)
    try:
        findings = load_findings(store, repository)
    finally:
        store.close()
    if only_verified:
        status = "active"
    if status:
        findings = [f for f in findings if f.verification and f.verification.status == status]
    result = ScanResult(findings=findings)
    result.stats.files = len({f.location.repository for f in findings})
    result.stats.unit = "repository"
    run = Service(RunOptions(fmt=fmt, output=output, no_config=True))
    if status == "active" and (fmt or ("text" if sys.stdout.isatty() else "json")) == "text":
        text = render_rotation(findings)
        if output:
            from scanner.app.output import write_private

            write_private(output, text)
        else:
            click.echo(text, nl=False)
        return ExitCode.OK
    outcome = run.report(result, to_terminal=sys.stdout.isatty())
    if outcome.stdout:
        click.echo(outcome.stdout, nl=False, color=outcome.color)
    return ExitCode.OK
