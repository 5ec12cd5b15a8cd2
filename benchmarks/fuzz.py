"""The fuzz tests (tests/test_fuzz.py) with a longer budget than CI's: the "long" hypothesis
profile, randomized (a new seed each run, printed on failure with the example to reproduce).

    python benchmarks/fuzz.py --examples 5000 [-k archive] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000,
                        help="examples per property (real-git ones get a twentieth)")
    parser.add_argument("--seed", help="hypothesis seed, to replay a run")
    parser.add_argument("-k", dest="select", help="only the properties matching (pytest -k)")
    args = parser.parse_args()
    env = {**os.environ, "KEYSWEEP_FUZZ_PROFILE": "long",
           "KEYSWEEP_FUZZ_EXAMPLES": str(args.examples)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--hypothesis-show-statistics", "--timeout=0", str(ROOT / "tests" / "test_fuzz.py")]
    if args.seed:
        cmd.append(f"--hypothesis-seed={args.seed}")
    if args.select:
        cmd += ["-k", args.select]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
