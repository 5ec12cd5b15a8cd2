"""The matching pipeline for one chunk of text: prefilter -> regexes in windows -> filters ->
context and pairing -> decoded views scanned again -> findings. No I/O of its own."""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from scanner.cachedir import remembered
from scanner.decoders import BlockDecoder, Decoder, Segment, all_decoders, blocks_of, build_segment
from scanner.decoders.base64 import buried
from scanner.filters import build_filters
from scanner.filters.checks import key_is_encrypted
from scanner.matching import keywords, pairing
from scanner.matching.candidate import Candidate
from scanner.matching.evidence import ContextWords, FileEvidence, TextContext
from scanner.matching.keywords import KeywordTable, build_keyword_table
from scanner.matching.prefilter import Prefilter, make_prefilter
from scanner.matching.windows import merge, window
from scanner.models import (
    Chunk,
    Dropped,
    Finding,
    Location,
    Pairing,
    Skipped,
    Suppressed,
    sha256_hex,
)
from scanner.redact import redact
from scanner.rules import calls, compiled
from scanner.rules.calls import call_rules
from scanner.rules.compiled import RulePattern
from scanner.rules.loader import RuleSet
from scanner.rules.schema import Rule

DECODE_REGION_LINES = 5
DECODE_REGION_BYTES = 2048
MATCH_EXTENSION = 4096  # how far past a window a match may run before it is re-checked
ALLOW_MARKER = "keysweep:allow"  # on a line, in any comment syntax, suppresses its findings


