"""Keywords that are a token's own prefix (``t1.``, ``SG.``, ``1//``): a hit with no token after
it, or inside a longer token where the rule needs a boundary before it, wakes nothing and opens
no window, while the token itself, plain or escaped, is found."""

from __future__ import annotations

import random
import string

import pytest

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.matching.keywords import (
    TOKEN_TAIL,
    build_keyword_table,
    left_guard,
    starts_token,
    value_prefix,
)
from scanner.rules.loader import load_rules

RULES = load_rules()
URLSAFE = string.ascii_letters + string.digits + "-_"


@pytest.mark.parametrize(("pattern", "prefix"), [
    (r"t1\.[A-Za-z0-9_-]{20,600}", "t1."),
    (r"bce-v3/ALTAK-[A-Za-z0-9]{15,40}", "bce-v3/ALTAK-"),
    ("YC[A-Za-z0-9_-]{38}", "YC"),
    ("ab?c[0-9]{8}", "a"),  # the b may be missing
    ("x{2}[0-9]{8}", ""),
    ("(?:AKIA|ASIA)[A-Z2-7]{16}", "A"),  # what both alternatives start with
    ("(?:AKIA|BSIA)[A-Z2-7]{16}", ""),
    ("abc[0-9]{8}|def[0-9]{8}", ""),  # an alternative at the top level
    (r"a\|b[0-9]{8}", "a|b"),
    ("x[]|]y[0-9]{8}", "x"),
])
def test_the_literal_every_value_starts_with(pattern: str, prefix: str) -> None:
    assert value_prefix(pattern) == prefix


def test_only_literals_that_start_every_value_of_their_rules_are_token_prefixes() -> None:
    table = build_keyword_table(RULES.rules)
    prefix = {lit for lit, p in zip(table.literals, table.token_prefix, strict=True) if p}
    assert {"t1.", "sg.", "1//", "ya29.", "hf_", "bce-v3/altak-"} <= prefix
    # words near a value, never the value itself
    assert not {"heroku", "api.github.com", "client_secret", "token:"} & prefix
    encoded = {lit for lit, e in zip(table.literals, table.encoded, strict=True) if e}
    assert not encoded & prefix


def test_a_prefix_followed_by_fewer_token_characters_than_the_tail_is_a_word() -> None:
    assert starts_token("t1.AbC-9_zz", 3)
    assert starts_token("t1.AbC%3D%3D", 3)  # URL escapes
    assert starts_token("t1.AbC\\u003d", 3)  # string escapes
    assert not starts_token("t1. Overview", 3)
    assert not starts_token("t1.txt\n", 3)
    assert not starts_token("t1." + "a" * (TOKEN_TAIL - 1), 3)  # the text ends first


def iam_token(rng: random.Random, padding: str = "==") -> str:
    head = "".join(rng.choice(URLSAFE) for _ in range(40))
    sig = "".join(rng.choice(URLSAFE) for _ in range(86))
    return f"t1.{head}{padding}.{sig}"


def test_prose_with_the_prefix_wakes_nothing_and_the_token_plain_or_escaped_is_found() -> None:
    scanner = Scanner(ScanConfig(rules=RULES, jobs=1))
    pipeline = scanner.pipeline
    prose = "1. Intro\nt1. Overview, see t1.txt and T1.2\nx = 1// comment\n"
    hits = pipeline.prefilter.find(prose)
    assert hits, "the prose holds the prefixes"
    assert not pipeline.wakes(prose, hits)
    rng = random.Random(11)
    token = iam_token(rng)
    plain = f"Authorization: Bearer {token}\n"
    assert pipeline.wakes(plain, pipeline.prefilter.find(plain))
    escaped = {
        (): plain,
        ("url",): f"curl 'https://iam.example.net/v1?token={token.replace('==', '%3D%3D')}'\n",
        ("unescape",): '{"iam_token": "' + token.replace("=", "\\u003d") + '"}\n',
    }
    for decoded, text in escaped.items():
        findings = scanner.scan_text(prose + text).findings
        assert [(f.rule_id, f.secret, f.decoded) for f in findings] == [
            ("yandex-cloud-iam-token", token, decoded)], text


@pytest.mark.parametrize(("pattern", "literal", "blocks", "passes"), [
    (r"(?<![A-Za-z0-9_-])(YC[A-Za-z0-9_-]{23})", "yc", "aZ9_-", " \"'=:\n"),
    (r"(?<![A-Za-z0-9_/.-])(1//[A-Za-z0-9_-]{40,})", "1//", "a9/.", " =\""),
    (r"(?<!\w)(hf_[a-z]{30})", "hf_", "aZ9_é", " -"),  # \w is Unicode, as in regex
])
def test_a_look_behind_before_the_value_guards_its_prefix(pattern: str, literal: str,
                                                          blocks: str, passes: str) -> None:
    guard = left_guard(pattern, literal)
    assert guard is not None
    assert set(blocks) <= guard
    assert not set(passes) & guard


@pytest.mark.parametrize(("pattern", "literal"), [
    (r"(YC[A-Za-z0-9_-]{23})", "yc"),  # no look-behind
    (r"(?<![A-Za-z0-9])key[ =]+(YC[A-Za-z0-9_-]{23})", "yc"),  # something between
    (r"(?<![A-Za-z0-9])(AKIA|ASIA)", "asia"),  # an alternative the literal does not start
    (r"(?<=[ =])(YC[A-Za-z0-9_-]{23})", "yc"),  # a positive look-behind
])
def test_no_guard_where_the_pattern_could_match_after_any_character(pattern: str,
                                                                    literal: str) -> None:
    assert left_guard(pattern, literal) is None


def test_a_prefix_inside_a_longer_word_wakes_nothing_and_the_key_after_a_boundary_is_found(
) -> None:
    scanner = Scanner(ScanConfig(rules=RULES, jobs=1))
    pipeline = scanner.pipeline
    rng = random.Random(5)
    key_id = "YC" + "".join(rng.choice(URLSAFE) for _ in range(23))
    inside = f"var p=\"kq{key_id}\";\n"  # minified code or base64: YC mid-token
    hits = pipeline.prefilter.find(inside)
    assert any(pipeline.table.literals[kw] == "yc" for kw, _ in hits)
    assert not pipeline.wakes(inside, hits)
    assert not scanner.scan_text(inside).findings
    found = scanner.scan_text(f'access_key_id = "{key_id}"\n').findings
    assert [(f.rule_id, f.secret) for f in found] == [("yandex-cloud-static-key-id", key_id)]
