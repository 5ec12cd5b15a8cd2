"""Triage that sticks: baselines, inline allows, the ignore file, the configuration file and
the exit policy, through the real command."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import ID, SECRET, SECRET2, SECRET3, leak
from tests.helpers.run import run_keysweep


def scan_json(*args: object, code: int = 1) -> dict:
    return run_keysweep(*args, "-f", "json", expected_code=code).json()


def secrets(report: dict) -> set[str]:
    return {f["redacted"] for f in report["findings"]}


def test_baseline_then_moved_code_and_one_new_key_fails_only_on_the_new_key(tmp_path: Path):
    repo = GitRepo(tmp_path / "repo")
    repo.commit("keys", **{"conf/a.ini": leak(SECRET), "conf/b.ini": leak(SECRET2)})
    baseline = tmp_path / "baseline.json"
    run_keysweep("baseline", "create", "--git", repo.path, "-o", baseline)
    text = baseline.read_text()
    assert SECRET not in text and SECRET2 not in text
    # Move code: rename a file, add lines above the other key; and add one new key.
    (repo.path / "settings").mkdir()
    repo.git("mv", "conf/a.ini", "settings/renamed.ini")
    repo.commit("refactor", **{"conf/b.ini": "# header\n\n" + leak(SECRET2),
                               "new.env": leak(SECRET3)})
    report = scan_json("git", repo.path, "--baseline", baseline)
    assert secrets(report) == {"QeWJ…"}
    assert report["stats"]["suppressed"] == {"baseline": 3}  # a.ini, renamed.ini, b.ini
    # The same for a scan of the files.
    report = scan_json("scan", repo.path, "--baseline", baseline)
    assert secrets(report) == {"QeWJ…"}
    assert report["stats"]["suppressed"] == {"baseline": 2}
    # Nothing new: exit 0.
    run_keysweep("baseline", "update", repo.path, "--baseline", baseline)
    assert scan_json("scan", repo.path, "--baseline", baseline, code=0)["findings"] == []


def test_baseline_file_is_stable_sorted_and_update_reports_changes(tmp_path: Path):
    (tmp_path / "a.ini").write_text(leak(SECRET3) + "\n" * 10 + leak(SECRET))
    out = tmp_path / ".keysweep-baseline.json"
    run_keysweep("baseline", "create", tmp_path, "-o", out)
    doc = json.loads(out.read_text())
    keys = [(e["rule_id"], e["secret_sha256"]) for e in doc["entries"]]
    assert keys == sorted(keys) and len(keys) == 2
    assert out.read_text() == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (tmp_path / "a.ini").write_text(leak(SECRET2))
    run = run_keysweep("baseline", "update", tmp_path, "--baseline", out)
    assert "1 added, 2 removed, 1 entries" in run.stdout


def test_bad_baseline_is_a_usage_error(tmp_path: Path):
    bad = tmp_path / "b.json"
    bad.write_text("{not json")
    run = run_keysweep("scan", tmp_path, "--baseline", bad, expected_code=2)
    assert run.stderr.startswith("keysweep: error:") and run.stderr.count("\n") == 1


def test_inline_allow_suppresses_exactly_its_finding(tmp_path: Path):
    (tmp_path / "a.py").write_text(
        f"FIXTURE = '{SECRET}'  # aliyun test fixture, keysweep:allow\n" + leak(SECRET2))
    report = scan_json("scan", tmp_path, "--show-suppressed")
    assert secrets(report) == {"pYlS…"}
    assert report["stats"]["suppressed"] == {"inline allow": 1}
    assert [(s["redacted"], s["reason"]) for s in report["suppressed"]] == [
        ("J0Rl…", "inline allow")]
    text = run_keysweep("scan", tmp_path, "-f", "text", expected_code=1).stdout
    assert "1 suppressed by inline allow (--show-suppressed lists them)." in text


def test_ignore_file_fingerprint_and_path_glob_each_suppress_exactly_their_finding(
        tmp_path: Path):
    (tmp_path / "a.ini").write_text(leak(SECRET))
    (tmp_path / "b.ini").write_text(leak(SECRET))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "c.md").write_text(leak(SECRET2))
    report = scan_json("scan", tmp_path)
    assert len(report["findings"]) == 3
    fingerprint = next(f["fingerprint"] for f in report["findings"] if f["path"] == "a.ini")
    (tmp_path / ".keysweepignore").write_text(
        f"# triaged 2026-11-22\n{fingerprint}  # test key, rotated\ndocs/**\n")
    report = scan_json("scan", tmp_path)
    assert [f["path"] for f in report["findings"]] == ["b.ini"]
    assert report["stats"]["suppressed"] == {"ignore file": 2}


def test_config_file_rules_allowlists_excludes_and_defaults(tmp_path: Path):
    (tmp_path / "keysweep.toml").write_text(
        'exclude = ["vendor/**"]\n'
        'disable = ["alibaba-access-key-id"]\n'
        'format = "json"\n'
        "[allowlist]\n"
        'paths = ["fixtures/**"]\n'
        'stopwords = ["qewjky"]\n'
        "[allowlist.rules.alibaba-access-key-secret]\n"
        f'regexes = ["^{SECRET2[:6]}"]\n')
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "x.ini").write_text(leak(SECRET))
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "y.ini").write_text(leak(SECRET))
    (tmp_path / "real.ini").write_text(f"ak = {ID}\n" + leak(SECRET) + "\n" * 9 +
                                       leak(SECRET2) + "\n" * 9 + leak(SECRET3))
    run = run_keysweep("scan", tmp_path, expected_code=1)  # format from the config: json
    report = run.json()
    assert [(f["path"], f["redacted"]) for f in report["findings"]] == [("real.ini", "J0Rl…")]
    assert report["stats"]["suppressed"] == {"allowlist": 3}


def test_pyproject_tool_section_is_found_upward(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n[tool.keysweep]\n"
                                             "exit_zero = true\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "k.ini").write_text(leak(SECRET))
    report = run_keysweep("scan", tmp_path / "src", "-f", "json", expected_code=0).json()
    assert len(report["findings"]) == 1
    run_keysweep("scan", tmp_path / "src", "--no-config", "-f", "json", expected_code=1)


@pytest.mark.parametrize(("content", "message"), [
    ('exlude = ["x"]\n', "keysweep.toml: unknown key 'exlude'"),
    ('format = "xml"\n', "keysweep.toml: 'format' must be one of"),
    ("exit_zero = 1\n", "keysweep.toml: 'exit_zero' must be a bool"),
    ("[allowlist]\npaths = 'x'\n", "'paths' must be a list of strings"),
    ('[allowlist]\nregexes = ["("]\n', "bad regex '…': missing )"),
    ("exclude = [\n", "keysweep.toml: not valid TOML"),
    ('disable = ["no-such-rule"]\n', "unknown rule id 'no-such-rule'"),
])
def test_bad_config_is_exit_2_with_one_line_naming_key_and_file(tmp_path: Path, content: str,
                                                                message: str):
    (tmp_path / "keysweep.toml").write_text(content)
    run = run_keysweep("scan", tmp_path, expected_code=2)
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("keysweep: error: ")
    assert message in run.stderr and "Traceback" not in run.stderr


def test_exit_zero_and_several_reports_in_one_run(tmp_path: Path):
    target = tmp_path / "src"
    target.mkdir()
    (target / "k.ini").write_text(leak(SECRET))
    out = tmp_path / "out"
    out.mkdir()
    run = run_keysweep("scan", target, "-f", "text", "--exit-zero",
                       "--report", f"json:{out / 'r.json'}", "--report", f"jsonl:{out / 'r.jsonl'}",
                       expected_code=0)
    assert "● Alibaba Cloud AccessKey secret" in run.stdout
    assert json.loads((out / "r.json").read_text())["findings"]
    assert len((out / "r.jsonl").read_text().splitlines()) == 1
    for name in ("r.json", "r.jsonl"):
        assert stat.S_IMODE(os.stat(out / name).st_mode) == 0o600
    run = run_keysweep("scan", target, "--report", "xml:x", expected_code=2)
    assert "--report takes FORMAT:FILE" in run.stderr
