"""Blast radius of a live Alibaba Cloud AccessKey: who it is and what it can reach, as facts on
its verification, from real ``keysweep scan --verify`` runs against the loopback fake
(tests/helpers/fake_provider.py), which checks the RPC v1 signature of every STS and RAM call
as Alibaba does. One tree holds one credential per identity; each report format is produced
once for the module and every test reads its part."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from benchmarks.corpus import Values
from scanner.verifiers import VERIFIERS, Credential, alibaba, signing
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_provider import Account, FakeProvider, RamUser
from tests.helpers.run import run_keysweep
from tests.verifiers.test_verify import assert_never_sent, report_validator

PAIR = "[default]\ntype = access_key\naccess_key_id = {id}\naccess_key_secret = {secret}\n"
TRIPLE = ('{{"Credentials": {{\n  "AccessKeyId": "{id}",\n  "AccessKeySecret": "{secret}",\n'
          '  "SecurityToken": "{token}"\n}}}}\n')
ACCOUNT_ID = "1357924680135792"
RAM_READS = {"ListPoliciesForUser", "ListGroupsForUser", "GetLoginProfile", "ListAccessKeys",
             "GetAccessKeyLastUsed"}


@dataclass
class Planted:
    key_id: str
    secret: str
    token: str | None = None


@dataclass
class Runs:
    fake: FakeProvider
    planted: dict[str, Planted]
    json: dict[str, Any]
    text: str
    sarif: dict[str, Any]
    html: str
    stdout: str  # every run's output, to check no secret is in any


def plant(tree: Path, values: Values, fake: FakeProvider) -> dict[str, Planted]:
    planted = {}
    identities = {
        "root": Account("", identity_type="Account", account_id=ACCOUNT_ID, name=""),
        "admin": Account("", account_id=ACCOUNT_ID, name="ops-admin", ram=RamUser(
            policies=[("AliyunOSSReadOnlyAccess", "System"), ("deploy-bucket", "Custom")],
            groups={"admins": [("AdministratorAccess", "System")],
                    "ecs-team": [("AliyunECSFullAccess", "System")]},
            console=True, mfa=False, access_keys=2, last_used="2024-04-30T22:15:00Z")),
        "least": Account("", account_id=ACCOUNT_ID, name="uploader",
                         ram=RamUser(denied=True)),
    }
    for case, account in identities.items():
        key_id, secret = values.alibaba_id(), values.alibaba_secret()
        account.secret = secret
        fake.accounts[key_id] = account
        planted[case] = Planted(key_id, secret)
    for case in ("sts", "expired"):
        key_id, secret, token = values.sts_id(), values.sts_secret(), values.sts_token()
        fake.accounts[key_id] = Account(secret, "expired" if case == "expired" else "active",
                                        account_id=ACCOUNT_ID, token=token,
                                        identity_type="AssumedRoleUser", name="ecs-deployer",
                                        session="ci-run-42")
        planted[case] = Planted(key_id, secret, token)
    for case, p in planted.items():
        (tree / case).mkdir(parents=True)
        layout = TRIPLE if p.token else PAIR
        (tree / case / "credentials").write_text(
            layout.format(id=p.key_id, secret=p.secret, token=p.token))
    return planted


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    values = Values(random.Random("test_blast_alibaba"), rsa_budget=0)
    tree = tmp_path_factory.mktemp("blast") / "tree"
    with FakeProvider(hang_seconds=5) as fake:
        planted = plant(tree, values, fake)
        out = {}
        for fmt in ("json", "text", "sarif", "html"):
            out[fmt] = run_keysweep("scan", tree, "--verify", "--verify-endpoint",
                                    f"alibaba={fake.url}", "--verify-timeout", "3", "-f", fmt,
                                    "--color", "never", "--no-progress", expected_code=1,
                                    timeout=120).stdout
        yield Runs(fake, planted, json.loads(out["json"]), out["text"], json.loads(out["sarif"]),
                   out["html"], "\n".join(out.values()))


def findings_of(runs: Runs, case: str) -> list[dict[str, Any]]:
    found = [f for f in runs.json["findings"] if f["path"].startswith(f"{case}/")]
    assert found, f"nothing found for {case}"
    return found


def facts_of(runs: Runs, case: str) -> list[tuple[str, str, str]]:
    """The facts on the case's findings (every part of the credential carries the same)."""
    each = [[(x["name"], x["value"], x["risk"]) for x in f["verification"]["facts"]]
            for f in findings_of(runs, case)]
    assert all(facts == each[0] for facts in each)
    return each[0]


