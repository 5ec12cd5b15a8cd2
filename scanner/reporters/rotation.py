"""The "rotate these now" list from a sweep's store: each active secret once, with where it
first leaked, how many repositories hold it, and who owns the files (their last committers)."""

from __future__ import annotations

from scanner.models import Finding


def render_rotation(findings: list[Finding]) -> str:
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.rule_id, f.secret_sha256), []).append(f)
    lines = [f"Rotate these now: {len(groups)} active key{'s' if len(groups) != 1 else ''}", ""]
    for items in sorted(groups.values(), key=lambda g: min(f.location.date or "" for f in g)):
        f = items[0]
        first = min(items, key=lambda x: x.location.date or "9999")
        repos = sorted({x.location.repository or "" for x in items})
        owners = sorted({x.location.owner for x in items if x.location.owner})
        identity = f.verification.identity if f.verification and f.verification.identity else {}
        who = ", ".join(f"{k} {v}" for k, v in identity.items())
        lines.append(f"● {f.rule_name}  {f.redacted}  {f.rule_id}" + (f"  ({who})" if who else ""))
        lines.append(f"  first leaked {(first.location.date or 'unknown date')[:10]} in "
                     f"{first.location.repository} at {first.location.path}"
                     + (f" (commit {first.location.commit[:10]})" if first.location.commit else ""))
        lines.append(f"  in {len(repos)} repositor{'ies' if len(repos) != 1 else 'y'}: "
                     + ", ".join(repos))
        if owners:
            lines.append("  owners: " + ", ".join(owners))
        lines.append("")
    return "\n".join(lines)
