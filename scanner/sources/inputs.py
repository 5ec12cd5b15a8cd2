"""One input (a file, stdin, an archive member or a git blob) to chunks: archives are
opened and their members read recursively, anything else is read as text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from scanner.models import Chunk, Origin, Skipped
from scanner.sources.archives import ArchiveLimits, Budget, container_kind, iter_archive
from scanner.sources.reader import (
    CHUNK_BYTES,
    OVERLAP_BYTES,
    SNIFF_BYTES,
    Readable,
    iter_chunks,
)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    archives: bool = True
    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    chunk_bytes: int = CHUNK_BYTES
    overlap: int = OVERLAP_BYTES


def iter_input(stream: Readable | None, origin: Origin, options: ReadOptions,
               head: bytes | None = None) -> Iterator[Chunk | Skipped]:
    if head is None:
        head = stream.read(SNIFF_BYTES) if stream is not None else b""

    def read(head: bytes, rest: Readable | None, origin: Origin, depth: int,
             budget: Budget) -> Iterator[Chunk | Skipped]:
        kind = container_kind(head) if options.archives else None
        if kind is not None and rest is not None:
            yield from iter_archive(kind, head, rest, origin, depth, budget, read)
        else:
            yield from iter_chunks(head, rest, origin, options.chunk_bytes, options.overlap)

    yield from read(head, stream, origin, 0, Budget(options.limits))
