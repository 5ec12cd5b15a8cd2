"""Which engine runs a rule's regex: the standard ``re`` module only for patterns whose work
per position is bounded by the pattern itself; everything else stays on ``regex`` with its
timeout. Both give the same matches."""

from __future__ import annotations

import random
import string

import pytest
import regex

from scanner.rules.compiled import RulePattern, bounded
from scanner.rules.loader import load_rules


@pytest.mark.parametrize("pattern", [
    r"(?<![A-Za-z0-9+/_-])([A-Za-z0-9+/]{40})(?![A-Za-z0-9+/=_*-])",
    r"(?<![A-Za-z0-9])(LTAI(?:[A-Za-z0-9]{20}|[A-Za-z0-9]{12}))(?![A-Za-z0-9])",
    r"\b(ghp_[A-Za-z0-9]{36})\b",
])
def test_fixed_length_patterns_run_on_re(pattern: str) -> None:
    assert bounded(pattern)
    assert RulePattern(pattern).uses_re


@pytest.mark.parametrize(("pattern", "why"), [
    (r"key\s*=\s*([a-z0-9]{32})", "unbounded repeats"),
    (r"(?:[a-z]{1,8}\.){1,8}", "a repeat of a group"),
    (r"(a{1,99})(b{1,99})", "too many ways to try one position"),
    (r"(?|a(b{4})|c(d{4}))", "regex-only syntax"),
    (r"(?<=key=\s{0,3})(x{8})", "a variable-length look-behind re cannot compile"),
    (r"(['\"])([a-f0-9]{8})\1", "a back-reference"),
])
def test_other_patterns_stay_on_regex(pattern: str, why: str) -> None:
    assert not bounded(pattern), why


def test_every_built_in_bounded_rule_matches_as_regex_does() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "+/=_-.:\"' \n"
    text = "".join(rng.choice(alphabet) for _ in range(200_000))
    rules = [r for r in load_rules().rules if bounded(r.regex)]
    assert len(rules) >= 30
    for rule in rules:
        text_with_examples = text + "\n".join(e.text for e in rule.examples)
        compiled = RulePattern(rule.regex)
        fast = [m.span() + m.span(1) for m in compiled.finditer(
            text_with_examples, 0, len(text_with_examples), 1.0)]
        slow = [m.span() + m.span(1) for m in regex.finditer(rule.regex, text_with_examples)]
        assert fast == slow, rule.id
        assert fast, f"{rule.id}: its examples should match"


def test_a_leading_look_behind_is_checked_where_the_rest_matches() -> None:
    """Most rules start with a boundary look-behind, then a literal prefix; they are searched
    by the prefix and the look-behind is checked there. It sees the text before ``pos``, and a
    failed one moves on by one character: the next real match may start inside the rest's."""
    compiled = RulePattern(r"(?<![a-z])(a[a1]{3})")
    assert compiled.uses_re and compiled.scouted
    text = "xaaaa1 zaaa1 aaaa"
    spans = [m.span(1) for m in compiled.finditer(text, 0, len(text), 1.0)]
    assert spans == [m.span(1) for m in regex.finditer(r"(?<![a-z])(a[a1]{3})", text)]
    assert spans == [(13, 17)]
    assert [m.span() for m in compiled.finditer(text, 14, len(text), 1.0)] == []
    inside = RulePattern(r"(?<!x)(a[a1]{3})")  # "aaaa" at 1 fails; "aaa1" at 2 is the match
    assert [m.span(1) for m in inside.finditer("xaaaa1", 0, 6, 1.0)] == [(2, 6)]
    assert not RulePattern(r"(?<![a-z])([a-z0-9]{40})").scouted  # starts with a class: no gain
    rules = [r for r in load_rules().rules if RulePattern(r.regex).scouted]
    assert len(rules) >= 40
