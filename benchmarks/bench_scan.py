"""Scan benchmark: speed, peak memory, recall and precision of the real ``keysweep scan`` on a
generated, labelled corpus (``benchmarks.corpus``), with detect-secrets for comparison.

    python benchmarks/bench_scan.py --size-mb 200
    python benchmarks/bench_scan.py --corpus /path/to/tree      # labels.json beside it

Each measured command runs under a fresh wrapper process (``python -m benchmarks.bench_scan
--measure -- CMD ...``) that times it (wall clock, interpreter startup included) and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after it exits, so every figure belongs to
exactly one run. ru_maxrss is the peak of the largest single process of the run (the parent
or one worker); the wrapper also samples the summed RSS of the whole process tree from /proc,
printed as "tree RSS".

A finding matches a label when the path and the secret are equal (private keys compared by
type and base64 body, see ``corpus.normalize_secret``). precision = matching findings / all
findings; recall = labels found / labels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import (  # noqa: E402
    DEFAULT_KEYS_PER_MB,
    MiB,
    Planted,
    labels_path,
    load_labels,
    make_corpus,
    normalize_secret,
)

TARGETS = {
    "default": ("MB/s", 100.0, "≥100 MB/s default install"),
    "pyahocorasick": ("MB/s", 30.0, "≥30 MB/s pyahocorasick only"),
    "rss": ("MB", 500.0, "<500 MB peak"),
    "ratio": ("x", 50.0, "≥50× detect-secrets"),
}


# -- scoring --------------------------------------------------------------------------------


def redact8(secret: str) -> str:
    return secret[:8] + "…" if len(secret) > 8 else secret


@dataclass
class Score:
    labels: int
    findings: int
    matched_findings: int
    found: set[tuple[str, str]] = field(default_factory=set)
    missed: list[Planted] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return len(self.found) / self.labels if self.labels else 1.0

    @property
    def precision(self) -> float:
        return self.matched_findings / self.findings if self.findings else 1.0

    def report(self, examples: int = 5) -> str:
        """Misses by provider/kind and false positives by rule, with redacted examples."""
        out = []
        if self.missed:
            out.append(f"missed {len(self.missed)} of {self.labels} labels:")
            counts = Counter((m.provider, m.kind) for m in self.missed)
            for (provider, kind), n in counts.most_common():
                out.append(f"  {provider:<13} {kind:<12} {n}")
                misses = [m for m in self.missed if (m.provider, m.kind) == (provider, kind)]
                out.extend(f"      {redact8(m.secret):<12} {m.path}" for m in misses[:examples])
        if self.false_positives:
            out.append(f"{len(self.false_positives)} false positives "
                       f"(of {self.findings} findings):")
            by_rule = Counter(f["rule_id"] for f in self.false_positives)
            for rule, n in by_rule.most_common():
                out.append(f"  {rule:<36} {n}")
                shown = [f for f in self.false_positives if f["rule_id"] == rule]
                out.extend(f"      {redact8(f.get('secret', f.get('redacted', ''))):<12} "
                           f"{f['path']}:{f['line']}" for f in shown[:examples])
        return "\n".join(out) if out else "no misses, no false positives"


def score(labels: Iterable[Planted], findings: Sequence[dict[str, Any]]) -> Score:
    """Score keysweep JSON findings (``--show-secrets``) against the planted labels."""
    wanted = {(p.path, normalize_secret(p.secret)): p for p in labels}
    result = Score(labels=len(wanted), findings=len(findings), matched_findings=0)
    for f in findings:
        if "secret" not in f:
            raise ValueError("findings carry no secrets: scan with --show-secrets")
        key = (f["path"], normalize_secret(f["secret"]))
        if key in wanted:
            result.matched_findings += 1
            result.found.add(key)
        else:
            result.false_positives.append(f)
    result.missed = sorted((p for k, p in wanted.items() if k not in result.found),
                           key=lambda p: (p.provider, p.kind, p.path))
    return result


def score_detect_secrets(labels: Iterable[Planted], results: dict[str, list[dict[str, Any]]],
                         paths: set[str]) -> Score:
    """detect-secrets reports SHA-1 hashes of what it matched: compare those with the labels
    of the files it scanned (its private-key plugin hashes the header line, so those never
    match)."""
    wanted = {(p.path, hashlib.sha1(p.secret.encode()).hexdigest()): p
              for p in labels if p.path in paths}
    flat = [dict(r, path=_rel(name)) for name, rs in results.items() for r in rs]
    result = Score(labels=len(wanted), findings=len(flat), matched_findings=0)
    for r in flat:
        key = (r["path"], r["hashed_secret"])
        if key in wanted:
            result.matched_findings += 1
            result.found.add(key)
        else:
            result.false_positives.append({"rule_id": r["type"], "path": r["path"],
                                           "line": r.get("line_number"),
                                           "redacted": r["hashed_secret"][:8]})
    result.missed = [p for k, p in wanted.items() if k not in result.found]
    return result


def _rel(name: str) -> str:
    return name[2:] if name.startswith("./") else name


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Measure:
    seconds: float
    max_rss_mb: float  # ru_maxrss of the largest process of the run
    tree_rss_mb: float  # peak of the summed RSS of the process tree (sampled)
    code: int
    stderr: str


def _tree_rss(root_pid: int) -> int:
    """Summed RSS (bytes) of ``root_pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _measure_here(cmd: list[str], stdout_path: str | None) -> dict[str, Any]:
    """Run ``cmd`` as a child of this (fresh) process and measure it."""
    peak = 0
    stop = threading.Event()
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            if os.path.isdir("/proc"):
                peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if stdout_path:
        out.close()  # type: ignore[union-attr]
    maxrss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "max_rss_mb": maxrss_kib / 1024, "tree_rss_mb": peak / MiB,
            "code": proc.returncode, "stderr": err.decode("utf-8", "replace")[-4000:]}


