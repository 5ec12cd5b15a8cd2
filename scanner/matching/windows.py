"""Line-aware windows around an offset: N lines either side, capped in bytes, so a window
stays small in minified single-line files."""

from __future__ import annotations


def window(text: str, start: int, end: int, lines: int, cap: int) -> tuple[int, int]:
    return line_start(text, start, lines, start - cap), line_end(text, end, lines, end + cap)


def line_start(text: str, pos: int, lines: int, floor: int) -> int:
    """Start of the line ``lines`` lines above the one holding ``pos``, not below ``floor``."""
    floor = max(floor, 0)
    for _ in range(lines + 1):
        nl = text.rfind("\n", floor, pos)
        if nl < 0:
            return floor
        pos = nl
    return pos + 1


def line_end(text: str, pos: int, lines: int, ceil: int) -> int:
    """End (exclusive, before the line break) of the line ``lines`` lines below ``pos``."""
    ceil = min(ceil, len(text))
    for _ in range(lines + 1):
        nl = text.find("\n", pos, ceil)
        if nl < 0:
            return ceil
        pos = nl + 1
    return pos - 1


def merge(spans: list[tuple[int, int]], gap: int = 0) -> list[tuple[int, int]]:
    """Union of overlapping or touching spans (or closer than ``gap``), sorted."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1] + gap:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
