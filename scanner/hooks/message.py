"""What a developer sees when a hook stops them: each secret, and how to proceed."""

from __future__ import annotations

from scanner.models import ScanResult


def blocked_message(result: ScanResult, action: str) -> str:
    """What a developer sees when a hook stops them: each secret, and how to proceed."""
    groups: dict[tuple[str, str], list[str]] = {}
    for f in result.findings:
        loc = f.location
        where = f"{loc.path}:{loc.line}"
        if loc.commit:
            where += f" (commit {loc.commit[:10]})"
        groups.setdefault((f"{f.rule_id}  {f.redacted}", f.secret_sha256), []).append(where)
    lines = [f"keysweep: {action} blocked: {len(groups)} secret"
             f"{'s' if len(groups) != 1 else ''} would be published", ""]
    for (label, _), places in groups.items():
        lines.append(f"  {label}")
        lines.extend(f"      at {p}" for p in places)
    lines += [
        "",
        "How to proceed:",
        "  1. Remove the key from the code, and rotate it: treat it as leaked. If it is in a",
        "     commit, rewrite that commit (git commit --amend, or git rebase -i <commit>^).",
        "  2. A false positive? Add `keysweep:allow` in a comment on its line, or add the",
        "     finding's fingerprint to .keysweepignore.",
        "  3. As a last resort, skip this check: git " + ("push" if "push" in action
                                                        else "commit") + " --no-verify",
    ]
    return "\n".join(lines) + "\n"
