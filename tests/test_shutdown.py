"""Stopping keysweep leaves nothing behind: after SIGTERM, SIGINT or kill -9 of the
coordinator, its worker processes and every git process they started are gone. Processes
are counted by a marker in their environment, which every child inherits, so orphans
re-parented to init are counted too."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import SECRET2, leak
from tests.helpers.run import keysweep_command
from tests.test_sweep import HeldRemote, wait_until


def _marked(marker: str) -> list[tuple[int, str]]:
    """Live processes (pid, command line) whose environment carries the marker."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if marker.encode() not in f.read():
                    continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":  # a zombie holds nothing
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found.append((int(entry), f.read().replace(b"\0", b" ").decode(errors="replace")))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.fixture
def busy_sweep(tmp_path: Path):
    """A two-worker sweep held on a remote that never answers, with its git processes up."""
    for i in range(4):
        GitRepo(tmp_path / "org" / f"r{i}").commit("c", **{"k.ini": leak(SECRET2)})
    marker = f"KEYSWEEP_TEST_MARK={uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env[marker.split("=")[0]] = marker.split("=")[1]
    with HeldRemote() as remote:
        listing = tmp_path / "repos.txt"
        repos = [str(tmp_path / "org" / f"r{i}") for i in range(4)]
        listing.write_text("\n".join([remote.url, remote.url + "2", *repos]) + "\n")
        proc = subprocess.Popen(
            [*keysweep_command(), "sweep", str(listing), "--db", str(tmp_path / "s.db"),
             "--cache", str(tmp_path / "cache"), "--jobs", "2"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            # as from a terminal: pytest-xdist's workers ignore SIGINT, and an ignored signal
            # stays ignored in every process they start
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            wait_until(lambda: sum("clone" in cmd for _, cmd in _marked(marker)) >= 2, 120,
                       "both workers cloning the held remote")
            yield proc, marker
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=60)
            remote.released.set()


def _nothing_left(marker: str) -> None:
    wait_until(lambda: not _marked(marker), 30, "every worker and git process gone")


def test_kill_9_of_the_coordinator_ends_its_workers_and_their_git(busy_sweep):
    proc, marker = busy_sweep
    assert len(_marked(marker)) >= 5  # coordinator, two workers, their git clones
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    _nothing_left(marker)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_sigint_stop_everything_and_exit_with_their_code(busy_sweep, sig, code):
    proc, marker = busy_sweep
    os.kill(proc.pid, sig)
    out, err = proc.communicate(timeout=60)  # the pipes close: no worker holds them open
    assert proc.returncode == code, err
    assert b"Traceback" not in err
    _nothing_left(marker)
