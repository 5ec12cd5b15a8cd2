"""Options shared by the commands that scan and report, and the one place that turns them
into the application service's RunOptions."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from scanner.app.options import RunOptions
from scanner.app.service import Service
from scanner.engine.config import default_jobs
from scanner.matching.prefilter import ENGINES
from scanner.models import ScanResult
from scanner.reporters import FORMATS as REPORT_FORMATS
from scanner.reporters.options import ReportScope

FORMATS = tuple(REPORT_FORMATS)


def scan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that scans and reports."""
    options = [
        click.option("--format", "-f", "fmt", type=click.Choice(FORMATS),
                     help="Report format [default: text on a terminal, json otherwise]."),
        click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
                     help="Write the report to FILE (created with mode 0600)."),
        click.option("--show-secrets", is_flag=True,
                     help="Print raw secrets in reports (they are redacted by default)."),
        click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True),
                     help="Extra rule file or directory (repeatable)."),
        click.option("--no-builtin-rules", is_flag=True,
                     help="Use only the --rules files, not keysweep's own rules."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=default_jobs,
                     show_default="all cores", help="Worker processes."),
        click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
                     help="Keyword prefilter engine."),
        click.option("--no-archives", is_flag=True, help="Do not open zip/tar/gz archives."),
        click.option("--no-decode", is_flag=True,
                     help="Do not decode base64 blocks, string or URL escapes."),
        click.option("--explain", is_flag=True,
                     help="Also list the candidates filters dropped, with the reason."),
        click.option("--verbose", "-v", is_flag=True, help="List every skipped input."),
        click.option("--quiet", "-q", is_flag=True,
                     help="Print only findings: no summary, warnings or progress."),
        click.option("--progress/--no-progress", default=None,
                     help="Progress bar on stderr [default: when stderr is a terminal]."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                     show_default=True),
        click.option("--verify", is_flag=True,
                     help="Ask each provider whether found keys are still active (network)."),
        click.option("--verify-endpoint", multiple=True, metavar="PROVIDER=URL",
                     help="Use URL instead of PROVIDER's identity endpoint (repeatable)."),
        click.option("--verify-jobs", type=click.IntRange(min=1), default=8, show_default=True,
                     help="Concurrent verification calls."),
        click.option("--verify-timeout", type=click.FloatRange(min=0.1), default=10.0,
                     show_default=True, help="Seconds per verification call."),
        click.option("--verify-cache", is_flag=True,
                     help="Cache verification results (hashes and statuses only) for a day."),
        click.option("--only-verified", is_flag=True, help="Report only keys found active."),
        click.option("--fail-on", type=click.Choice(["any", "active"]),
                     help="Exit 1 on any finding (default), or only on keys verified active."),
        click.option("--fail-on-skip", is_flag=True,
                     help="Exit 3 if any input could not be read (a corrupt archive, an "
                          "unreadable file), even with no findings."),
        click.option("--exit-zero", is_flag=True,
                     help="Report findings but exit 0 (errors still exit 2 or 3)."),
        click.option("--report", multiple=True, metavar="FORMAT:FILE",
                     help="Also write a report in FORMAT to FILE (repeatable)."),
        click.option("--baseline", type=click.Path(dir_okay=False),
                     help="Report and fail only on findings not in this baseline file."),
        click.option("--show-suppressed", is_flag=True,
                     help="List findings suppressed by baseline, ignore file or allowlists."),
        click.option("--config", type=click.Path(dir_okay=False),
                     help="Configuration file [default: keysweep.toml or pyproject.toml "
                          "[tool.keysweep], found upward from the scanned path]."),
        click.option("--no-config", is_flag=True, help="Ignore configuration files."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def service(opts: dict[str, Any], start: str | Path = ".", **extra: Any) -> Service:
    """The application service for one command's options."""
    return Service(RunOptions.from_cli(opts, **extra), start)


def finish(run: Service, result: ScanResult, scope: ReportScope | None = None) -> int:
    """Triage, verify, report, and print what the run says."""
    outcome = run.finish(result, to_terminal=sys.stdout.isatty(), scope=scope)
    if outcome.stdout:
        click.echo(outcome.stdout, nl=False, color=outcome.color)
    for line in outcome.stderr:
        click.echo(line, err=True)
    return outcome.code
