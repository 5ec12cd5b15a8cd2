"""keysweep against its peers and against the limit, on the same targets in one run.

    python benchmarks/bench_speed.py --git-repo /path/git.git --history flask=/path/flask.git \\
        --history requests=/path/requests.git [--rounds 3] [--also before=/path/old-checkout]

Targets: a generated source tree (``--corpus``, or one made with ``benchmarks/corpus.py``),
the work tree of ``--git-repo``, the full history of each ``--history`` repository and of
``--git-repo``, one small file (startup), and the pre-commit and pre-push hooks on one small
change in a clone of ``--git-repo``. Tools: keysweep (this checkout, and each ``--also``
checkout through ``PYTHONPATH``), Kingfisher (default and ``--turbo``; ``pip install
kingfisher-bin``), gitleaks and betterleaks where they are on PATH, and the limits: ``cat`` of
every file, ``rg -F -i`` for the rules' keywords, ``git cat-file --batch-all-objects --batch
--unordered``. Every tool runs once per round, interleaved, each round starting with another
tool and each target's files read once beforehand (so no tool is the one that finds them
out of the page cache); min and median seconds, MB/s, CPU %
(user + system over wall) and the peak memory of the whole process tree (the sum of each
process's proportional set size, sampled every 50 ms in one more, untimed round) are printed,
then each keysweep's ratio to every other tool. ``--only`` picks targets by name."""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks._peers import builds as keysweep_builds  # noqa: E402
from benchmarks._peers import kingfisher_binary  # noqa: E402

T = TypeVar("T")


@dataclass
class Tool:
    name: str
    argv: Callable[[Target], list[str] | None]  # None: this tool does not run on the target
    env: dict[str, str] = field(default_factory=dict)
    keysweep: bool = False


@dataclass
class Target:
    name: str
    path: Path
    kind: str  # tree, history, file
    size: int  # bytes of content read


@dataclass
class Sample:
    seconds: float
    cpu: float
    peak_mb: float


def _children(pid: int) -> list[int]:
    tree, frontier = [], [pid]
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    while frontier:
        current = frontier.pop()
        tree.append(current)
        frontier.extend(parents.get(current, []))
    return tree


