"""Precision at scale: the complete histories of real repositories dense with look-alikes
(cloud providers' official SDKs, git/git), every finding on them reviewed.

    python benchmarks/bench_precision.py REPO.git [REPO.git ...] [--out counts.json]
    python benchmarks/bench_precision.py --mirrors /work/.mirror     # every repo there

Each repository is scanned by a real ``keysweep git`` (full history, no project config).
Each finding is matched, by rule and SHA-256 of the secret (never the secret itself), to a
verdict in ``benchmarks/precision_review.toml``:

- ``real``: a real key (most SDK repositories hold a few that were committed and later
  revoked: they must be found);
- ``example``: a value the provider's documentation publishes, which the rule file's
  ``known_values`` should drop (a finding with this verdict is a bug to fix in the data);
- ``false-positive``: not a key at all (a bug to fix in the rule).

Printed per repository and provider group: findings, distinct secrets, and how many of them
are real, documented examples, false positives and not yet reviewed. ``--review`` prints the
unreviewed ones (rule, path, line, redacted value, what admitted it) to review by hand;
``--show-secrets`` adds the raw values, for the reviewer's eyes only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

KEYSWEEP = [sys.executable, "-m", "scanner"]
REVIEW = Path(__file__).with_name("precision_review.toml")
VERDICTS = ("real", "example", "false-positive")


def load_review(path: Path) -> dict[tuple[str, str], str]:
    """(rule id, sha256 prefix) -> verdict."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text())
    out = {}
    for item in data.get("finding", []):
        if item["verdict"] not in VERDICTS:
            raise SystemExit(f"{path}: unknown verdict {item['verdict']!r}")
        out[(item["rule_id"], item["sha256"][:16])] = item["verdict"]
    return out


def scan(repo: Path, show_secrets: bool) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    cmd = [*KEYSWEEP, "git", str(repo), "-f", "json", "--no-config", "--no-progress"]
    proc = subprocess.run(cmd + (["--show-secrets"] if show_secrets else []),
                          capture_output=True, cwd=Path(__file__).resolve().parents[1])
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{repo}: keysweep exited {proc.returncode}: "
                         f"{proc.stderr.decode()[-400:]}")
    return seconds, json.loads(proc.stdout)


def name_of(repo: Path) -> str:
    """``/work/.mirror/owner+name/repo`` -> ``owner/name``; otherwise the directory name."""
    parent = repo.parent.name if repo.name == "repo" else repo.name
    return parent.replace("+", "/").removesuffix(".git")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="*", type=Path)
    parser.add_argument("--mirrors", type=Path, help="scan every <dir>/*/repo")
    parser.add_argument("--out", type=Path, help="write the per-repository counts here")
    parser.add_argument("--review", action="store_true", help="list unreviewed findings")
    parser.add_argument("--show-secrets", action="store_true")
    args = parser.parse_args()
    repos = list(args.repos)
    if args.mirrors:
        repos += sorted(p for p in args.mirrors.glob("*/repo") if p.is_dir())
    if not repos:
        parser.error("name repositories or --mirrors")
    review = load_review(REVIEW)
    rows = []
    print(f"{'repository':<40} {'commits':>7} {'secs':>6} {'finds':>6} {'secrets':>7} "
          f"{'real':>5} {'example':>7} {'fp':>4} {'todo':>5}")
    for repo in repos:
        commits = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--all", "--count"],
                                     capture_output=True, text=True).stdout.strip() or 0)
        seconds, doc = scan(repo, args.show_secrets)
        findings = doc["findings"]
        assert isinstance(findings, list)
        secrets: dict[tuple[str, str], dict[str, object]] = {}
        for f in findings:
            secrets.setdefault((f["rule_id"], f["secret_sha256"][:16]), f)
        verdicts = Counter(review.get(key, "todo") for key in secrets)
        by_provider: dict[str, Counter[str]] = defaultdict(Counter)
        for key, f in secrets.items():
            by_provider[str(f["provider"])][review.get(key, "todo")] += 1
        name = name_of(repo)
        rows.append({"repository": name, "commits": commits, "seconds": round(seconds, 1),
                     "findings": len(findings), "secrets": len(secrets),
                     **{v: verdicts[v] for v in (*VERDICTS, "todo")},
                     "by_provider": {p: dict(c) for p, c in sorted(by_provider.items())}})
        print(f"{name:<40} {commits:>7} {seconds:>6.1f} {len(findings):>6} {len(secrets):>7} "
              f"{verdicts['real']:>5} {verdicts['example']:>7} {verdicts['false-positive']:>4} "
              f"{verdicts['todo']:>5}")
        if args.review:
            for key, f in secrets.items():
                if key not in review:
                    shown = f.get("secret", f["redacted"])
                    print(f"    todo {f['rule_id']:<36} {key[1]} {f['path']}:{f['line']} "
                          f"{shown} context={f.get('context')} commit={str(f['commit'])[:10]}")
    total = Counter()
    for row in rows:
        for v in (*VERDICTS, "todo"):
            total[v] += int(row[v])  # type: ignore[call-overload]
    print(f"{'total':<40} {'':>7} {'':>6} {sum(int(r['findings']) for r in rows):>6} "  # type: ignore[call-overload]
          f"{sum(int(r['secrets']) for r in rows):>7} {total['real']:>5} "  # type: ignore[call-overload]
          f"{total['example']:>7} {total['false-positive']:>4} {total['todo']:>5}")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
