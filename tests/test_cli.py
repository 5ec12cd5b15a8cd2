"""The command line in-process (``main(argv)``): exit codes, formats, redaction, output files,
one-line errors. A few checks run the real installed command from outside the source tree."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scanner.cli import main
from tests.helpers.keys import ID, SECRET
from tests.helpers.run import run_keysweep

LEAK = f"access_key_id = {ID}\naccess_key_secret = {SECRET}\n"


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    (tmp_path / "app.ini").write_text(LEAK)
    (tmp_path / "copy.ini").write_text("# copied\n" + LEAK)
    return tmp_path


def test_exit_codes_0_1_2(tmp_path: Path, leaky: Path, capsys: pytest.CaptureFixture[str]):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.py").write_text("print('hello')\n")
    assert main(["scan", str(clean), "-f", "json"]) == 0
    assert main(["scan", str(leaky), "-f", "json"]) == 1
    assert main(["scan", "--no-such-option"]) == 2
    assert main(["scan", str(leaky), "--format", "xml"]) == 2
    assert "Invalid value for '--format'" in capsys.readouterr().err


def test_json_report_has_the_documented_fields_and_no_raw_secret(
        leaky: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["scan", str(leaky), "-f", "json"]) == 1
    out = capsys.readouterr().out
    assert SECRET not in out and ID not in out
    report = json.loads(out)
    assert report["version"] == "1"
    findings = report["findings"]
    assert len(findings) == 4  # an ID and a secret, each in two files
    secret = next(f for f in findings if f["kind"] == "secret" and f["path"] == "app.ini")
    for key in ("rule_id", "provider", "kind", "secret_sha256", "redacted", "path", "line",
                "column", "commit", "paired_with", "fingerprint", "verification"):
        assert key in secret
    assert secret["line"] == 2 and secret["column"] == 21 and secret["commit"] is None
    assert secret["redacted"] == "J0Rl…"
    assert secret["paired_with"]["rule_id"] == "alibaba-access-key-id"
    same = [f for f in findings if f["secret_sha256"] == secret["secret_sha256"]]
    assert {f["path"] for f in same} == {"app.ini", "copy.ini"}
    assert report["stats"]["files"] == 2 and report["stats"]["secrets"] == 2


def test_show_secrets_prints_raw_values(leaky: Path, capsys: pytest.CaptureFixture[str]):
    main(["scan", str(leaky), "-f", "json", "--show-secrets"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["secret"] for f in findings} == {ID, SECRET}


def test_jsonl_has_one_finding_per_line(leaky: Path, capsys: pytest.CaptureFixture[str]):
    main(["scan", str(leaky), "-f", "jsonl"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(json.loads(line)["rule_id"] for line in lines)


def test_text_report_groups_locations_under_one_secret_and_says_what_to_do(
        leaky: Path, capsys: pytest.CaptureFixture[str]):
    main(["scan", str(leaky), "-f", "text"])
    out = capsys.readouterr().out
    assert SECRET not in out and ID not in out
    assert out.count("● Alibaba Cloud AccessKey secret") == 1
    assert "found at app.ini:2:21" in out and "copy.ini:3:21" in out
    assert "paired    LTAI…  (alibaba-access-key-id) at app.ini:1:17" in out
    assert "RAM console" in out
    assert "Found 1 secret in 2 locations" in out
    assert "keysweep:allow" in out


def test_output_file_is_private(leaky: Path, tmp_path: Path):
    out = tmp_path / "report.json"
    out.write_text("old")
    out.chmod(0o644)
    assert main(["scan", str(leaky), "-f", "json", "-o", str(out), "--show-secrets"]) == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["findings"]


def test_explain_lists_dropped_candidates_with_reasons(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]):
    (tmp_path / "doc.md").write_text("access_key_id = LTAI5tXXXXXXXXXXXXXXXXXX\n")
    assert main(["scan", str(tmp_path), "-f", "json", "--explain"]) == 0
    err = capsys.readouterr().err
    assert "dropped alibaba-access-key-id at doc.md:1:17 LTAI…: entropy" in err


def test_bad_rule_file_is_a_one_line_error_with_exit_2(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]):
    bad = tmp_path / "bad.toml"
    bad.write_text('provider = "x"\n[[rules]]\nid = "Bad_Id"\nkind = "id"\n')
    assert main(["scan", str(tmp_path), "--rules", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"keysweep: error: {bad}: rule Bad_Id: id must be kebab-case (a-z, 0-9 and '-')"


USER_RULES = '''
provider = "acme"
name = "ACME Cloud"
remediation = "Revoke the token at https://acme.example/tokens and issue a new one."

[[rules]]
id = "acme-token"
kind = "token"
keywords = ["acme_"]
regex = '(?<![A-Za-z0-9_])(acme_[A-Za-z0-9]{24})(?![A-Za-z0-9_])'
min_entropy = 3.5

  [[rules.examples]]
  text = 'TOKEN = "acme_Q3v9Lk2Pz8Xw1Rt6Yu4Io7Pa"'
  secret = "acme_Q3v9Lk2Pz8Xw1Rt6Yu4Io7Pa"

  [[rules.counterexamples]]
  text = 'TOKEN = "acme_xxxxxxxxxxxxxxxxxxxxxxxx"'
  why = "placeholder"
'''


def test_user_rules_are_checked_listed_and_used(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]):
    rules = tmp_path / "acme.toml"
    rules.write_text(USER_RULES)
    assert main(["rules", "check", str(rules)]) == 0
    assert "1 rules, 2 examples checked, 0 problems" in capsys.readouterr().out
    assert main(["rules", "list", "--rules", str(rules)]) == 0
    assert "acme-token" in capsys.readouterr().out
    target = tmp_path / "src"
    target.mkdir()
    (target / "x.py").write_text('TOKEN = "acme_Q3v9Lk2Pz8Xw1Rt6Yu4Io7Pa"\n')
    assert main(["scan", str(target), "--rules", str(rules), "-f", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["rule_id"] == "acme-token"


def test_a_provider_file_lists_its_documentation_examples_as_known_values(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    rules = tmp_path / "acme.toml"
    rules.write_text('known_values = ["acme_Hd8Ks2Lq9Wv4Rt6Yp1Zm3Xc7"]\n' + USER_RULES)
    target = tmp_path / "src"
    target.mkdir()
    (target / "doc.md").write_text('TOKEN = "acme_Hd8Ks2Lq9Wv4Rt6Yp1Zm3Xc7"\n')
    (target / "x.py").write_text('TOKEN = "acme_Q3v9Lk2Pz8Xw1Rt6Yu4Io7Pa"\n')
    assert main(["scan", str(target), "--rules", str(rules), "--no-config", "-f", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [f["locations"][0]["path"] if "locations" in f else f["path"]
            for f in findings] == ["x.py"]


EXACT_RULES = """
provider = "acme"

