"""Context and pairing: a rule with a ``context`` only counts near an ID of the listed rules
and/or near its context words; a secret is paired with the nearest such ID, and the ID with
its secret. A rule with ``token_for`` (a session token, or another named ``part``: a tenancy,
a region) joins the nearest ID of those rules, so an ID, its secret and its parts are one
credential: each part carries the others. Overlaps are
settled too: a rule that ``overrides`` another wins where their
matches overlap, and where two rules claim the very same value, the better-supported one
(paired with a close ID, or a context word on its own line) wins."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

from scanner.matching.candidate import Candidate
from scanner.matching.evidence import FileEvidence
from scanner.matching.windows import line_end, line_start, window

Drop = tuple[Candidate, str]
Part = tuple[str, str, str]  # (kind, rule id, value) of one part of a credential
FAR = 1 << 30
TOKEN_LINES = 5  # how far a session token may be from its ID when its rule has no context


class _IdIndex:
    """Kept ID candidates per rule in text order, answering "the nearest ID of these rules
    within N lines" with two binary searches, not a walk over every ID in range: a minified
    line with thousands of IDs and secrets costs O(n log n), not O(n^2)."""

    def __init__(self, items: Sequence[tuple[int, Candidate]] = ()) -> None:
        self._by_rule: dict[str, tuple[list[int], list[int], list[Candidate]]] = {}
        for line, c in sorted(items, key=lambda lc: lc[1].start):
            starts, lines, cands = self._by_rule.setdefault(c.rule.id, ([], [], []))
            starts.append(c.start)
            lines.append(line)
            cands.append(c)

    def closest(self, c: Candidate, line: int, rule_ids: Sequence[str],
                within: int) -> list[tuple[int, bool, int, Candidate]]:
        """Per rule, the ID closest before ``c`` (start at or before it) and the one closest
        after it, within ``within`` lines, as (line distance, after?, byte distance, ID).
        Lines grow with offsets, so these two are the best of each side by lines, then
        bytes. IDs with the secret's own value are passed over."""
        out = []
        for rule_id in rule_ids:
            entry = self._by_rule.get(rule_id)
            if entry is None:
                continue
            starts, lines, cands = entry
            split = bisect.bisect_right(starts, c.start)
            j = split - 1
            while j >= 0 and cands[j].value == c.value:
                j -= 1
            if j >= 0 and line - lines[j] <= within:
                out.append((line - lines[j], False, c.start - starts[j], cands[j]))
            j = split
            while j < len(cands) and cands[j].value == c.value:
                j += 1
            if j < len(cands) and lines[j] - line <= within:
                out.append((lines[j] - line, True, starts[j] - c.start, cands[j]))
        return out

    def nearest(self, c: Candidate, line: int) -> tuple[int, Candidate] | None:
        """The ID of the rule's context IDs nearest the secret (by lines; then one before
        it; then by bytes), with its distance in lines."""
        ctx = c.rule.context
        if ctx is None or not ctx.ids:
            return None
        found = self.closest(c, line, ctx.ids, ctx.within_lines)
        if not found:
            return None
        distance, _, _, best = min(found, key=lambda f: f[:3])
        return distance, best


def resolve(cands: Sequence[Candidate], text: str, evidence: FileEvidence | None = None
            ) -> tuple[list[Candidate], list[Drop]]:
    """Context requirements, then overrides, then pairing, then identical values.
    ``evidence`` answers for the whole file when a value's context words are not nearby."""
    if not cands:
        return [], []
    ordered = sorted(cands, key=lambda c: c.start)
    line_of = dict(zip(map(id, ordered), _line_numbers(ordered, text), strict=True))
    drops: list[Drop] = []
    kept: list[Candidate] = []
    admitted: dict[int, tuple[str, ...]] = {}  # what admitted each kept candidate, by id()
    # IDs first: a secret counts near an ID only if that ID passed its own context check.
    for c in ordered:
        if c.rule.kind == "id":
            _keep_or_drop(c, False, text, evidence, kept, drops, admitted)
    ids = _IdIndex([(line_of[id(c)], c) for c in kept])
    for c in ordered:
        if c.rule.kind != "id":
            _keep_or_drop(c, ids.nearest(c, line_of[id(c)]) is not None, text, evidence,
                          kept, drops, admitted)
    kept, overridden = _apply_overrides(sorted(kept, key=lambda c: c.start))
    nearest = _nearest_ids(kept, line_of)
    kept, claimed = _settle_identical(kept, nearest, text)
    return (_assign_partners(kept, nearest, _tokens(kept, line_of), admitted),
            drops + overridden + claimed)


def _keep_or_drop(c: Candidate, has_id: bool, text: str, evidence: FileEvidence | None,
                  kept: list[Candidate], drops: list[Drop],
                  admitted: dict[int, tuple[str, ...]]) -> None:
    reason, by = _context_reason(c, has_id, text, evidence)
    if reason:
        drops.append((c, reason))
    else:
        kept.append(c)
        if by != c.context:
            admitted[id(c)] = by


def _line_numbers(ordered: Sequence[Candidate], text: str) -> list[int]:
    out = []
    pos = count = 0
    for c in ordered:
        count += text.count("\n", pos, c.start)
        pos = c.start
        out.append(count)
    return out