def _pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def measure(argv: list[str], env: dict[str, str], cwd: Path, memory: bool = False) -> Sample:
    """One run; with ``memory``, the process tree's memory is sampled (which costs the run
    CPU time, so timed rounds do not sample)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **env}, cwd=cwd)
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _pss_mb(_children(proc.pid)))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    if memory:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1, 200):  # 1: findings; 200: Kingfisher's "found secrets"
        raise SystemExit(f"{' '.join(argv[:4])} exited {proc.returncode}: "
                         f"{stderr.decode(errors='replace')[-400:]}")
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / seconds
    return Sample(seconds, 100 * cpu, peak[0])


def warm(target: Target) -> None:
    """Read the target's files once, untimed, before its tools run in a round: git/git's
    history pushes 8 GB through the page cache between two rounds of the other targets,
    and the first tool of the next round would otherwise read from disk alone."""
    if target.kind == "history":
        packs = [target.path / "objects" / "pack", target.path / ".git" / "objects" / "pack"]
        files = [p for d in packs if d.is_dir() for p in d.iterdir()]
    else:
        files = list(target.path.rglob("*"))
    for path in files:
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError), path.open("rb") as f:
                while f.read(1 << 20):
                    pass


def rotated(items: list[T], n: int) -> list[T]:
    """``items`` starting at the ``n``-th: each round starts with another tool, so no tool is
    always the one that runs first."""
    k = n % len(items) if items else 0
    return items[k:] + items[:k]


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def history_size(repo: Path) -> int:
    out = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-all-objects",
                          "--unordered", "--batch-check=%(objecttype) %(objectsize)"],
                         capture_output=True, check=True).stdout
    return sum(int(size) for kind, size in (line.split() for line in out.splitlines())
               if kind == b"blob")


def keywords_file(into: Path) -> Path:
    from scanner.rules.loader import load_rules

    words = sorted({k.lower() for rule in load_rules().rules for k in rule.keywords})
    path = into / "keywords.txt"
    path.write_text("\n".join(words) + "\n")
    return path


def keysweep_tool(name: str, build: Path, jobs: int) -> Tool:
    def argv(t: Target) -> list[str]:
        command = "git" if t.kind == "history" else "scan"
        return [sys.executable, "-m", "scanner", command, str(t.path), "-f", "json",
                "--no-progress", "--no-config", "-j", str(jobs)]
    return Tool(name, argv, {"PYTHONPATH": str(build)}, keysweep=True)


def peer_tools(keywords: Path) -> list[Tool]:
    tools = []
    kingfisher = kingfisher_binary()
    if kingfisher:
        for turbo in ((), ("--turbo",)):
            def kf(t: Target, turbo: tuple[str, ...] = turbo) -> list[str]:
                history = ["--git-history", "full" if t.kind == "history" else "none"]
                return [kingfisher, "scan", str(t.path), "--no-validate", "--no-update-check",
                        *history, *turbo, "--format", "json"]
            tools.append(Tool("kingfisher" + (" --turbo" if turbo else ""), kf))
    for name in ("gitleaks", "betterleaks"):
        binary = shutil.which(name)
        if binary:
            def leaks(t: Target, binary: str = binary) -> list[str]:
                if t.kind == "history":
                    return [binary, "git", str(t.path), "--no-banner", "--exit-code", "0"]
                return [binary, "dir", str(t.path), "--no-banner", "--exit-code", "0"]
            tools.append(Tool(name, leaks))
    tools.append(Tool("cat (limit)", lambda t: None if t.kind == "history" else
                      ["sh", "-c", 'find "$0" -type f -print0 | xargs -0 cat > /dev/null',
                       str(t.path)]))
    if shutil.which("rg"):
        tools.append(Tool("rg -F -i keywords (limit)", lambda t: None if t.kind == "history"
                          else ["rg", "-F", "-i", "-c", "-uuu", "-f", str(keywords),
                                str(t.path)]))
    tools.append(Tool("git cat-file --unordered (limit)", lambda t: None
                      if t.kind != "history" else
                      ["git", "-C", str(t.path), "cat-file", "--batch-all-objects", "--batch",
                       "--unordered"]))
    return tools


def hook_rounds(mirror: Path, cache: Path, builds: dict[str, Path], rounds: int,
                ) -> dict[str, dict[str, list[float]]]:
    """Wall seconds of ``git commit`` and ``git push`` of one small change in a clone of
    ``mirror``, without hooks (``--no-verify``) and with each build's keysweep hook."""
    work, remote = cache / "hook-work", cache / "hook-remote.git"
    if not (work / ".git").exists():
        subprocess.run(["git", "clone", "-q", "--shared", str(mirror), str(work)], check=True)
        subprocess.run(["git", "clone", "-q", "--bare", "--shared", str(mirror), str(remote)],
                       check=True)
        # A named remote with tracking refs: the pre-push hook then checks only what the
        # push adds, as it does for a developer's origin.
        subprocess.run(["git", "-C", str(work), "remote", "add", "bench", str(remote)], check=True)
        subprocess.run(["git", "-C", str(work), "fetch", "-q", "bench"], check=True)
    git = ["git", "-C", str(work), "-c", "user.name=bench", "-c", "user.email=b@example.com"]
    hooks: dict[str, Path] = {}
    # The console script, as the hook ``keysweep hook install`` writes runs (``-m`` would add
    # runpy's imports); each build's package comes first on its PYTHONPATH.
    console = Path(sys.executable).with_name("keysweep")
    command = f'"{console}"' if console.exists() else f'"{sys.executable}" -m scanner'
    for name, build in builds.items():
        folder = cache / f"hooks-{name}"
        folder.mkdir(exist_ok=True)
        for hook in ("pre-commit", "pre-push"):
            script = folder / hook
            script.write_text(f'#!/bin/sh\nPYTHONPATH="{build}" exec {command} '
                              f'hook {hook} "$@"\n')
            script.chmod(0o755)
        hooks[name] = folder
    times: dict[str, dict[str, list[float]]] = {}
    entries: list[tuple[str, Path | None]] = [("no hook", None), *hooks.items()]
    for n in range(rounds):
        for name, hooks_dir in rotated(entries, n):
            (work / "bench-change.txt").write_text(f"round {n} {name}\n")
            subprocess.run([*git, "add", "bench-change.txt"], check=True)
            flags: list[str] = ["--no-verify"] if hooks_dir is None else []
            config = ["-c", f"core.hooksPath={hooks_dir}"] if hooks_dir else []
            started = time.perf_counter()
            subprocess.run([*git, *config, "commit", "-q", *flags, "-m", "bench"], check=True)
            commit = time.perf_counter() - started
            branch = f"refs/heads/bench-{os.getpid()}-{n}-{len(times.get(name, {}))}"
            started = time.perf_counter()
            subprocess.run([*git, *config, "push", "-q", *flags, "bench", f"HEAD:{branch}"],
                           check=True, capture_output=True)
            push = time.perf_counter() - started
            subprocess.run(["git", "-C", str(remote), "update-ref", "-d", branch], check=True)
            subprocess.run([*git, "reset", "-q", "--hard", "HEAD~1"], check=True)
            row = times.setdefault(name, {"commit": [], "push": []})
            row["commit"].append(commit)
            row["push"].append(push)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a generated tree (default: make one)")
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--git-repo", type=Path, help="git/git (bare): work tree, history, hooks")
    parser.add_argument("--history", action="append", default=[], metavar="NAME=REPO")
    parser.add_argument("--also", action="append", default=[], metavar="NAME=CHECKOUT",
                        help="another keysweep checkout to run beside this one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="keysweep -j (0: every core)")
    parser.add_argument("--only", action="append", default=[], help="run only these targets")
    parser.add_argument("--no-peers", action="store_true", help="keysweep and the limits only")
    parser.add_argument("--cache", type=Path,
                        default=Path(tempfile.gettempdir()) / "keysweep-bench-speed")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    jobs = args.jobs or os.cpu_count() or 1

    targets: list[Target] = []
    corpus = args.corpus or args.cache / "corpus" / "tree"
    if args.corpus is None and not corpus.exists():
        from benchmarks.corpus import make_corpus
        make_corpus(corpus, args.size_mb, seed=3)
    targets.append(Target("generated tree", corpus, "tree", tree_size(corpus)))
    repos = [tuple(h.split("=", 1)) for h in args.history]
    if args.git_repo:
        checkout = args.cache / "git-worktree"
        if not checkout.exists():
            checkout.mkdir()
            archive = subprocess.run(["git", "-C", str(args.git_repo), "archive", "HEAD"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(checkout)], input=archive, check=True)
        targets.append(Target("git/git work tree", checkout, "tree", tree_size(checkout)))
        repos.append(("git/git", str(args.git_repo)))
    for name, repo in repos:
        targets.append(Target(f"{name} history", Path(repo), "history", history_size(Path(repo))))
    small = args.cache / "small"
    small.mkdir(exist_ok=True)
    (small / "settings.py").write_text("DEBUG = True\nNAME = 'demo'\n")
    targets.append(Target("one small file (startup)", small, "file", 30))
    if args.only:
        targets = [t for t in targets if any(o in t.name for o in args.only)]

    builds = keysweep_builds(ROOT, args.also)
    tools = [keysweep_tool(name if name == "keysweep" else f"keysweep ({name})", build, jobs)
             for name, build in builds.items()]
    tools += [] if args.no_peers else peer_tools(keywords_file(args.cache))
    if args.no_peers:
        tools += [t for t in peer_tools(keywords_file(args.cache)) if "limit" in t.name]

    samples: dict[tuple[str, str], list[Sample]] = {}
    for n in range(args.rounds):
        for target in targets:
            warm(target)
            for tool in rotated(tools, n):
                argv = tool.argv(target)
                if argv is None:
                    continue
                samples.setdefault((target.name, tool.name), []).append(
                    measure(argv, tool.env, args.cache))
        print(f"round {n + 1} of {args.rounds} done", file=sys.stderr)
    peaks: dict[tuple[str, str], float] = {}
    for target in targets:  # one more round, sampling memory only
        warm(target)
        for tool in tools:
            argv = tool.argv(target)
            if argv is not None:
                peaks[(target.name, tool.name)] = measure(argv, tool.env, args.cache,
                                                          memory=True).peak_mb

    print(f"\n{os.cpu_count()} cores, {args.rounds} rounds, keysweep -j {jobs}; "
          "seconds: min (median)\n")
    print("| target | tool | seconds | MB/s | CPU % | peak MB |")
    print("|---|---|---:|---:|---:|---:|")
    for target in targets:
        for tool in tools:
            got = samples.get((target.name, tool.name))
            if not got:
                continue
            best = min(s.seconds for s in got)
            median = statistics.median(s.seconds for s in got)
            rate = f"{target.size / 1e6 / best:.1f}" if target.kind != "file" else "-"
            cpu = max(s.cpu for s in got if s.seconds == best)
            peak = peaks[(target.name, tool.name)]
            print(f"| {target.name} | {tool.name} | {best:.2f} ({median:.2f}) | {rate} | "
                  f"{cpu:.0f} | {peak:.0f} |")
    print("\nratios (keysweep min / other min; below 1 is faster):\n")
    for target in targets:
        for mine in (t for t in tools if t.keysweep):
            own = samples.get((target.name, mine.name))
            if not own:
                continue
            best = min(s.seconds for s in own)
            others = [f"{t.name} {best / min(s.seconds for s in theirs):.2f}x" for t in tools
                      if t is not mine and (theirs := samples.get((target.name, t.name)))]
            print(f"- {target.name}, {mine.name}: " + ", ".join(others))
    if args.git_repo and (not args.only or "hooks" in args.only):
        times = hook_rounds(args.git_repo, args.cache, builds, args.rounds)
        print("\nhooks on one small change in git/git (median seconds; added over --no-verify):\n")
        base = times["no hook"]
        for name, row in times.items():
            commit, push = statistics.median(row["commit"]), statistics.median(row["push"])
            extra = "" if name == "no hook" else (
                f"; +{commit - statistics.median(base['commit']):.3f} s pre-commit, "
                f"+{push - statistics.median(base['push']):.3f} s pre-push")
            print(f"- {name}: git commit {commit:.3f} s, git push {push:.3f} s{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
