"""One keysweep run, between the command line and the library: find the configuration,
build the ScanConfig, and after the scan apply triage (allowlists, ignore file, baseline),
verification and the exit policy, and render the reports. No click here: the CLI prints what
this returns."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner import __version__, triage
from scanner.triage import baseline
from scanner.engine.config import ScanConfig
from scanner.errors import ExitCode, UsageError
from scanner.models import ScanResult
from scanner.reporters import REPORTERS, ReportOptions
from scanner.reporters.text import BENIGN_SKIPS
from scanner.rules.loader import load_rules
from scanner.app.settings import Settings, find_config, load_settings
from scanner.sources.inputs import ReadOptions


@dataclass(frozen=True)
class RunOptions:
    """Everything the user chose, as plain values (built from the command line)."""

    fmt: str | None = None
    output: str | None = None
    reports: tuple[tuple[str, str], ...] = ()  # (format, file) pairs from --report
    show_secrets: bool = False
    rule_files: tuple[str, ...] = ()
    jobs: int = 1
    engine: str = "auto"
    archives: bool = True
    decode: bool = True
    explain: bool = False
    verbose: bool = False
    quiet: bool = False
    progress: bool | None = None
    color: str = "auto"
    config: str | None = None
    no_config: bool = False
    baseline: str | None = None
    exit_zero: bool | None = None
    fail_on: str | None = None
    show_suppressed: bool = False
    excludes: tuple[str, ...] = ()
    default_excludes: bool = True
    verify: bool = False
    verify_endpoints: tuple[str, ...] = ()
    verify_jobs: int = 8
    verify_timeout: float = 10.0
    verify_cache: bool = False
    only_verified: bool = False

    @staticmethod
    def from_cli(opts: dict[str, Any], **extra: Any) -> RunOptions:
        reports = []
        for item in opts.get("report", ()):
            fmt, sep, path = item.partition(":")
            if not sep or fmt not in REPORTERS or not path:
                raise UsageError(f"--report takes FORMAT:FILE with FORMAT one of "
                                 f"{', '.join(REPORTERS)}, not {item!r}")
            reports.append((fmt, path))
        return RunOptions(
            fmt=opts["fmt"], output=opts["output"], reports=tuple(reports),
            show_secrets=opts["show_secrets"], rule_files=tuple(opts["rule_files"]),
            jobs=opts["jobs"], engine=opts["engine"], archives=not opts["no_archives"],
            decode=not opts["no_decode"], explain=opts["explain"], verbose=opts["verbose"],
            quiet=opts["quiet"], progress=opts["progress"], color=opts["color"],
            config=opts["config"], no_config=opts["no_config"], baseline=opts["baseline"],
            exit_zero=opts["exit_zero"] or None, fail_on=opts["fail_on"],
            show_suppressed=opts["show_suppressed"], verify=opts["verify"],
            verify_endpoints=tuple(opts["verify_endpoint"]), verify_jobs=opts["verify_jobs"],
            verify_timeout=opts["verify_timeout"], verify_cache=opts["verify_cache"],
            only_verified=opts["only_verified"], **extra)


@dataclass
class Outcome:
    stdout: str = ""
    color: bool = False
    stderr: list[str] = field(default_factory=list)
    code: int = ExitCode.OK


class Run:
    def __init__(self, options: RunOptions, start: str | Path = ".") -> None:
        self.options = options
        self.settings = self._settings(Path(start) if str(start) != "-" else Path("."))
        s = self.settings
        ruleset = load_rules(s.rule_files + options.rule_files)
        if s.enable or s.disable:
            ruleset = ruleset.select(s.enable, s.disable)
        self.config = ScanConfig(
            rules=ruleset, jobs=options.jobs, engine=options.engine,
            excludes=s.exclude + options.excludes, default_excludes=options.default_excludes,
            decode_depth=2 if options.decode else 0, read=ReadOptions(archives=options.archives),
            explain=options.explain)
        ignore_path = triage.find_ignore_file(Path(start)) if str(start) != "-" else None
        if s.root is not None and (s.root / triage.IGNORE_FILE).is_file():
            ignore_path = s.root / triage.IGNORE_FILE
        self.ignore = triage.load_ignore_file(ignore_path) if ignore_path else None
        baseline_path = options.baseline or (
            str(s.root / s.baseline) if s.baseline and s.root else None)
        self.baseline = baseline.load(baseline_path) if baseline_path else None

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

    # -- after the scan -----------------------------------------------------------------

    def finish(self, result: ScanResult, to_terminal: bool) -> Outcome:
        result = triage.apply(result, self.settings, self.ignore, self.baseline)
        result = self.verify(result)
        return self.report(result, to_terminal)

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
                raise UsageError(f"--verify-endpoint takes PROVIDER=URL, not {item!r}")
            endpoints[provider.strip()] = url.strip()
        validate_endpoints(endpoints)
        options = VerifyOptions(endpoints=endpoints, jobs=o.verify_jobs,
                                timeout=o.verify_timeout,
                                cache=default_cache_path() if o.verify_cache else None)
        result.findings = verify_findings(result.findings, options, self.config.rules)
        if o.only_verified:
            result.findings = [f for f in result.findings if f.verification is not None
                               and f.verification.status == "active"]
        return result

    def report(self, result: ScanResult, to_terminal: bool) -> Outcome:
        o, s = self.options, self.settings
        fmt = o.fmt or s.format or ("text" if to_terminal and not o.output else "json")
        color = {"always": True, "never": False}.get(
            o.color, to_terminal and not o.output and "NO_COLOR" not in os.environ)
        options = ReportOptions(show_secrets=o.show_secrets, color=color, verbose=o.verbose,
                                show_suppressed=o.show_suppressed,
                                providers=self.config.rules.providers,
                                rules=self.config.rules.rules, tool_version=__version__)
        outcome = Outcome(color=color)
        text = REPORTERS[fmt](result, options)
        if o.quiet and fmt == "text" and not result.findings:
            text = ""
        if o.output:
            write_private(o.output, text)
        else:
            outcome.stdout = text
        plain = ReportOptions(**{**options.__dict__, "color": False})
        for report_fmt, path in o.reports:
            write_private(path, REPORTERS[report_fmt](result, plain))
        if not o.quiet:
            outcome.stderr.extend(f"keysweep: warning: skipped {x.path}: {x.reason}"
                                  for x in result.skipped
                                  if x.reason not in BENIGN_SKIPS and x.reason != "does not exist")
            if o.explain:
                outcome.stderr.extend(
                    f"dropped {d.rule_id} at {d.path}:{d.line}:{d.column} {d.redacted}: {d.reason}"
                    for d in result.dropped)
        outcome.stderr.extend(f"keysweep: error: path does not exist: {p}" for p in result.missing)
        outcome.code = self.exit_code(result)
        return outcome

    def exit_code(self, result: ScanResult) -> int:
        o, s = self.options, self.settings
        if result.missing and not result.findings:
            return ExitCode.USAGE
        if o.exit_zero if o.exit_zero is not None else bool(s.exit_zero):
            return ExitCode.OK
        fail_on = o.fail_on or s.fail_on or "any"
        if fail_on == "active":
            failing = [f for f in result.findings
                       if f.verification is not None and f.verification.status == "active"]
        else:
            failing = result.findings
        return ExitCode.FINDINGS if failing else ExitCode.OK


def write_private(path: str, text: str) -> None:
    """A report file only its owner can read: reports name secrets, even redacted."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
    os.fchmod(fd, 0o600)  # also when the file already existed with wider permissions
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
