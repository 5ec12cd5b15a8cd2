"""Archives and compressed files (zip/jar, tar, gzip/tgz, bzip2, xz): their members are
scanned as ``archive.zip!inner/path``. Depth, member count, total size and compression
ratio are limited, so a zip bomb is reported and skipped, never expanded."""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, cast

from scanner.models import Chunk, Origin, Skipped, unexpected
from scanner.sources.reader import SNIFF_BYTES, Readable

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
STREAM_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}
_SUFFIXES = {"gzip": (".gz", ".tgz"), "bzip2": (".bz2", ".tbz2"), "xz": (".xz", ".txz")}

if TYPE_CHECKING:
    import zipfile


def _corrupt() -> tuple[type[BaseException], ...]:
    """What a damaged archive raises. The archive modules are imported only once an archive
    is met: most scans, and every hook on a source change, never open one."""
    import lzma
    import tarfile
    import zipfile

    return (zipfile.BadZipFile, tarfile.TarError, EOFError, lzma.LZMAError, zlib.error,
            OSError, ValueError, NotImplementedError)


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_depth: int = 3
    max_members: int = 10_000
    max_total_bytes: int = 1 << 30
    max_ratio: float = 100.0
    ratio_floor: int = 1 << 20  # members smaller than this may compress as well as they like


class LimitExceeded(Exception):
    pass


@dataclass(slots=True)
class Budget:
    """What one top-level input has used so far, across all its nested archives."""

    limits: ArchiveLimits
    members: int = 0
    bytes: int = 0


def container_kind(head: bytes) -> str | None:
    if head.startswith(ZIP_MAGIC):
        return "zip"
    for magic, kind in STREAM_MAGIC.items():
        if head.startswith(magic):
            return kind
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


ChunkReader = Callable[[bytes, Readable, Origin, int, Budget], Iterator[Chunk | Skipped]]


def iter_archive(kind: str, head: bytes, rest: Readable, origin: Origin, depth: int,
                 budget: Budget, read_member: ChunkReader) -> Iterator[Chunk | Skipped]:
    """Chunks of every member; ``read_member`` scans one member (and recurses into archives)."""
    if depth >= budget.limits.max_depth:
        yield Skipped(origin.path, f"archive nested more than {budget.limits.max_depth} deep; "
                                   "not opened")
        return
    try:
        if kind == "zip":
            yield from _zip(head, rest, origin, depth, budget, read_member)
        elif kind == "tar":
            yield from _tar(_Prefixed(head, rest), origin, depth, budget, read_member,
                            lambda: 0)
        else:
            yield from _compressed(kind, head, rest, origin, depth, budget, read_member)
    except LimitExceeded as exc:
        yield Skipped(origin.path, str(exc))
    except _corrupt() as exc:
        yield Skipped(origin.path, f"corrupt or unreadable archive ({type(exc).__name__}: {exc})")
    except Exception as exc:  # noqa: BLE001 - contained at the archive, the scan goes on
        yield Skipped(origin.path, unexpected(exc))


def _member(budget: Budget, origin: Origin, name: str) -> Origin:
    budget.members += 1
    if budget.members > budget.limits.max_members:
        raise LimitExceeded(f"more than {budget.limits.max_members} archive members; rest skipped")
    return Origin(f"{origin.path}!{name}", origin.commit, origin.author, origin.date)


def _zip(head: bytes, rest: Readable, origin: Origin, depth: int, budget: Budget,
         read_member: ChunkReader) -> Iterator[Chunk | Skipped]:
    if _seekable(rest):
        seekable = cast(IO[bytes], rest)  # a real file: zip reads it in place
        seekable.seek(0)
        yield from _zip_members(seekable, origin, depth, budget, read_member)
        return
    # A member of another archive: zip needs random access, so copy it out (to disk when big).
    import tempfile

    with tempfile.SpooledTemporaryFile(max_size=32 << 20) as spool:
        spool.write(head)
        while block := rest.read(1 << 20):  # ``rest`` already counts against the budget
            spool.write(block)
        spool.seek(0)
        yield from _zip_members(spool, origin, depth, budget, read_member)


def _seekable(stream: Readable) -> bool:
    try:
        return bool(getattr(stream, "seekable", lambda: False)())
    except (AttributeError, OSError):  # a member of a streamed tar.gz raises when asked
        return False


