"""Decoders make a decoded view of a region of text (base64 blocks, string escapes, URL
escapes, structured text flattened to one name and value a line) that the pipeline scans
again; each piece of the view maps back to the original offsets, so a finding in decoded
content is reported where the encoded value sits."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Piece:
    seg_start: int
    seg_end: int
    orig_start: int
    orig_end: int
    replaced: bool


@dataclass(frozen=True, slots=True)
class Segment:
    """A decoded view of ``original[start:end]``."""

    text: str
    pieces: tuple[Piece, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int, bool]:
        """Map a span of the view to the original text, and say whether it touches decoded
        content (otherwise the raw scan already saw it)."""
        starts = [p.seg_start for p in self.pieces]
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        j = max(bisect.bisect_right(starts, max(end - 1, start)) - 1, 0)
        first, last = self.pieces[i], self.pieces[j]
        # Decoding next to a value changes its boundaries (``%3D`` before it becomes ``=``),
        # so a value beside a decoded piece is new too.
        lo = max(bisect.bisect_right(starts, start - 1) - 1, 0)
        hi = max(bisect.bisect_right(starts, end) - 1, 0)
        touched = any(p.replaced for p in self.pieces[lo : hi + 1])
        o_start = first.orig_start if first.replaced else first.orig_start + start - first.seg_start
        o_end = last.orig_end if last.replaced else last.orig_start + end - last.seg_start
        return o_start, max(o_end, o_start + 1), touched


def build_segment(text: str, start: int, end: int,
                  replacements: Sequence[tuple[int, int, str]]) -> Segment | None:
    """The view of ``text[start:end]`` with sorted, non-overlapping replacements applied."""
    if not replacements:
        return None
    parts: list[str] = []
    pieces: list[Piece] = []
    pos = start
    seg = 0
    for r_start, r_end, new in replacements:
        if r_start > pos:
            parts.append(text[pos:r_start])
            pieces.append(Piece(seg, seg + r_start - pos, pos, r_start, False))
            seg += r_start - pos
        parts.append(new)
        pieces.append(Piece(seg, seg + len(new), r_start, r_end, True))
        seg += len(new)
        pos = r_end
    if pos < end:
        parts.append(text[pos:end])
        pieces.append(Piece(seg, seg + end - pos, pos, end, False))
    return Segment("".join(parts), tuple(pieces))


class Decoder(Protocol):
    name: str

    def replacements(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """Sorted, non-overlapping (start, end, decoded) spans within text[start:end]."""
        ...


def all_decoders() -> dict[str, Decoder]:
    from scanner.decoders.base64 import Base64Decoder
    from scanner.decoders.escapes import StringEscapeDecoder, UrlDecoder
    from scanner.decoders.structure import StructureDecoder

    decoders: list[Decoder] = [Base64Decoder(), StringEscapeDecoder(), UrlDecoder(),
                               StructureDecoder()]
    return {d.name: d for d in decoders}
