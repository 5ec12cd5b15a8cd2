"""The application service: the one path every entry point takes (scan, scan --staged, git,
ci, the hooks, sweep, report, baseline). It finds the project configuration, builds the scan
configuration, runs the scan, then triage (allowlists, ignore file, baseline), verification,
the reports and the exit code. No click here: the CLI prints what this returns."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from scanner import __version__, triage
from scanner.app.options import RunOptions
from scanner.app.output import write_private
from scanner.app.settings import Settings, find_config, load_settings
from scanner.cachedir import cache_home
from scanner.engine.config import ScanConfig
from scanner.errors import ExitCode, UsageError
from scanner.models import ScanResult
from scanner.progress import Progress
from scanner.redact import quoted
from scanner.reporters import ReportOptions, reporter
from scanner.reporters.options import ReportScope, shown_path
from scanner.reporters.text import BENIGN_SKIPS
from scanner.rules.loader import load_rules
from scanner.sources.inputs import ReadOptions
from scanner.triage import baseline

if TYPE_CHECKING:
    from scanner.sources.git.command import Git
    from scanner.sources.git.scope import GitScope


@dataclass
class Outcome:
    stdout: str = ""
    color: bool = False
    stderr: list[str] = field(default_factory=list)
    code: int = ExitCode.OK


class Service:
    """One run's configuration and the stages after the scan. Built once per run from the
    user's options and the directory the run starts in (where configuration is looked for)."""

    def __init__(self, options: RunOptions, start: str | Path = ".") -> None:
        self.options = options
        self.settings = self._settings(Path(start) if str(start) != "-" else Path("."))
        s = self.settings
        if not options.builtin_rules and not (s.rule_files + options.rule_files):
            raise UsageError("--no-builtin-rules needs rule files (--rules or the config's "
                             "rules)")
        ruleset = load_rules(s.rule_files + options.rule_files, builtin=options.builtin_rules,
                             cache=cache_home() / "rules")
        if s.enable or s.disable:
            ruleset = ruleset.select(s.enable, s.disable)
        self.config = ScanConfig(
            rules=ruleset, jobs=options.jobs, engine=options.engine,
            excludes=s.exclude + options.excludes, default_excludes=options.default_excludes,
            decode_depth=2 if options.decode else 0, read=ReadOptions(archives=options.archives),
            explain=options.explain, prefilter_cache=cache_home() / "prefilter")
        ignore_path = triage.find_ignore_file(Path(start)) if str(start) != "-" else None
        if s.root is not None and (s.root / triage.IGNORE_FILE).is_file():
            ignore_path = s.root / triage.IGNORE_FILE
        self.ignore = triage.load_ignore_file(ignore_path) if ignore_path else None
        self.baseline_path = options.baseline or (
            str(s.root / s.baseline) if s.baseline and s.root else None)

    @cached_property
    def baseline(self) -> baseline.Baseline | None:
        # Read on first use, not at start: `baseline create` never applies one, and must work
        # when the configuration already names the file it is about to write.
        return baseline.load(self.baseline_path) if self.baseline_path else None

    def _settings(self, start: Path) -> Settings:
        if self.options.no_config:
            return Settings()
        if self.options.config:
            path = Path(self.options.config)
            if not path.is_file():
                raise UsageError(f"config file not found: {path}")
            return load_settings(path)
        found = find_config(start if start.exists() else Path("."))
        return load_settings(found) if found else Settings()

    @property
    def progress_enabled(self) -> bool:
        if self.options.quiet:
            return False
        if self.options.progress is not None:
            return self.options.progress
        return sys.stderr.isatty()

    # -- the scan ------------------------------------------------------------------------

    def scan_paths(self, targets: Sequence[str], progress: Progress | None = None) -> ScanResult:
        from scanner.engine.scanner import Scanner

        return Scanner(self.config).scan_paths(targets, progress)

    def scan_history(self, repo: str | Git, scope: GitScope | None = None,
                     progress: Progress | None = None) -> ScanResult:
        from scanner.engine.history import HistoryScanner

        return HistoryScanner(self.config, progress).scan(repo, scope)

    def scan_staged(self, repo: str, progress: Progress | None = None) -> ScanResult:
        """What is staged in the index (git sets GIT_INDEX_FILE for ``commit -a`` and
        partial commits: that index is the one to read)."""
        from scanner.engine.history import HistoryScanner

        index = os.environ.get("GIT_INDEX_FILE")
        return HistoryScanner(self.config, progress).scan_staged(
            repo, os.path.abspath(index) if index else None)

    # -- after the scan -----------------------------------------------------------------

    def finish(self, result: ScanResult, to_terminal: bool,
               scope: ReportScope | None = None) -> Outcome:
        """Triage, verification, reports and the exit code."""
        return self.report(self.triaged(result), to_terminal, scope)

    def triaged(self, result: ScanResult, with_baseline: bool = True) -> ScanResult:
        """The result with allowlists, the ignore file and (unless making a new one) the
        baseline applied, then verified if the user asked."""
        result = triage.apply(result, self.settings.allowlist, self.settings.rule_allowlists,
                              self.ignore, self.baseline if with_baseline else None)
        return self.verify(result)

    def verify(self, result: ScanResult) -> ScanResult:
        """The verification stage: only with --verify, after all filtering and triage."""
        o = self.options
        fail_on = o.fail_on or self.settings.fail_on or "any"
        if not o.verify:
            for flag, on in (("--only-verified", o.only_verified),
                             ("--verify-cache", o.verify_cache),
                             ("--verify-endpoint", bool(o.verify_endpoints)),
                             ("--fail-on active", fail_on == "active")):
                if on:
                    raise UsageError(f"{flag} needs --verify")
            return result
        from scanner.verifiers import validate_endpoints, verify_findings
        from scanner.verifiers.cache import default_cache_path
        from scanner.verifiers.options import VerifyOptions

        endpoints = {}
        for item in o.verify_endpoints:
            provider, sep, url = item.partition("=")
            if not sep or not provider or not url:
                raise UsageError(f"--verify-endpoint takes PROVIDER=URL, not {quoted(item)}")
            endpoints[provider.strip()] = url.strip()
        validate_endpoints(endpoints)
        options = VerifyOptions(endpoints=endpoints, jobs=o.verify_jobs,
                                timeout=o.verify_timeout,
                                cache=default_cache_path() if o.verify_cache else None)
        findings = verify_findings(result.findings, options, self.config.rules)
        if o.only_verified:
            findings = [f for f in findings if f.verification is not None
                        and f.verification.status == "active"]
        return dataclasses.replace(result, findings=findings)

    def report(self, result: ScanResult, to_terminal: bool,
               scope: ReportScope | None = None) -> Outcome:
        """The reports; ``scope`` says what was scanned (the HTML header and links)."""
        o, s = self.options, self.settings
        fmt = o.fmt or s.format or ("text" if to_terminal and not o.output else "json")
        color = {"always": True, "never": False}.get(
            o.color, to_terminal and not o.output and "NO_COLOR" not in os.environ)
        options = ReportOptions(show_secrets=o.show_secrets, color=color, verbose=o.verbose,
                                show_suppressed=o.show_suppressed,
                                providers=self.config.rules.providers,
                                rules=self.config.rules.rules, tool_version=__version__,
                                scope=scope or ReportScope(),
                                generated_at=datetime.now(UTC).isoformat(timespec="seconds"))
        outcome = Outcome(color=color)
        text = reporter(fmt)(result, options)
        if o.quiet and fmt == "text" and not result.findings:
            text = ""
        if o.output:
            write_private(o.output, text)
        else:
            outcome.stdout = text
        plain = ReportOptions(**{**options.__dict__, "color": False})
        for report_fmt, path in o.reports:
            write_private(path, reporter(report_fmt)(result, plain))
        if not o.quiet:
            outcome.stderr.extend(f"keysweep: warning: skipped {shown_path(x.path)}: {x.reason}"
                                  for x in result.skipped
                                  if x.reason not in BENIGN_SKIPS and x.reason != "does not exist")
            if o.explain:
                outcome.stderr.extend(
                    f"dropped {d.rule_id} at {shown_path(d.path)}:{d.line}:{d.column} "
                    f"{d.redacted}: {d.reason}"
                    for d in result.dropped)
        outcome.stderr.extend(f"keysweep: error: path does not exist: {shown_path(p)}"
                              for p in result.missing)
        outcome.code = self.exit_code(result)
        return outcome

    def exit_code(self, result: ScanResult) -> int:
        o, s = self.options, self.settings
        if result.missing and not result.findings:
            return ExitCode.USAGE
        if o.exit_zero if o.exit_zero is not None else bool(s.exit_zero):
            return ExitCode.OK
        fail_on = o.fail_on or s.fail_on or "any"
        failing = [f for f in result.findings if fail_on != "active" or (
            f.verification is not None and f.verification.status == "active")]
        if failing:
            return ExitCode.FINDINGS
        if o.fail_on_skip and any(not x.counted_only for x in result.skipped):
            return ExitCode.SCAN_ERROR
        return ExitCode.OK
