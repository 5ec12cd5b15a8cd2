"""``keysweep baseline create|update``: record the current findings so later scans report and
fail only on new ones."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from scanner.app.options import RunOptions
from scanner.app.service import Service
from scanner.engine.config import default_jobs
from scanner.errors import ExitCode, UsageError
from scanner.models import ScanResult


@click.group("baseline")
def baseline() -> None:
    """Record the current findings, so later scans report and fail only on new ones."""


def baseline_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.argument("paths", nargs=-1),
        click.option("--git", "git_mode", is_flag=True,
                     help="Record the git history of PATH (a repository) instead of its files."),
        click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True)),
        click.option("--exclude", "-e", multiple=True, metavar="GLOB"),
        click.option("--config", type=click.Path(dir_okay=False)),
        click.option("--no-config", is_flag=True),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=default_jobs),
    ]):
        f = option(f)
    return f


def _baseline_scan(paths: tuple[str, ...], git_mode: bool, opts: dict[str, Any]) -> ScanResult:
    """The findings a baseline records: a scan with allowlists and ignores applied, but no
    baseline (the point is to make a new one)."""
    targets = list(paths) or ["."]
    run = Service(RunOptions(rule_files=tuple(opts["rule_files"]),
                             excludes=tuple(opts["exclude"]), config=opts["config"],
                             no_config=opts["no_config"], jobs=opts["jobs"]), targets[0])
    if git_mode:
        if len(targets) != 1:
            raise UsageError("--git takes one repository path")
        result = run.scan_history(targets[0])
    else:
        result = run.scan_paths(targets)
    return run.triaged(result, with_baseline=False)


@baseline.command("create")
@baseline_options
@click.option("--output", "-o", default=".keysweep-baseline.json", show_default=True)
def baseline_create(paths: tuple[str, ...], git_mode: bool, output: str, **opts: Any) -> int:
    """Record the findings of a scan of PATHS in a baseline file."""
    from scanner.triage import baseline

    doc = baseline.build(_baseline_scan(paths, git_mode, opts).findings)
    baseline.write(output, doc)
    click.echo(f"wrote {len(doc['entries'])} entries to {output}")
    return ExitCode.OK


@baseline.command("update")
@baseline_options
@click.option("--baseline", "path", default=".keysweep-baseline.json", show_default=True)
def baseline_update(paths: tuple[str, ...], git_mode: bool, path: str, **opts: Any) -> int:
    """Add new findings to a baseline and drop the ones that are gone."""
    from scanner.triage import baseline

    old = baseline.load(path) if os.path.exists(path) else None
    doc = baseline.build(_baseline_scan(paths, git_mode, opts).findings)
    baseline.write(path, doc)
    added, removed = baseline.changes(old, doc)
    click.echo(f"updated {path}: {added} added, {removed} removed, "
               f"{len(doc['entries'])} entries")
    return ExitCode.OK
