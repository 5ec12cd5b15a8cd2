"""SARIF through the real command: it validates against the official 2.1.0 schema (a copy
next to this file, so a clean checkout can run it), URIs included, and it has what GitHub
code scanning relies on: every result's rule at its ``ruleIndex``, physical locations,
fingerprints that survive moved code, the provider's remediation in each rule's help,
suppressions for triaged findings, and no raw secret unless asked."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.reporters.sarif import path_uri
from scanner.rules.loader import load_rules
from tests.helpers.git_repo import GitRepo
from tests.helpers.run import run_keysweep
from tests.reporters.conftest import ALLOWED, ID, RAW_VALUES, SECRET, SECRET2, SECRET3, leak

SCHEMA_PATH = Path(__file__).with_name("sarif-schema-2.1.0.json")

# RFC 3986, section 3 and appendix A: what ``format: uri`` / ``uri-reference`` mean.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_PCHAR_NC = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-Fa-f]{2})"
_TAIL = rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?"
_ABSOLUTE = re.compile(rf"^[A-Za-z][A-Za-z0-9+.\-]*:(?:{_PCHAR}|/|\[|\])*{_TAIL}$")
_RELATIVE = re.compile(rf"^(?:{_PCHAR_NC}+(?:/{_PCHAR}*)*|/(?:{_PCHAR}|/)*|){_TAIL}$")


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_ABSOLUTE.match(value))


def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(_ABSOLUTE.match(value) or _RELATIVE.match(value))


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def validator() -> jsonschema.protocols.Validator:
    """The official schema with its formats checked (jsonschema checks ``uri`` only with
    optional packages installed, so the RFC 3986 grammar is spelled out above)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("uri")(_is_uri)
    checker.checks("uri-reference")(_is_uri_reference)
    checker.checks("date-time")(_is_date_time)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=checker)


