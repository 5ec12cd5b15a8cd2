"""Run every rule's own examples and counterexamples through the whole pipeline: the gate for
built-in rules (tests/test_patterns.py) and for users' rules (``keysweep rules check``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from scanner.models import ScanResult
from scanner.rules.schema import Example, Rule


@dataclass(frozen=True, slots=True)
class Problem:
    rule_id: str
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: rule {self.rule_id}: {self.message}"


class TextScanner(Protocol):
    """Anything that scans a string: scanner.scanning.Scanner."""

    def scan_text(self, text: str | bytes, path: str = "<text>") -> ScanResult: ...


def example_problem(rule: Rule, example: Example, scanner: TextScanner) -> str | None:
    """Why an example fails (its secret not found, or not paired as stated), or None."""
    if not rule.mentions_keyword(example.text):
        return "example contains none of the rule's keywords"
    result = scanner.scan_text(example.text)
    expected = example.secret or ""
    if not rule.report:  # a part, not a finding: some finding's credential must carry it
        carried = [p for f in result.findings for p in f.credential if p.rule_id == rule.id]
        if any(f.rule_id == rule.id for f in result.findings):
            return "a rule with report = false must not yield findings of its own"
        kind = rule.part if rule.token_for else rule.kind
        if not any(p.secret == expected and p.kind == kind for p in carried):
            got = ", ".join(sorted({p.redacted for p in carried})) or "nothing"
            return (f"example should join {expected[:8]}… as part {kind} of a "
                    f"credential, but joined {got}")
        return None
    mine = [f for f in result.findings if f.rule_id == rule.id]
    hits = [f for f in mine if f.secret == expected]
    if not hits:
        got = ", ".join(sorted({f.redacted for f in mine})) or "nothing"
        return f"example should find {expected[:8]}… but found {got}"
    if example.paired_with and not any(
            f.paired_with and f.paired_with.secret == example.paired_with for f in hits):
        return f"example's finding should be paired with {example.paired_with[:8]}…"
    if example.token and not any(
            any(p.kind == "token" and p.secret == example.token for p in f.credential)
            for f in hits):
        return f"example's finding should carry the session token {example.token[:8]}…"
    return None


def counterexample_problem(rule: Rule, example: Example, scanner: TextScanner) -> str | None:
    result = scanner.scan_text(example.text)
    found = [f.redacted for f in result.findings if f.rule_id == rule.id]
    if not rule.report:  # a part: it must join no credential either
        found += [p.redacted for f in result.findings for p in f.credential
                  if p.rule_id == rule.id]
    if found:
        return f"counterexample ({example.why or 'no reason given'}) found {found[0]}"
    return None


def check_rules(rules: Iterable[Rule], scanner: TextScanner) -> Iterator[Problem]:
    for rule in rules:
        if not rule.examples:
            yield Problem(rule.id, rule.source, "needs at least one example")
        if not rule.counterexamples:
            yield Problem(rule.id, rule.source, "needs at least one counterexample")
        for i, example in enumerate(rule.examples):
            message = example_problem(rule, example, scanner)
            if message:
                yield Problem(rule.id, rule.source, f"examples[{i}]: {message}")
        for i, example in enumerate(rule.counterexamples):
            message = counterexample_problem(rule, example, scanner)
            if message:
                yield Problem(rule.id, rule.source, f"counterexamples[{i}]: {message}")
