"""CSV: one row per finding, for spreadsheets and ad-hoc scripts (``csv.DictReader``).

The columns are fixed (``COLUMNS``); ``secret`` is added after ``redacted`` only with
``--show-secrets``, and a ``suppressed`` column (the reason, empty for live findings) only
with ``--show-suppressed``, which also adds a row per suppressed finding.

A path is the one cell whose content a scanned tree controls freely, so a path that starts
like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) is prefixed with ``'`` (OWASP's CSV
injection advice); secrets and hashes are left exact."""

from __future__ import annotations

import csv
import io

from scanner.models import Finding, ScanResult
from scanner.reporters.options import ReportOptions, printable

COLUMNS = ("rule_id", "provider", "kind", "severity", "path", "line", "column", "commit",
           "secret_sha256", "redacted", "paired_rule_id", "verification_status", "fingerprint")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_csv(result: ScanResult, options: ReportOptions) -> str:
    columns = list(COLUMNS)
    if options.show_secrets:
        columns.insert(columns.index("redacted") + 1, "secret")
    if options.show_suppressed:
        columns.append("suppressed")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    rows = [(f, "") for f in result.findings]
    if options.show_suppressed:
        rows += [(x.finding, x.reason) for x in result.suppressed]
    for finding, reason in rows:
        row = finding_row(finding)
        if options.show_secrets:
            row["secret"] = printable(finding.secret)
        if options.show_suppressed:
            row["suppressed"] = reason
        writer.writerow(row)
    return out.getvalue()


def finding_row(f: Finding) -> dict[str, str | int]:
    loc = f.location
    return {
        "rule_id": f.rule_id,
        "provider": f.provider,
        "kind": f.kind,
        "severity": f.severity,
        "path": _cell(loc.path),
        "line": loc.line,
        "column": loc.column,
        "commit": loc.commit or "",
        "secret_sha256": f.secret_sha256,
        "redacted": printable(f.redacted),
        "paired_rule_id": f.paired_with.rule_id if f.paired_with else "",
        "verification_status": f.verification.status if f.verification else "",
        "fingerprint": printable(f.fingerprint),
    }


def _cell(text: str) -> str:
    text = printable(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