def _zip_members(source: IO[bytes], origin: Origin, depth: int, budget: Budget,
                 read_member: ChunkReader) -> Iterator[Chunk | Skipped]:
    import zipfile

    limits = budget.limits
    with zipfile.ZipFile(source) as zf:
        for info in zf.infolist():
            if not info.filename:  # ZipInfo.is_dir() itself fails on an empty name
                yield Skipped(f"{origin.path}!", "archive member without a name; not read")
                continue
            if info.is_dir():
                continue
            member = _member(budget, origin, info.filename)
            if info.file_size > limits.ratio_floor and \
                    info.file_size > limits.max_ratio * max(info.compress_size, 1):
                yield Skipped(member.path, f"compression ratio above {limits.max_ratio:.0f}:1 "
                                           "(zip bomb?); not expanded")
                continue
            try:
                with zf.open(info) as raw:
                    stream = _Limited(raw, budget, _size_of(info))
                    yield from read_member(stream.read(SNIFF_BYTES), stream, member, depth + 1,
                                           budget)
            except LimitExceeded as exc:
                yield Skipped(member.path, str(exc))
            except RuntimeError as exc:  # encrypted members need a password
                yield Skipped(member.path, f"cannot read archive member: {exc}")
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                yield Skipped(member.path, f"corrupt archive member ({exc})")
            except Exception as exc:  # noqa: BLE001 - one odd member must not blind the rest
                yield Skipped(member.path, unexpected(exc))


def _size_of(info: zipfile.ZipInfo) -> Callable[[], int]:
    return lambda: info.compress_size


def _tar(stream: Readable, origin: Origin, depth: int, budget: Budget,
         read_member: ChunkReader,
         compressed: Callable[[], int] | None) -> Iterator[Chunk | Skipped]:
    """``compressed`` is None when the tar stream is itself a limited decompressed stream,
    which already counts every byte."""
    import tarfile

    with tarfile.open(fileobj=cast(IO[bytes], stream), mode="r|") as tf:
        for info in tf:
            if not info.isfile():
                continue
            member = _member(budget, origin, info.name)
            raw = tf.extractfile(info)
            if raw is None:
                continue
            inner: Readable = raw if compressed is None else _Limited(raw, budget, compressed)
            yield from read_member(inner.read(SNIFF_BYTES), inner, member, depth + 1, budget)


def _compressed(kind: str, head: bytes, rest: Readable, origin: Origin, depth: int,
                budget: Budget, read_member: ChunkReader) -> Iterator[Chunk | Skipped]:
    counting = _Counting(_Prefixed(head, rest))
    with _decompressor(kind, counting) as stream:
        yield from _decompressed(_Limited(stream, budget, lambda: counting.count), origin, kind,
                                 depth, budget, read_member)


def _decompressor(kind: str, raw: io.RawIOBase) -> IO[bytes]:
    """A reader that decompresses ``raw``; the caller closes it."""
    import bz2
    import gzip
    import lzma

    source = cast(IO[bytes], raw)
    if kind == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=source))
    if kind == "bzip2":
        return bz2.BZ2File(source)
    return lzma.LZMAFile(source)


def _decompressed(decompressed: _Limited, origin: Origin, kind: str, depth: int, budget: Budget,
                  read_member: ChunkReader) -> Iterator[Chunk | Skipped]:
    inner_head = decompressed.read(SNIFF_BYTES)
    if container_kind(inner_head) == "tar":
        yield from _tar(_Prefixed(inner_head, decompressed), origin, depth, budget,
                        read_member, None)
        return
    name = os.path.basename(origin.path.rsplit("!", 1)[-1])
    for suffix in _SUFFIXES[kind]:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)] + (".tar" if suffix.startswith(".t") else "")
            break
    member = _member(budget, origin, name or "content")
    yield from read_member(inner_head, decompressed, member, depth + 1, budget)


class _Prefixed(io.RawIOBase):
    """Bytes already read (``head``) followed by the rest of the stream."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Counting(io.RawIOBase):
    """Counts the compressed bytes a decompressor has consumed."""

    def __init__(self, inner: io.RawIOBase) -> None:
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        n = self._inner.readinto(buffer) or 0
        self.count += n
        return n


class _Limited(io.RawIOBase):
    """Decompressed bytes, stopped with LimitExceeded at the ratio or total-size limits."""

    def __init__(self, inner: Readable, budget: Budget, compressed: Callable[[], int]) -> None:
        self._inner = inner
        self._budget = budget
        self._compressed = compressed
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def _account(self, n: int) -> None:
        self._count += n
        self._budget.bytes += n
        limits = self._budget.limits
        if self._budget.bytes > limits.max_total_bytes:
            raise LimitExceeded(f"archive expands beyond {limits.max_total_bytes >> 20} MiB; "
                                "rest skipped")
        packed = self._compressed()
        if self._count > limits.ratio_floor and packed and \
                self._count > limits.max_ratio * packed:
            raise LimitExceeded(f"compression ratio above {limits.max_ratio:.0f}:1 (zip bomb?); "
                                "not expanded")

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while part := self.read(1 << 20):
                parts.append(part)
            return b"".join(parts)
        # Read as asked, not into a buffer of the asked size: a chunk asks for 8 MiB, and a
        # small member would pay for allocating and copying all of it.
        data = self._inner.read(size)
        self._account(len(data))
        return data
