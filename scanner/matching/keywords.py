"""The prefilter's keyword table: every rule keyword, plus the base64 forms of each keyword,
so that a base64 block which hides a key also wakes the decoder."""

from __future__ import annotations

import base64
import importlib
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanner.rules.compiled import sre_parser
from scanner.rules.schema import Rule

MIN_ENCODED_CORE = 4
MIN_TWICE_ENCODED_CORE = 5


@dataclass(frozen=True, slots=True)
class KeywordTable:
    literals: tuple[str, ...]
    rules_for: tuple[tuple[int, ...], ...]  # literal index -> indices of rules it wakes
    encoded: tuple[bool, ...]  # literal index -> is a base64 form (wakes the decoder)
    # literal index -> {rule index: the spelling that rule needs}, for exact keywords (the
    # automaton itself is case-insensitive); None for most literals
    exact: tuple[dict[int, str] | None, ...] = ()
    # literal index -> the base64 spellings a lower-cased encoded literal stands for
    forms: tuple[tuple[str, ...], ...] = ()
    # literal index -> the literal is where every rule it wakes has its value begin (``t1.``,
    # ``SG.``, ``1//``): a hit not followed by the characters of a token wakes nothing
    token_prefix: tuple[bool, ...] = ()
    # literal index -> the characters that, just before a hit, keep every rule it wakes from
    # matching there (each rule's regex opens with a look-behind, ``(?<![A-Za-z0-9_-])YC``):
    # ``YC`` inside minified code or base64 starts no key. None where any rule lacks one.
    left_guard: tuple[frozenset[str] | None, ...] = ()

    def starts_nothing(self, kw: int, text: str, start: int) -> bool:
        """Whether a hit of literal ``kw`` at ``start`` of ``text`` can start no value of the
        rules it wakes: a token's prefix with no token after it (``t1. Overview``), or one
        after a character its rules' look-behind refuses (``YC`` inside a longer token)."""
        if self.token_prefix[kw] and not starts_token(text, start + len(self.literals[kw])):
            return True
        guard = self.left_guard[kw]
        return start > 0 and guard is not None and text[start - 1] in guard

    def spellings(self) -> tuple[str | tuple[str, ...] | None, ...]:
        """Per literal, the one spelling every rule it wakes needs (``YC``, ``Client(``), or
        for a base64 form the spellings it has (base64 keeps case: ``dGVzd`` is no ``DgVZD``),
        so an engine that can may match them case-sensitively and report far fewer hits; None
        where any spelling counts. The pipeline checks spellings itself either way."""
        out: list[str | tuple[str, ...] | None] = []
        for index, spelled in enumerate(self.exact):
            if index < len(self.forms) and self.forms[index]:
                out.append(self.forms[index])
                continue
            needs = set(spelled.values()) if spelled else set()
            every = spelled is not None and len(spelled) == len(self.rules_for[index])
            out.append(needs.pop() if every and len(needs) == 1 else None)
        return tuple(out)


def build_keyword_table(rules: Sequence[Rule], encoded_depth: int = 2) -> KeywordTable:
    """Keywords, plus their base64 forms up to ``encoded_depth`` levels of encoding (a
    kubeconfig inside a Kubernetes Secret is base64 of base64)."""
    targets: dict[str, set[int]] = {}
    encoded: dict[str, set[int]] = {}
    forms: dict[str, set[str]] = {}  # lower-cased encoded literal -> its real spellings
    exact: dict[str, dict[int, str]] = {}
    for index, rule in enumerate(rules):
        for keyword in rule.keywords + rule.exact_keywords:
            targets.setdefault(keyword.lower(), set()).add(index)
            if keyword in rule.exact_keywords:
                exact.setdefault(keyword.lower(), {})[index] = keyword
            if encoded_depth < 1 or rule.shape:  # a derived rule's call is not base64'd
                continue
            for form in case_forms(keyword, rule):
                for core in base64_cores(form.encode("latin-1")):
                    encoded.setdefault(core.lower(), set()).add(index)
                    forms.setdefault(core.lower(), set()).add(core)
                    if encoded_depth < 2:
                        continue
                    for twice in base64_cores(core.encode("ascii")):
                        if len(twice) >= MIN_TWICE_ENCODED_CORE:
                            encoded.setdefault(twice.lower(), set()).add(index)
                            forms.setdefault(twice.lower(), set()).add(twice)
    literals = sorted(targets)
    extra = sorted(k for k in encoded if k not in targets)
    bounds = {i: boundary(rules[i].regex) for i in set().union(*targets.values())}
    return KeywordTable(
        literals=tuple(literals + extra),
        rules_for=tuple(tuple(sorted(targets[k])) for k in literals) + tuple(() for _ in extra),
        encoded=tuple(False for _ in literals) + tuple(True for _ in extra),
        exact=tuple(exact.get(k) for k in literals) + tuple(None for _ in extra),
        forms=tuple(() for _ in literals) + tuple(tuple(sorted(forms[k])) for k in extra),
        token_prefix=tuple(all(_begins_value(rules[i], k) for i in targets[k]) for k in literals)
        + tuple(False for _ in extra),
        left_guard=tuple(_shared_guard([bounds[i] for i in targets[k]], k) for k in literals)
        + tuple(None for _ in extra),
    )