def measure(cmd: list[str], stdout_path: str | None = None, cwd: str | None = None) -> Measure:
    """Measure ``cmd`` in a fresh wrapper process, so RUSAGE_CHILDREN covers this run only."""
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--measure"]
    if stdout_path:
        wrapper += ["--measure-stdout", stdout_path]
    proc = subprocess.run(wrapper + ["--"] + cmd, capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        raise RuntimeError(f"measuring wrapper failed:\n{proc.stderr}")
    return Measure(**json.loads(proc.stdout))


# -- corpus ---------------------------------------------------------------------------------


def corpus_bytes(tree: Path) -> tuple[int, int]:
    total = files = 0
    for dirpath, _, names in os.walk(tree):
        for n in names:
            total += os.lstat(os.path.join(dirpath, n)).st_size
            files += 1
    return total, files


def get_corpus(args: argparse.Namespace) -> tuple[Path, list[Planted]]:
    if args.corpus:
        tree = Path(args.corpus)
        return tree, load_labels(labels_path(tree))
    # keyed by size, seed, density and the generator's own source, so a changed generator
    # never reuses a stale corpus
    here = Path(__file__).resolve().parent
    source = b"".join((here / n).read_bytes() for n in ("corpus.py", "_filler.py", "_keys.py"))
    version = hashlib.sha256(source).hexdigest()[:10]
    key = f"size{args.size_mb:g}-seed{args.seed}-k{args.keys_per_mb:g}-{version}"
    base = Path(args.cache_dir) / key
    tree = base / "tree"
    done = base / "COMPLETE"
    if not done.exists() or args.regenerate:
        if base.exists():
            shutil.rmtree(base)
        base.mkdir(parents=True)
        t = time.perf_counter()
        print(f"generating a {args.size_mb:g} MB corpus (seed {args.seed}) in {tree} ...",
              flush=True)
        make_corpus(tree, args.size_mb, args.seed, args.keys_per_mb)
        print(f"  generated in {time.perf_counter() - t:.1f}s", flush=True)
        done.write_text("ok\n")
    else:
        print(f"reusing the corpus in {tree}", flush=True)
    return tree, load_labels(labels_path(tree))


def subset(tree: Path, limit_bytes: int, dest: Path, seed: int = 0) -> set[str]:
    """Hard-link about ``limit_bytes`` of ``tree``'s files into ``dest`` and return their
    relative paths. Files are taken in a seeded shuffle of the sorted list, so the sample has
    the corpus's mix of file types and sizes (the first files by path would be one service)."""
    import random

    files = sorted(p for p in tree.rglob("*") if p.is_file())
    random.Random(seed).shuffle(files)
    chosen: set[str] = set()
    total = 0
    for src in files:
        if total >= limit_bytes:
            break
        rel = src.relative_to(tree).as_posix()
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, target)
        except OSError:
            shutil.copy2(src, target)
        chosen.add(rel)
        total += src.stat().st_size
    return chosen


