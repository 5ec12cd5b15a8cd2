"""Checks shared by the blast-radius tests: the facts a JSON report gave for each identity are
in the text, SARIF and HTML reports of the same scan too, and no secret is in any of them."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from pathlib import Path

from tests.helpers.run import run_keysweep


def assert_facts_in_every_format(tree: Path, verifier: str, url: str,
                                 facts: dict[str, set[tuple[str, str, str]]],
                                 secrets: Iterable[str]) -> None:
    reports = {fmt: run_keysweep("scan", tree, "--verify", "--verify-endpoint",
                                 f"{verifier}={url}", "--verify-timeout", "3", "-f", fmt,
                                 "--color", "never", expected_code=1, timeout=90).stdout
               for fmt in ("text", "sarif", "html")}
    sarif = json.loads(reports["sarif"])["runs"][0]["results"]
    sarif_facts = {tuple(sorted((x["name"], x["value"], x["risk"])
                                for x in r["properties"]["verification"]["facts"]))
                   for r in sarif if r["properties"].get("verification")}
    for case, expected in facts.items():
        assert tuple(sorted(expected)) in sarif_facts, case
        for _, value, _ in expected:
            assert value in reports["text"], (case, value)
            assert (html.escape(value, quote=False) in reports["html"]
                    or html.escape(value) in reports["html"]), (case, value)
    assert any("root" in r["message"]["text"] for r in sarif)
    for secret in secrets:
        assert all(secret not in out for out in reports.values())