def value_prefix(pattern: str) -> str:
    """The literal text every match of ``pattern`` starts with (``t1\\.[A-Z]+`` -> ``t1.``):
    its leading literal characters as CPython's own parser reads the pattern; empty when it
    starts with a class, a group or a repeat, or is a choice at its top level."""
    items = _parsed(pattern)
    return "" if items is None else _literal_start(items)


def _parsed(pattern: str) -> Any:
    """``pattern`` parsed by CPython's own regex parser; None where it cannot be."""
    parser = sre_parser()
    if parser is None:
        return None
    try:
        return parser.parse(pattern)
    except (re.error, OverflowError, RecursionError, ValueError):
        return None


def _literal_start(items: Any) -> str:
    out = []
    for op, arg in items:
        if str(op) != "LITERAL":
            break
        out.append(chr(arg))
    return "".join(out)


# What follows a token's own prefix in a value (base64url, hex, the separators tokens use)
# or in an escaped one (%2D, \u002d): a prefix hit followed by fewer than TOKEN_TAIL of them
# is a word (``t1. Introduction``, ``x = 1// note``), not a token.
TOKEN_TAIL = 6
_TOKEN_CHARS = string.ascii_letters + string.digits + "-_+/=.%\\"


def starts_token(text: str, end: int) -> bool:
    """Whether a token-prefix hit ending at ``end`` is followed by a token's characters."""
    tail = text[end:end + TOKEN_TAIL]
    return len(tail) == TOKEN_TAIL and not tail.strip(_TOKEN_CHARS)


def _begins_value(rule: Rule, literal: str) -> bool:
    """Whether ``literal`` (lower-cased) starts every value of the rule, which then has at
    least TOKEN_TAIL more characters: the rule's keyword hit is the start of its token, not
    a word near it."""
    items = _parsed(rule.value) if rule.value is not None else None
    if items is None or not _literal_start(items).lower().startswith(literal):
        return False
    shortest: int = items.getwidth()[0]
    return shortest - len(literal) >= TOKEN_TAIL


def _shared_guard(bounds: Sequence[tuple[frozenset[str], str] | None],
                  literal: str) -> frozenset[str] | None:
    """What keeps every one of the rules (their ``boundary``) from matching after a
    character, at a hit of ``literal``; None if one of them has no such boundary there."""
    guards = [b[0] for b in bounds if b is not None and b[1].startswith(literal)]
    if not guards or len(guards) < len(bounds):
        return None
    return frozenset.intersection(*guards)


def left_guard(pattern: str, literal: str) -> frozenset[str] | None:
    """The Latin-1 characters that, just before ``literal``, keep ``pattern`` from matching
    there; None where nothing does (see ``boundary``)."""
    return _shared_guard([boundary(pattern)], literal)


def boundary(pattern: str) -> tuple[frozenset[str], str] | None:
    """For a pattern that opens with a negative look-behind of one character and then a
    group: the Latin-1 characters the look-behind refuses, and the literal text the group
    starts with, lower-cased (a hit of a keyword it starts with can be a match only when the
    character before the hit is not refused). None for any other pattern."""
    if not pattern.startswith("(?<!"):  # what such a pattern's text starts with
        return None
    items = _parsed(pattern)
    compiler = _sre_compiler()
    if items is None or compiler is None or len(items) < 2:
        return None
    (op, arg), (group_op, group_arg) = items[0], items[1]
    if str(op) != "ASSERT_NOT" or arg[0] != -1 or str(group_op) != "SUBPATTERN":
        return None
    try:
        behind = compiler.compile(arg[1])
    except Exception:  # noqa: BLE001 - no guard is always safe
        return None
    refused = frozenset(c for c in map(chr, range(256)) if behind.match(c))
    return refused, _literal_start(group_arg[-1]).lower()


def _sre_compiler() -> Any:
    try:
        return importlib.import_module("re._compiler")
    except ImportError:  # pragma: no cover - other Pythons
        return None


def case_forms(keyword: str, rule: Rule) -> set[str]:
    """The spellings of a keyword that matter once base64-encoded (where case is kept): the
    lower- and upper-case forms and every spelling the rule's examples use (an exact
    keyword has only its one spelling)."""
    if keyword in rule.exact_keywords:
        return {keyword}
    forms = {keyword, keyword.upper()}
    for example in rule.examples:
        text = example.text
        lowered = text.lower()
        if len(lowered) != len(text):  # lower() changed offsets; skip such an example
            continue
        at = lowered.find(keyword)
        while at >= 0:
            forms.add(text[at : at + len(keyword)])
            at = lowered.find(keyword, at + 1)
    return forms


def base64_cores(word: bytes) -> list[str]:
    """The characters of base64(word) that do not depend on neighbouring bytes, for each of
    the three byte alignments the word can have inside a larger encoded block."""
    cores = []
    for align in range(3):
        encoded = base64.b64encode(b"\0" * align + word + b"\0" * 3).decode("ascii")
        first = -(-8 * align // 6)
        last = 8 * (align + len(word)) // 6
        core = encoded[first:last]
        if len(core) >= MIN_ENCODED_CORE:
            cores.append(core)
            cores.append(core.replace("+", "-").replace("/", "_"))
    return list(dict.fromkeys(cores))
