"""The human report: one block per secret, with every place it was found, redacted unless
asked otherwise, and what to do about it."""

from __future__ import annotations

from collections import Counter

from scanner.models import BINARY_SKIPS, DEFAULT_EXCLUDED, Finding, ScanResult
from scanner.reporters.options import ReportOptions, shown_path

SEVERITY_COLORS = {"root": "magenta", "critical": "red", "high": "red", "medium": "yellow",
                   "low": "cyan", "info": "blue"}
# Skipped by design, not errors: counted, never warned about.
BENIGN_SKIPS = (*BINARY_SKIPS, DEFAULT_EXCLUDED)
FACT_COLORS = {"critical": "red", "high": "red", "medium": "yellow", "good": "green"}

# SGR codes: reporters return plain strings, so colour is two escape sequences, not a UI library
_COLORS = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36,
           "white": 37}


def ansi(text: str, fg: str | None = None, bold: bool = False) -> str:
    codes = ([str(_COLORS[fg])] if fg else []) + (["1"] if bold else [])
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text


def render_text(result: ScanResult, options: ReportOptions) -> str:
    def style(text: str, fg: str | None = None, bold: bool = False) -> str:
        return ansi(text, fg, bold) if options.color else text

    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        groups.setdefault((f.rule_id, f.secret_sha256), []).append(f)
    # An ID paired with a reported secret is shown inside the secret's block.
    folded = {(p.rule_id, p.secret_sha256) for f in result.findings
              if f.kind != "id" and (p := f.paired_with) is not None}
    folded &= set(groups)
    lines: list[str] = []
    # An account's own (root) key first: it can do everything.
    ordered = sorted(groups.items(), key=lambda kv: kv[1][0].severity != "root")
    for key, findings in ordered:
        if key in folded and findings[0].kind == "id":
            continue
        f = findings[0]
        color = SEVERITY_COLORS.get(f.severity, "white")
        shown = f.secret if options.show_secrets else f.redacted
        lines.append(style(f"● {f.rule_name}", bold=True) + "  "
                     + style(f"[{f.severity}]", fg=color) + f"  {f.rule_id}")
        lines.append(f"  secret    {shown}  (sha256 {f.secret_sha256[:12]})")
        if f.verification:
            status = f.verification.status.upper()
            reason = f" ({f.verification.reason})" if f.verification.reason else ""
            lines.append("  status    " + style(status, fg="red" if status == "ACTIVE" else None,
                                                bold=True) + reason)
            if f.verification.identity:  # whose account the key opens
                lines.append("  identity  " + ", ".join(
                    f"{k} {v}" for k, v in f.verification.identity.items()))
            for fact in f.verification.facts:  # what the key is and can reach
                label = "" if fact.name == "policy" else fact.name.replace("_", " ") + ": "
                risk = FACT_COLORS.get(fact.risk)
                lines.append(f"  reach     {label}{fact.value}  "
                             + style(f"[{fact.risk}]", fg=risk))
        if f.paired_with:
            partner = f.paired_with.secret if options.show_secrets else f.paired_with.redacted
            places = groups.get((f.paired_with.rule_id, f.paired_with.secret_sha256), [])
            at = ", ".join(_where(p) for p in places[:3])
            lines.append(f"  paired    {partner}  ({f.paired_with.rule_id})"
                         + (f" at {at}" if at else ""))
        for part in f.credential:  # a temporary credential's session token, named parts
            shown = part.secret if options.show_secrets else part.redacted
            if part.kind == "token":
                lines.append(f"  token     {shown}  ({part.rule_id})")
            elif part.kind not in ("id", "secret", "private_key"):
                lines.append(f"  part      {part.kind} {shown}  ({part.rule_id})")
        repos = sorted({x.location.repository for x in findings if x.location.repository})
        if len(repos) > 1:
            lines.append(f"  in {len(repos)} repositories: {', '.join(repos)}")
        for i, other in enumerate(findings):
            label = "found at " if i == 0 else "          "
            lines.append(f"  {label}{_where(other)}")
        decoded = {" > ".join(x.decoded) for x in findings if x.decoded}
        if decoded:
            lines.append("  decoded   " + ", ".join(sorted(decoded)))
        if f.tags:
            lines.append("  note      " + ", ".join(f.tags))
        if f.confidence != "high":  # only the file or its path vouched for it: say so
            lines.append("  context   " + " and ".join(f.context) + " only (lower confidence)")
        provider = options.providers.get(f.provider)
        if provider:
            lines.append(f"  fix       {provider.remediation}")
        lines.append("")
    shown_groups = [g for k, g in groups.items() if k not in folded]
    lines.append(_summary(result, len(shown_groups), sum(len(g) for g in shown_groups)))
    if result.suppressed:
        counts = Counter(x.reason for x in result.suppressed)
        parts = [f"{n} by {reason}" for reason, n in counts.most_common()]
        parts[0] = parts[0].replace(" by ", " suppressed by ", 1)
        hint = "" if options.show_suppressed else " (--show-suppressed lists them)"
        lines.append(", ".join(parts) + hint + ".")
        if options.show_suppressed:
            lines.extend(f"  suppressed ({x.reason}): {x.finding.rule_id} {x.finding.redacted} "
                         f"at {_where(x.finding)}" for x in result.suppressed)
    if result.findings:
        lines.append("A false positive? Put `keysweep:allow` in a comment on its line, or add "
                     "its fingerprint to .keysweepignore.")
    lines.extend(_skip_lines(result, options.verbose))
    return "\n".join(lines) + "\n"


