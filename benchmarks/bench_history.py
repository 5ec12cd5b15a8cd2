"""Full-history scan of a large real repository next to git's own lower bound, and the
pre-push check of one new commit on it.

    python benchmarks/bench_history.py --repo /path/to/big/repo.git
    python benchmarks/bench_history.py --url https://github.com/git/git.git --cache /tmp/bench

Prints wall times, the ratio to ``git cat-file --batch-all-objects --batch > /dev/null``
(target: at most 2x) and the pre-push wall time including startup (target: under 0.5 s).
The repository is cloned into the cache directory, never into this project."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEYSWEEP = [sys.executable, "-m", "scanner"]


def timed(cmd: list[str], **kw: object) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    started = time.perf_counter()
    kw.setdefault("stdout", subprocess.PIPE)
    proc = subprocess.run(cmd, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - started, proc


def peak_child_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="a local repository (bare or not)")
    parser.add_argument("--url", help="clone this repository (bare) into --cache first")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "keysweep-bench"))
    parser.add_argument("--jobs", type=int, default=0, help="keysweep --jobs (0: all cores)")
    parser.add_argument("--prepush-runs", type=int, default=5)
    args = parser.parse_args()
    if args.repo:
        repo = Path(args.repo)
    elif args.url:
        name = args.url.rstrip("/").split("/")[-1].removesuffix(".git")
        repo = Path(args.cache) / f"{name}.git"
        if not (repo / "HEAD").exists():
            subprocess.run(["git", "clone", "--bare", "--quiet", args.url, str(repo)], check=True)
    else:
        parser.error("give --repo or --url")
    git = ["git", "-C", str(repo)]
    commits = subprocess.run(git + ["rev-list", "--all", "--count"], capture_output=True,
                             text=True, check=True).stdout.strip()
    objects = subprocess.run(git + ["count-objects", "-v"], capture_output=True, text=True,
                             check=True).stdout
    print(f"repository: {repo}\ncommits (all refs): {commits}")
    print("\n".join("  " + line for line in objects.splitlines() if line.startswith(("in-pack",
                                                                                     "size-pack"))))

    with open("/dev/null", "wb") as null:
        bound, _ = timed(git + ["cat-file", "--batch-all-objects", "--batch"], stdout=null)
    print(f"\nlower bound: git cat-file --batch-all-objects --batch > /dev/null: {bound:.1f} s")

    out = Path(args.cache) / "history-report.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    before = peak_child_mb()
    wall, proc = timed(KEYSWEEP + ["git", str(repo), "-f", "json", "-o", str(out), "-q", *jobs])
    if proc.returncode not in (0, 1):
        print(proc.stderr.decode(), file=sys.stderr)
        return 1
    stats = json.loads(out.read_text())["stats"]
    print(f"keysweep git (all refs, every unique blob once): {wall:.1f} s wall, "
          f"{stats['files']} blobs and messages, {stats['bytes'] / 1e9:.2f} GB, "
          f"{stats['findings']} findings; ratio to the lower bound {wall / bound:.2f}x "
          f"(target <= 2x); peak RSS of any process {max(before, peak_child_mb()):.0f} MB")

    # Pre-push of one new commit, in a work-tree clone that shares the objects.
    work = Path(tempfile.mkdtemp(prefix="keysweep-prepush-"))
    try:
        subprocess.run(["git", "clone", "--quiet", "--shared", "--no-checkout", str(repo),
                        str(work / "w")], check=True)
        w = ["git", "-C", str(work / "w")]
        subprocess.run(w + ["config", "user.email", "b@example.com"], check=True)
        subprocess.run(w + ["config", "user.name", "bench"], check=True)
        base = subprocess.run(w + ["rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        blob = subprocess.run(w + ["hash-object", "-w", "--stdin"], input=b"hello\n",
                              capture_output=True, check=True).stdout.decode().strip()
        tree = subprocess.run(w + ["mktree"], input=f"100644 blob {blob}\tBENCH.txt\n".encode(),
                              capture_output=True, check=True).stdout.decode().strip()
        commit = subprocess.run(w + ["commit-tree", tree, "-p", base, "-m", "bench"],
                                capture_output=True, text=True, check=True).stdout.strip()
        line = f"refs/heads/main {commit} refs/heads/main {base}\n"
        times = []
        for _ in range(args.prepush_runs):
            took, proc = timed(KEYSWEEP + ["hook", "pre-push", "origin", "url"], cwd=work / "w",
                               input=line.encode())
            assert proc.returncode == 0, proc.stderr.decode()
            times.append(took)
        print(f"pre-push of one new commit: median {statistics.median(times):.3f} s, "
              f"max {max(times):.3f} s over {len(times)} runs, startup included "
              "(target < 0.5 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
