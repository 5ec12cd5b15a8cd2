"""A sweep of many small generated repositories plus a few large real ones, then an
immediate rerun (target: under 5 % of the first run's time), with peak memory.

    python benchmarks/bench_sweep.py --repos 200 --large /path/to/big.git --large ...

Generated repositories are seeded and cached under --cache; large ones are used in place."""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._filler import Filler, Vocab  # noqa: E402

KEYSWEEP = [sys.executable, "-m", "scanner"]
EXTENSIONS = {"py": ".py", "js": ".js", "java": ".java", "go": ".go", "yaml": ".yaml",
              "md": ".md"}


BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def alibaba_pair(rng: random.Random) -> tuple[str, str]:
    return ("LTAI5t" + "".join(rng.choices(BASE62, k=18)), "".join(rng.choices(BASE62, k=30)))


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, **(env or {})})


def make_repo(path: Path, seed: int) -> None:
    """A small service: a few dozen files over several commits, sometimes a key committed
    and later removed."""
    rng = random.Random(seed)
    filler = Filler(rng, Vocab(rng))
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    for n in range(rng.randint(4, 12)):
        for _ in range(rng.randint(2, 6)):
            cat = rng.choice(list(EXTENSIONS))
            name = path / f"{rng.choice(['src', 'lib', 'app', 'conf'])}" / (
                f"{rng.choice(filler.v.snake)}{EXTENSIONS[cat]}")
            name.parent.mkdir(exist_ok=True)
            body = "\n\n".join(filler.block(cat) for _ in range(rng.randint(5, 40)))
            name.write_text(filler.header(cat) + "\n" + body + "\n")
        if rng.random() < 0.15:
            (path / "conf").mkdir(exist_ok=True)
            key_id, secret = alibaba_pair(rng)
            (path / "conf" / "aliyun.ini").write_text(
                f"access_key_id = {key_id}\naccess_key_secret = {secret}\n")
        git(path, "add", "-A")
        date = f"2024-01-{n + 1:02d}T12:00:00+00:00"
        git(path, "commit", "-q", "-m", f"change {n}",
            env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
                 "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
                 "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"})


def timed_sweep(listing: Path, db: Path, jobs: int) -> tuple[float, str]:
    cmd = KEYSWEEP + ["sweep", str(listing), "--db", str(db), "--no-progress"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    took = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return took, proc.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--large", action="append", default=[], help="a large real repository")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "keysweep-sweep"))
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    cache = Path(args.cache)
    small = cache / f"repos-{args.repos}"
    if not small.exists():
        started = time.perf_counter()
        tmp = cache / f"repos-{args.repos}.partial"
        for i in range(args.repos):
            make_repo(tmp / f"svc{i:03d}", seed=i)
        tmp.rename(small)
        print(f"generated {args.repos} repositories in {time.perf_counter() - started:.0f} s")
    listing = cache / "repos.txt"
    paths = sorted(str(p) for p in small.iterdir()) + [str(Path(p).resolve())
                                                        for p in args.large]
    listing.write_text("\n".join(paths) + "\n")
    db = cache / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    first, summary = timed_sweep(listing, db, args.jobs)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"first sweep: {first:.1f} s wall, peak RSS {peak:.0f} MB\n  {summary}")
    rerun, summary = timed_sweep(listing, db, args.jobs)
    print(f"immediate rerun: {rerun:.2f} s wall = {100 * rerun / first:.1f} % of the first "
          f"(target < 5 %)\n  {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
