"""Context and pairing: a rule with a ``context`` only counts near an ID of the listed rules
and/or near its context words; a secret is paired with the nearest such ID, and the ID
with its secret. Also resolves overlapping candidates (``overrides``, identical spans)."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

from scanner.matching.candidate import Candidate
from scanner.matching.windows import window

Drop = tuple[Candidate, str]


class _IdIndex:
    """Kept ID candidates in line order, for 'which IDs are within N lines' queries."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self.cands: list[Candidate] = []

    def add(self, line: int, c: Candidate) -> None:
        i = bisect.bisect_right(self.lines, line)
        self.lines.insert(i, line)
        self.cands.insert(i, c)

    def near(self, c: Candidate, line: int) -> list[tuple[int, Candidate]]:
        ctx = c.rule.context
        assert ctx is not None
        lo = bisect.bisect_left(self.lines, line - ctx.within_lines)
        hi = bisect.bisect_right(self.lines, line + ctx.within_lines)
        return [(self.lines[i], k) for i in range(lo, hi)
                if (k := self.cands[i]).rule.id in ctx.ids and k.value != c.value]


def resolve(cands: Sequence[Candidate], text: str) -> tuple[list[Candidate], list[Drop]]:
    """Apply context requirements, pair secrets with IDs, then resolve overlaps."""
    if not cands:
        return [], []
    ordered = sorted(cands, key=lambda c: c.start)
    lines = _line_numbers(ordered, text)
    drops: list[Drop] = []
    kept: list[Candidate] = []
    position: dict[int, int] = {}  # id(candidate) -> index in kept
    ids = _IdIndex()
    # IDs first: a secret may only pair with an ID that itself passed its context check.
    for phase_ids in (True, False):
        for line, c in zip(lines, ordered, strict=True):
            if (c.rule.kind == "id") != phase_ids:
                continue
            near = ids.near(c, line) if c.rule.context and c.rule.context.ids else []
            reason = _context_reason(c, bool(near), text)
            if reason:
                drops.append((c, reason))
                continue
            if near:
                partner_line, partner = min(near, key=lambda lk: (
                    abs(lk[0] - line), lk[1].start > c.start, abs(lk[1].start - c.start)))
                c = dataclasses.replace(c, partner=(partner.rule.id, partner.value))
                i = position[id(partner)]
                if kept[i].partner is None:  # the ID keeps the first secret that chose it
                    kept[i] = dataclasses.replace(kept[i], partner=(c.rule.id, c.value))
            position[id(c)] = len(kept)
            kept.append(c)
            if phase_ids:
                ids.add(line, c)
    result, overlap_drops = _resolve_overlaps(sorted(kept, key=lambda c: c.start))
    return result, drops + overlap_drops


def _line_numbers(ordered: Sequence[Candidate], text: str) -> list[int]:
    out = []
    pos = count = 0
    for c in ordered:
        count += text.count("\n", pos, c.start)
        pos = c.start
        out.append(count)
    return out


def _context_reason(c: Candidate, has_id: bool, text: str) -> str | None:
    ctx = c.rule.context
    if ctx is None or "context" in c.rule.skip_filters:
        return None
    need_words = ctx.require in ("words", "id-and-words") or (
        ctx.require == "id-or-words" and not has_id)
    has_word = False
    if need_words:
        s, e = window(text, c.start, c.end, ctx.within_lines, c.rule.window)
        nearby = text[s:e].lower()
        has_word = any(word in nearby for word in ctx.words)
    ok = {
        "id-or-words": has_id or has_word,
        "id": has_id,
        "words": has_word,
        "id-and-words": has_id and has_word,
    }[ctx.require]
    if ok:
        return None
    wants = []
    if "id" in ctx.require:
        wants.append("an ID (" + ", ".join(ctx.ids) + ")")
    if "words" in ctx.require:
        wants.append("words like " + ", ".join(repr(w) for w in ctx.words[:3]))
    joiner = " and " if ctx.require == "id-and-words" else " or "
    return f"context: needs {joiner.join(wants)} within {ctx.within_lines} lines"


def _resolve_overlaps(kept: list[Candidate]) -> tuple[list[Candidate], list[Drop]]:
    """A rule that ``overrides`` another wins where their spans overlap; where two rules claim
    the very same span, a paired candidate beats an unpaired one. ``kept`` is sorted by start,
    so only neighbours can overlap."""
    drops: list[Drop] = []
    dead: set[int] = set()
    for i, c in enumerate(kept):
        for other in kept[i + 1 :]:
            if other.start >= c.end:
                break
            for winner, loser in ((c, other), (other, c)):
                if id(winner) in dead or id(loser) in dead:
                    continue
                if loser.rule.id in winner.rule.overrides:
                    reason = f"superseded by rule {winner.rule.id}"
                elif ((loser.start, loser.end) == (winner.start, winner.end)
                      and winner.partner and not loser.partner
                      and loser.rule.id != winner.rule.id):
                    reason = f"same value claimed by {winner.rule.id} (paired with an ID)"
                else:
                    continue
                drops.append((loser, reason))
                dead.add(id(loser))
    return [c for c in kept if id(c) not in dead], drops
