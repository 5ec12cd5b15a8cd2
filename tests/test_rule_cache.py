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
