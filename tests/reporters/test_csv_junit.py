"""CSV and JUnit through the real command: both parse with the standard library, have one
row / one failing test case per finding, and never show a raw secret unless asked."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from scanner.reporters.csv import COLUMNS
from scanner.rules.loader import load_rules
from tests.helpers.run import run_keysweep
from tests.reporters.conftest import ALLOWED, ID, RAW_VALUES, SECRET, leak


def json_findings(path: Path) -> list[dict[str, Any]]:
    return run_keysweep("scan", path, "-f", "json", expected_code=1).json()["findings"]


def csv_rows(*args: object, code: int = 1) -> tuple[list[str], list[dict[str, str]]]:
    out = run_keysweep("scan", *args, "-f", "csv", expected_code=code).stdout
    reader = csv.DictReader(io.StringIO(out, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def junit(*args: object, code: int = 1) -> ET.Element:
    return ET.fromstring(run_keysweep("scan", *args, "-f", "junit", expected_code=code).stdout)


def suite_of(root: ET.Element) -> ET.Element:
    [suite] = root.iter("testsuite")
    return suite


# -- CSV ------------------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_finding(tree: Path):
    header, rows = csv_rows(tree)
    assert header == list(COLUMNS)
    findings = json_findings(tree)
    assert len(rows) == len(findings) == 5

    def key(item: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(item[k]) for k in ("rule_id", "path", "line", "column",
                                            "secret_sha256", "fingerprint", "redacted"))

    assert sorted(map(key, rows)) == sorted(map(key, findings))
    secret = next(r for r in rows if r["path"] == "app.ini" and r["kind"] == "secret")
    assert secret["paired_rule_id"] == "alibaba-access-key-id"
    assert secret["commit"] == "" and secret["verification_status"] == ""
    assert secret["severity"] == "critical" and secret["provider"] == "alibaba"


def test_csv_shows_raw_secrets_only_when_asked(tree: Path):
    text = run_keysweep("scan", tree, "-f", "csv", expected_code=1).stdout
    for value in RAW_VALUES:
        assert value not in text
    header, rows = csv_rows(tree, "--show-secrets")
    assert header.index("secret") == header.index("redacted") + 1
    assert {r["secret"] for r in rows if r["path"] == "app.ini"} == {ID, SECRET}


def test_csv_lists_suppressed_findings_when_asked(tree: Path):
    header, rows = csv_rows(tree, "--show-suppressed")
    assert header[-1] == "suppressed"
    assert [(r["path"], r["suppressed"]) for r in rows if r["suppressed"]] == [
        ("allowed.py", "inline allow")]
    assert sum(1 for r in rows if not r["suppressed"]) == 5
    assert ALLOWED not in run_keysweep("scan", tree, "-f", "csv", "--show-suppressed",
                                       expected_code=1).stdout


def test_csv_quotes_awkward_paths_and_defuses_formulas(tmp_path: Path):
    (tmp_path / "=HYPERLINK(1).ini").write_text(leak(SECRET))
    (tmp_path / 'a, "quoted"\nname.ini').write_text(leak(SECRET))
    (tmp_path / "caf\u00e9.ini").write_text(leak(SECRET))
    _, rows = csv_rows(tmp_path)
    assert sorted(r["path"] for r in rows) == sorted(
        ["'=HYPERLINK(1).ini", 'a, "quoted"\nname.ini', "caf\u00e9.ini"])


def test_clean_csv_is_just_the_header(tmp_path: Path):
    header, rows = csv_rows(tmp_path, code=0)
    assert header == list(COLUMNS) and rows == []


# -- JUnit ----------------------------------------------------------------------------------


def test_junit_has_one_failing_case_per_finding(tree: Path):
    root = junit(tree)
    suite = suite_of(root)
    cases = list(suite.iter("testcase"))
    findings = json_findings(tree)
    assert suite.get("name") == "keysweep"
    assert int(suite.get("tests")) == len(cases) == len(findings) == 5
    assert int(suite.get("failures")) == 5 and suite.get("errors") == "0"
    assert root.get("tests") == suite.get("tests") and root.get("failures") == "5"
    got = sorted((c.get("classname"), c.find("failure").get("type")) for c in cases)
    assert got == sorted((f["path"], f["rule_id"]) for f in findings)
    assert len({c.get("name") for c in cases}) == len(cases)  # unique per location
    secret = next(c for c in cases if c.get("classname") == "app.ini"
                  and c.find("failure").get("type") == "alibaba-access-key-secret")
    assert secret.get("name") == "alibaba-access-key-secret at app.ini:2:21"
    failure = secret.find("failure")
    assert "J0Rl…" in failure.get("message")
    remediation = load_rules(()).providers["alibaba"].remediation
    assert remediation in failure.text
    assert "paired with: alibaba-access-key-id LTAI…" in failure.text


def test_junit_shows_raw_secrets_only_when_asked(tree: Path):
    text = run_keysweep("scan", tree, "-f", "junit", expected_code=1).stdout
    for value in RAW_VALUES:
        assert value not in text
    shown = run_keysweep("scan", tree, "-f", "junit", "--show-secrets", expected_code=1).stdout
    assert SECRET in shown and ID in shown


def test_clean_junit_has_one_passing_case(tmp_path: Path):
    (tmp_path / "a.py").write_text("print('hello')\n")
    suite = suite_of(junit(tmp_path, code=0))
    [case] = suite.iter("testcase")
    assert (suite.get("tests"), suite.get("failures")) == ("1", "0")
    assert list(case) == [] and "no secrets found in 1 file" in case.get("name")


def test_junit_suppressed_findings_are_skipped_cases(tree: Path):
    suite = suite_of(junit(tree, "--show-suppressed"))
    skipped = [c for c in suite.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("classname") for c in skipped] == ["allowed.py"]
    assert skipped[0].find("skipped").get("message") == "suppressed by inline allow"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("6", "5", "1")


def test_junit_missing_path_is_an_error(tmp_path: Path):
    suite = suite_of(junit(tmp_path / "nope", code=2))
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    assert "does not exist" in suite.find("testcase/error").get("message")


@pytest.mark.parametrize("name", ["ctl\x01char.ini", "tab\there.ini"])
def test_junit_parses_with_paths_xml_cannot_carry(tmp_path: Path, name: str):
    (tmp_path / name).write_text(leak(SECRET))
    (tmp_path / "ok.ini").write_text(leak(SECRET))
    suite = suite_of(junit(tmp_path))
    assert suite.get("failures") == "2"
    assert {c.get("classname") for c in suite.iter("testcase")} == {
        name.replace("\x01", "\\x01"), "ok.ini"}


def test_reports_parse_with_a_path_that_is_not_utf8(tmp_path: Path):
    (tmp_path / "k\udcff.ini").write_text(leak(SECRET))  # the byte 0xff, as os.fsdecode has it
    assert {c.get("classname") for c in suite_of(junit(tmp_path)).iter("testcase")} == {
        "k\\xff.ini"}
    _, rows = csv_rows(tmp_path)
    assert [r["path"] for r in rows] == ["k\\xff.ini"]
