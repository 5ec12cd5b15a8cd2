"""Every example and counterexample of every rule, through the whole pipeline, loaded with the
same loader the product uses. A failure names the rule and the example."""

from __future__ import annotations

import re

import pytest

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.rules.loader import load_rules
from scanner.rules.validate import counterexample_problem, example_problem

RULESET = load_rules(strict=True)  # also compiles every regex
SCANNER = Scanner(ScanConfig(rules=RULESET, jobs=1))

EXAMPLES = [pytest.param(rule, ex, id=f"{rule.id}:example[{i}]")
            for rule in RULESET.rules for i, ex in enumerate(rule.examples)]
COUNTEREXAMPLES = [pytest.param(rule, ex, id=f"{rule.id}:counterexample[{i}]")
                   for rule in RULESET.rules for i, ex in enumerate(rule.counterexamples)]


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_example_yields_its_secret(rule, example):
    assert example_problem(rule, example, SCANNER) is None


@pytest.mark.parametrize(("rule", "example"), COUNTEREXAMPLES)
def test_counterexample_yields_nothing(rule, example):
    assert counterexample_problem(rule, example, SCANNER) is None


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda r: r.id)
def test_rule_has_examples_both_ways(rule):
    assert rule.examples, "every rule needs at least one example"
    assert rule.counterexamples, "every rule needs at least one counterexample"
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id)


def test_every_listed_provider_has_rules():
    providers = {r.provider for r in RULESET.rules}
    assert {"alibaba", "aws", "tencent", "huawei", "baidu", "volcengine", "gcp", "azure",
            "github", "private-keys"} <= providers


def test_every_provider_says_how_to_revoke():
    for provider in RULESET.providers.values():
        assert len(provider.remediation) > 40, provider.id
