"""The compiled Hyperscan prefilter is kept in the user's cache between runs (private, keyed
by the keywords), and a damaged or foreign cache file only means compiling again."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scanner.matching import fast
from tests.helpers.keys import ID, SECRET
from tests.helpers.run import run_keysweep

pytestmark = pytest.mark.skipif(not fast.available(), reason="hyperscan does not import here")


def scan(target: Path, cache: Path) -> set[str]:
    run = run_keysweep("scan", target, "-f", "json", "--no-config", expected_code=1,
                       env={"XDG_CACHE_HOME": str(cache)})
    return {f["rule_id"] for f in run.json()["findings"]}


def test_the_compiled_prefilter_is_cached_privately_and_reused(tmp_path: Path) -> None:
    target = tmp_path / "src"
    target.mkdir()
    (target / "app.ini").write_text(f"access_key_id = {ID}\naccess_key_secret = {SECRET}\n")
    cache = tmp_path / "cache"
    first = scan(target, cache)
    # The keywords' database and the file-context words' one.
    dbs = sorted((cache / "keysweep" / "prefilter").glob("prefilter-*.hsdb"),
                 key=lambda p: p.stat().st_size)
    assert len(dbs) == 2
    db = dbs[-1]
    assert all(stat.S_IMODE(d.stat().st_mode) == 0o600 for d in dbs)
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((cache / "keysweep").stat().st_mode) == 0o700
    stamps = [d.stat().st_mtime_ns for d in dbs]
    assert scan(target, cache) == first  # loaded, not rewritten
    assert [d.stat().st_mtime_ns for d in dbs] == stamps
    db.write_bytes(b"not a database")
    assert scan(target, cache) == first  # recompiled and replaced
    assert db.read_bytes() != b"not a database"
    assert not list(db.parent.glob(".keep-*"))  # no temporary file left behind


def test_a_cache_directory_left_readable_by_others_is_narrowed(tmp_path: Path) -> None:
    target = tmp_path / "src"
    target.mkdir()
    (target / "app.ini").write_text(f"access_key_id = {ID}\naccess_key_secret = {SECRET}\n")
    cache = tmp_path / "cache"
    (cache / "keysweep" / "prefilter").mkdir(parents=True)
    (cache / "keysweep").chmod(0o755)
    (cache / "keysweep" / "prefilter").chmod(0o755)
    scan(target, cache)
    assert stat.S_IMODE((cache / "keysweep").stat().st_mode) == 0o700
    assert stat.S_IMODE((cache / "keysweep" / "prefilter").stat().st_mode) == 0o700


def test_which_engine_runs_each_rule_is_judged_once_and_kept_with_the_cache(
        tmp_path: Path) -> None:
    # Judging a pattern parses it; the verdicts are kept beside the prefilter, so a start
    # (a worker, a hook) compiles each regex without parsing it twice. A damaged file only
    # means judging again.
    import pickle

    from scanner.engine.config import ScanConfig
    from scanner.engine.scanner import build_pipeline
    from scanner.rules.compiled import bounded

    cache = tmp_path / "prefilter"
    first = build_pipeline(ScanConfig(jobs=1, prefilter_cache=cache))
    [kept] = cache.glob("engines-*.pickle")
    verdicts = pickle.loads(kept.read_bytes())
    assert verdicts == tuple(bounded(r.regex) for r in first.rules)
    assert True in verdicts and False in verdicts  # both engines are in use
    kept.write_bytes(b"damaged")
    again = build_pipeline(ScanConfig(jobs=1, prefilter_cache=cache))
    assert pickle.loads(kept.read_bytes()) == verdicts
    for ri, rule in enumerate(again.rules):
        assert again._pattern(ri).uses_re == verdicts[ri], rule.id


@pytest.mark.parametrize("engine", ["auto", "pyahocorasick"])
def test_the_keyword_prefilter_alone_finds_what_the_pipelines_finds(tmp_path: Path,
                                                                     engine: str) -> None:
    """A history's commit messages are sieved by the pipeline's keyword prefilter, built
    without the rest of the pipeline: same keywords (the SDK calls' derived ones too), same
    hits, from the same cache."""
    from scanner.engine.config import ScanConfig
    from scanner.engine.scanner import Scanner, build_keyword_prefilter, build_pipeline

    def config(cache: str) -> ScanConfig:  # each its own cache: neither reads the other's
        return ScanConfig(jobs=1, engine=engine, prefilter_cache=tmp_path / cache)

    text = (f"fix: rotate ak={ID} sk={SECRET}\nuse oss2.Auth(id, secret) and "
            "AKIAIOSFODNN7EXAMPLE; see aliyun docs\n")
    alone = build_keyword_prefilter(config("alone"))
    pipeline = build_pipeline(config("pipeline"))
    assert alone.name == pipeline.prefilter.name == Scanner(config("pipeline")).engine
    assert sorted(alone.find(text)) == sorted(pipeline.prefilter.find(text))
    assert len(alone.find(text)) >= 4
