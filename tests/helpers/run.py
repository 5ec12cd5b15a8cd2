"""Run the real ``keysweep`` command in a subprocess and explain a mismatch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def keysweep_command() -> list[str]:
    """The installed console script next to this interpreter."""
    script = Path(sys.executable).with_name("keysweep")
    if script.exists():
        return [str(script)]
    found = shutil.which("keysweep")
    assert found, "keysweep is not installed here: pip install -e '.[test]'"
    return [found]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_keysweep(*args: str | os.PathLike[str], expected_code: int | None = 0,
                 cwd: str | os.PathLike[str] | None = None, input: str | bytes | None = None,
                 env: dict[str, str] | None = None, timeout: float = 300,
                 prefix: list[str] | None = None) -> Run:
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        (prefix or []) + keysweep_command() + [str(a) for a in args], cwd=cwd, env=full_env,
        timeout=timeout, input=input.encode() if isinstance(input, str) else input,
        capture_output=True,
    )
    run = Run(proc.returncode, proc.stdout.decode("utf-8", "replace"),
              proc.stderr.decode("utf-8", "replace"))
    if expected_code is not None and run.code != expected_code:
        raise AssertionError(
            f"keysweep {' '.join(map(str, args))} exited {run.code}, expected {expected_code}\n"
            f"--- stdout ---\n{run.stdout[-4000:]}\n--- stderr ---\n{run.stderr[-4000:]}")
    return run


def as_unprivileged() -> list[str]:
    """A command prefix under which file permissions apply even to root (tests often run as
    root in containers): drop the capabilities that bypass them."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root needs util-linux's setpriv to test permission errors"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def verify_by_place(tree: str | os.PathLike[str],
                    endpoints: dict[str, str]) -> tuple[dict[tuple[str, str], list[Any]], str]:
    """``keysweep scan TREE --verify`` against loopback endpoints (verifier name -> URL) over
    a tree laid out as ``provider/case/...``: each (provider, case)'s verifications, and
    everything the run printed."""
    args = [a for name, url in endpoints.items() for a in ("--verify-endpoint", f"{name}={url}")]
    run = run_keysweep("scan", tree, "--verify", *args, "--verify-timeout", "3", "-f", "json",
                       expected_code=1, timeout=120)
    verdicts: dict[tuple[str, str], list[Any]] = {}
    for finding in run.json()["findings"]:
        provider, case = str(finding["path"]).split("/")[:2]
        verdicts.setdefault((provider, case), []).append(finding["verification"])
    return verdicts, run.stdout + run.stderr
