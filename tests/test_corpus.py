"""Recall and precision of the installed ``keysweep`` command on a generated, labelled corpus
(benchmarks/corpus.py): hundreds of random credentials of every provider, planted where people
leak them, among decoys that must not be reported."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from benchmarks.bench_scan import score
from benchmarks.corpus import PROVIDERS, labels_path, load_labels, make_corpus
from tests.helpers.run import run_keysweep

SIZE_MB = 4.0
KEYS_PER_MB = 75.0  # ~300 labels in 4 MB
MIN_RECALL = 0.95
MIN_PRECISION = 0.95


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("corpus") / "tree"
    make_corpus(tree, SIZE_MB, seed=1234, keys_per_mb=KEYS_PER_MB)
    return tree


def rule_providers() -> set[str]:
    out = run_keysweep("rules", "list", "-f", "json").stdout
    return {row["provider"] for row in json.loads(out)}


def test_every_provider_is_planted(corpus: Path) -> None:
    labels = load_labels(labels_path(corpus))
    assert len(labels) >= 200
    planted = {p.provider for p in labels}
    missing = (set(PROVIDERS) | rule_providers()) - planted
    assert not missing, f"providers with rules but nothing planted: {sorted(missing)}"
    kinds = {p.kind for p in labels}
    assert kinds == {"id", "secret", "token", "private_key"}


def test_recall_and_precision(corpus: Path) -> None:
    labels = load_labels(labels_path(corpus))
    run = run_keysweep("scan", corpus, "-f", "json", "--show-secrets", "--no-progress",
                       expected_code=1)
    result = score(labels, run.json()["findings"])
    summary = (f"recall {result.recall:.4f} ({len(result.found)}/{result.labels}), "
               f"precision {result.precision:.4f} "
               f"({result.matched_findings}/{result.findings})\n{result.report(examples=10)}")
    print(summary)
    assert result.recall >= MIN_RECALL and result.precision >= MIN_PRECISION, summary


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_generation_is_deterministic(tmp_path: Path) -> None:
    a = make_corpus(tmp_path / "a" / "tree", 0.3, seed=7)
    b = make_corpus(tmp_path / "b" / "tree", 0.3, seed=7)
    c = make_corpus(tmp_path / "c" / "tree", 0.3, seed=8)
    assert a == b
    assert _digest(tmp_path / "a" / "tree") == _digest(tmp_path / "b" / "tree")
    assert a != c
