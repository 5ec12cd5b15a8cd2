"""Pathological inputs against ordinary code: long single lines dense with candidates must
cost time linear in their size, like any other text.

    python benchmarks/bench_pathological.py [--rounds 3] [--keysweep "python -m scanner"]

Each input is generated (seeded) into a temporary directory and scanned by a real
``keysweep scan`` process (one job, so the per-byte cost is compared, not the parallelism);
rounds are interleaved and the minimum is kept. Printed per input: size, findings, seconds
(end to end, as a user waits; the start-up, a scan of an empty file, is shown), MB/s, the
ratio of ordinary code's MB/s to its own (the issue's target: within 3x), and the cost per
finding: on the dense inputs nearly every byte is part of a real key, and each one is
confirmed, paired and reported. Each one-line input is also scanned as the same content cut
into ordinary lines (one key, pair or code fragment per line): the column ``vs lines`` is the
one-line time over that one, so it reads 1.0x when a long line costs what its bytes cost
anywhere else (linear), whatever the findings themselves cost. Kingfisher (``pip install
kingfisher-bin``) runs on the same files where it is installed (``--no-kingfisher`` skips it).
``--keysweep`` runs another build (say, an older checkout
via PYTHONPATH) for a before/after comparison in the same run; run it from outside the
checkout then, since ``python -m`` puts the current directory ahead of PYTHONPATH."""

from __future__ import annotations

import argparse
import json
import random
import shlex
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._filler import Filler, Vocab  # noqa: E402
from benchmarks._peers import byte_compiled, kingfisher_binary  # noqa: E402

ALNUM = string.ascii_letters + string.digits
B32 = string.ascii_uppercase + "234567"


def _s(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def ordinary_code(rng: random.Random) -> str:
    """About 8 MB of generated source in several languages."""
    filler = Filler(rng, Vocab(rng))
    parts, size = [], 0
    cats = ["py", "js", "java", "go", "yaml", "properties", "sh", "md"]
    while size < 8 << 20:
        block = filler.block(rng.choice(cats))
        parts.append(block)
        size += len(block)
    return "\n".join(parts)


def alibaba_pairs(rng: random.Random) -> list[str]:
    """5,000 Alibaba AccessKey ID/secret pairs on one 0.28 MB line: ID, secret, ID, ..."""
    return [f"LTAI{_s(rng, 20)} {_s(rng, 30)}" for _ in range(5000)]


def aws_ids(rng: random.Random) -> list[str]:
    """20,000 AWS access key IDs on one 8.4 MB line, with minified code between them."""
    filler = Filler(rng, Vocab(rng))
    blob = "".join(filler.block("bundle").replace("\n", ";") for _ in range(60))
    out = []
    for _ in range(20000):
        at = rng.randrange(0, len(blob) - 400)
        out.append(blob[at:at + 396] + f'"AKIA{_s(rng, 16, B32)}"')
    return out


def minified_bundle(rng: random.Random) -> list[str]:
    """One 8 MB line of minified code with a key every 100 kB (long, not dense)."""
    filler = Filler(rng, Vocab(rng))
    parts, size = [], 0
    while size < 8 << 20:
        block = filler.block("bundle").replace("\n", ";")
        parts.append(block)
        size += len(block)
        if len(parts) % 200 == 0:
            parts.append(f'k="AKIA{_s(rng, 16, B32)}",s="{_s(rng, 40)}"')
    return parts


# name -> (the pieces, what joins them on the one line)
ONE_LINE: dict[str, tuple[Callable[[random.Random], list[str]], str]] = {
    "alibaba pairs": (alibaba_pairs, " "),
    "aws ids, 8 MB": (aws_ids, ";"),
    "minified bundle": (minified_bundle, ";"),
}


def inputs(directory: Path) -> dict[str, Path]:
    """Ordinary code, then each one-line input and the same pieces one per line."""
    files = {"ordinary code": directory / "code.txt"}
    files["ordinary code"].write_text(ordinary_code(random.Random(1000)))
    for i, (name, (make, joiner)) in enumerate(ONE_LINE.items(), start=1):
        pieces = make(random.Random(1000 + i))
        for shape, sep in (("one line", joiner), ("lines", "\n")):
            path = directory / f"input{i}-{shape.replace(' ', '-')}.txt"
            path.write_text(sep.join(pieces) + "\n")
            files[f"{name}, {shape}"] = path
    return files


def scan(keysweep: list[str], path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run([*keysweep, "scan", str(path), "-j", "1", "-f", "json",
                           "--no-progress"], capture_output=True)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"keysweep failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return seconds, len(json.loads(proc.stdout)["findings"])


def kingfisher_scan(binary: str, path: Path) -> tuple[float, int]:
    """Kingfisher with validation off; the findings it reports (its own filters applied)."""
    started = time.perf_counter()
    proc = subprocess.run([binary, "scan", str(path), "--no-validate", "--no-update-check",
                           "--git-history", "none", "--format", "json"], capture_output=True)
    seconds = time.perf_counter() - started
    try:
        # the report is the first JSON document; a summary document follows it
        report, _ = json.JSONDecoder().raw_decode(proc.stdout.decode())
        found = len(report["findings"])
    except (ValueError, KeyError):
        tail = proc.stderr.decode()[-500:]
        raise SystemExit(f"kingfisher failed ({proc.returncode}): {tail}") from None
    return seconds, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keysweep", default=f"{sys.executable} -m scanner",
                        help="the command to run (default: this checkout)")
    parser.add_argument("--no-kingfisher", action="store_true")
    args = parser.parse_args()
    keysweep = shlex.split(args.keysweep)
    byte_compiled(Path(__file__).resolve().parents[1])
    kingfisher = "" if args.no_kingfisher else kingfisher_binary()
    with tempfile.TemporaryDirectory(prefix="keysweep-patho-") as tmp:
        files = inputs(Path(tmp))
        empty = Path(tmp) / "empty.txt"
        empty.write_text("")
        startup = float("inf")
        best: dict[str, tuple[float, int]] = {}
        peer: dict[str, tuple[float, int]] = {}

        def keep(into: dict[str, tuple[float, int]], name: str, run: tuple[float, int]) -> None:
            if name not in into or run[0] < into[name][0]:
                into[name] = run

        for _ in range(args.rounds):  # interleaved: every input once per round
            startup = min(startup, scan(keysweep, empty)[0])
            for name, path in files.items():
                keep(best, name, scan(keysweep, path))
                if kingfisher:
                    keep(peer, name, kingfisher_scan(kingfisher, path))
        base = files["ordinary code"].stat().st_size / best["ordinary code"][0]
        print(f"start-up (an empty file): {startup:.2f} s")
        print(f"{'input':<28} {'MB':>6} {'findings':>9} {'seconds':>8} {'MB/s':>7} "
              f"{'vs code':>8} {'vs lines':>9} {'ms/finding':>11}"
              + (f" {'kingfisher s':>13} {'found':>6}" if kingfisher else ""))
        for name, path in files.items():
            seconds, found = best[name]
            size = path.stat().st_size
            rate = size / seconds
            per = f"{1000 * seconds / found:.3f}" if found else "-"
            lines = name.replace(", one line", ", lines")
            versus = f"{seconds / best[lines][0]:.1f}x" if lines != name else "-"
            row = (f"{name:<28} {size / 1e6:>6.2f} {found:>9} {seconds:>8.2f} {rate / 1e6:>7.2f} "
                   f"{base / rate:>7.1f}x {versus:>9} {per:>11}")
            if kingfisher:
                row += f" {peer[name][0]:>13.2f} {peer[name][1]:>6}"
            print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
