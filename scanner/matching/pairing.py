"""Context and pairing: a rule with a ``context`` only counts near an ID of the listed rules
and/or near its context words; a secret is paired with the nearest such ID, and the ID with
its secret. A session-token rule (``token_for``) joins the nearest ID of those rules, so an
ID, its secret and its token are one credential: each part carries the others. Overlaps are
settled too: a rule that ``overrides`` another wins where their
matches overlap, and where two rules claim the very same value, the better-supported one
(paired with a close ID, or a context word on its own line) wins."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

from scanner.matching.candidate import Candidate
from scanner.matching.windows import line_end, line_start, window

Drop = tuple[Candidate, str]
Part = tuple[str, str, str]  # (kind, rule id, value) of one part of a credential
FAR = 1 << 30
TOKEN_LINES = 5  # how far a session token may be from its ID when its rule has no context


class _IdIndex:
    """Kept ID candidates in line order, for 'which IDs are within N lines' queries."""

    def __init__(self, items: Sequence[tuple[int, Candidate]] = ()) -> None:
        ordered = sorted(items, key=lambda lc: (lc[0], lc[1].start))
        self.lines = [line for line, _ in ordered]
        self.cands = [c for _, c in ordered]

    def near(self, c: Candidate, line: int) -> list[tuple[int, Candidate]]:
        ctx = c.rule.context
        if ctx is None or not ctx.ids:
            return []
        lo = bisect.bisect_left(self.lines, line - ctx.within_lines)
        hi = bisect.bisect_right(self.lines, line + ctx.within_lines)
        return [(self.lines[i], k) for i in range(lo, hi)
                if (k := self.cands[i]).rule.id in ctx.ids and k.value != c.value]


def resolve(cands: Sequence[Candidate], text: str) -> tuple[list[Candidate], list[Drop]]:
    """Context requirements, then overrides, then pairing, then identical values."""
    if not cands:
        return [], []
    ordered = sorted(cands, key=lambda c: c.start)
    line_of = dict(zip(map(id, ordered), _line_numbers(ordered, text), strict=True))
    drops: list[Drop] = []
    kept: list[Candidate] = []
    # IDs first: a secret counts near an ID only if that ID passed its own context check.
    for c in ordered:
        if c.rule.kind == "id":
            _keep_or_drop(c, False, text, kept, drops)
    ids = _IdIndex([(line_of[id(c)], c) for c in kept])
    for c in ordered:
        if c.rule.kind != "id":
            _keep_or_drop(c, bool(ids.near(c, line_of[id(c)])), text, kept, drops)
    kept, overridden = _apply_overrides(sorted(kept, key=lambda c: c.start))
    nearest = _nearest_ids(kept, line_of)
    kept, claimed = _settle_identical(kept, nearest, text)
    return _assign_partners(kept, nearest, _tokens(kept, line_of)), drops + overridden + claimed


def _keep_or_drop(c: Candidate, has_id: bool, text: str, kept: list[Candidate],
                  drops: list[Drop]) -> None:
    reason = _context_reason(c, has_id, text)
    if reason:
        drops.append((c, reason))
    else:
        kept.append(c)


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
    has_word = need_words and _has_word(c, text, ctx.within_lines)
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


def _has_word(c: Candidate, text: str, lines: int) -> bool:
    assert c.rule.context is not None
    s, e = window(text, c.start, c.end, lines, c.rule.window)
    nearby = text[s:e].lower()
    return any(word in nearby for word in c.rule.context.words)


def _apply_overrides(kept: list[Candidate]) -> tuple[list[Candidate], list[Drop]]:
    """``kept`` is sorted by start, so only neighbours can overlap."""
    drops: list[Drop] = []
    dead: set[int] = set()
    for i, c in enumerate(kept):
        for other in kept[i + 1 :]:
            if other.start >= c.end:
                break
            for winner, loser in ((c, other), (other, c)):
                if id(winner) not in dead and id(loser) not in dead and \
                        loser.rule.id in winner.rule.overrides:
                    drops.append((loser, f"superseded by rule {winner.rule.id}"))
                    dead.add(id(loser))
    return [c for c in kept if id(c) not in dead], drops


def _nearest_ids(kept: list[Candidate],
                 line_of: dict[int, int]) -> dict[int, tuple[int, Candidate]]:
    """For each secret whose rule names ID rules: the nearest such ID and its distance in
    lines (ties: the ID before the secret, then the closest in bytes)."""
    ids = _IdIndex([(line_of[id(c)], c) for c in kept if c.rule.kind == "id"])
    nearest: dict[int, tuple[int, Candidate]] = {}
    for c in kept:
        here = line_of[id(c)]
        near = ids.near(c, here) if c.rule.kind != "id" else []
        if near:
            line, best = min(near, key=lambda lk: (abs(lk[0] - here), lk[1].start > c.start,
                                                   abs(lk[1].start - c.start)))
            nearest[id(c)] = (abs(line - here), best)
    return nearest


def _tokens(kept: list[Candidate], line_of: dict[int, int]) -> dict[int, Candidate]:
    """Session tokens by the ID they belong to: each token joins the nearest ID of its
    ``token_for`` rules within its lines, each ID keeps the closest token that chose it."""
    ids = [(line_of[id(c)], c) for c in kept if c.rule.kind == "id"]
    chosen: dict[int, tuple[tuple[int, int], Candidate]] = {}
    for tok in kept:
        if not tok.rule.token_for or not ids:
            continue
        here = line_of[id(tok)]
        lines = tok.rule.context.within_lines if tok.rule.context else TOKEN_LINES
        near = [(abs(line - here), abs(k.start - tok.start), k) for line, k in ids
                if k.rule.id in tok.rule.token_for and abs(line - here) <= lines]
        if not near:
            continue
        distance, gap, best = min(near, key=lambda dgk: (dgk[0], dgk[1]))
        if id(best) not in chosen or (distance, gap) < chosen[id(best)][0]:
            chosen[id(best)] = ((distance, gap), tok)
    return {key: tok for key, (_, tok) in chosen.items()}


def _part(c: Candidate) -> Part:
    return (c.rule.kind, c.rule.id, c.value)


def _assign_partners(kept: list[Candidate], nearest: dict[int, tuple[int, Candidate]],
                     tokens: dict[int, Candidate]) -> list[Candidate]:
    """Each secret gets its nearest ID; each ID the closest secret that chose it; and every
    part of a credential (ID, secret, session token) the other parts."""
    chosen: dict[int, tuple[int, Candidate]] = {}
    for c in kept:
        if id(c) in nearest:
            distance, best = nearest[id(c)]
            if id(best) not in chosen or distance < chosen[id(best)][0]:
                chosen[id(best)] = (distance, c)
    id_of_token = {id(tok): next(k for k in kept if id(k) == key)
                   for key, tok in tokens.items()}
    out = []
    for c in kept:
        partner = nearest.get(id(c), chosen.get(id(c)))
        parts: tuple[Part, ...] = ()
        if c.rule.kind == "id":
            token = tokens.get(id(c))
            parts = ((_part(partner[1]),) if partner else ()) + (
                (_part(token),) if token else ())
        elif id(c) in id_of_token:
            key_id = id_of_token[id(c)]
            secret = chosen.get(id(key_id))
            parts = (_part(key_id),) + ((_part(secret[1]),) if secret else ())
            partner = None  # paired_with stays the ID/secret relation; the token has parts
        elif partner:
            token = tokens.get(id(partner[1]))
            parts = (_part(partner[1]),) + ((_part(token),) if token else ())
        if partner or parts:
            c = dataclasses.replace(
                c, partner=(partner[1].rule.id, partner[1].value) if partner else None,
                credential=parts)
        out.append(c)
    return out


def _settle_identical(kept: list[Candidate], nearest: dict[int, tuple[int, Candidate]],
                      text: str) -> tuple[list[Candidate], list[Drop]]:
    """Two rules claiming the same value (a 40-character string that is an AWS secret or a
    Huawei SK): keep the better-supported one, both if neither is better."""
    by_span: dict[tuple[int, int], list[Candidate]] = {}
    for c in kept:
        by_span.setdefault((c.start, c.end), []).append(c)
    drops: list[Drop] = []
    dead: set[int] = set()
    for group in by_span.values():
        if len({c.rule.id for c in group}) < 2:
            continue
        support = {id(c): _support(c, nearest, text) for c in group}
        best = min(support.values())
        winner = next(g for g in group if support[id(g)] == best)
        for c in group:
            if support[id(c)] > best:
                drops.append((c, f"same value claimed by {winner.rule.id}, which has "
                                 "closer context"))
                dead.add(id(c))
    return [c for c in kept if id(c) not in dead], drops


def _support(c: Candidate, nearest: dict[int, tuple[int, Candidate]], text: str) -> int:
    """Lines to the nearest evidence: the nearest ID, or a context word on the value's own
    line (0); FAR when neither."""
    best = nearest[id(c)][0] if id(c) in nearest else FAR
    ctx = c.rule.context
    if ctx is not None and ctx.words:
        own = text[line_start(text, c.start, 0, c.start - 512):
                   line_end(text, c.end, 0, c.end + 512)].lower()
        if any(word in own for word in ctx.words):
            best = min(best, 0)
    return best
