"""Stopping a process with everything it started. A worker's git processes may sit in
sessions of their own (a clone is, so its timeout can take ``git-remote-http`` down with it),
so a process group does not hold them all; the parent links in ``/proc`` do."""

from __future__ import annotations

import contextlib
import os
import signal


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (Linux ``/proc``; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                # the name in parentheses may hold spaces: the fields after it are fixed
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), ()):
            found.append(child)
            stack.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and everything below it; a few passes catch what forked meanwhile.
    Where ``/proc`` is missing, the process group named by ``pid`` stands in."""
    for _ in range(3):
        below = descendants(pid)
        for child in below:
            _kill(child)
        if not below:
            break
    if not os.path.isdir("/proc"):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    _kill(pid)


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):  # gone already, or not ours
        os.kill(pid, signal.SIGKILL)
