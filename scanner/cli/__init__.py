"""The keysweep command line: options -> ScanConfig -> library call -> report -> exit code.
Nothing else lives here; tqdm and click are used only in this module."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import click

from scanner import __version__
from scanner.engine.config import ScanConfig, default_jobs
from scanner.errors import ExitCode, KeysweepError, UsageError
from scanner.matching.prefilter import ENGINES
from scanner.models import ScanResult
from scanner.reporters import REPORTERS
from scanner.rules.loader import load_rules
from scanner.app.service import Run, RunOptions

FORMATS = tuple(REPORTERS)


class TqdmProgress:
    """A byte-counting progress bar on stderr that appears only if the scan takes a while."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def start(self, total_bytes: int) -> None:
        if self.enabled:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked
            self.bar = tqdm(total=total_bytes or None, unit="B", unit_scale=True, file=sys.stderr,
                            delay=1.0, desc="scanning", leave=False)

    def advance(self, nbytes: int, files: int) -> None:
        if self.bar is not None:
            self.bar.update(nbytes)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()


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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="keysweep")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
def cli(debug: bool) -> None:
    """Find leaked cloud AccessKeys (Alibaba Cloud, AWS, Tencent, Huawei, Baidu, Volcengine,
    Google Cloud, Azure, GitHub, private keys) in files and git history.

    Exit codes: 0 nothing found, 1 findings, 2 usage or configuration error,
    3 the scan could not run."""


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--exclude", "-e", multiple=True, metavar="GLOB",
              help="Skip paths matching GLOB (repeatable).")
@click.option("--no-default-excludes", is_flag=True, help="Also scan lockfiles.")
@click.option("--staged", is_flag=True,
              help="Scan what is staged in the git index of PATH (for a pre-commit hook).")
@scan_options
def scan(paths: tuple[str, ...], exclude: tuple[str, ...], no_default_excludes: bool,
         staged: bool, **opts: Any) -> int:
    """Scan files and directories (default: the current directory; '-' reads stdin)."""
    from scanner.engine.scanner import Scanner

    targets = list(paths) or ["."]
    run = Run(RunOptions.from_cli(opts, excludes=exclude,
                                  default_excludes=not no_default_excludes), targets[0])
    progress = TqdmProgress(run.progress_enabled)
    if staged:
        if len(paths) > 1:
            raise UsageError("--staged takes one repository path")
        result = _scan_staged(targets[0], run.config, progress)
    else:
        result = Scanner(run.config).scan_paths(targets, progress)
    return _finish(run, result)


@cli.command("git")
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
    from scanner.engine.history import GitScope, HistoryScanner

    chosen = [name for name, on in (("--all", all_refs), ("--branch", branch),
                                    ("--range", rev_range), ("--staged", staged)) if on]
    if len(chosen) > 1 or (since and (rev_range or staged)):
        raise UsageError(f"choose one of {', '.join(chosen + (['--since'] if since else []))}")
    run = Run(RunOptions.from_cli(opts), repo)
    progress = TqdmProgress(run.progress_enabled)
    if staged:
        result = _scan_staged(repo, run.config, progress)
    else:
        scope = GitScope(branch=branch, since=since, range=rev_range)
        result = HistoryScanner(run.config, progress).scan(repo, scope)
    return _finish(run, result)


def _scan_staged(repo: str, config: ScanConfig, progress: Any) -> ScanResult:
    from scanner.engine.history import HistoryScanner

    index = os.environ.get("GIT_INDEX_FILE")  # set by git for `commit -a` and partial commits
    return HistoryScanner(config, progress).scan_staged(
        repo, os.path.abspath(index) if index else None)


@cli.command("ci")
@click.argument("repo", default=".", required=False)
@scan_options
def ci_command(repo: str, **opts: Any) -> int:
    """Scan what a CI job should: a pull/merge request's commits, a push's new commits, or
    the whole history elsewhere. GitHub Actions and GitLab CI are detected from their
    variables; the checkout needs full history (fetch-depth: 0 / GIT_DEPTH: 0)."""
    from scanner.app.ci_scope import ci_scope
    from scanner.engine.history import HistoryScanner
    from scanner.sources.git.command import open_repo

    run = Run(RunOptions.from_cli(opts), repo)
    scope, description = ci_scope(dict(os.environ), open_repo(repo))
    if not opts["quiet"]:
        click.echo(f"keysweep: scanning {description}", err=True)
    result = HistoryScanner(run.config, TqdmProgress(run.progress_enabled)).scan(repo, scope)
    return _finish(run, result)


