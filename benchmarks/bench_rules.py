"""What a larger rule set costs: the same keysweep build scans the same corpus and the same
git history with an older rule set and with today's, in one run, interleaved, minimum of N
rounds, and prints the throughput of each and the loss.

    python benchmarks/bench_rules.py --baseline-rev f8903ca --repo /path/to/repo.git \\
        [--corpus /tmp/ks-corpus/tree | --size-mb 100] [--rounds 3] [--jobs 2]

The baseline rules are ``patterns/`` as of ``--baseline-rev`` (31 rules at f8903ca, before
issue 12), read with ``git archive``. Each rule set runs as the built-in rules of its own copy
of this checkout's ``scanner/`` package (``scanner/patterns``, as an installed keysweep ships
them), so only the rules differ and both start as a user's keysweep does: parsed rules from
the cache, each regex compiled when its rule first fires. (``--rules DIR`` would compile and
check every regex of the directory at each start: half a second for today's rules, which no
user of the built-in rules pays.) The issue's target: the full rule set loses no more than
15 % of throughput on either input.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYSWEEP = [sys.executable, "-m", "scanner"]
sys.path.insert(0, str(ROOT))
from benchmarks._peers import byte_compiled  # noqa: E402


def extract_patterns(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "patterns"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "patterns"


def package_with(patterns: Path, into: Path) -> Path:
    """A copy of this checkout's package whose built-in rules are ``patterns``: the
    directory to put on PYTHONPATH."""
    shutil.copytree(ROOT / "scanner", into / "scanner",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(patterns, into / "scanner" / "patterns")
    return byte_compiled(into)


def run(args: list[str], build: Path) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run([*KEYSWEEP, *args, "-f", "json", "--no-progress", "--no-config"],
                          capture_output=True, cwd=build,
                          env={**os.environ, "PYTHONPATH": str(build)})
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"keysweep {' '.join(args[:2])} failed: {proc.stderr.decode()[-300:]}")
    return seconds, len(json.loads(proc.stdout)["findings"])


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rev", default="f8903ca")
    parser.add_argument("--repo", type=Path, help="a git repository whose history is scanned")
    parser.add_argument("--corpus", type=Path, help="a tree to scan (default: generate one)")
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="keysweep-rules-") as tmp:
        baseline = extract_patterns(args.baseline_rev, Path(tmp) / "baseline")
        rulesets = {f"rules at {args.baseline_rev}": package_with(baseline, Path(tmp) / "old"),
                    "rules today": package_with(ROOT / "patterns", Path(tmp) / "today")}
        corpus = args.corpus
        if corpus is None:
            from benchmarks.corpus import make_corpus
            corpus = Path(tmp) / "corpus" / "tree"
            make_corpus(corpus, args.size_mb, seed=3)
        targets: dict[str, tuple[list[str], float]] = {
            "tree": (["scan", str(corpus), "-j", str(args.jobs)], tree_bytes(corpus) / 1e6)}
        if args.repo:
            targets["history"] = (["git", str(args.repo), "-j", str(args.jobs)], 0.0)
        best: dict[tuple[str, str], tuple[float, int]] = {}
        for _ in range(args.rounds):  # interleaved: every target and rule set once per round
            for target, (cmd, _) in targets.items():
                for name, rules in rulesets.items():
                    got = run(cmd, rules)
                    key = (target, name)
                    if key not in best or got[0] < best[key][0]:
                        best[key] = got
        print(f"{'target':<9} {'rules':<24} {'seconds':>8} {'MB/s':>7} {'findings':>9} "
              f"{'vs baseline':>12}")
        for target, (_, size) in targets.items():
            base = best[(target, next(iter(rulesets)))][0]
            for name in rulesets:
                seconds, found = best[(target, name)]
                rate = f"{size / seconds:7.1f}" if size else "      -"
                print(f"{target:<9} {name:<24} {seconds:>8.2f} {rate} {found:>9} "
                      f"{100 * (base / seconds - 1):>+11.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