def text_block(runs: Runs, case: str) -> str:
    """The text report's block for the case's secret (it folds its ID into it)."""
    for block in runs.text.split("\n\n"):
        if f"{case}/credentials" in block and "secret    " in block:
            return block
    raise AssertionError(f"no text block for {case}:\n{runs.text}")


def sarif_results(runs: Runs, case: str) -> list[dict[str, Any]]:
    results = [r for r in runs.sarif["runs"][0]["results"]
               if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               .startswith(f"{case}/")]
    assert results
    return results


def test_reports_validate_and_carry_no_secret(runs: Runs) -> None:
    report_validator().validate(runs.json)
    for p in runs.planted.values():
        for value in (p.secret, p.token):
            if value:
                assert value not in runs.stdout
    assert_never_sent(runs.fake, [p.secret for p in runs.planted.values()])


def test_account_key_is_root_with_alibabas_guidance(runs: Runs) -> None:
    for f in findings_of(runs, "root"):
        assert f["severity"] == "root"
        assert f["verification"]["status"] == "active"
        assert f["verification"]["root"] is True
    facts = facts_of(runs, "root")
    assert ("identity_type", "Alibaba Cloud account (root)", "critical") in facts
    [guidance] = [v for name, v, risk in facts if name == "root" and risk == "critical"]
    assert "Create a RAM user" in guidance and "delete this AccessKey" in guidance
    # The account can do everything: no RAM call is needed to say so.
    assert runs.fake.ram_actions(runs.planted["root"].key_id) == set()
    # Text: the root finding comes first, with its guidance under it.
    first = runs.text.split("\n\n")[0]
    assert first == text_block(runs, "root")
    assert "[root]" in first.splitlines()[0]
    assert f"  reach     root: {guidance}  [critical]" in first.splitlines()
    # SARIF says so in the message and carries the facts.
    for r in sarif_results(runs, "root"):
        assert "account root key" in r["message"]["text"]
        assert r["properties"]["severity"] == "root"
        assert r["properties"]["verification"]["root"] is True
        assert ["root", guidance, "critical"] in [
            [x["name"], x["value"], x["risk"]] for x in r["properties"]["verification"]["facts"]]


def test_ram_user_with_admin_through_a_group_and_console_without_mfa(runs: Runs) -> None:
    for f in findings_of(runs, "admin"):
        assert f["verification"]["status"] == "active"
        assert f["verification"]["root"] is False
        assert f["severity"] != "root"
    facts = facts_of(runs, "admin")
    for fact in [("identity_type", "RAM user", "info"), ("user", "ops-admin", "info"),
                 ("policy", "AliyunOSSReadOnlyAccess", "info"),
                 ("policy", "deploy-bucket (custom)", "info"),
                 ("groups", "admins, ecs-team", "info"),
                 ("policy", "AdministratorAccess (via group admins)", "critical"),
                 ("policy", "AliyunECSFullAccess (via group ecs-team)", "high"),
                 ("console_access", "yes (password logon)", "medium"),
                 ("mfa", "not bound: console logon with a password alone", "high"),
                 ("access_keys", "2 (2 active)", "low"),
                 ("last_used", "2024-04-30T22:15:00Z (Ecs)", "info")]:
        assert fact in facts
    assert runs.fake.ram_actions(runs.planted["admin"].key_id) == RAM_READS | {
        "ListPoliciesForGroup", "GetUserMFAInfo"}
    lines = text_block(runs, "admin").splitlines()
    assert "  reach     AdministratorAccess (via group admins)  [critical]" in lines
    assert "  reach     mfa: not bound: console logon with a password alone  [high]" in lines
    for r in sarif_results(runs, "admin"):
        assert "account root key" not in r["message"]["text"]
        assert {"name": "policy", "value": "AdministratorAccess (via group admins)",
                "risk": "critical"} in r["properties"]["verification"]["facts"]


