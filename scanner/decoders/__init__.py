"""Decoders make a decoded view of a region of text (base64 blocks, string escapes, URL
escapes, structured text flattened to one name and value a line) that the pipeline scans
again; each piece of the view maps back to the original offsets, so a finding in decoded
content is reported where the encoded value sits."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


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


@runtime_checkable
class BlockDecoder(Decoder, Protocol):
    """A decoder that widens a region to the whole blocks it cuts (a base64 run): every
    region inside one block then has the same view, which need be made only once."""

    def region(self, text: str, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` grown so that no block is cut at either edge."""
        ...


def blocks_of(decoder: BlockDecoder, text: str,
              regions: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each of the sorted, disjoint ``regions``, the grown extent it lies in; regions
    that grow into one block share one extent (the union of theirs), so the block is
    decoded once, not once per region (a long blob hit by many keywords)."""
    extents: list[tuple[int, int]] = []
    owner: list[int] = []
    for start, end in regions:
        if extents and start < extents[-1][1]:
            if end > extents[-1][1]:  # reaches past the block: grow that extent on
                extents[-1] = (extents[-1][0], decoder.region(text, extents[-1][1], end)[1])
        else:
            grown = decoder.region(text, start, end)
            if extents and grown[0] < extents[-1][1]:
                extents[-1] = (extents[-1][0], max(extents[-1][1], grown[1]))
            else:
                extents.append(grown)
        owner.append(len(extents) - 1)
    return [extents[i] for i in owner]


def all_decoders() -> dict[str, Decoder]:
    from scanner.decoders.base64 import Base64Decoder
    from scanner.decoders.escapes import StringEscapeDecoder, UrlDecoder
    from scanner.decoders.structure import StructureDecoder

    decoders: list[Decoder] = [Base64Decoder(), StringEscapeDecoder(), UrlDecoder(),
                               StructureDecoder()]
    return {d.name: d for d in decoders}