[[rules]]
id = "acme-key-id"
kind = "id"
exact_keywords = ["ACK"]
regex = '(?i)(?<![A-Za-z0-9])(ack[A-Za-z0-9]{17})(?![A-Za-z0-9])'
min_entropy = 3.0

  [[rules.examples]]
  text = 'id = ACK7QmZr2Lx9Pw4Vt8Ny'
  secret = "ACK7QmZr2Lx9Pw4Vt8Ny"

  [[rules.counterexamples]]
  text = 'id = ack7QmZr2Lx9Pw4Vt8Ny'
  why = "the keyword is only counted as written, though the regex would match"
"""


def test_exact_keywords_wake_a_rule_only_as_written(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]):
    rules = tmp_path / "acme.toml"
    rules.write_text(EXACT_RULES)
    assert main(["rules", "check", str(rules)]) == 0
    assert "1 rules, 2 examples checked, 0 problems" in capsys.readouterr().out
    target = tmp_path / "src"
    target.mkdir()
    (target / "a.env").write_text("id = ACK7QmZr2Lx9Pw4Vt8Ny\nother = ack7QmZr2Lx9Pw4Vt8Nz\n")
    assert main(["scan", str(target), "--rules", str(rules), "--no-config", "-f", "json"]) == 1
    found = [(f["secret"] if "secret" in f else f["line"]) for f in
             json.loads(capsys.readouterr().out)["findings"] if f["rule_id"] == "acme-key-id"]
    assert found == [1]


@pytest.mark.parametrize(("keywords", "message"), [
    ('keywords = ["ACK"]', "keywords must be non-empty lower-case strings"),
    ('keywords = ["ack"]\nexact_keywords = ["ACK"]', "in both keywords and exact_keywords"),
    ("", "needs keywords or exact_keywords"),
])
def test_keyword_mistakes_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              keywords: str, message: str):
    rules = tmp_path / "acme.toml"
    rules.write_text(EXACT_RULES.replace('exact_keywords = ["ACK"]', keywords))
    assert main(["rules", "check", str(rules)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("keysweep: error: ") and message in err and "\n" not in err


def test_rules_check_fails_on_a_broken_example(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]):
    rules = tmp_path / "acme.toml"
    rules.write_text(USER_RULES.replace('secret = "acme_Q3v9', 'secret = "acme_Z3v9'))
    assert main(["rules", "check", str(rules)]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_rules_list_shows_each_provider_and_what_can_be_verified(
        capsys: pytest.CaptureFixture[str]):
    assert main(["rules", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["RULE", "PROVIDER", "KIND", "SEVERITY", "VERIFY", "NAME"]
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert rows["alibaba-access-key-secret"][1:5] == ["alibaba", "secret", "critical", "yes"]
    assert rows["jdcloud-secret-key"][4] == "-"
    assert rows["huawei-secret-access-key"][4] == "never"  # key lockout: always skipped
    verifiable = lines[-1].split("(--verify): ")[1].split(", ")
    assert {"alibaba", "aws", "github", "tencent", "volcengine", "baidu", "kingsoft", "gcp",
            "azure"} <= set(verifiable)
    assert "huawei" not in verifiable and "jdcloud" not in verifiable
    assert main(["rules", "list", "-f", "json"]) == 0
    listed = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert listed["alibaba-access-key-secret"]["verify"] == "alibaba"
    assert listed["baidu-secret-access-key"]["verify"] == "baidu"
    assert listed["jdcloud-secret-key"]["verify"] is None


def test_builtin_rules_check_passes(capsys: pytest.CaptureFixture[str]):
    assert main(["rules", "check"]) == 0
    assert " 0 problems" in capsys.readouterr().out


def test_rules_check_takes_one_built_in_file(capsys: pytest.CaptureFixture[str]):
    builtin = Path(__file__).resolve().parents[1] / "patterns" / "baidu.toml"
    assert main(["rules", "check", str(builtin)]) == 0
    assert " 0 problems" in capsys.readouterr().out


def test_version_and_help():
    assert main(["--version"]) == 0
    assert main(["--help"]) == 0


def test_parallel_scan_finds_the_same_as_one_process(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]):
    for i in range(40):
        d = tmp_path / f"pkg{i}"
        d.mkdir()
        (d / "big.txt").write_text(("filler line with words\n" * 12000) + LEAK)
    main(["scan", str(tmp_path), "-f", "json", "--jobs", "2"])
    parallel = json.loads(capsys.readouterr().out)["findings"]
    main(["scan", str(tmp_path), "-f", "json", "--jobs", "1"])
    serial = json.loads(capsys.readouterr().out)["findings"]
    assert parallel == serial and len(serial) == 80


def test_one_large_file_is_scanned_in_process_and_the_pool_started_for_it_stops(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    # The pool starts once the walk has seen 8 MB; a tree that is one 9 MB file then has no
    # second batch for it, and the workers it started (still getting ready) are stopped.
    (tmp_path / "huge.txt").write_text(("filler line with words\n" * 400_000) + LEAK)
    assert main(["scan", str(tmp_path), "-f", "json", "--jobs", "2"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert len(findings) == 2
    import multiprocessing

    assert multiprocessing.active_children() == []


def test_python_dash_m_runs_the_cli(leaky: Path):
    proc = subprocess.run([sys.executable, "-m", "scanner", "scan", str(leaky), "-f", "json"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and json.loads(proc.stdout)["findings"]


def test_installed_command_finds_a_key_from_outside_the_source_tree(leaky: Path,
                                                                    tmp_path: Path):
    run = run_keysweep("scan", leaky, "-f", "json", cwd=tmp_path, expected_code=1)
    assert len(run.json()["findings"]) == 4


def test_built_wheel_ships_the_rules_and_they_load_from_it(leaky: Path, tmp_path: Path):
    root = Path(__file__).resolve().parents[1]
    wheels = tmp_path.parent / f"{tmp_path.name}-wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(root)], check=True, capture_output=True)
    wheel = next(wheels.glob("keysweep-*.whl"))
    site = tmp_path.parent / f"{tmp_path.name}-site"  # outside the scanned tree
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    assert "scanner/patterns/alibaba.toml" in names and "scanner/patterns/aws.toml" in names
    assert "scanner/schemas/report.schema.json" in names
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, "-c",
                           "import scanner.rules.loader as l; print(l.builtin_patterns_dir())"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.stdout.strip() == str(site / "scanner" / "patterns")
    proc = subprocess.run([sys.executable, "-m", "scanner", "scan", str(leaky), "-f", "json"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 1 and len(json.loads(proc.stdout)["findings"]) == 4


def test_no_builtin_rules_uses_only_the_given_rules(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]):
    rules = tmp_path / "acme.toml"
    rules.write_text(USER_RULES)
    target = tmp_path / "src"
    target.mkdir()
    (target / "x.py").write_text('TOKEN = "acme_Q3v9Lk2Pz8Xw1Rt6Yu4Io7Pa"\n' + LEAK)
    assert main(["scan", str(target), "--rules", str(rules), "--no-builtin-rules",
                 "--no-config", "-f", "json"]) == 1
    assert {f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]} == {
        "acme-token"}
    builtin = Path(__file__).resolve().parents[1] / "patterns"
    assert main(["scan", str(target), "--rules", str(builtin), "--no-builtin-rules",
                 "--no-config", "-f", "json"]) == 1
    found = {f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert "alibaba-access-key-secret" in found and "acme-token" not in found
    assert main(["scan", str(target), "--no-builtin-rules", "--no-config"]) == 2
    assert "--no-builtin-rules needs rule files" in capsys.readouterr().err


def test_the_progress_bar_takes_its_total_once_a_streamed_listing_knows_it():
    # A history's blob listing is still being read when the scan starts: the bar starts
    # without a total and gets it (one bar, not a second one) when the listing ends.
    from scanner.cli.progress import TqdmProgress

    progress = TqdmProgress(enabled=True)
    progress.start(0)
    bar = progress.bar
    assert bar is not None and bar.total is None
    progress.advance(10, 1)
    progress.start(100)
    assert progress.bar is bar and bar.total == 100 and bar.n == 10
    progress.finish()
