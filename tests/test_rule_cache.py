"""The parsed built-in rules are kept on disk, keyed by the rule files' bytes."""

from __future__ import annotations

import stat
from pathlib import Path

from scanner.rules.loader import load_rules


def test_rules_from_the_cache_are_the_rules_parsed(tmp_path: Path):
    parsed = load_rules()
    first = load_rules(cache=tmp_path)
    kept = list(tmp_path.glob("rules-*.pickle"))
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    again = load_rules(cache=tmp_path)
    assert parsed.rules == first.rules == again.rules
    assert parsed.providers == again.providers and parsed.placeholders == again.placeholders


def test_a_damaged_cache_is_parsed_again(tmp_path: Path):
    load_rules(cache=tmp_path)
    (kept,) = tmp_path.glob("rules-*.pickle")
    kept.write_bytes(b"not a pickle")
    assert load_rules(cache=tmp_path).rules == load_rules().rules


def test_strict_loading_and_user_files_never_use_the_cache(tmp_path: Path):
    rule = tmp_path / "mine.toml"
    rule.write_text('provider = "mine"\nname = "Mine"\n[[rules]]\nid = "mine-token"\n'
                    'name = "Mine token"\nkind = "token"\nseverity = "high"\n'
                    'keywords = ["mine_"]\nregex = \'\'\'mine_([a-z0-9]{32})\'\'\'\n')
    cache = tmp_path / "cache"
    load_rules(strict=True, cache=cache)
    assert not list(cache.glob("rules-*.pickle"))
    with_mine = load_rules([rule], cache=cache)
    assert "mine-token" in with_mine.by_id()
    assert len(list(cache.glob("rules-*.pickle"))) == 1  # the built-in part only


def test_a_selection_has_its_own_fingerprint_and_equal_rules_share_one(tmp_path: Path):
    rules = load_rules(cache=tmp_path)
    assert rules.fingerprint and rules.fingerprint == load_rules().fingerprint
    fewer = rules.select(disabled=["aws-access-key-id"])
    assert fewer.fingerprint not in ("", rules.fingerprint)
    assert fewer.fingerprint == load_rules().select(disabled=["aws-access-key-id"]).fingerprint


def test_the_keyword_table_and_prefilter_from_the_cache_find_what_fresh_ones_find(
        tmp_path: Path):
    from scanner.engine.detector import Pipeline
    from scanner.models import Chunk, Origin
    from tests.helpers.keys import ID, SECRET

    text = f"aliyun_access_key_id = '{ID}'\naliyun_access_key_secret = '{SECRET}'\n"
    rules = load_rules()
    fresh = Pipeline(rules)
    first = Pipeline(rules, prefilter_cache=tmp_path)
    assert list(tmp_path.glob("keywords-*.pickle")) and list(tmp_path.glob("prefilter-*"))
    again = Pipeline(rules, prefilter_cache=tmp_path)
    assert again.table == fresh.table
    chunk = Chunk(Origin("k.py"), text, 0, 0, 0, None)
    found = [[(f.rule_id, f.secret) for f in p.scan_chunk(chunk).findings]
             for p in (fresh, first, again)]
    assert found[0] == found[1] == found[2] and len(found[0]) == 2


def test_a_pattern_compiled_by_regex_is_kept_and_read_back_as_the_same_program(
        tmp_path: Path):
    import pickle

    from scanner.rules.compiled import RulePattern, bounded

    # A repeat nested in a repeat: never under ``re``, so ``regex`` compiles it.
    pattern = r"(?i)token(?:[ \t]*[:=][ \t]*)+([A-Za-z0-9]{8,40})"
    assert not bounded(pattern)
    text = "x token = token: Ab3dEf9hIj\nTOKEN=zz\n" * 3
    fresh = RulePattern(pattern, False)
    first = RulePattern(pattern, False, tmp_path)
    (kept,) = tmp_path.glob("regex-*/*.pickle")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    kept_pattern = pickle.loads(kept.read_bytes())
    assert kept_pattern.pattern == pattern
    again = RulePattern(pattern, False, tmp_path)
    spans = [[(m.start(), m.end(), m.group(1)) for m in p.finditer(text, 0, len(text), 1.0)]
             for p in (fresh, first, again)]
    assert spans[0] == spans[1] == spans[2] and len(spans[0]) == 3
    kept.write_bytes(b"not a pickle")  # damaged: compiled again, and kept again
    damaged = RulePattern(pattern, False, tmp_path)
    assert [m.span() for m in damaged.finditer(text, 0, len(text), 1.0)] == \
        [s[:2] for s in spans[0]]
    assert pickle.loads(kept.read_bytes()).pattern == pattern