class CountProgress(TqdmProgress):
    """Progress over repositories (a sweep), with bytes as a postfix."""

    def __init__(self, enabled: bool) -> None:
        super().__init__(enabled)
        self.bytes = 0

    def start(self, total_bytes: int) -> None:
        if self.enabled:
            from tqdm import tqdm

            tqdm.monitor_interval = 0
            self.bar = tqdm(total=total_bytes, unit="repo", file=sys.stderr, delay=1.0,
                            desc="sweeping", leave=False)

    def advance(self, nbytes: int, files: int) -> None:
        self.bytes += nbytes
        if self.bar is not None:
            self.bar.update(files)
            self.bar.set_postfix_str(f"{self.bytes / 1e6:.0f} MB", refresh=False)


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


@cli.command()
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
@click.option("--quiet", "-q", is_flag=True)
@click.option("--progress/--no-progress", default=None)
def sweep(repo_list: str | None, directory: str | None, db: str, cache: str | None,
          jobs: int, full: bool, repo_timeout: float, scheduler: str | None,
          rule_files: tuple[str, ...], verify: bool, verify_endpoint: tuple[str, ...],
          verify_jobs: int, verify_timeout: float, reverify_after: str | None, quiet: bool,
          progress: bool | None) -> int:
    """Scan many repositories into a SQLite store, incrementally: a rerun scans only what
    is new. REPO_LIST holds clone URLs, file:// URLs or paths, one per line."""
    from pathlib import Path

    from scanner.sweep import repos as mirrors
    from scanner.sweep.store import Store
    from scanner.sweep.coordinator import Sweep, SweepOptions
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
    run = Run(RunOptions(rule_files=rule_files, jobs=jobs, no_config=True,
                         verify=verify, verify_endpoints=verify_endpoint,
                         verify_jobs=verify_jobs, verify_timeout=verify_timeout))
    cache_dir = Path(cache) if cache else _cache_dir() / "mirrors"
    store = Store(db)
    try:
        show = (not quiet) and (progress if progress is not None else sys.stderr.isatty())
        summary = Sweep(store, run.config, SweepOptions(
            cache=cache_dir, jobs=jobs, full=full, repo_timeout=repo_timeout,
            scheduler=scheduler), CountProgress(show)).run(specs)
        checked = verify_sweep(store, run, summary.new, _age(reverify_after)) if verify else 0
        totals = store.query("SELECT (SELECT COUNT(*) FROM secrets), (SELECT COUNT(*) FROM "
                             "locations), (SELECT COUNT(DISTINCT secret_id) FROM verifications "
                             "WHERE status = 'active')")[0]
        errors = store.query("SELECT r.name, s.error FROM scans s JOIN repositories r ON "
                             "r.id = s.repository_id WHERE s.status = 'error' AND s.id IN "
                             "(SELECT MAX(id) FROM scans GROUP BY repository_id)")
    finally:
        store.close()
    if not quiet:
        for name, error in errors:
            click.echo(f"keysweep: warning: {name}: {error}", err=True)
        click.echo(f"Swept {summary.repositories} repositories ({summary.scanned} with new "
                   f"objects, {summary.errors} failed): {summary.objects} objects, "
                   f"{summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f}s; "
                   f"{summary.new_findings} new findings. Store {db}: {totals[0]} secrets in "
                   f"{totals[1]} locations, {totals[2]} active"
                   + (f" ({checked} verification results updated)" if verify else "") + ".")
    return ExitCode.SCAN_ERROR if summary.errors == summary.repositories else ExitCode.OK


def _cache_dir() -> Any:
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "keysweep"