def test_least_privilege_users_ram_calls_are_not_permitted_not_errors(runs: Runs) -> None:
    for f in findings_of(runs, "least"):
        assert (f["verification"]["status"], f["verification"]["reason"]) == ("active", None)
    facts = facts_of(runs, "least")
    assert facts == [("identity_type", "RAM user", "info"), ("user", "uploader", "info"),
                     ("policies", "not permitted", "good"), ("groups", "not permitted", "good"),
                     ("console_access", "not permitted", "good"),
                     ("access_keys", "not permitted", "good"),
                     ("last_used", "not permitted", "good")]
    # Each was really asked (and refused with NoPermission), not skipped.
    assert runs.fake.ram_actions(runs.planted["least"].key_id) == RAM_READS
    lines = text_block(runs, "least").splitlines()
    assert "  reach     policies: not permitted  [good]" in lines


def test_sts_triple_names_its_role_and_session(runs: Runs) -> None:
    for f in findings_of(runs, "sts"):
        assert {p["kind"] for p in f["credential"]} | {f["kind"]} == {"id", "secret", "token"}
        assert f["verification"]["status"] == "active"
        assert f["verification"]["root"] is False
    facts = facts_of(runs, "sts")
    assert ("identity_type", "RAM role session (STS)", "info") in facts
    assert ("role", "ecs-deployer", "info") in facts
    assert ("session", "ci-run-42", "info") in facts
    assert runs.fake.ram_actions(runs.planted["sts"].key_id) == set()
    assert "  reach     role: ecs-deployer  [info]" in text_block(runs, "sts").splitlines()
    for r in sarif_results(runs, "sts"):
        assert {"name": "session", "value": "ci-run-42", "risk": "info"} in \
            r["properties"]["verification"]["facts"]


def test_expired_sts_token_is_inactive_expired_without_facts(runs: Runs) -> None:
    for f in findings_of(runs, "expired"):
        assert (f["verification"]["status"], f["verification"]["reason"]) == \
            ("inactive", "expired")
        assert f["verification"]["facts"] == [] and f["verification"]["root"] is False
    assert runs.fake.ram_actions(runs.planted["expired"].key_id) == set()
    assert "reach" not in text_block(runs, "expired")


# -- the fake checks the RAM calls' signatures ------------------------------------------------


def ram_request(url: str, key_id: str, secret: str, action: str, **extra: str) -> tuple[int, str]:
    """A RAM call signed independently of the verifier (RPC v1 written out here)."""
    params = {"Action": action, "Version": "2015-05-01", "Format": "JSON",
              "AccessKeyId": key_id, "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
              "SignatureNonce": uuid.uuid4().hex,
              "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **extra}
    def enc(s: str) -> str:
        return quote(s, safe="-_.~")

    canonical = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v))
                                                          for k, v in params.items()))
    to_sign = f"GET&%2F&{enc(canonical)}"
    signature = base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(),
                                          hashlib.sha1).digest()).decode()
    assert signature == signing.rpc_signature(secret, "GET", params)  # both signers agree
    try:
        with urllib.request.urlopen(f"{url}/?{canonical}&Signature={enc(signature)}",
                                    timeout=5) as resp:
            return resp.status, json.loads(resp.read()).get("Code", "")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()).get("Code", "")


