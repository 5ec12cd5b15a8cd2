"""JSON and JSON Lines reports: one object per location of a secret, sharing ``secret_sha256``.
The schema is ``scanner/schemas/report.schema.json``."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from scanner.models import BINARY_SKIPS, DEFAULT_EXCLUDED, Finding, Pairing, ScanResult
from scanner.reporters.options import ReportOptions, printable

REPORT_VERSION = "1"


def finding_dict(f: Finding, show_secrets: bool) -> dict[str, Any]:
    loc = f.location
    out: dict[str, Any] = {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "provider": f.provider,
        "kind": f.kind,
        "severity": f.severity,
        "secret_sha256": f.secret_sha256,
        "redacted": printable(f.redacted),
        "path": printable(loc.path),
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "commit": loc.commit,
        "author": loc.author,
        "date": loc.date,
        "in_head": loc.in_head,
        "paired_with": None,
        "credential": [_part(p, show_secrets) for p in f.credential],
        "decoded": list(f.decoded),
        "tags": list(f.tags),
        "context": list(f.context),
        "confidence": f.confidence,
        "fingerprint": printable(f.fingerprint),
        "verification": asdict(f.verification) if f.verification else None,
    }
    if loc.repository is not None:  # findings read back from a sweep's store
        out["repository"] = loc.repository
        out["owner"] = loc.owner
    if f.paired_with:
        out["paired_with"] = {
            "rule_id": f.paired_with.rule_id,
            "secret_sha256": f.paired_with.secret_sha256,
            "redacted": f.paired_with.redacted,
        }
        if show_secrets:
            out["paired_with"]["secret"] = printable(f.paired_with.secret)
    if show_secrets:
        out["secret"] = printable(f.secret)
    return out


def _part(p: Pairing, show_secrets: bool) -> dict[str, Any]:
    """One other part of a finding's credential (its ID, secret or session token)."""
    out: dict[str, Any] = {"kind": p.kind, "rule_id": p.rule_id,
                           "secret_sha256": p.secret_sha256, "redacted": printable(p.redacted)}
    if show_secrets:
        out["secret"] = printable(p.secret)
    return out


def stats_dict(result: ScanResult) -> dict[str, Any]:
    s = result.stats
    return {
        "files": s.files,
        "bytes": s.bytes,
        "seconds": round(s.seconds, 3),
        "findings": len(result.findings),
        "secrets": len({(f.rule_id, f.secret_sha256) for f in result.findings}),
        # Read errors (the ``skipped`` list); binaries and default excludes only counted.
        "skipped": sum(not x.counted_only for x in result.skipped),
        "binary": sum(x.reason in BINARY_SKIPS for x in result.skipped),
        "default_excluded": sum(x.reason == DEFAULT_EXCLUDED for x in result.skipped),
        "dropped": s.dropped,
        "suppressed": suppression_counts(result),
        "engine": s.engine,
    }


def suppression_counts(result: ScanResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in result.suppressed:
        counts[item.reason] = counts.get(item.reason, 0) + 1
    return counts


def render_json(result: ScanResult, options: ReportOptions) -> str:
    doc = {
        "version": REPORT_VERSION,
        "tool": {"name": "keysweep", "version": options.tool_version},
        "findings": [finding_dict(f, options.show_secrets) for f in result.findings],
        "skipped": [{"path": printable(s.path), "reason": s.reason} for s in result.skipped
                    if options.verbose or not s.counted_only],
        "stats": stats_dict(result),
    }
    if options.show_suppressed:
        doc["suppressed"] = [dict(finding_dict(x.finding, options.show_secrets), reason=x.reason)
                             for x in result.suppressed]
    return _dumps(doc) + "\n"


def _dumps(doc: dict[str, Any]) -> str:
    """Indented like ``json.dumps(indent=2)``, except that each element of a list of objects
    (a finding, a skip) is one line: a report with 20,000 findings is then written by the C
    encoder in half the time the pure-Python indenting encoder takes, and stays easy
    to read and to grep."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every row
    parts = []
    for key, value in doc.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            rows = "    " + ",\n    ".join(map(encode, value))
            parts.append(f"  {json.dumps(key)}: [\n{rows}\n  ]")
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
            parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}"


def render_jsonl(result: ScanResult, options: ReportOptions) -> str:
    return "".join(json.dumps(finding_dict(f, options.show_secrets), ensure_ascii=False) + "\n"
                   for f in result.findings)
