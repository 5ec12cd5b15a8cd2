"""What a developer sees when a hook stops them: each secret, and how to proceed."""

from __future__ import annotations

from scanner.models import Finding, ScanResult
from scanner.reporters.options import shown_path


def ignore_entry(f: Finding) -> str:
    """The line of ``.keysweepignore`` that suppresses this finding: its fingerprint without
    the commit, so it still matches after the commit is amended or rebased."""
    fingerprint = f.fingerprint
    return fingerprint.split(":", 1)[1] if f.location.commit else fingerprint


def blocked_message(result: ScanResult, action: str) -> str:
    """What a developer sees when a hook stops them: each secret, and how to proceed. Every
    way out it names is one the hook honours (it triages like ``keysweep scan``)."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        groups.setdefault((f"{f.rule_id}  {f.redacted}", f.secret_sha256), []).append(f)
    lines = [f"keysweep: {action} blocked: {len(groups)} secret"
             f"{'s' if len(groups) != 1 else ''} would be published", ""]
    for (label, _), found in groups.items():
        lines.append(f"  {label}")
        for f in found:
            where = f"{shown_path(f.location.path)}:{f.location.line}"
            if f.location.commit:
                where += f" (commit {f.location.commit[:10]})"
            lines.append(f"      at {where}")
            lines.append(f"         .keysweepignore: {shown_path(ignore_entry(f))}")
    verb = "push" if "push" in action else "commit"
    lines += [
        "",
        "How to proceed:",
        "  1. Remove the key from the code, and rotate it: treat it as leaked. If it is in a",
        "     commit, rewrite that commit (git commit --amend, or git rebase -i <commit>^).",
        "  2. A false positive or a test fixture? Any of these lets it through:",
        "       - `keysweep:allow` in a comment on its line;",
        "       - its .keysweepignore line above (or a path glob) in .keysweepignore at the",
        "         repository root;",
        "       - an [allowlist] (paths, regexes, stopwords) in keysweep.toml, or",
        "         [tool.keysweep.allowlist] in pyproject.toml.",
        "  3. A known key the team has accepted? Add it to the baseline with",
        "     `keysweep baseline update`, and set baseline = \".keysweep-baseline.json\" in",
        "     keysweep.toml (or run the hook with --baseline FILE).",
        f"  4. As a last resort, skip this check: git {verb} --no-verify",
    ]
    return "\n".join(lines) + "\n"
