"""The sweep and report entry points of the application service: which repositories, one
sweep at a time per store, the sweep itself, verification through the service's own stage,
and reading a store back into a report. The CLI only prints what these return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from scanner.app.output import write_private
from scanner.app.service import Outcome, Service
from scanner.cachedir import cache_home
from scanner.errors import ExitCode, UsageError
from scanner.models import ScanResult, ScanStats
from scanner.progress import Progress
from scanner.sweep.coordinator import Sweep, SweepOptions, SweepSummary
from scanner.sweep.repos import RepoSpec, find_repositories, read_repo_list, specs


@dataclass(frozen=True)
class SweepRequest:
    repo_list: Path | None
    directory: Path | None
    db: Path
    cache: Path | None
    jobs: int
    full: bool = False
    repo_timeout: float = 3600.0
    scheduler: str | None = None
    reverify_after: timedelta | None = None
    wait: float = 0.0  # seconds to wait for another sweep's lock on the store


@dataclass(frozen=True)
class SweepReport:
    summary: SweepSummary
    secrets: int
    locations: int
    active: int
    verified: int  # verification results written this run
    failures: tuple[tuple[str, str], ...]  # (repository, error) of the latest failed scans

    @property
    def code(self) -> int:
        """3 when every repository failed; the findings are in the store, not the exit code."""
        s = self.summary
        return ExitCode.SCAN_ERROR if s.repositories and s.errors == s.repositories \
            else ExitCode.OK


def repositories(request: SweepRequest) -> list[RepoSpec]:
    """The sweep list's entries and every repository under the directory, unique names."""
    entries = read_repo_list(request.repo_list) if request.repo_list else []
    root = request.directory
    found = specs(entries) + (specs([str(p) for p in find_repositories(root)], root)
                              if root else [])
    if not found:
        raise UsageError("no repositories: give a list file and/or --dir DIR")
    names = [s.name for s in found]
    return found if len(set(names)) == len(names) else specs([s.source for s in found])


def run_sweep(service: Service, request: SweepRequest, progress: Progress,
              on_wait: Callable[[str], None]) -> SweepReport:
    from scanner.sweep.lock import SweepLock
    from scanner.sweep.store import Store
    from scanner.sweep.verify import verify_sweep

    repos = repositories(request)
    cache = request.cache or cache_home() / "mirrors"
    with SweepLock(str(request.db), request.wait, on_wait=on_wait), \
            Store(request.db) as store:
        summary = Sweep(store, service.config, SweepOptions(
            cache=cache, jobs=request.jobs, full=request.full,
            repo_timeout=request.repo_timeout, scheduler=request.scheduler),
            progress).run(repos)
        verified = verify_sweep(store, service.config, service.verify, summary.new,
                                request.reverify_after) if service.options.verify else 0
        totals = store.totals()
        failures = tuple(store.failed_repositories())
    return SweepReport(summary, totals.secrets, totals.locations, totals.active, verified,
                       failures)


def store_report(service: Service, db: Path, repository: str | None, status: str | None,
                 to_terminal: bool) -> Outcome:
    """A report of what a sweep stored; ``status='active'`` as text is the rotate-now list."""
    from scanner.app.scope import sweep_scope
    from scanner.reporters.rotation import render_rotation
    from scanner.sweep.findings import load_findings
    from scanner.sweep.store import Store

    with Store(db, read_only=True) as store:
        findings = load_findings(store, repository)
        repos = [r for r in store.repository_list() if repository in (None, r[0])]
    if status:
        findings = [f for f in findings if f.verification and f.verification.status == status]
    result = ScanResult(findings=findings, stats=replace(
        ScanStats(), files=len({f.location.repository for f in findings}), unit="repository"))
    o = service.options
    if status == "active" and (o.fmt or ("text" if to_terminal else "json")) == "text":
        text = render_rotation(findings)
        if o.output:
            write_private(o.output, text)
            return Outcome()
        return Outcome(stdout=text)
    target = f"sweep store {db}" + (f", repository {repository}" if repository else "") \
        + (f", status {status}" if status else "")
    return service.report(result, to_terminal, sweep_scope(target, repos))