# -- main -----------------------------------------------------------------------------------


@dataclass
class Row:
    engine: str
    mb: float
    m: Measure
    findings: int
    score: Score | None

    @property
    def mbps(self) -> float:
        return self.mb / self.m.seconds if self.m.seconds else float("inf")


def keysweep_cmd() -> list[str]:
    script = Path(sys.executable).with_name("keysweep")
    if script.exists():
        return [str(script)]
    found = shutil.which("keysweep")
    return [found] if found else [sys.executable, "-m", "scanner"]


def run_keysweep(tree: Path, engine: str, labels: list[Planted], workdir: Path,
                 mb: float, extra: Sequence[str], repeat: int = 1) -> Row:
    """Run the scan ``repeat`` times (each in a fresh wrapper) and keep the median run."""
    report = workdir / f"report-{engine}.json"
    runs = []
    for _ in range(max(1, repeat)):
        if report.exists():
            report.unlink()
        cmd = keysweep_cmd() + ["scan", str(tree), "-f", "json", "-o", str(report),
                                "--show-secrets", "--no-progress", "--engine", engine, *extra]
        m = measure(cmd)
        if m.code not in (0, 1):
            raise RuntimeError(f"keysweep exited {m.code}:\n{m.stderr}")
        runs.append(m)
    m = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    doc = json.loads(report.read_text())
    used = doc.get("stats", {}).get("engine", engine)
    findings = doc["findings"]
    return Row(f"keysweep {engine} ({used})", mb, m, len(findings), score(labels, findings))


def run_detect_secrets(tree: Path, labels: list[Planted], limit_mb: float | None,
                       workdir: Path, total_mb: float) -> Row | None:
    exe = shutil.which("detect-secrets") or str(Path(sys.executable).with_name("detect-secrets"))
    if not Path(exe).exists():
        print("detect-secrets is not installed: skipped", flush=True)
        return None
    target = tree
    paths: set[str] | None = None
    mb = total_mb
    if limit_mb is not None and limit_mb < total_mb:
        target = workdir / "ds-subset"
        if target.exists():
            shutil.rmtree(target)
        paths = subset(tree, int(limit_mb * MiB), target)
        mb = corpus_bytes(target)[0] / MiB
    if paths is None:
        paths = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
    out = workdir / "detect-secrets.json"
    print(f"running detect-secrets on {mb:.1f} MB ...", flush=True)
    m = measure([exe, "scan", "--all-files", "."], stdout_path=str(out), cwd=str(target))
    if m.code != 0:
        raise RuntimeError(f"detect-secrets exited {m.code}:\n{m.stderr}")
    results = json.loads(out.read_text())["results"]
    s = score_detect_secrets(labels, results, paths)
    return Row("detect-secrets", mb, m, s.findings, s)


