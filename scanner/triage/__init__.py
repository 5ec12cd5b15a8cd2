"""Triage that sticks: configuration allowlists, ``.keysweepignore`` entries and a baseline
move matching findings out of the report into ``suppressed``, where they are counted (and
listed with --show-suppressed) instead of failing the build again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from scanner.models import Finding, ScanResult, Suppressed
from scanner.triage.allowlist import Allowlist
from scanner.triage.baseline import Baseline
from scanner.triage.ignore_file import IGNORE_FILE, IgnoreFile, find_ignore_file, load_ignore_file

__all__ = ["IGNORE_FILE", "Allowlist", "IgnoreFile", "apply", "find_ignore_file",
           "load_ignore_file"]


def apply(result: ScanResult, allowlist: Allowlist, rule_allowlists: Mapping[str, Allowlist],
          ignore: IgnoreFile | None, baseline: Baseline | None) -> ScanResult:
    """A new result with the triaged findings moved to ``suppressed``; ``result`` is left as
    it was (a caller may still report it untriaged, e.g. to build a baseline)."""
    kept: list[Finding] = []
    suppressed = list(result.suppressed)
    for f in result.findings:
        reason = _reason(f, allowlist, rule_allowlists, ignore, baseline)
        if reason:
            suppressed.append(Suppressed(f, reason))
        else:
            kept.append(f)
    return replace(result, findings=kept, suppressed=suppressed, skipped=list(result.skipped),
                   dropped=list(result.dropped), missing=list(result.missing),
                   stats=replace(result.stats))


def _reason(f: Finding, allowlist: Allowlist, rule_allowlists: Mapping[str, Allowlist],
            ignore: IgnoreFile | None, baseline: Baseline | None) -> str | None:
    per_rule = rule_allowlists.get(f.rule_id)
    if allowlist.allows(f) or (per_rule is not None and per_rule.allows(f)):
        return "allowlist"
    if ignore is not None and ignore.ignores(f):
        return "ignore file"
    if baseline is not None and f in baseline:
        return "baseline"
    return None
