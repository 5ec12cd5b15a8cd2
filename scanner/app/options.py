"""RunOptions: everything the user chose for one run, as plain values. The command line builds
them; the application service is the only code that turns them into a scan configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.errors import UsageError
from scanner.redact import quoted
from scanner.reporters import FORMATS


@dataclass(frozen=True)
class RunOptions:
    """Everything the user chose, as plain values (built from the command line)."""

    fmt: str | None = None
    output: str | None = None
    reports: tuple[tuple[str, str], ...] = ()  # (format, file) pairs from --report
    show_secrets: bool = False
    rule_files: tuple[str, ...] = ()
    builtin_rules: bool = True
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
    fail_on_skip: bool = False  # an input that could not be read fails the run (exit 3)
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
            if not sep or fmt not in FORMATS or not path:
                raise UsageError(f"--report takes FORMAT:FILE with FORMAT one of "
                                 f"{', '.join(FORMATS)}, not {quoted(item)}")
            reports.append((fmt, path))
        return RunOptions(
            fmt=opts["fmt"], output=opts["output"], reports=tuple(reports),
            show_secrets=opts["show_secrets"], rule_files=tuple(opts["rule_files"]),
            builtin_rules=not opts.get("no_builtin_rules", False),
            jobs=opts["jobs"], engine=opts["engine"], archives=not opts["no_archives"],
            decode=not opts["no_decode"], explain=opts["explain"], verbose=opts["verbose"],
            quiet=opts["quiet"], progress=opts["progress"], color=opts["color"],
            config=opts["config"], no_config=opts["no_config"], baseline=opts["baseline"],
            exit_zero=opts["exit_zero"] or None, fail_on_skip=opts["fail_on_skip"],
            fail_on=opts["fail_on"],
            show_suppressed=opts["show_suppressed"], verify=opts["verify"],
            verify_endpoints=tuple(opts["verify_endpoint"]), verify_jobs=opts["verify_jobs"],
            verify_timeout=opts["verify_timeout"], verify_cache=opts["verify_cache"],
            only_verified=opts["only_verified"], **extra)
