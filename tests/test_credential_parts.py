"""Credentials of more than three parts: rules with ``part = "<name>"`` beside ``token_for``
join the nearest ID as that named part (each ID keeps the closest candidate per name), a
``report = false`` part is never a finding of its own, and ``credential_for`` hands the
named parts to the verifier in ``Credential.parts``."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.errors import RuleError
from scanner.models import Finding
from scanner.reporters.options import ReportOptions
from scanner.reporters.text import render_text
from scanner.rules.loader import load_rules
from scanner.rules.schema import parse_rule_file
from scanner.verifiers import Credential, credential_for

# A made-up provider whose credential is an ID, a secret and three named parts.
RULES = '''
provider = "widget"

[[rules]]
id = "widget-id"
kind = "id"
keywords = ["wid_"]
regex = '(wid_[a-z0-9]{16})'

[[rules]]
id = "widget-secret"
kind = "secret"
keywords = ["wsk_"]
regex = '(wsk_[A-Za-z0-9]{24})'
  [rules.context]
  ids = ["widget-id"]

[[rules]]
id = "widget-session"
kind = "token"
keywords = ["wst_"]
regex = '(wst_[A-Za-z0-9]{24})'
token_for = ["widget-id"]

[[rules]]
id = "widget-account"
kind = "token"
severity = "info"
keywords = ["account="]
regex = 'account=(acct-[0-9]{6})'
token_for = ["widget-id"]
part = "account"
report = false

[[rules]]
id = "widget-zone"
kind = "token"
severity = "info"
keywords = ["zone="]
regex = 'zone=([a-z]+-[0-9])'
token_for = ["widget-id"]
part = "zone"
report = false
'''

ID_A, ID_B = "wid_4kq9x2m7p1z8c3v6", "wid_8h2n5r7t0w3y6b9d"
SECRET = "wsk_Qm7Zt2xWc9Lr5VhN0pKs4Yb8"
SESSION = "wst_Hv4rPq9zLx2Wm7NcT0bY5kGs"


@pytest.fixture(scope="module")
def widget(tmp_path_factory: pytest.TempPathFactory) -> Scanner:
    path = tmp_path_factory.mktemp("rules") / "widget.toml"
    path.write_text(RULES)
    return Scanner(ScanConfig(rules=load_rules([path], builtin=False), jobs=1))


def by_rule(findings: list[Finding]) -> dict[str, Finding]:
    return {f.rule_id: f for f in findings}


def parts(f: Finding) -> dict[str, str]:
    return {p.kind: p.secret for p in f.credential}


def test_several_named_parts_join_one_id_and_every_part_carries_the_others(
        widget: Scanner) -> None:
    text = (f"id = {ID_A}\nkey = {SECRET}\nsession = {SESSION}\n"
            "account=acct-204817\nzone=north-2\n")
    found = by_rule(widget.scan_text(text).findings)
    assert set(found) == {"widget-id", "widget-secret", "widget-session"}  # no part findings
    assert parts(found["widget-id"]) == {"secret": SECRET, "token": SESSION,
                                         "account": "acct-204817", "zone": "north-2"}
    assert parts(found["widget-secret"]) == {"id": ID_A, "token": SESSION,
                                             "account": "acct-204817", "zone": "north-2"}
    assert parts(found["widget-session"]) == {"id": ID_A, "secret": SECRET,
                                              "account": "acct-204817", "zone": "north-2"}


def test_the_text_report_names_each_part_redacted_unless_asked(widget: Scanner) -> None:
    result = widget.scan_text(f"id = {ID_A}\nkey = {SECRET}\naccount=acct-204817\n")
    text = render_text(result, ReportOptions())
    assert "part      account ac…  (widget-account)" in text and "acct-204817" not in text
    assert "part      account acct-204817" in render_text(result, ReportOptions(show_secrets=True))


def test_each_id_keeps_the_closest_candidate_per_part_name(widget: Scanner) -> None:
    text = (f"id = {ID_A}\nzone=north-2\naccount=acct-501938\n"
            "\n\n\n\n\n\n\n\n\n\n"  # far apart: each ID has its own parts
            f"id = {ID_B}\naccount=acct-736204\naccount=acct-918273\n")
    found = [f for f in widget.scan_text(text).findings if f.rule_id == "widget-id"]
    got = {f.secret: parts(f) for f in found}
    assert got[ID_A] == {"zone": "north-2", "account": "acct-501938"}
    assert got[ID_B] == {"account": "acct-736204"}  # the closer of two accounts


def test_a_part_alone_is_no_finding(widget: Scanner) -> None:
    assert widget.scan_text("account=acct-204817\nzone=north-2\n").findings == ()


def test_credential_for_fills_parts_and_they_change_the_cache_key(widget: Scanner) -> None:
    text = f"id = {ID_A}\nkey = {SECRET}\naccount=acct-204817\nzone=north-2\n"
    found = by_rule(widget.scan_text(text).findings)
    creds = [credential_for(found[r], "aws") for r in ("widget-id", "widget-secret")]
    assert all(isinstance(c, Credential) for c in creds)
    one, two = creds
    assert isinstance(one, Credential) and isinstance(two, Credential)
    assert (one.key_id, one.secret, one.token) == (ID_A, SECRET, None)
    assert dict(one.parts) == {"account": "acct-204817", "zone": "north-2"}
    assert one.cache_key == two.cache_key  # one call for both findings
    plain = Credential("aws", ID_A, SECRET)
    assert plain.cache_key != one.cache_key
    assert "acct-204817" not in repr(one)
    assert "acct-204817" not in one.scrub("signed for acct-204817 in north-2")


def test_a_token_with_its_own_part_name_is_given_to_the_verifier_under_it(
        tmp_path: Path) -> None:
    (tmp_path / "w.toml").write_text(RULES.replace(
        'token_for = ["widget-id"]\n\n[[rules]]\nid = "widget-account"',
        'token_for = ["widget-id"]\npart = "session"\n\n[[rules]]\nid = "widget-account"'))
    ruleset = load_rules([tmp_path / "w.toml"], builtin=False)
    scanner = Scanner(ScanConfig(rules=ruleset, jobs=1))
    found = by_rule(scanner.scan_text(f"id = {ID_A}\nkey = {SECRET}\ns = {SESSION}\n").findings)
    assert parts(found["widget-id"]) == {"secret": SECRET, "session": SESSION}
    cred = credential_for(found["widget-session"], "aws", session_token=True, part="session")
    assert isinstance(cred, Credential) and cred.token is None
    assert dict(cred.parts) == {"session": SESSION}


@pytest.mark.parametrize(("extra", "message"), [
    ('part = "zone"', "part needs token_for"),
    ("report = false", "report = false is for a part"),
])
def test_part_and_report_need_token_for(extra: str, message: str) -> None:
    import tomllib
    data = tomllib.loads(f'provider = "w"\n[[rules]]\nid = "w-x"\nkind = "token"\n'
                         f'keywords = ["x"]\nregex = "(x+)"\n{extra}\n')
    with pytest.raises(RuleError, match=message):
        parse_rule_file(data, "w.toml")


def test_an_id_that_is_no_secret_is_carried_by_its_secret_and_never_reported_alone(
        tmp_path: Path) -> None:
    path = tmp_path / "widget.toml"
    path.write_text(RULES.replace('kind = "id"\n', 'kind = "id"\nreport = false\n', 1))
    quiet = Scanner(ScanConfig(rules=load_rules([path], builtin=False), jobs=1))
    found = by_rule(list(quiet.scan_text(f"id={ID_A}\nsecret={SECRET}\n").findings))
    assert set(found) == {"widget-secret"}
    paired = found["widget-secret"].paired_with
    assert paired is not None and paired.secret == ID_A
    assert quiet.scan_text(f"id={ID_A}\n").findings == ()  # alone it is nothing


@pytest.mark.parametrize("name", ["secret", "id", "private_key", "Zone", "two words"])
def test_part_names_are_lower_case_and_not_the_core_parts(name: str) -> None:
    import tomllib
    data = tomllib.loads('provider = "w"\n[[rules]]\nid = "w-i"\nkind = "id"\n'
                         'keywords = ["i"]\nregex = "(i+)"\n'
                         '[[rules]]\nid = "w-x"\nkind = "token"\nkeywords = ["x"]\n'
                         f'regex = "(x+)"\ntoken_for = ["w-i"]\npart = "{name}"\n')
    with pytest.raises(RuleError, match="part must be"):
        parse_rule_file(data, "w.toml")


# An .edgerc written for this test (no real or documented credential).
EDGERC = """[default]
client_secret = Jq7vT2mXc9Lw4RbN8sKd0YhF3gPz6UeA1oViC5tWnBk=
host = akab-m3q8xv2lk7tz0wpd-9rfh4ycn6jbs1uea.luna.akamaiapis.net
access_token = akab-t6wz1bq9kd4rm7xn-c2vh8lsy3fpe0gjo
client_token = akab-h5nd0rw8qc3mz6ty-k9ub2xle7jva4sgi
"""


def test_an_akamai_edgerc_is_one_credential_of_four_parts() -> None:
    """The client token is the ID, the client secret its secret, the access token (reported)
    and the host (never reported) join it as parts "access_token" and "host"."""
    scanner = Scanner(ScanConfig(rules=load_rules(), jobs=1))
    found = by_rule(scanner.scan_text(EDGERC, ".edgerc").findings)
    assert set(found) == {"akamai-client-token", "akamai-client-secret", "akamai-access-token"}
    token = "akab-h5nd0rw8qc3mz6ty-k9ub2xle7jva4sgi"
    host = "akab-m3q8xv2lk7tz0wpd-9rfh4ycn6jbs1uea.luna.akamaiapis.net"
    access = "akab-t6wz1bq9kd4rm7xn-c2vh8lsy3fpe0gjo"
    secret = "Jq7vT2mXc9Lw4RbN8sKd0YhF3gPz6UeA1oViC5tWnBk="
    assert parts(found["akamai-client-token"]) == {"secret": secret, "access_token": access,
                                                   "host": host}
    for rule, session in [("akamai-client-token", False), ("akamai-client-secret", False),
                          ("akamai-access-token", True)]:
        cred = credential_for(found[rule], "aws", session_token=session,
                              part="access_token" if session else "token")
        assert isinstance(cred, Credential), (rule, cred)
        assert (cred.key_id, cred.secret, cred.token) == (token, secret, None)
        assert dict(cred.parts) == {"access_token": access, "host": host}
