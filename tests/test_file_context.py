"""Context that generalizes beyond the value's lines: a provider's SDK import or endpoint
anywhere in the file, a path segment naming the provider, and positional SDK calls (rule
data: ``[file_context]``, ``[[calls]]`` and a rule's ``value``). Each finding says what
admitted it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli import main

ACME = '''
provider = "acme"
name = "Acme Cloud"
known_values = ["ACK9Rr0Bq5Uw2Tz8Ls4Mxe"]

[file_context]
words = ["import acme_sdk", "api.acme-cloud.test"]
paths = ["acme", "acmecloud"]

[[calls]]
name = "AcmeCredential"
args = ["acme-key-id", "acme-secret"]

[[calls]]
name = "acme.NewClient"
args = ["", "acme-key-id", "acme-secret"]

[[rules]]
id = "acme-key-id"
kind = "id"
exact_keywords = ["ACK"]
regex = '(?<![A-Za-z0-9])(ACK[A-Za-z0-9]{19})(?![A-Za-z0-9])'
value = 'ACK[A-Za-z0-9]{19}'
min_entropy = 3.0

  [[rules.examples]]
  text = 'id = ACK7QmZr2Lx9Pw4Vt8Ny3K'
  secret = "ACK7QmZr2Lx9Pw4Vt8Ny3K"

  [[rules.counterexamples]]
  text = 'id = ACK7QmZr2Lx9'
  why = "too short"

[[rules]]
id = "acme-secret"
kind = "secret"
keywords = ["acme_secret", "acme-secret"]
regex = '(?i:acme[_-]secret)\\s*[:=]\\s*"?([0-9a-f]{32})(?![0-9a-f])'
value = '[0-9a-f]{32}'
min_entropy = 3.0

  [rules.context]
  ids = ["acme-key-id"]
  words = ["acme_region"]
  within_lines = 2

  [[rules.examples]]
  text = """acme_region = "north"
acme_secret = "5e0c9a7b3d1f2e4a6c8b0d2f4e6a8c1b\""""
  secret = "5e0c9a7b3d1f2e4a6c8b0d2f4e6a8c1b"

  [[rules.counterexamples]]
  text = 'acme_secret = "5e0c9a7b3d1f2e4a6c8b0d2f4e6a8c1b"'
  why = "no ID, no context word"