@dataclass(slots=True)
class _TextScan:
    kept: list[Candidate] = field(default_factory=list)
    drops: list[tuple[Candidate, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ChunkResult:
    findings: list[Finding] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)


class Pipeline:
    """Built once per process from a RuleSet; ``scan_chunk`` is then called per chunk."""

    def __init__(self, ruleset: RuleSet, engine: str = "auto", decode_depth: int = 2,
                 regex_timeout: float = 2.0, explain: bool = False,
                 prefilter_cache: Path | None = None) -> None:
        self.providers = ruleset.providers
        self.rules = _with_call_rules(ruleset)
        self.derived = len(self.rules) > len(ruleset.rules)
        # Per rule: what it needs in a text to count there at all (``_condition``), or None.
        # Its keyword's hits are passed over in a text without it: ``Client(`` is in every
        # other file, ``token:`` in every CI workflow, and neither is a kubeconfig.
        self._conditions = [_condition(r) for r in self.rules]
        self.table, self.prefilter = _keywords(self.rules, ruleset.fingerprint, engine,
                                               decode_depth, prefilter_cache)
        # Per keyword: the rules it wakes whose condition a hit must check (not those whose
        # words the keyword itself holds: ``github_`` is near ``github`` wherever it is).
        self._checks = [frozenset(ri for ri in rules if not _holds(self._conditions[ri], kw))
                        for kw, rules in zip(self.table.literals, self.table.rules_for,
                                             strict=True)]
        # Per keyword: the rules it wakes when every one of them is to be checked; None when
        # it wakes some rule anywhere (or is a base64 form, which wakes the decoders).
        self._conditional: list[tuple[int, ...] | None] = [
            None if self.table.encoded[kw] or len(self._checks[kw]) < len(rules) else rules
            for kw, rules in enumerate(self.table.rules_for)]
        self._words = ContextWords.build(
            {pid: p.file_context.words for pid, p in self.providers.items()},
            [w for c in self._conditions if c is not None for w in c[0]],
            lambda words: make_prefilter(words, engine, (), prefilter_cache))
        self._patterns: list[RulePattern | None] = [None] * len(self.rules)
        self._engines = _engine_verdicts(self.rules, ruleset.fingerprint, prefilter_cache)
        self._regex_cache = prefilter_cache
        self.filters = build_filters(ruleset.placeholders)
        # Made when a text first has a region to decode: a scan with no keyword hit (most
        # pre-commit hooks) never imports the decoders' modules nor compiles their patterns.
        self._decoders: tuple[list[Decoder], list[BlockDecoder]] | None = None
        self.decode_depth = decode_depth
        self.regex_timeout = regex_timeout
        self.explain = explain

    @property
    def engine(self) -> str:
        return self.prefilter.name

    def wakes(self, text: str, hits: Iterable[tuple[int, int]]) -> bool:
        """Whether ``text``'s keyword hits (``prefilter.find``'s) wake any rule at all: hits
        of ``Client(`` or ``Config(`` alone wake none in a text about none of the providers
        whose SDK calls they stand for, nor ``token:`` in a text without a kubeconfig's
        words, nor does a token's own prefix with no token after it. A git history asks it
        before scanning a blob that the prefilter took (Flask's history has a test client in
        800 blobs). ``hits`` are at offsets of ``text``."""
        context = None
        for kw, start in hits:
            if self.table.starts_nothing(kw, text, start):
                continue  # ``t1.`` in prose, ``YC`` inside a longer token
            rules = self._conditional[kw]
            if rules is None:
                return True
            if context is None:
                context = TextContext(text, FileEvidence(text, "", self.providers,
                                                         self._words))
            if any(self._may_count(ri, context) for ri in rules):
                return True
        return False

    def _may_count(self, ri: int, context: TextContext) -> bool:
        """Whether rule ``ri``'s condition holds in the text: one of its words is in it, or
        (where the file may stand in) the file is about its provider."""
        condition = self._conditions[ri]
        assert condition is not None  # only a rule with a condition is asked
        words, file = condition
        return (bool(words) and context.has_any(words)) or (
            file and context.evidence.admits(self.rules[ri].provider) is not None)

    # -- one chunk -----------------------------------------------------------------------

    def scan_chunk(self, chunk: Chunk,
                   hits: list[tuple[int, int]] | None = None) -> ChunkResult:
        """``hits``: the chunk's keyword hits (``prefilter.find``'s), when a caller already
        has them (a git history prefilters small blobs a megabyte at a time)."""
        scan = self._scan(chunk.text, 0, FileEvidence(chunk.text, chunk.origin.path,
                                                      self.providers, self._words), hits)
        result = ChunkResult()
        own_to = len(chunk.text) if chunk.own_to is None else chunk.own_to
        # A part that is no finding by itself (``report = false``: a tenancy, a region) has
        # done its work: it is in its ID's credential.
        owned = sorted((c for c in scan.kept
                        if chunk.own_from <= c.start < own_to and c.rule.report),
                       key=lambda c: c.start)
        allowed = _allowed_lines(chunk.text) if owned else []  # no search without findings
        for c, loc in zip(owned, _locations(chunk, [(c.start, c.end) for c in owned]), strict=True):
            finding = self._finding(c, loc)
            if allowed and _inline_allow(c, allowed):
                result.suppressed.append(Suppressed(finding, "inline allow"))
            else:
                result.findings.append(finding)
        if self.explain:
            drops = sorted((d for d in scan.drops if chunk.own_from <= d[0].start < own_to),
                           key=lambda d: d[0].start)
            locs = _locations(chunk, [(c.start, c.end) for c, _ in drops])
            for (c, reason), loc in zip(drops, locs, strict=True):
                result.dropped.append(Dropped(c.rule.id, loc.path, loc.line, loc.column,
                                              redact(_real(c.value)), reason))
        result.skipped.extend(Skipped(chunk.origin.path, e) for e in dict.fromkeys(scan.errors))
        return result

    def _finding(self, c: Candidate, loc: Location) -> Finding:
        rule = c.rule
        severity = rule.severity
        tags: tuple[str, ...] = ()
        if rule.kind == "private_key" and key_is_encrypted(c.value):
            severity, tags = "low", ("encrypted",)
        partner = _pairing(c.partner[0], c.partner[1],
                           "secret" if rule.kind == "id" else "id") if c.partner else None
        parts = tuple(_pairing(rule_id, value, kind) for kind, rule_id, value in c.credential)
        secret = _real(c.value)
        # Each value's hash is taken here, once, in the worker: reports, baselines, triage and
        # the fingerprint would otherwise each hash it again in the coordinator.
        return Finding(rule_id=rule.id, rule_name=rule.name, provider=rule.provider,
                       kind=rule.kind, severity=severity, secret=secret, location=loc,
                       paired_with=partner, credential=parts, decoded=c.decoded, tags=tags,
                       context=c.context, digest=sha256_hex(secret))

    # -- one text (a chunk, or a decoded view of part of one) ------------------------------

    def _scan(self, text: str, depth: int, evidence: FileEvidence,
              hits: list[tuple[int, int]] | None = None) -> _TextScan:
        out = _TextScan()
        if hits is None:
            hits = self.prefilter.find(text)
        if not hits:
            return out
        windows: dict[int, list[tuple[int, int]]] = defaultdict(list)
        decode_regions: list[tuple[int, int]] = []
        table = self.table
        literals, rules_for, encoded, exact = (
            table.literals, table.rules_for, table.encoded, table.exact)
        checks, context = self._checks, TextContext(text, evidence)
        for kw, start in hits:
            end = start + len(literals[kw])
            if encoded[kw]:
                decode_regions.append(window(text, start, end, DECODE_REGION_LINES,
                                             DECODE_REGION_BYTES))
                continue
            if buried(text, start) or table.starts_nothing(kw, text, start):
                continue
            spelling, checked = exact[kw], checks[kw]
            for ri in rules_for[kw]:
                if spelling is not None and ri in spelling and text[start:end] != spelling[ri]:
                    continue
                rule = self.rules[ri]
                if ri in checked and not self._may_count(ri, context):
                    continue
                if rule.multiline:
                    windows[ri].append((max(0, start - rule.window), end + rule.window))
                    continue
                lines = rule.context.within_lines if rule.context else 0
                windows[ri].append(window(text, start, end, lines, rule.window))

        candidates: list[Candidate] = []
        for ri, spans in windows.items():
            candidates.extend(self._confirm(ri, text, merge(spans), out))
        kept = []
        for c in candidates:
            reason = self._filter(c)
            if reason:
                out.drops.append((c, reason))
            else:
                kept.append(c)
        if self.derived:
            kept = _one_per_value(kept)
        out.kept, context_drops = pairing.resolve(kept, text, evidence)
        out.drops.extend(context_drops)

        if depth < self.decode_depth:
            # Regions a few lines apart are decoded as one: each view then reads the lines
            # between them once, not once per region (a block followed past one region's
            # end is the next region's beginning).
            regions = merge([s for spans in windows.values() for s in spans] + decode_regions,
                            DECODE_REGION_BYTES)
            self._scan_decoded(text, regions, depth, evidence, out)
        return out

    def _confirm(self, ri: int, text: str, spans: list[tuple[int, int]],
                 out: _TextScan) -> Iterator[Candidate]:
        rule, pattern = self.rules[ri], self._pattern(ri)
        group = rule.secret_group
        seen: set[int] = set()
        for s, e in spans:
            try:
                for m in pattern.finditer(text, s, e, self.regex_timeout):
                    if m.end() == e and e < len(text):
                        # The window may have cut a longer token; judge it with more text.
                        m = pattern.match(text, m.start(), min(len(text), e + MATCH_EXTENSION),
                                          self.regex_timeout)
                        if m is None:
                            continue
                    gs, ge = m.span(group)
                    if gs < 0 or gs in seen:
                        continue
                    seen.add(gs)
                    yield Candidate(rule, text[gs:ge], gs, ge, text,
                                    context=(rule.shape,) if rule.shape else ())
            except TimeoutError:
                out.errors.append(f"rule {rule.id}: regex timed out near byte {s}; part skipped")

    def _pattern(self, ri: int) -> RulePattern:
        """Compiled on first use: most rules never fire in a small scan, and compiling all
        of them would cost a pre-push hook a noticeable part of its time."""
        pattern = self._patterns[ri]
        if pattern is None:
            uses_re = self._engines[ri] if self._engines is not None else None
            pattern = self._patterns[ri] = RulePattern(self.rules[ri].regex, uses_re,
                                                       self._regex_cache)
        return pattern

    def _filter(self, c: Candidate) -> str | None:
        skip = c.rule.skip_filters
        for name, check in self.filters:
            if name not in skip:
                reason = check(c)
                if reason:
                    return reason
        return None

    def _make_decoders(self) -> tuple[list[Decoder], list[BlockDecoder]]:
        decoders = list(all_decoders().values())
        # Sorted out once: isinstance against a Protocol costs microseconds each time.
        self._decoders = decoders, [d for d in decoders if isinstance(d, BlockDecoder)]
        return self._decoders

    def _scan_decoded(self, text: str, regions: list[tuple[int, int]], depth: int,
                      evidence: FileEvidence, out: _TextScan) -> None:
        decoders, block_decoders = self._decoders or self._make_decoders()
        found = {(c.rule.id, c.start) for c in out.kept}
        raw = list(out.kept)
        spans = {d.name: blocks_of(d, text, regions) for d in block_decoders}
        viewed: set[tuple[str, int, int]] = set()
        for i, region in enumerate(regions):
            for decoder in decoders:
                start, end = spans[decoder.name][i] if decoder.name in spans else region
                if (decoder.name, start, end) in viewed:
                    continue  # the view of this whole block was made at an earlier region
                viewed.add((decoder.name, start, end))
                reps = decoder.replacements(text, start, end)
                if not reps:
                    continue
                seg = build_segment(text, min(start, reps[0][0]), max(end, reps[-1][1]), reps)
                if seg is None:
                    continue
                sub = self._scan(seg.text, depth + 1, evidence)
                out.errors.extend(sub.errors)
                for c in sub.kept:
                    mapped = _map(c, seg, text, decoder.name)
                    if mapped is not None and (c.rule.id, mapped.start) not in found \
                            and not _covered(mapped, raw):
                        found.add((c.rule.id, mapped.start))
                        out.kept.append(mapped)
                        _pair_back(out.kept, mapped)
                if self.explain:
                    for c, reason in sub.drops:
                        mapped = _map(c, seg, text, decoder.name)
                        if mapped is not None:
                            out.drops.append((mapped, reason))


def _pairing(rule_id: str, value: str, kind: str) -> Pairing:
    secret = _real(value)
    return Pairing(rule_id, secret, digest=sha256_hex(secret), kind=kind)


def keyword_prefilter(ruleset: RuleSet, engine: str = "auto", decode_depth: int = 2,
                      prefilter_cache: Path | None = None) -> Prefilter:
    """The prefilter of the pipeline these arguments build, alone: what a reader that only
    asks whether a text has a keyword needs (a history's commit messages), without the
    rest of a pipeline (its filters, file words and engine verdicts)."""
    return _keywords(_with_call_rules(ruleset), ruleset.fingerprint, engine, decode_depth,
                     prefilter_cache)[1]


def _keywords(rules: tuple[Rule, ...], fingerprint: str, engine: str, depth: int,
              cache: Path | None) -> tuple[KeywordTable, Prefilter]:
    """The rules' keyword table and the prefilter over its literals, each from ``cache``."""
    table, key = _keyword_table(rules, depth, fingerprint, cache)
    return table, make_prefilter(table.literals, engine, table.spellings(), cache, key)


def _with_call_rules(ruleset: RuleSet) -> tuple[Rule, ...]:
    return ruleset.rules + call_rules(
        ruleset.rules, {p.id: p.calls for p in ruleset.providers.values()})


def _keyword_table(rules: tuple[Rule, ...], depth: int, fingerprint: str,
                   cache: Path | None) -> tuple[KeywordTable, str | None]:
    """The rules' keyword table, from ``cache`` when the same rules (by their fingerprint)
    built it before: its thousands of base64 forms cost a start 40 ms to derive. With the
    key it is kept under, which then also names the compiled prefilter."""
    if cache is None or not fingerprint:
        return build_keyword_table(rules, encoded_depth=depth), None
    digest = _cache_key(fingerprint, depth, keywords, calls)
    table = remembered(cache / f"keywords-{digest}.pickle",
                       lambda: build_keyword_table(rules, encoded_depth=depth))
    return table, digest


def _cache_key(fingerprint: str, what: object, *makers: ModuleType) -> str:
    """What a file of the rules' cache is kept under: the rules, what is kept of them, and
    the code that makes it (a new build makes it again)."""
    code = b"".join(Path(m.__file__ or "").read_bytes() for m in makers)
    return hashlib.sha256(repr((fingerprint, what)).encode() + code).hexdigest()[:32]


def _engine_verdicts(rules: tuple[Rule, ...], fingerprint: str,
                     cache: Path | None) -> tuple[bool, ...] | None:
    """Per rule, whether its regex runs under ``re`` (``compiled.bounded``), from ``cache``
    when the same rules were judged before: deciding parses every pattern (50 ms for the
    built-in rules), and a worker that compiles them all would pay it at each start. None
    without a cache: each pattern is then judged when it is first compiled."""
    if cache is None or not fingerprint:
        return None
    return remembered(cache / f"engines-{_cache_key(fingerprint, 'engines', compiled, calls)}"
                      ".pickle",
                      lambda: tuple(compiled.bounded(r.regex) for r in rules),
                      lambda kept: len(kept) == len(rules))


def _condition(rule: Rule) -> tuple[tuple[str, ...], bool] | None:
    """What a text must hold for ``rule`` to count in it at all: one of its context words
    (anywhere: nearby is a part of the text), or, where the file may stand in for them, words
    that make the file about its provider; as (words, whether the file may). None for a rule
    that may count without either: no context or one it skips, one that an ID near the value
    may satisfy instead, or a dotted word, which a structure view may make of names on
    several lines."""
    ctx = rule.context
    if ctx is None or "context" in rule.skip_filters:
        return None
    if ctx.require not in ("words", "id-and-words") and not (
            ctx.require == "id-or-words" and not ctx.ids):
        return None
    if not (ctx.words or ctx.file) or any("." in w for w in ctx.words):
        return None
    return ctx.words, ctx.file


def _holds(condition: tuple[tuple[str, ...], bool] | None, keyword: str) -> bool:
    """Whether a hit of ``keyword`` meets ``condition`` by itself: there is none, or the
    keyword holds one of its words."""
    return condition is None or any(w in keyword for w in condition[0])


def _one_per_value(kept: list[Candidate]) -> list[Candidate]:
    """A value that its rule's own regex and an SDK call's shape both found is one
    candidate, the shape's: the call is its context."""
    best: dict[tuple[str, int], Candidate] = {}
    for c in kept:
        key = (c.rule.id, c.start)
        if key not in best or (c.rule.shape and not best[key].rule.shape):
            best[key] = c
    return list(best.values()) if len(best) < len(kept) else kept


def _allowed_lines(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every line holding the allow marker, in order; found once per
    chunk (usually none), so candidates need not search their lines for it."""
    lines: list[tuple[int, int]] = []
    at = text.find(ALLOW_MARKER)
    while at >= 0:
        start = text.rfind("\n", lines[-1][1] if lines else 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        lines.append((max(start, lines[-1][1] if lines else 0), end))
        at = text.find(ALLOW_MARKER, end)
    return lines


def _inline_allow(c: Candidate, allowed: list[tuple[int, int]]) -> bool:
    """The marker on any line the secret spans (in any comment syntax) allows it."""
    i = bisect.bisect_right(allowed, (c.end, len(c.text) + 1)) - 1
    return i >= 0 and allowed[i][1] >= c.start


def _covered(decoded: Candidate, raw: list[Candidate]) -> bool:
    """A decoded-view candidate the raw scan already reported, under its own rule or one that
    overrides it (a service-account key found raw, then again as a plain key once its \\n
    escapes are decoded)."""
    return any(k.start < decoded.end and decoded.start < k.end and
               (k.rule.id == decoded.rule.id or decoded.rule.id in k.rule.overrides)
               for k in raw)


def _pair_back(kept: list[Candidate], decoded: Candidate) -> None:
    """A secret found in decoded content may pair with an ID found in the raw text: give
    that ID its partner too."""
    if decoded.partner is None:
        return
    rule_id, value = decoded.partner
    for i, c in enumerate(kept):
        if c.rule.id == rule_id and c.value == value and c.partner is None:
            kept[i] = dataclasses.replace(
                c, partner=(decoded.rule.id, decoded.value),
                credential=((decoded.rule.kind, decoded.rule.id, decoded.value),) + c.credential)
            return


def _map(c: Candidate, seg: Segment, text: str, decoder: str) -> Candidate | None:
    """A candidate found in a decoded view, placed at the encoded value in the original text;
    None if it lies in text the view did not change (the raw scan covers it)."""
    start, end, touched = seg.to_original(c.start, c.end)
    if not touched:
        return None
    return dataclasses.replace(c, start=start, end=end, text=text, decoded=(decoder,) + c.decoded)


def _real(value: str) -> str:
    """Latin-1 chunk text back to the real string (UTF-8 bytes, undecodable ones escaped)."""
    return value if value.isascii() else value.encode("latin-1").decode("utf-8", "surrogateescape")


def _chars(raw: str) -> int:
    return len(raw) if raw.isascii() else len(raw.encode("latin-1").decode("utf-8", "replace"))


def _locations(chunk: Chunk, spans: list[tuple[int, int]]) -> list[Location]:
    """1-based line and column (in characters) of each span; spans sorted by start. Lines and
    columns are carried forward from one span to the next, so each byte of the chunk is looked
    at about once however many findings share a long line."""
    text, o = chunk.text, chunk.origin
    out = []
    pos = newlines = line_start = 0
    before = 0  # characters between line_start and pos
    for start, end in spans:
        newlines += text.count("\n", pos, start)
        nl = text.rfind("\n", pos, start)
        if nl >= 0:
            line_start, before = nl + 1, _chars(text[nl + 1:start])
        else:
            before += _chars(text[pos:start])
        pos = start
        # A line that began in an earlier chunk already has first_column characters.
        column = before + 1 + (chunk.first_column if not line_start else 0)
        inner = text.count("\n", start, end)
        if inner:
            end_line_start = text.rfind("\n", start, end) + 1
            end_column = _chars(text[end_line_start:end]) + 1
        else:
            end_column = column + _chars(text[start:end])
        out.append(Location(
            path=o.path,
            line=chunk.first_line + newlines + 1,
            column=column,
            end_line=chunk.first_line + newlines + inner + 1,
            end_column=end_column,
            commit=o.commit, author=o.author, date=o.date,
        ))
    return out