def _context_reason(c: Candidate, has_id: bool, text: str, evidence: FileEvidence | None
                    ) -> tuple[str | None, tuple[str, ...]]:
    """Why the candidate's context requirement fails (None if it holds), and what admitted
    it: the ID, a word on its line or nearby, or the file (an SDK import, a path)."""
    ctx = c.rule.context
    if ctx is None or "context" in c.rule.skip_filters:
        return None, c.context
    need_words = ctx.require in ("words", "id-and-words") or (
        ctx.require == "id-or-words" and not has_id)
    word = _word_evidence(c, text, ctx.within_lines) if need_words else None
    if need_words and word is None and evidence is not None and ctx.file:
        word = evidence.admits(c.rule.provider)
    has_word = word is not None
    ok = {
        "id-or-words": has_id or has_word,
        "id": has_id,
        "words": has_word,
        "id-and-words": has_id and has_word,
    }[ctx.require]
    if ok:
        admitted = (("id",) if has_id and "id" in ctx.require else ()) + (
            (word,) if word else ())
        return None, tuple(dict.fromkeys(c.context + admitted))
    wants = []
    if "id" in ctx.require:
        wants.append("an ID (" + ", ".join(ctx.ids) + ")")
    if "words" in ctx.require:
        wants.append("words like " + ", ".join(repr(w) for w in ctx.words[:3]))
    joiner = " and " if ctx.require == "id-and-words" else " or "
    return f"context: needs {joiner.join(wants)} within {ctx.within_lines} lines", ()


def _word_evidence(c: Candidate, text: str, lines: int) -> str | None:
    """"line" when a context word is on the value's own line, "nearby" within ``lines``."""
    assert c.rule.context is not None
    words = c.rule.context.words
    if not words:
        return None
    own = text[line_start(text, c.start, 0, c.start - c.rule.window):
               line_end(text, c.end, 0, c.end + c.rule.window)].lower()
    if any(word in own for word in words):
        return "line"
    if lines:
        s, e = window(text, c.start, c.end, lines, c.rule.window)
        nearby = text[s:e].lower()
        if any(word in nearby for word in words):
            return "nearby"
    return None


def _apply_overrides(kept: list[Candidate]) -> tuple[list[Candidate], list[Drop]]:
    """``kept`` is sorted by start, so only neighbours can overlap."""
    drops: list[Drop] = []
    dead: set[int] = set()
    for i, c in enumerate(kept):
        for j in range(i + 1, len(kept)):  # indexes, not a slice: no copy of the rest per item
            other = kept[j]
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
        found = ids.nearest(c, line_of[id(c)]) if c.rule.kind != "id" else None
        if found is not None:
            nearest[id(c)] = found
    return nearest


def _tokens(kept: list[Candidate],
            line_of: dict[int, int]) -> dict[int, dict[str, Candidate]]:
    """The parts that join IDs (``token_for`` rules: session tokens, a tenancy, a region),
    by the ID they belong to and then by part name: each joins the nearest ID of its
    ``token_for`` rules within its lines, and each ID keeps, per part name, the closest
    candidate that chose it."""
    ids = _IdIndex([(line_of[id(c)], c) for c in kept if c.rule.kind == "id"])
    chosen: dict[tuple[int, str], tuple[tuple[int, int], Candidate]] = {}
    for tok in kept:
        if not tok.rule.token_for:
            continue
        lines = tok.rule.context.within_lines if tok.rule.context else TOKEN_LINES
        near = ids.closest(tok, line_of[id(tok)], tok.rule.token_for, lines)
        if not near:
            continue
        distance, _, gap, best = min(near, key=lambda f: (f[0], f[2]))
        key = (id(best), tok.rule.part)
        if key not in chosen or (distance, gap) < chosen[key][0]:
            chosen[key] = ((distance, gap), tok)
    out: dict[int, dict[str, Candidate]] = {}
    for (key_id, name), (_, tok) in sorted(chosen.items(), key=lambda kv: kv[0][1]):
        out.setdefault(key_id, {})[name] = tok
    return out


def _part(c: Candidate) -> Part:
    """(kind, rule id, value): the kind is the part name for a value that joins an ID."""
    return (c.rule.part if c.rule.token_for else c.rule.kind, c.rule.id, c.value)


def _assign_partners(kept: list[Candidate], nearest: dict[int, tuple[int, Candidate]],
                     tokens: dict[int, dict[str, Candidate]],
                     admitted: dict[int, tuple[str, ...]]) -> list[Candidate]:
    """Each secret gets its nearest ID; each ID the closest secret that chose it; and every
    part of a credential (ID, secret, session token and any other named part) the other
    parts."""
    chosen: dict[int, tuple[int, Candidate]] = {}
    for c in kept:
        if id(c) in nearest:
            distance, best = nearest[id(c)]
            if id(best) not in chosen or distance < chosen[id(best)][0]:
                chosen[id(best)] = (distance, c)
    by_key = {id(k): k for k in kept}
    id_of_token = {id(tok): by_key[key] for key, named in tokens.items()
                   for tok in named.values()}
    out = []
    for c in kept:
        partner = nearest.get(id(c), chosen.get(id(c)))
        parts: tuple[Part, ...] = ()
        if c.rule.kind == "id":
            parts = ((_part(partner[1]),) if partner else ()) + tuple(
                _part(t) for t in tokens.get(id(c), {}).values())
        elif id(c) in id_of_token:
            key_id = id_of_token[id(c)]
            secret = chosen.get(id(key_id))
            parts = (_part(key_id),) + ((_part(secret[1]),) if secret else ()) + tuple(
                _part(t) for t in tokens.get(id(key_id), {}).values() if t is not c)
            partner = None  # paired_with stays the ID/secret relation; the token has parts
        elif partner:
            parts = (_part(partner[1]),) + tuple(
                _part(t) for t in tokens.get(id(partner[1]), {}).values())
        if partner or parts or id(c) in admitted:
            c = dataclasses.replace(
                c, partner=(partner[1].rule.id, partner[1].value) if partner else None,
                credential=parts, context=admitted.get(id(c), c.context))
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