def _where(f: Finding) -> str:
    loc = f.location
    where = f"{shown_path(loc.path)}:{loc.line}:{loc.column}"
    if loc.repository:
        where = f"{loc.repository}: {where}"
    if loc.commit:
        where += f"  commit {loc.commit[:12]}"
        if loc.author:
            where += f" by {loc.author}"
        if loc.date:
            where += f" on {loc.date[:10]}"
        if loc.in_head is not None:
            where += ", still in HEAD" if loc.in_head else ", no longer in HEAD"
    return where


def _summary(result: ScanResult, secrets: int, locations: int) -> str:
    s = result.stats
    size = _size(s.bytes)
    unit = s.unit if s.files == 1 else ("repositories" if s.unit == "repository" else f"{s.unit}s")
    scanned = f"{s.files} {unit}, {size}, {s.seconds:.2f}s"
    if not result.findings:
        return f"No secrets found ({scanned})."
    return (f"Found {secrets} secret{'s' if secrets != 1 else ''} in {locations} "
            f"location{'s' if locations != 1 else ''} ({scanned}).")


def _skip_lines(result: ScanResult, verbose: bool) -> list[str]:
    """Binaries and default excludes as one count each; read errors by reason."""
    if not result.skipped:
        return []
    if verbose:
        return [f"skipped {shown_path(s.path)}: {s.reason}" for s in result.skipped]
    lines = []
    binary = sum(s.reason in BINARY_SKIPS for s in result.skipped)
    if binary:
        lines.append(f"Skipped {binary} binary file{'s' if binary != 1 else ''} "
                     "(by type or content).")
    default = sum(s.reason == DEFAULT_EXCLUDED for s in result.skipped)
    if default:
        lines.append(f"Skipped {default} path{'s' if default != 1 else ''} by default excludes "
                     "(virtual environments, keysweep's own package, lockfiles; "
                     "--no-default-excludes scans them).")
    errors = [s for s in result.skipped if not s.counted_only]
    if errors:
        counts = Counter(s.reason for s in errors)
        parts = ", ".join(f"{n} {reason}" for reason, n in counts.most_common(4))
        lines.append(f"Skipped {len(errors)} input{'s' if len(errors) != 1 else ''}: "
                     f"{parts} (-v lists them).")
    return lines


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"
