"""Bytes to chunks: detect binary content and text encodings, transcode UTF-16/32 to UTF-8,
and cut large inputs into overlapping chunks so memory stays bounded and a key that crosses
a chunk boundary is still found exactly once."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Protocol

from scanner.models import Chunk, Origin, Skipped


class Readable(Protocol):
    """What every input stream here is: files, pipes, archive members, git objects."""

    def read(self, size: int = -1, /) -> bytes: ...


SNIFF_BYTES = 8000  # as git does: a NUL byte in the first 8000 bytes means binary
CHUNK_BYTES = 8 * 1024 * 1024
OVERLAP_BYTES = 64 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DELIMITERS = b" \t\r,;\"'<>"


def sniff_encoding(head: bytes) -> str | None:
    """'utf-8' for text taken byte for byte (also any ASCII-compatible or undecodable text),
    a codec name for text that must be transcoded, None for binary content."""
    sample = head[:SNIFF_BYTES]
    for bom, name in _BOMS:
        if head.startswith(bom):
            # Text that merely starts with FF FE (or FE FF) but has no NUL cannot hold an
            # ASCII key as UTF-16/32: take it byte for byte rather than garble it.
            if name.startswith("utf-8") or b"\0" in sample[len(bom):]:
                return name
            return "utf-8"
    if b"\0" not in sample:
        return "utf-8"
    if len(sample) >= 32:  # UTF-32 without a BOM: ASCII text is one byte and three NULs
        lanes = [sample[i::4] for i in range(4)]
        nul = [lane.count(0) / len(lane) for lane in lanes]
        if nul[0] < 0.05 and min(nul[1:]) > 0.9:
            return "utf-32-le"
        if nul[3] < 0.05 and min(nul[:3]) > 0.9:
            return "utf-32-be"
    if len(sample) >= 16:  # UTF-16 without a BOM: ASCII text has a NUL in every other byte
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def is_plain(data: bytes) -> bool:
    """Whether ``data`` is read byte for byte as one text (no binary sniff, no transcoding,
    no line-end rewriting): then a scan of it finds nothing unless a keyword occurs in it."""
    head = data[:SNIFF_BYTES]
    return sniff_encoding(head) == "utf-8" and not (b"\r" in head and b"\n" not in head)


def iter_chunks(head: bytes, rest: Readable | None, origin: Origin,
                chunk_bytes: int = CHUNK_BYTES,
                overlap: int = OVERLAP_BYTES) -> Iterator[Chunk | Skipped]:
    """Chunks of an input whose first bytes (``head``) were already read from ``rest``."""
    encoding = sniff_encoding(head)
    if encoding is None:
        yield Skipped(origin.path, "binary content")
        return
    blocks = _utf8_blocks(head, rest, encoding, chunk_bytes)
    if b"\r" in head and b"\n" not in head:
        # Classic Mac line ends: every line count and context window counts "\n", and a CR
        # stands in for it one byte for one, so offsets and columns stay as they were.
        blocks = (b.replace(b"\r", b"\n") for b in blocks)
    overlap = min(overlap, chunk_bytes // 2)
    carry = b""
    first_line = first_column = 0
    own_from = 0
    block = next(blocks, b"")
    while True:
        following = next(blocks, None)
        data = carry + block
        if following is None:
            yield Chunk(origin, data.decode("latin-1"), first_line, first_column, own_from, None)
            return
        cut = _cut_point(data, len(data) - overlap)
        boundary = cut + (len(data) - cut) // 2  # candidates before it belong to this chunk
        yield Chunk(origin, data.decode("latin-1"), first_line, first_column, own_from, boundary)
        newlines = data.count(b"\n", 0, cut)
        line_start = data.rfind(b"\n", 0, cut) + 1
        first_column = (0 if newlines else first_column) + _chars(data[line_start:cut])
        first_line += newlines
        own_from = boundary - cut
        carry = data[cut:]
        block = following


def _chars(data: bytes) -> int:
    return len(data) if data.isascii() else len(data.decode("utf-8", "replace"))


def _cut_point(data: bytes, at: int) -> int:
    """Where the next chunk starts: just after a line break (or a delimiter) at or after
    ``at``, so the next chunk does not begin inside a token."""
    at = max(at, 0)
    # Within the first half of the overlap either way, so at least half of it is carried.
    end = at + (len(data) - at) // 2
    nl = data.find(b"\n", at, end)
    if nl >= 0:
        return nl + 1
    for i in range(at, min(end, at + 4096)):
        if data[i] in _DELIMITERS:
            return i + 1
    return at


def _utf8_blocks(head: bytes, rest: Readable | None, encoding: str,
                 size: int) -> Iterator[bytes]:
    """The input as blocks of about ``size`` bytes of UTF-8 (or ASCII-compatible) text."""
    if encoding == "utf-8-sig":
        head, encoding = head[len(codecs.BOM_UTF8):], "utf-8"
    if rest is not None and len(head) < size:
        head += rest.read(size - len(head))
    if encoding == "utf-8":
        if head:
            yield head
        while rest is not None and (block := rest.read(size)):
            yield block
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    yield decoder.decode(head).encode("utf-8", "surrogatepass")
    while rest is not None and (block := rest.read(size)):
        yield decoder.decode(block).encode("utf-8", "surrogatepass")
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8", "surrogatepass")
