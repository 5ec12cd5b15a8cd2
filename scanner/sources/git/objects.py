"""Read git objects through one long-lived ``git cat-file --batch`` process: either every
object in the repository in pack order (a full-history scan), or a given list of ids. Each
object's content is handed out as a stream of exactly its size, so huge blobs are never held
in memory."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from scanner.sources.git.command import Git, GitError, first_error
from scanner.sources.reader import Readable

LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


@dataclass(slots=True)
class GitObject:
    sha: str
    type: str  # blob, tree, commit, tag; "missing" when the id is not in the repository
    size: int
    content: Readable  # exactly ``size`` bytes; unread bytes are skipped afterwards


def iter_all_objects(git: Git) -> Iterator[GitObject]:
    """Every object in the repository, each once, in pack order (the fastest order)."""
    yield from _read(git, ["cat-file", "--batch-all-objects", "--unordered", "--batch"], None)


def iter_objects(git: Git, ids: Iterable[str]) -> Iterator[GitObject]:
    """The given objects, in the given order."""
    yield from _read(git, ["cat-file", "--batch"], ids)


def _read(git: Git, args: list[str], ids: Iterable[str] | None) -> Iterator[GitObject]:
    proc = git.popen(args, stdin=ids is not None)
    assert proc.stdout is not None and proc.stderr is not None
    errors: list[bytes] = []
    threads = [_drain(proc.stderr, errors)]  # a full stderr pipe would stall git
    if ids is not None:
        assert proc.stdin is not None
        # Write the ids from a thread: writing them all first could fill the pipe while git
        # waits for us to read its output.
        threads.append(start_thread(write_ids, proc.stdin, ids))
    out = proc.stdout
    ok = False
    try:
        while True:
            header = out.readline()
            if not header:
                break
            parts = header.split()
            if len(parts) == 2 and parts[1] == b"missing":
                yield GitObject(parts[0].decode(), "missing", 0, io.BytesIO())
                continue
            if len(parts) != 3:
                raise GitError(f"unexpected output from git cat-file: {header[:80]!r}")
            sha, kind, size = parts[0].decode(), parts[1].decode(), int(parts[2])
            content = _Exact(out, size)
            yield GitObject(sha, kind, size, content)
            content.skip_rest()
            out.read(1)  # the newline after each object
        ok = True
    finally:
        if not ok:
            proc.kill()
        proc.stdout.close()
        code = proc.wait()
        for thread in threads:
            thread.join(timeout=5)
        proc.stderr.close()
    stderr = b"".join(errors)
    if code != 0:
        raise GitError(f"git cat-file failed in {git.repo}: {first_error(stderr)}")
    raise_if_corrupt(git, stderr)


def start_thread(target: Callable[..., None], *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _drain(stream: IO[bytes], into: list[bytes]) -> threading.Thread:
    return start_thread(lambda: into.extend(iter(lambda: stream.read(65536), b"")))


class CatFile:
    """A ``git cat-file --batch`` process kept for many requests, so git's cache of delta
    bases stays warm across them (a process per request unpacks the same bases again)."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self._proc = git.popen(["cat-file", "--batch"], stdin=True)
        assert self._proc.stderr is not None
        # Non-blocking: git writes why an object is unreadable to stderr just before its
        # "missing" line on stdout, so the reason is there to read when that line arrives.
        os.set_blocking(self._proc.stderr.fileno(), False)
        self._errors = b""

    def _stderr(self) -> bytes:
        assert self._proc.stderr is not None
        self._errors += self._proc.stderr.read() or b""
        return self._errors

    def read(self, ids: Sequence[str]) -> Iterator[GitObject]:
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        writer = start_thread(write_ids, proc.stdin, ids, False)
        out = proc.stdout
        for _ in ids:
            header = out.readline()
            if not header:
                proc.wait()
                raise GitError(f"git cat-file failed in {self.git.repo}: "
                               f"{first_error(self._stderr())}")
            parts = header.split()
            if len(parts) == 2 and parts[1] == b"missing":
                raise_if_corrupt(self.git, self._stderr())
                yield GitObject(parts[0].decode(), "missing", 0, io.BytesIO())
                continue
            sha, kind, size = parts[0].decode(), parts[1].decode(), int(parts[2])
            content = _Exact(out, size)
            yield GitObject(sha, kind, size, content)
            content.skip_rest()
            out.read(1)
        writer.join()

    def close(self) -> None:
        """End the git process and close its three pipes (idempotent). Closing stdout too
        lets a git still writing an object we stopped reading exit instead of blocking."""
        proc = self._proc
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):  # a broken pipe: git already exited
                    stream.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> CatFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def raise_if_corrupt(git: Git, stderr: bytes) -> None:
    if any(word in stderr for word in (b"corrupt", b"unable to unpack", b"inflate")):
        # git reports a corrupt object as "missing" on stdout and says why only on stderr
        bad = re.search(rb"\b(?:[0-9a-f]{64}|[0-9a-f]{40})\b", stderr)
        which = f"object {bad.group().decode()[:12]}" if bad else "an object"
        raise GitError(f"git: {which} is corrupt in {git.repo} ({first_error(stderr)}); "
                       "try `git fsck`")


