"""A sweep of many small generated repositories plus a few large real ones, then an
immediate rerun, against the sum of ``keysweep git`` over the same repositories (targets: the
first sweep within 1.5x of that sum, the rerun under 2 % of the first sweep), with peak RSS.

    python benchmarks/bench_sweep.py --repos 200 --large /path/to/big.git --large ... \
        [--also before=/path/old-checkout] [--rounds 1]

Generated repositories are seeded and cached under --cache; large ones are used in place.
Each build (this checkout, and each ``--also`` through PYTHONPATH) runs in the same rounds,
interleaved; the minimum over rounds is reported. Run it from outside the checkout when
comparing builds, since ``python -m`` puts the current directory ahead of PYTHONPATH."""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._filler import Filler, Vocab  # noqa: E402
from benchmarks._peers import builds as keysweep_builds  # noqa: E402

KEYSWEEP = [sys.executable, "-m", "scanner"]
ROOT = Path(__file__).resolve().parents[1]
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


def timed(cmd: list[str], build: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(build)}
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)}: {proc.stderr}")
    return took, proc.stdout.strip()


def sweep_cmd(listing: Path, db: Path, cache: Path, jobs: int) -> list[str]:
    cmd = KEYSWEEP + ["sweep", str(listing), "--db", str(db), "--cache", str(cache),
                      "--no-progress"]
    return cmd + (["--jobs", str(jobs)] if jobs else [])


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


@dataclass
class Round:
    git: float  # the sum of keysweep git over every repository
    first: float
    rerun: float
    peak: float  # MB, the largest child process
    summary: str
    again: str

    def best(self, other: Round) -> Round:
        return Round(min(self.git, other.git), min(self.first, other.first),
                     min(self.rerun, other.rerun), min(self.peak, other.peak),
                     self.summary, self.again)


def one_round(build: Path, paths: list[str], work: Path, jobs: int) -> Round:
    """The sum of ``keysweep git`` over every repository, then a first sweep (mirrors made
    fresh, as a first sweep makes them) and an immediate rerun."""
    git_sum = 0.0
    for path in paths:
        cmd = KEYSWEEP + ["git", path, "-f", "json", "-o", os.devnull]
        git_sum += timed(cmd + (["--jobs", str(jobs)] if jobs else []), build)[0]
    db, mirrors = work / "bench.db", work / "mirrors"
    fresh(db)
    subprocess.run(["rm", "-rf", str(mirrors)], check=True)
    listing = work / "repos.txt"
    listing.write_text("\n".join(paths) + "\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    first, summary = timed(sweep_cmd(listing, db, mirrors, jobs), build)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    rerun, again = timed(sweep_cmd(listing, db, mirrors, jobs), build)
    return Round(git_sum, first, rerun, peak, summary, again)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--large", action="append", default=[], help="a large real repository")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "keysweep-sweep"))
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--also", action="append", default=[], metavar="NAME=CHECKOUT",
                        help="another build of keysweep to run in the same rounds")
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
    paths = sorted(str(p) for p in small.iterdir()) + [str(Path(p).resolve())
                                                        for p in args.large]
    builds = keysweep_builds(ROOT, args.also)
    best: dict[str, Round] = {}
    for _ in range(args.rounds):
        for name, build in builds.items():
            work = cache / f"work-{name}"
            work.mkdir(parents=True, exist_ok=True)
            got = one_round(build, paths, work, args.jobs)
            best[name] = best[name].best(got) if name in best else got
    print(f"{len(paths)} repositories ({args.repos} generated, {len(args.large)} large), "
          f"{args.rounds} round(s), min:")
    print("| build | sum of keysweep git | first sweep | ratio (target <= 1.5) | rerun | "
          "rerun / first (target < 2 %) | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, got in best.items():
        print(f"| {name} | {got.git:.1f} s | {got.first:.1f} s | {got.first / got.git:.2f}x "
              f"| {got.rerun:.2f} s | {100 * got.rerun / got.first:.1f} % | {got.peak:.0f} MB |")
    for name, got in best.items():
        print(f"{name}: first: {got.summary}\n{name}: rerun: {got.again}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
