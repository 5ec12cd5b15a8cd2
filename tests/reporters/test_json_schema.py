"""The JSON report's published schema (``scanner/schemas/report.schema.json``, loaded as
package data the way other tools would) matches what ``--format json`` writes: real scans
of every kind of finding validate, and the schema is strict enough that drift in either
direction fails here."""

from __future__ import annotations

import copy
import dataclasses
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.models import Verification
from scanner.reporters.json import finding_dict, render_json
from scanner.reporters.options import ReportOptions
from tests.helpers.git_repo import GitRepo
from tests.helpers.run import run_keysweep
from tests.reporters.conftest import SECRET2, SECRET3, leak


def schema() -> dict[str, Any]:
    text = resources.files("scanner").joinpath("schemas/report.schema.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def validator() -> jsonschema.Draft202012Validator:
    doc = schema()
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc)


def assert_valid(report: dict[str, Any]) -> None:
    errors = list(validator().iter_errors(report))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def report(*args: object, code: int = 1) -> dict[str, Any]:
    doc = run_keysweep(*args, "-f", "json", "--no-progress", expected_code=code).json()
    assert_valid(doc)
    return doc


def test_schema_is_a_valid_draft_2020_12_schema():
    doc = schema()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("flags", [(), ("--show-secrets",), ("--show-suppressed",),
                                   ("--show-secrets", "--show-suppressed")])
def test_a_real_scan_validates(tree: Path, flags: tuple[str, ...]):
    doc = report("scan", tree, *flags)
    findings = doc["findings"]
    assert any(f["paired_with"] for f in findings)
    assert any(f["decoded"] == ["base64"] for f in findings)
    assert any("!" in f["path"] for f in findings)
    assert all(("secret" in f) == ("--show-secrets" in flags) for f in findings)
    assert ("suppressed" in doc) == ("--show-suppressed" in flags)


def test_a_clean_scan_and_a_skipped_input_validate(tmp_path: Path):
    (tmp_path / "blob.dat").write_bytes(b"\x00\x01" * 50)
    doc = report("scan", tmp_path, "-v", code=0)
    assert doc["findings"] == [] and doc["skipped"]
    assert doc["stats"]["binary"] == 1


def test_a_git_history_scan_validates(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit("config", **{"conf/app.ini": leak(SECRET2)})
    repo.rm("conf/app.ini")
    repo.commit(f"remove it\n\nwas aliyun_access_key_secret = '{SECRET3}'")
    doc = report("git", repo.path)
    assert {(f["path"], f["in_head"]) for f in doc["findings"]} == {
        ("conf/app.ini", False), ("<commit message>", None)}
    assert all(f["commit"] and f["author"] and f["date"] for f in doc["findings"])


def test_verified_findings_validate(tree: Path):
    """--verify needs a provider; the report of a verified finding is built from real scan
    values with the verification stage's result attached."""
    result = Scanner(ScanConfig(jobs=1)).scan_paths([str(tree)])
    statuses = [Verification("active", None, {"account": "1234567890"}),
                Verification("inactive", "InvalidAccessKeyId.NotFound", None),
                Verification("skipped", "no verifier for this rule")]
    result = dataclasses.replace(result, findings=[
        dataclasses.replace(f, verification=statuses[i % len(statuses)])
        for i, f in enumerate(result.findings)])
    for show in (False, True):
        assert_valid(json.loads(render_json(result, ReportOptions(show_secrets=show,
                                                                  show_suppressed=show))))


def test_findings_from_a_sweep_store_validate(tree: Path):
    """Sweeps add the repository and the path's owner to each location."""
    result = Scanner(ScanConfig(jobs=1)).scan_paths([str(tree)])
    owners = ("Dev <dev@example.com>", None)
    located = [dataclasses.replace(f, location=dataclasses.replace(
        f.location, repository="github.com/acme/app", owner=owners[i % 2]))
        for i, f in enumerate(result.findings)]
    result = dataclasses.replace(result, findings=located)
    doc = json.loads(render_json(result, ReportOptions()))
    assert_valid(doc)
    del doc["findings"][0]["owner"]
    assert not validator().is_valid(doc)


def test_schema_lists_exactly_the_fields_render_json_writes(tree: Path):
    result = Scanner(ScanConfig(jobs=1)).scan_paths([str(tree)])
    paired = next(f for f in result.findings if f.paired_with)
    fields = schema()["$defs"]["findingProperties"]
    assert set(finding_dict(paired, show_secrets=False)) == set(fields["required"])
    swept = dataclasses.replace(paired, location=dataclasses.replace(
        paired.location, repository="github.com/acme/app", owner="Dev <dev@example.com>"))
    assert set(finding_dict(swept, show_secrets=True)) == set(fields["properties"])
    partner = fields["properties"]["paired_with"]["oneOf"][1]["properties"]
    assert set(finding_dict(paired, show_secrets=True)["paired_with"]) == set(partner)


def test_schema_rejects_drift(tree: Path):
    doc = report("scan", tree, "--show-suppressed")
    check = validator()
    broken = []
    for mutate in (
        lambda d: d["findings"][0].update(extra_field=1),
        lambda d: d["findings"][0].pop("fingerprint"),
        lambda d: d["findings"][0].update(line="2"),
        lambda d: d["findings"][0].update(kind="password"),
        lambda d: d["findings"][0].update(secret_sha256="abc"),
        lambda d: next(f for f in d["findings"] if f["paired_with"])["paired_with"].update(
            extra=True),
        lambda d: d["findings"][0].update(reason="baseline"),  # only suppressed ones have it
        lambda d: d["suppressed"][0].pop("reason"),
        lambda d: d["stats"].update(new_counter=0),
        lambda d: d.update(generated_at="today"),
        lambda d: d["skipped"].append({"path": "x"}),
    ):
        copied = copy.deepcopy(doc)
        mutate(copied)
        broken.append(check.is_valid(copied))
    assert broken == [False] * len(broken)