def write_ids(stdin: IO[bytes], ids: Iterable[str], close: bool = True) -> None:
    try:
        for sha in ids:
            stdin.write(sha.encode() + b"\n")
        if close:
            stdin.close()
        else:
            stdin.flush()
    except (BrokenPipeError, OSError):  # git exited early; its error is reported by the reader
        pass


class _Exact(io.RawIOBase):
    """Exactly ``size`` bytes of an underlying stream."""

    def __init__(self, inner: Readable, size: int) -> None:
        self._inner = inner
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        data = self._inner.read(min(len(buffer), self._left))
        if not data:
            raise GitError("git cat-file output ended in the middle of an object")
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > self._left:
            size = self._left
        if size <= 0:
            return b""
        data = self._inner.read(size)
        if len(data) < size:
            raise GitError("git cat-file output ended in the middle of an object")
        self._left -= len(data)
        return data

    def skip_rest(self) -> None:
        while self._left > 0:
            self.read(min(self._left, 1 << 20))


LISTING_BATCH = 4096  # blobs handed from the listing thread at a time


def list_blobs(git: Git) -> list[tuple[str, int]]:
    """Every blob in the repository with its size, in pack order (reading objects in this
    order lets git reuse delta bases instead of unpacking them again)."""
    return [blob for batch in _blob_batches(git) for blob in batch]


def _blob_batches(git: Git) -> Iterator[list[tuple[str, int]]]:
    with git.popen(["cat-file", "--batch-all-objects", "--unordered",
                    "--batch-check=%(objecttype) %(objectname) %(objectsize)"]) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        batch: list[tuple[str, int]] = []
        for line in proc.stdout:
            f = line.split()
            # "<id> missing" lines (a corrupt object) are told by stderr, read below
            if len(f) == 3 and f[0] == b"blob":
                batch.append((f[1].decode(), int(f[2])))
                if len(batch) >= LISTING_BATCH:
                    yield batch
                    batch = []
        if batch:
            yield batch
        stderr = proc.stderr.read()
    if proc.returncode != 0:
        raise GitError(f"git cat-file failed in {git.repo}: {first_error(stderr)}")
    raise_if_corrupt(git, stderr)


class BlobListing:
    """``list_blobs``, read by a thread as fast as git lists the objects and handed out as
    they arrive: a whole-history scan starts on the first blobs while git still lists the
    rest (1.2 s for git/git's 849,014 objects). ``total`` is the sum of the blobs' sizes
    once the listing is complete, None before. Iterated once; a listing error is raised at
    its end."""

    def __init__(self, git: Git) -> None:
        self.total: int | None = None
        self._batches: queue.SimpleQueue[list[tuple[str, int]] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = start_thread(self._read, git)

    def _read(self, git: Git) -> None:
        try:
            total = 0
            for batch in _blob_batches(git):
                total += sum(size for _, size in batch)
                self._batches.put(batch)
            self.total = total
        except BaseException as exc:  # noqa: BLE001 - raised where the listing is read
            self._error = exc
        finally:
            self._batches.put(None)

    def __iter__(self) -> Iterator[tuple[str, int]]:
        while (batch := self._batches.get()) is not None:
            yield from batch
        self._thread.join()
        if self._error is not None:
            raise self._error