@cli.command()
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
    from scanner.sweep.store import Store
    from scanner.sweep.findings import load_findings

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
    run = Run(RunOptions(fmt=fmt, output=output, no_config=True))
    if status == "active" and (fmt or ("text" if sys.stdout.isatty() else "json")) == "text":
        text = render_rotation(findings)
        if output:
            from scanner.app.service import write_private

            write_private(output, text)
        else:
            click.echo(text, nl=False)
        return ExitCode.OK
    outcome = run.report(result, to_terminal=sys.stdout.isatty())
    if outcome.stdout:
        click.echo(outcome.stdout, nl=False, color=outcome.color)
    return ExitCode.OK


@cli.group("baseline")
def baseline_group() -> None:
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
    from scanner import triage
    from scanner.engine.history import HistoryScanner
    from scanner.engine.scanner import Scanner

    targets = list(paths) or ["."]
    run = Run(RunOptions(rule_files=tuple(opts["rule_files"]), excludes=tuple(opts["exclude"]),
                         config=opts["config"], no_config=opts["no_config"],
                         jobs=opts["jobs"]), targets[0])
    if git_mode:
        if len(targets) != 1:
            raise UsageError("--git takes one repository path")
        result = HistoryScanner(run.config).scan(targets[0])
    else:
        result = Scanner(run.config).scan_paths(targets)
    return triage.apply(result, run.settings, run.ignore, None)


@baseline_group.command("create")
@baseline_options
@click.option("--output", "-o", default=".keysweep-baseline.json", show_default=True)
def baseline_create(paths: tuple[str, ...], git_mode: bool, output: str, **opts: Any) -> int:
    """Record the findings of a scan of PATHS in a baseline file."""
    from scanner.triage import baseline

    doc = baseline.build(_baseline_scan(paths, git_mode, opts).findings)
    baseline.write(output, doc)
    click.echo(f"wrote {len(doc['entries'])} entries to {output}")
    return ExitCode.OK


@baseline_group.command("update")
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


@cli.group()
def hook() -> None:
    """Run, install or remove the git hooks."""


@hook.command("pre-push")
@click.argument("remote", required=False)
@click.argument("url", required=False)
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True))
def hook_pre_push(remote: str | None, url: str | None, rule_files: tuple[str, ...]) -> int:
    """The pre-push check: reads git's ref lines on stdin and scans exactly the commits the
    push would add to the remote. Exits 1, listing them, if they add a secret."""
    from scanner.engine.history import HistoryScanner
    from scanner.hooks import blocked_message, parse_pre_push, pre_commit_env_updates, push_scope
    from scanner.sources.git.command import open_repo

    git = open_repo(".")
    updates = parse_pre_push("" if sys.stdin.isatty() else sys.stdin.read())
    if not updates:
        updates = pre_commit_env_updates(dict(os.environ))
        remote = remote or os.environ.get("PRE_COMMIT_REMOTE_NAME")
    scope = push_scope(git, updates, remote)
    if scope is None:
        return ExitCode.OK
    config = ScanConfig(rules=load_rules(rule_files), jobs=1)
    result = HistoryScanner(config).scan(git, scope)
    if result.findings:
        click.echo(blocked_message(result, "push"), err=True, nl=False)
        return ExitCode.FINDINGS
    return ExitCode.OK


@hook.command("pre-commit")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True))
def hook_pre_commit(rule_files: tuple[str, ...]) -> int:
    """The pre-commit check: scans what is staged. Exits 1, listing them, on secrets."""
    from scanner.hooks import blocked_message

    config = ScanConfig(rules=load_rules(rule_files), jobs=1)
    result = _scan_staged(".", config, None)
    if result.findings:
        click.echo(blocked_message(result, "commit"), err=True, nl=False)
        return ExitCode.FINDINGS
    return ExitCode.OK


def _hook_names(pre_push: bool, pre_commit: bool) -> list[str]:
    return [n for n, on in (("pre-push", pre_push), ("pre-commit", pre_commit)) if on] \
        or ["pre-push"]


@hook.command("install")
@click.option("--pre-push", is_flag=True, help="Install the pre-push hook (default).")
@click.option("--pre-commit", is_flag=True, help="Install the pre-commit hook.")
@click.option("--repo", default=".", show_default=True, help="The repository.")
@click.option("--force", is_flag=True, help="Replace a hook keysweep did not install.")
def hook_install(pre_push: bool, pre_commit: bool, repo: str, force: bool) -> int:
    """Install keysweep hooks (into core.hooksPath if it is set)."""
    from scanner.hooks import install
    from scanner.sources.git.command import open_repo

    for message in install(open_repo(repo), _hook_names(pre_push, pre_commit), force):
        click.echo(message)
    return ExitCode.OK