def test_fake_ram_rejects_a_wrong_signature() -> None:
    values = Values(random.Random("test_fake_ram_rejects_a_wrong_signature"), rsa_budget=0)
    key_id, secret, other = values.alibaba_id(), values.alibaba_secret(), values.alibaba_secret()
    with FakeProvider({key_id: Account(secret, name="ops-admin", ram=RamUser(
            groups={"admins": [("AdministratorAccess", "System")]}))}) as fake:
        assert ram_request(fake.url, key_id, secret, "ListGroupsForUser",
                           UserName="ops-admin") == (200, "")
        assert ram_request(fake.url, key_id, other, "ListGroupsForUser",
                           UserName="ops-admin") == (400, "SignatureDoesNotMatch")
        assert ram_request(fake.url, key_id, secret, "ListPoliciesForGroup",
                           GroupName="admins") == (200, "")
        assert ram_request(fake.url, key_id, secret, "GetLoginProfile",
                           UserName="ops-admin") == (404, "EntityNotExist.User.LoginProfile")


def test_wrong_secret_gets_no_facts(tmp_path: Path) -> None:
    """A key the fake knows with another secret: STS refuses the signature, and no RAM call is
    made with a key that does not work."""
    values = Values(random.Random("test_wrong_secret_gets_no_facts"), rsa_budget=0)
    key_id, secret, other = values.alibaba_id(), values.alibaba_secret(), values.alibaba_secret()
    (tmp_path / "credentials").write_text(PAIR.format(id=key_id, secret=secret))
    with FakeProvider({key_id: Account(other, name="ops-admin")}) as fake:
        run = run_keysweep("scan", tmp_path, "--verify", "--verify-endpoint",
                           f"alibaba={fake.url}", "--verify-timeout", "3", "-f", "json",
                           expected_code=1, timeout=60)
        assert fake.ram_actions(key_id) == set()
    for f in run.json()["findings"]:
        assert (f["verification"]["status"], f["verification"]["reason"]) == \
            ("inactive", "wrong_secret")
        assert f["verification"]["facts"] == []


def test_the_html_report_shows_each_identitys_facts_root_first(runs: Runs) -> None:
    import html

    page = runs.html
    for case in ("root", "admin", "least", "sts"):
        for _, value, _ in facts_of(runs, case):
            assert html.escape(value, quote=False) in page or html.escape(value) in page, \
                (case, value)
    # The account's own key leads the live keys; the page counts it as a root-account key.
    root_at = page.index("root/credentials")
    assert all(root_at < page.index(f"{case}/credentials") for case in ("admin", "least", "sts"))
    assert "Root-account keys" in page


def test_more_groups_than_looked_up_is_said_and_no_paging_is_invented() -> None:
    """RAM's per-user list calls have no paging parameters: they are called once each, with
    no Marker or MaxItems. Policies of at most MAX_GROUPS groups are looked up, and a fact
    says when the user is in more, rather than dropping the rest silently."""
    values = Values(random.Random("groups"), rsa_budget=0)
    key_id, secret = values.alibaba_id(), values.alibaba_secret()
    groups = {f"team-{i:02d}": [("AliyunOSSReadOnlyAccess", "System")] for i in range(11)}
    groups["team-10"] = [("AdministratorAccess", "System")]
    with FakeProvider({key_id: Account(secret, account_id=ACCOUNT_ID, name="ops",
                                       ram=RamUser(groups=groups))}) as fake:
        verdict = VERIFIERS["alibaba"].verify(Credential("alibaba", key_id, secret),
                                              HttpClient(fake.url, 2.0, overridden=True))
        facts = {(f.name, f.value, f.risk) for f in verdict.facts}
        assert ("group_policies", f"listed for the first {alibaba.MAX_GROUPS} of 11 groups "
                "only", "info") in facts
        assert sum(1 for f in facts if f[0] == "policy") == alibaba.MAX_GROUPS
        assert fake.ram_calls[key_id, "ListPoliciesForGroup"] == alibaba.MAX_GROUPS
        for action in ("ListPoliciesForUser", "ListGroupsForUser", "ListAccessKeys"):
            assert fake.ram_calls[key_id, action] == 1, action
        assert not any("Marker=" in r.path or "MaxItems=" in r.path for r in fake.requests)