def assert_valid(doc: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def sarif(*args: object, code: int = 1, stdin: str | None = None) -> dict[str, Any]:
    run = run_keysweep(*args, "-f", "sarif", "--no-progress", expected_code=code, input=stdin)
    doc = run.json()
    assert_valid(doc)
    return doc


def results(doc: dict[str, Any], suppressed: bool = False) -> list[dict[str, Any]]:
    return [r for r in doc["runs"][0]["results"] if ("suppressions" in r) == suppressed]


def uri(result: dict[str, Any]) -> str:
    return result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def region(result: dict[str, Any]) -> dict[str, int]:
    return result["locations"][0]["physicalLocation"]["region"]


# -- validity -------------------------------------------------------------------------------


def test_the_schema_copy_is_the_official_one():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"] == ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
                            "schemas/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_the_uri_check_rejects_what_rfc_3986_rejects():
    assert _is_uri_reference("a.zip!conf/prod%20env.ini")
    assert _is_uri("file:///tmp/a%20b")
    assert not _is_uri("relative/path")
    for bad in ("a b", "<stdin>", "C:\\x", "%zz", "a{b}", "x#y#z"):
        assert not _is_uri_reference(bad), bad


def test_the_validator_catches_a_broken_report(tree: Path):
    doc = sarif("scan", tree)
    result = doc["runs"][0]["results"][0]
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "prod env.ini"
    result["level"] = "critical"
    result["partialFingerprints"]["keysweep/v1"] = 1
    messages = [e.message for e in validator().iter_errors(doc)]
    assert len(messages) == 3, messages


@pytest.mark.parametrize("show_secrets", [False, True])
def test_a_scan_validates_against_the_official_schema(tree: Path, show_secrets: bool):
    doc = sarif("scan", tree, "-j", "1", *(["--show-secrets"] if show_secrets else []))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "keysweep" and driver["semanticVersion"] == driver["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", driver["version"])
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_stdin_and_a_clean_scan_validate(tmp_path: Path):
    doc = sarif("scan", "-", stdin=f"access_key_id = {ID}\naccess_key_secret = {SECRET}\n")
    assert {uri(r) for r in results(doc)} == {"%3Cstdin%3E"}
    (tmp_path / "clean.py").write_text("print('hello')\n")
    doc = sarif("scan", tmp_path, code=0)
    assert doc["runs"][0]["results"] == []
    assert doc["runs"][0]["tool"]["driver"]["rules"]  # the rules that ran, even so


def test_a_missing_path_is_an_unsuccessful_execution(tmp_path: Path):
    doc = sarif("scan", tmp_path / "nope", code=2)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "does not exist" in note["message"]["text"]


def test_skipped_inputs_are_notifications(tree: Path):
    (tree / "blob.dat").write_bytes(b"\x00\x01\x02" * 100)
    quiet = sarif("scan", tree)["runs"][0]["invocations"][0]
    assert "toolExecutionNotifications" not in quiet  # binaries are only listed with -v
    loud = sarif("scan", tree, "-v")["runs"][0]["invocations"][0]
    notes = loud["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["note"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "blob.dat"


# -- rules ----------------------------------------------------------------------------------


def test_one_descriptor_per_rule_with_remediation_and_security_severity(tree: Path):
    doc = sarif("scan", tree)
    descriptors = doc["runs"][0]["tool"]["driver"]["rules"]
    ruleset = load_rules(())
    assert [d["id"] for d in descriptors] == [r.id for r in ruleset.rules]
    by_id = {r.id: r for r in ruleset.rules}
    for d in descriptors:
        rule = by_id[d["id"]]
        provider = ruleset.providers[rule.provider]
        assert d["shortDescription"]["text"] == rule.name
        assert d["fullDescription"]["text"]
        assert provider.remediation in d["help"]["text"]
        assert provider.remediation in d["help"]["markdown"]
        for ref in provider.references:
            assert ref in d["help"]["text"]
        props = d["properties"]
        assert props["provider"] == rule.provider and props["kind"] == rule.kind
        assert {"security", "secret"} <= set(props["tags"])
        assert 0.0 <= float(props["security-severity"]) <= 10.0
        expected = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0",
                    "info": "1.0"}[rule.severity]
        assert props["security-severity"] == expected
        assert d["defaultConfiguration"]["level"] in ("error", "warning", "note")


def test_every_result_points_at_its_own_rule(tree: Path):
    doc = sarif("scan", tree)
    descriptors = doc["runs"][0]["tool"]["driver"]["rules"]
    assert len({d["id"] for d in descriptors}) == len(descriptors)
    for r in doc["runs"][0]["results"]:
        assert descriptors[r["ruleIndex"]]["id"] == r["ruleId"]
        severity = descriptors[r["ruleIndex"]]["properties"]["severity"]
        assert r["level"] == {"critical": "error", "high": "error", "medium": "warning",
                              "low": "note", "info": "note"}[severity]


# -- results --------------------------------------------------------------------------------


def test_results_have_the_physical_locations_of_the_json_report(tree: Path):
    doc = sarif("scan", tree)
    report = run_keysweep("scan", tree, "-f", "json", expected_code=1).json()
    from_json = sorted((f["rule_id"], path_uri(f["path"]), f["line"], f["column"], f["end_line"],
                        f["end_column"]) for f in report["findings"])
    from_sarif = sorted((r["ruleId"], uri(r), region(r)["startLine"], region(r)["startColumn"],
                         region(r)["endLine"], region(r)["endColumn"]) for r in results(doc))
    assert from_sarif == from_json
    assert {uri(r) for r in results(doc)} == {
        "app.ini", "k8s.yaml", "bundle.zip!conf/prod%20env.ini"}
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_message_says_what_was_found_paired_and_decoded(tree: Path):
    doc = sarif("scan", tree)
    secret = next(r for r in results(doc) if uri(r) == "app.ini"
                  and r["ruleId"] == "alibaba-access-key-secret")
    text = secret["message"]["text"]
    assert "J0Rl…" in text and "Paired with alibaba-access-key-id LTAI…" in text
    assert secret["properties"]["paired_with"]["rule_id"] == "alibaba-access-key-id"
    related = secret["relatedLocations"]
    assert [(x["physicalLocation"]["region"]["startLine"]) for x in related] == [1]
    decoded = next(r for r in results(doc) if uri(r) == "k8s.yaml"
                   and r["ruleId"] == "alibaba-access-key-secret")
    assert decoded["properties"]["decoded"] == ["base64"]
    assert "decoding base64" in decoded["message"]["text"]
    assert "commit" not in decoded["properties"]


def test_no_raw_secret_unless_show_secrets(tree: Path):
    hidden = run_keysweep("scan", tree, "-f", "sarif", expected_code=1).stdout
    for value in RAW_VALUES:
        assert value not in hidden
    shown = run_keysweep("scan", tree, "-f", "sarif", "--show-secrets", expected_code=1).json()
    messages = " ".join(r["message"]["text"] for r in shown["runs"][0]["results"])
    for value in (ID, SECRET, SECRET2, SECRET3, ALLOWED):
        assert value in messages
    for r in results(shown):
        assert r["properties"]["secret"] in (ID, SECRET, SECRET2, SECRET3)


def test_fingerprints_survive_lines_inserted_above_the_key(tree: Path):
    before = {(r["ruleId"], uri(r)): r for r in results(sarif("scan", tree))}
    app = tree / "app.ini"
    app.write_text("; settings\n\n[default]\nregion = cn-hangzhou\n" + app.read_text())
    after = {(r["ruleId"], uri(r)): r for r in results(sarif("scan", tree))}
    assert before.keys() == after.keys()
    for key, r in before.items():
        assert after[key]["partialFingerprints"] == r["partialFingerprints"]
        moved = 4 if key[1] == "app.ini" else 0
        assert region(after[key])["startLine"] == region(r)["startLine"] + moved
    prints = [r["partialFingerprints"]["keysweep/v1"] for r in before.values()]
    assert len(set(prints)) == len(prints)  # distinct secrets and paths stay distinct
    for value in RAW_VALUES:
        assert all(value not in p for p in prints)


def test_fingerprints_change_with_the_secret_or_the_path(tree: Path):
    first = {uri(r): r["partialFingerprints"] for r in results(sarif("scan", tree))
             if r["ruleId"] == "alibaba-access-key-secret"}
    (tree / "app.ini").write_text(f"access_key_id = {ID}\naccess_key_secret = {SECRET3}\n")
    (tree / "k8s.yaml").rename(tree / "k8s-prod.yaml")
    second = {uri(r): r["partialFingerprints"] for r in results(sarif("scan", tree))
              if r["ruleId"] == "alibaba-access-key-secret"}
    assert second["app.ini"] != first["app.ini"]
    assert second["k8s-prod.yaml"] != first["k8s.yaml"]
    assert second["bundle.zip!conf/prod%20env.ini"] == first["bundle.zip!conf/prod%20env.ini"]


# -- suppressions ---------------------------------------------------------------------------


def test_suppressed_findings_are_results_with_suppressions(tree: Path):
    app = run_keysweep("scan", tree, "-f", "json", expected_code=1).json()
    fingerprint = next(f["fingerprint"] for f in app["findings"] if f["path"] == "app.ini"
                       and f["kind"] == "secret")
    (tree / ".keysweepignore").write_text(f"{fingerprint}  # rotated\n")
    doc = sarif("scan", tree)
    suppressed = {(uri(r), r["ruleId"]): r["suppressions"] for r in results(doc, True)}
    assert suppressed == {
        ("allowed.py", "alibaba-access-key-secret"): [
            {"kind": "inSource", "status": "accepted", "justification": "inline allow"}],
        ("app.ini", "alibaba-access-key-secret"): [
            {"kind": "external", "status": "accepted", "justification": "ignore file"}],
    }
    assert ("app.ini", "alibaba-access-key-secret") not in {(uri(r), r["ruleId"])
                                                           for r in results(doc)}
    descriptors = doc["runs"][0]["tool"]["driver"]["rules"]
    for r in results(doc, True):
        assert descriptors[r["ruleIndex"]]["id"] == r["ruleId"] and r["partialFingerprints"]


# -- history --------------------------------------------------------------------------------


def test_history_findings_carry_their_commit(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    added = repo.commit("config", **{"conf/app.ini": leak(SECRET2)})
    repo.rm("conf/app.ini")
    repo.commit("remove the key")
    kept = repo.commit("another", **{"deploy/env.sh": leak(SECRET3)})
    doc = sarif("git", repo.path)
    by_uri = {uri(r): r for r in results(doc)}
    assert set(by_uri) == {"conf/app.ini", "deploy/env.sh"}
    gone, still = by_uri["conf/app.ini"]["properties"], by_uri["deploy/env.sh"]["properties"]
    assert gone["commit"] == added and gone["in_head"] is False
    assert gone["author"] == "Test Author" and gone["date"].startswith("2024-01-01T00:00:01")
    assert still["commit"] == kept and still["in_head"] is True
    text = by_uri["conf/app.ini"]["message"]["text"]
    assert f"commit {added[:12]} by Test Author on 2024-01-01" in text
    assert "No longer in HEAD" in text
    # The same key at the same path is the same alert, found in history or in the tree.
    tree_scan = sarif("scan", repo.path)
    assert [r["partialFingerprints"] for r in results(tree_scan)] == [
        by_uri["deploy/env.sh"]["partialFingerprints"]]


# -- URIs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "expected"), [
    ("app.ini", "app.ini"),
    ("./conf/app.ini", "conf/app.ini"),
    ("bundle.zip!conf/prod env.ini", "bundle.zip!conf/prod%20env.ini"),
    ("a.tar.gz!b.zip!c#1.txt", "a.tar.gz!b.zip!c%231.txt"),
    ("<stdin>", "%3Cstdin%3E"),
    ("<commit message>", "%3Ccommit%20message%3E"),
    ("/srv/app/config 1.ini", "file:///srv/app/config%201.ini"),
    ("C:notascheme.ini", "C%3Anotascheme.ini"),
    ("caf\u00e9/k\udcff.ini", "caf%C3%A9/k%FF.ini"),  # an undecodable byte stays that byte
    ("100%.ini", "100%25.ini"),
])
def test_paths_become_valid_uri_references(path: str, expected: str):
    assert path_uri(path) == expected
    assert _is_uri_reference(expected)