def table(rows: list[Row]) -> str:
    head = (f"{'engine':<34} {'MB':>8} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>11} "
            f"{'tree RSS MB':>11} {'findings':>8} {'recall':>7} {'precision':>9}")
    lines = [head, "-" * len(head)]
    for r in rows:
        rec = f"{r.score.recall:.4f}" if r.score else "-"
        prec = f"{r.score.precision:.4f}" if r.score else "-"
        lines.append(f"{r.engine:<34} {r.mb:>8.1f} {r.m.seconds:>8.2f} {r.mbps:>8.1f} "
                     f"{r.m.max_rss_mb:>11.1f} {r.m.tree_rss_mb:>11.1f} {r.findings:>8} "
                     f"{rec:>7} {prec:>9}")
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=float, default=200.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keys-per-mb", type=float, default=DEFAULT_KEYS_PER_MB)
    ap.add_argument("--corpus", help="scan this tree (labels.json beside it) instead")
    ap.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(),
                                                        "keysweep-bench-corpus"))
    ap.add_argument("--regenerate", action="store_true", help="rebuild a cached corpus")
    ap.add_argument("--detect-secrets-mb", type=float, default=None,
                    help="run detect-secrets on only N MB of the files (a seeded sample)")
    ap.add_argument("--no-detect-secrets", action="store_true")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each keysweep scan N times and report the median run")
    ap.add_argument("--jobs", "-j", type=int, default=None, help="passed to keysweep scan")
    ap.add_argument("--examples", type=int, default=5, help="examples per miss/FP group")
    args = ap.parse_args(argv)

    tree, labels = get_corpus(args)
    total, nfiles = corpus_bytes(tree)
    mb = total / MiB
    print(f"corpus: {tree}: {nfiles} files, {mb:.1f} MB, {len(labels)} planted labels "
          f"({len({p.provider for p in labels})} providers)", flush=True)
    extra = ["-j", str(args.jobs)] if args.jobs else []
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="keysweep-bench-") as tmp:
        work = Path(tmp)
        for engine in ("auto", "pyahocorasick"):
            print(f"running keysweep --engine {engine} ...", flush=True)
            rows.append(run_keysweep(tree, engine, labels, work, mb, extra, args.repeat))
        ds = None if args.no_detect_secrets else run_detect_secrets(
            tree, labels, args.detect_secrets_mb, work, mb)
        if ds:
            rows.append(ds)

    print()
    print(table(rows))
    print()
    default, aho = rows[0], rows[1]
    peak = max(max(r.m.max_rss_mb for r in rows[:2]), 0.0)
    tree_peak = max(r.m.tree_rss_mb for r in rows[:2])
    print("targets:")
    print(f"  {TARGETS['default'][2]:<30} {default.mbps:8.1f} MB/s   "
          f"{verdict(default.mbps >= 100)}")
    print(f"  {TARGETS['pyahocorasick'][2]:<30} {aho.mbps:8.1f} MB/s   {verdict(aho.mbps >= 30)}")
    print(f"  {TARGETS['rss'][2]:<30} {peak:8.1f} MB     {verdict(peak < 500)}"
          f"   (whole process tree: {tree_peak:.1f} MB)")
    if ds:
        ratio = default.mbps / ds.mbps
        print(f"  {TARGETS['ratio'][2]:<30} {ratio:8.1f}x       {verdict(ratio >= 50)}"
              f"   (detect-secrets {ds.mbps:.2f} MB/s on {ds.mb:.1f} MB)")
    print()
    for r in rows:
        if r.score is None:
            continue
        print(f"== {r.engine}: recall {r.score.recall:.4f}, precision {r.score.precision:.4f}")
        print(r.score.report(args.examples))
        print()
    if rows[0].score and rows[1].score and (
            {(f["path"], f.get("secret")) for f in rows[0].score.false_positives}
            != {(f["path"], f.get("secret")) for f in rows[1].score.false_positives}
            or rows[0].score.found != rows[1].score.found):
        print("WARNING: the two keysweep engines disagree")
    return 0


def _measure_main(argv: list[str]) -> int:
    stdout_path = None
    if argv and argv[0] == "--measure-stdout":
        stdout_path, argv = argv[1], argv[2:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    print(json.dumps(_measure_here(argv, stdout_path)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        raise SystemExit(_measure_main(sys.argv[2:]))
    raise SystemExit(main())