@hook.command("uninstall")
@click.option("--pre-push", is_flag=True)
@click.option("--pre-commit", is_flag=True)
@click.option("--repo", default=".", show_default=True)
def hook_uninstall(pre_push: bool, pre_commit: bool, repo: str) -> int:
    """Remove keysweep hooks (leaves hooks it did not install alone)."""
    from scanner.hooks import uninstall
    from scanner.sources.git.command import open_repo

    names = _hook_names(pre_push, pre_commit) if pre_push or pre_commit else [
        "pre-push", "pre-commit"]
    for message in uninstall(open_repo(repo), names):
        click.echo(message)
    return ExitCode.OK


@cli.group()
def rules() -> None:
    """List and check rules."""


@rules.command("list")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules_list(rule_files: tuple[str, ...], fmt: str) -> int:
    """Show every rule."""
    import json

    ruleset = load_rules(rule_files)
    if fmt == "json":
        rows = [{"id": r.id, "provider": r.provider, "kind": r.kind, "severity": r.severity,
                 "name": r.name, "keywords": list(r.keywords),
                 "exact_keywords": list(r.exact_keywords), "source": r.source}
                for r in ruleset.rules]
        click.echo(json.dumps(rows, indent=2))
        return ExitCode.OK
    width = max(len(r.id) for r in ruleset.rules)
    for r in ruleset.rules:
        click.echo(f"{r.id:<{width}}  {r.provider:<12} {r.kind:<11} {r.severity:<8} {r.name}")
    click.echo(f"{len(ruleset.rules)} rules")
    return ExitCode.OK


@rules.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True))
def rules_check(files: tuple[str, ...]) -> int:
    """Validate rule files and run each rule's examples and counterexamples through the
    scanner (default: the built-in rules). Exit 1 if any fails."""
    from scanner.rules.schema import load_rule_file
    from scanner.rules.validate import check_rules
    from scanner.engine.scanner import Scanner

    ruleset = load_rules(files, strict=True)
    mine = {r.id for f in files for r in load_rule_file_rules(f, load_rule_file)} if files \
        else {r.id for r in ruleset.rules}
    scanner = Scanner(ScanConfig(rules=ruleset, jobs=1))
    checked = [r for r in ruleset.rules if r.id in mine]
    problems = list(check_rules(checked, scanner))
    for problem in problems:
        click.echo(f"FAIL {problem}")
    examples = sum(len(r.examples) + len(r.counterexamples) for r in checked)
    click.echo(f"{len(checked)} rules, {examples} examples checked, {len(problems)} problems")
    return ExitCode.FINDINGS if problems else ExitCode.OK


def load_rule_file_rules(path: str, loader: Callable[..., Any]) -> list[Any]:
    from pathlib import Path

    p = Path(path)
    files = sorted(p.glob("*.toml")) if p.is_dir() else [p]
    return [rule for f in files for rule in loader(f)[1]]


# -- helpers ----------------------------------------------------------------------------------


def _finish(run: Run, result: ScanResult) -> int:
    """Triage, verify, report, and print what the run says."""
    outcome = run.finish(result, to_terminal=sys.stdout.isatty())
    if outcome.stdout:
        click.echo(outcome.stdout, nl=False, color=outcome.color)
    for line in outcome.stderr:
        click.echo(line, err=True)
    return outcome.code


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("KEYSWEEP_DEBUG"))
    try:
        code = cli.main(args=args, prog_name="keysweep", standalone_mode=False)
        return int(code or 0)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return int(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("keysweep: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except KeysweepError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"keysweep: error: {exc}", err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (``| head``): nothing left to say
        return ExitCode.OK
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into a message
        if debug:
            traceback.print_exc()
        click.echo(f"keysweep: error: unexpected {type(exc).__name__}: {exc} "
                   "(run with --debug for a traceback)", err=True)
        return ExitCode.SCAN_ERROR