'''
SECRET = "5e0c9a7b3d1f2e4a6c8b0d2f4e6a8c1b"
KEY_ID = "ACK7QmZr2Lx9Pw4Vt8Ny3K"
FILLER = "".join(f"value_{i} = {i}\n" for i in range(40))


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(ACME)
    return path


def scan(rules: Path, root: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    main(["scan", str(root), "--rules", str(rules), "--no-config", "-f", "json"])
    out = json.loads(capsys.readouterr().out)["findings"]
    return sorted(out, key=lambda f: (str(f["path"]), int(f["line"])))  # type: ignore[call-overload]


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_rule_file_checks(rules: Path) -> None:
    assert main(["rules", "check", str(rules)]) == 0


def test_an_sdk_import_anywhere_in_the_file_admits_a_value_far_from_its_words(
        rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "with_import.py", f"import acme_sdk\n{FILLER}acme_secret = \"{SECRET}\"\n")
    write(root, "without.py", f"import other_sdk\n{FILLER}acme_secret = \"{SECRET}\"\n")
    found = scan(rules, root, capsys)
    assert [(f["path"], f["line"], f["context"], f["confidence"]) for f in found] == [
        ("with_import.py", 42, ["file"], "medium")]


def test_a_path_segment_naming_the_provider_admits_it(
        rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "deploy/acme/settings.env", f"acme_secret={SECRET}\n")
    write(root, "deploy/acme-prod.ini", f"acme_secret={SECRET}\n")
    write(root, "deploy/acmeish/settings.env", f"acme_secret={SECRET}\n")
    found = scan(rules, root, capsys)
    assert [(f["path"], f["context"]) for f in found] == [
        ("deploy/acme-prod.ini", ["path"]), ("deploy/acme/settings.env", ["path"])]


def test_words_near_the_value_say_line_or_nearby(
        rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "a.cfg", f"acme_region = 'n'\nacme_secret = \"{SECRET}\"\n")
    write(root, "b.cfg", f"acme_secret = \"{SECRET}\"  # acme_region n\n")
    write(root, "c.cfg", f"id = {KEY_ID}\nacme_secret = \"{SECRET}\"\n")
    found = scan(rules, root, capsys)
    assert [(f["path"], f["rule_id"], f["context"], f["confidence"]) for f in found] == [
        ("a.cfg", "acme-secret", ["nearby"], "high"),
        ("b.cfg", "acme-secret", ["line"], "high"),
        ("c.cfg", "acme-key-id", [], "high"),
        ("c.cfg", "acme-secret", ["id"], "high")]


@pytest.mark.parametrize("call", [
    f'cred = AcmeCredential("{KEY_ID}", "{SECRET}")',
    f"cred = AcmeCredential(\n    '{KEY_ID}',\n    '{SECRET}',\n)",
    f'cred = AcmeCredential(ak="{KEY_ID}", sk="{SECRET}")',
    f'var cred = new AcmeCredential(ak: @"{KEY_ID}", sk: @"{SECRET}");',
    f'client, err := acme.NewClient(region, "{KEY_ID}", `{SECRET}`)',
])
def test_positional_sdk_arguments_are_an_id_and_its_secret(
        call: str, rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "client.py", f"{FILLER}{call}\n")
    found = scan(rules, root, capsys)
    assert [(f["rule_id"], f["context"]) for f in found] == [
        ("acme-key-id", ["call"]), ("acme-secret", ["call"])]
    secret = found[1]
    assert secret["paired_with"]["rule_id"] == "acme-key-id"  # type: ignore[index]


def test_an_sdk_call_with_a_variable_id_still_yields_its_secret(
        rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "a.py", f'cred = AcmeCredential(os.getenv("ACME_ID"), "{SECRET}")\n')
    found = scan(rules, root, capsys)
    assert [(f["rule_id"], f["context"]) for f in found] == [("acme-secret", ["call"])]


@pytest.mark.parametrize(("text", "why"), [
    ('cred = AcmeCredential("x", "not-a-secret-5e0c9a7b")', "not the value's shape"),
    (f'cred = MyAcmeCredential("x", "{SECRET}")', "another function whose name ends alike"),
    (f'cred = AcmeCredential("x", "{SECRET}0")', "longer than the value"),
    ('cred = AcmeCredential("x", "ffffffffffffffffffffffffffffffff")', "a run of one character"),
    ('cred = AcmeCredential("ACK9Rr0Bq5Uw2Tz8Ls4Mxe", "y")', "the documentation example"),
])
def test_what_an_sdk_call_does_not_admit(text: str, why: str, rules: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "a.py", text + "\n")
    assert scan(rules, root, capsys) == [], why


def test_a_value_both_the_rule_and_a_call_find_is_reported_once(
        rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "a.py", f'cred = AcmeCredential("{KEY_ID}", acme_secret="{SECRET}")\n')
    found = scan(rules, root, capsys)
    assert [(f["rule_id"], f["context"]) for f in found] == [
        ("acme-key-id", ["call"]), ("acme-secret", ["call"])]


def test_a_call_naming_an_unknown_rule_or_one_without_a_value_is_a_one_line_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(ACME.replace('args = ["acme-key-id", "acme-secret"]',
                                'args = ["acme-key-id", "acme-nope"]'))
    assert main(["rules", "check", str(bad)]) == 2
    assert "unknown rule 'acme-nope'" in capsys.readouterr().err
    bad.write_text(ACME.replace("value = '[0-9a-f]{32}'\n", ""))
    assert main(["rules", "check", str(bad)]) == 2
    assert "needs a value pattern" in capsys.readouterr().err


def test_the_text_report_says_when_only_the_file_vouched(
        rules: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "with_import.py", f"import acme_sdk\n{FILLER}acme_secret = \"{SECRET}\"\n")
    write(root, "near.py", f"acme_region = 1\nacme_secret = \"{SECRET[::-1]}\"\n")
    main(["scan", str(root), "--rules", str(rules), "--no-config", "-f", "text"])
    out = capsys.readouterr().out
    assert out.count("context   file only (lower confidence)") == 1


def test_a_rule_whose_words_are_a_companion_opts_out_of_file_context(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "acme.toml"
    rules.write_text(ACME.replace("  within_lines = 2\n", "  within_lines = 2\n  file = false\n"))
    root = tmp_path / "src"
    write(root, "with_import.py", f"import acme_sdk\n{FILLER}acme_secret = \"{SECRET}\"\n")
    write(root, "acme/settings.env", f"acme_secret={SECRET}\n")
    assert scan(rules, root, capsys) == []


GENERIC_CALL = '''
[[calls]]
name = "Cred"
args = ["acme-key-id", "acme-secret"]
file_context = true
'''


def test_a_call_with_a_common_name_counts_only_in_the_providers_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "acme.toml"
    rules.write_text(ACME.replace("[[rules]]", GENERIC_CALL + "\n[[rules]]", 1))
    root = tmp_path / "src"
    call = f'c = Cred("{KEY_ID}", "{SECRET}")\n'
    write(root, "mine.py", "import acme_sdk\n" + FILLER + call)
    write(root, "other.py", "import other_sdk\n" + FILLER + call.replace(KEY_ID, KEY_ID[::-1]))
    found = scan(rules, root, capsys)
    assert [(f["path"], f["rule_id"], f["context"]) for f in found] == [
        ("mine.py", "acme-key-id", ["call", "file"]), ("mine.py", "acme-secret", ["call", "file"])]
    rules.write_text(ACME.replace("[[rules]]", GENERIC_CALL.replace(
        "file_context = true\n", "") + "\n[[rules]]", 1))
    assert main(["rules", "check", str(rules)]) == 2
    assert "'Cred' is a name many SDKs use" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "text", "want"), [
    ("client.go", 'import "github.com/baidubce/bce-sdk-go/services/bos"\n\n'
     'c, _ := bos.NewClient("3f9c2a7e5b1d4e8fa06c9b2d7e4f1a35", '
     '"c8e1f4a9b2d7e0c3f6a5b8d1e4c7f0a2", "bj.bcebos.com")\n',
     {"baidu-legacy-access-key-id", "baidu-secret-access-key"}),
    ("Main.java", 'AWSCredentials c = new BasicAWSCredentials(accessKey, '
     '"wJ7rXUtnFEmI/K7MDeNG+bPxRfiCYzW3qLpV9sTa");\n', {"aws-secret-access-key"}),
    ("main.py", 'cred = BasicCredentials("QTZ4MWFRTK7HXJQ9DLPE", '
     '"Lk8dR2mWq9ZxT4vBn7Yc3HsJf6Gp1AeU0iKoPlMz")\n',
     {"huawei-access-key-id", "huawei-secret-access-key"}),
])
def test_built_in_sdk_calls_find_positional_credentials(
        name: str, text: str, want: set[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src", name, text)
    capsys.readouterr()
    main(["scan", str(tmp_path / "src"), "--no-config", "-f", "json"])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {f["rule_id"] for f in found} == want
    assert all("call" in f["context"] for f in found)


def test_disabling_a_rule_disables_its_sdk_calls(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "src"
    write(root, "main.py", 'cred = BasicCredentials("QTZ4MWFRTK7HXJQ9DLPE", '
                           '"Lk8dR2mWq9ZxT4vBn7Yc3HsJf6Gp1AeU0iKoPlMz")\n')
    (root / "keysweep.toml").write_text('disable = ["huawei-secret-access-key"]\n')
    capsys.readouterr()
    assert main(["scan", str(root), "-f", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [f["rule_id"] for f in doc["findings"]] == ["huawei-access-key-id"]
    assert doc["skipped"] == []
