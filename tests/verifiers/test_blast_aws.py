"""AWS blast radius under --verify: who a live key is (root user, IAM user, assumed role) and
what it can reach, from read-only IAM calls answered by the loopback fake, which checks each
call's SigV4 signature (tests/helpers/fake_provider.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from benchmarks.corpus import Values
from scanner.verifiers import VERIFIERS, Credential, aws_iam
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_provider import Account, FakeProvider, Reach, facts_of
from tests.helpers.reports import assert_facts_in_every_format
from tests.helpers.run import run_keysweep

W_ID = "AKIDEXAMPLE"
W_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(hang_seconds=20) as server:
        yield server


def test_iam_signer_reproduces_the_published_list_users_example():
    """credentials.md W3 (IAM docs, ListUsers): the IAM request signer, not only the
    primitives, gives AWS's published signature."""
    headers = aws_iam.signed_headers(Credential("aws", W_ID, W_SECRET), "iam.amazonaws.com",
                                     "20150830T123600Z", "us-east-1", method="GET",
                                     query=(("Action", "ListUsers"), ("Version", "2010-05-08")))
    assert headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, "
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")


def test_each_identity_gets_its_verdict_severity_and_facts(fake: FakeProvider, values: Values,
                                                           tmp_path: Path):
    account = str(values.rng.randrange(10**11, 10**12))
    tree = tmp_path / "tree"
    keys: dict[str, tuple[str, str, str | None]] = {}

    def plant(case: str, account_row: Account | None, temporary: bool = False,
              sent_token: str | None = None) -> None:
        key_id = values.aws_id("ASIA" if temporary else "AKIA")
        secret = values.aws_secret()
        token = values.aws_session_token() if temporary else None
        if account_row is not None:
            account_row.secret = secret
            if temporary:
                account_row.token = token
            fake.accounts[key_id] = account_row
        (tree / case).mkdir(parents=True)
        text = f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
        if temporary:
            text += f"aws_session_token = {sent_token or token}\n"
        (tree / case / "credentials").write_text(text)
        keys[case] = (key_id, secret, sent_token or token)

    plant("root", Account("", account_id=account, identity="root"))
    plant("admin", Account("", account_id=account, name="ci-admin", reach=Reach(
        policies=("ReadOnlyAccess",), inline=("deploy",),
        groups={"admins": ("AdministratorAccess",)},
        console=True, mfa_devices=0, keys=("Active", "Inactive"),
        last_used=("2024-05-06T07:08:00Z", "s3", "eu-west-1"))))
    plant("least", Account("", account_id=account, name="uploader"))  # every IAM call denied
    plant("sts", Account("", account_id=account, name="build-role"), temporary=True)
    plant("expired", Account("", account_id=account), temporary=True,
          sent_token=values.aws_session_token())
    run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"aws={fake.url}",
                       "--verify-timeout", "3", "-f", "json", expected_code=1, timeout=90)
    by_hash = {hashlib.sha256(v.encode()).hexdigest(): case
               for case, (key_id, secret, _) in keys.items() for v in (key_id, secret)}
    seen: dict[str, list[dict[str, object]]] = {}
    for f in run.json()["findings"]:
        if f["kind"] in ("id", "secret"):
            seen.setdefault(by_hash[f["secret_sha256"]], []).append(f)
    assert {case: len(found) for case, found in seen.items()} == dict.fromkeys(keys, 2)
    for case, found in seen.items():
        assert facts_of(found[0]) == facts_of(found[1]), case  # both halves, one verdict
        want = ("inactive", "expired") if case == "expired" else ("active", None)
        for f in found:
            v = f["verification"]
            assert (v["status"], v["reason"], v["root"]) == (*want, case == "root"), (case, v)
            assert (f["severity"] == "root") == (case == "root"), (case, f["severity"])

    root = facts_of(seen["root"][0])
    assert ("identity_type", "root user (the account's own access key)", "critical") in root
    assert ("guidance", aws_iam.ROOT_GUIDANCE, "critical") in root
    assert ("access_keys", "1 (1 active)", "info") in root

    assert facts_of(seen["admin"][0]) == {
        ("identity_type", "IAM user", "info"), ("user", "ci-admin", "info"),
        ("policy", "ReadOnlyAccess (attached)", "info"), ("policy", "deploy (inline)", "info"),
        ("group", "admins", "info"),
        ("policy", "AdministratorAccess (via group admins)", "critical"),
        ("console_access", "yes (console password set)", "medium"),
        ("mfa", "none: console access without MFA", "high"),
        ("access_keys", "2 (1 active)", "info"),
        ("last_used", "2024-05-06T07:08:00Z (s3, eu-west-1)", "info")}

    assert facts_of(seen["least"][0]) == {
        ("identity_type", "IAM user", "info"), ("user", "uploader", "info"),
        *((name, "not permitted", "good") for name in (
            "attached_policies", "inline_policies", "groups", "console_access", "mfa",
            "access_keys", "last_used"))}

    assert facts_of(seen["sts"][0]) == {("identity_type", "assumed role", "info"),
                                        ("role", "build-role", "info"),
                                        ("session", "session-1", "info")}
    assert facts_of(seen["expired"][0]) == set()
    assert_facts_in_every_format(tree, "aws", fake.url, {
        case: facts_of(seen[case][0]) for case in ("root", "admin", "least", "sts")},
        [secret for _, secret, _ in keys.values()])
    # No secret crossed the wire or reached a report.
    log = fake.log_text()
    for _, secret, _ in keys.values():
        assert secret not in log and secret not in run.stdout


def test_a_wrong_signature_on_an_iam_call_is_rejected(fake: FakeProvider, values: Values):
    key_id, secret = values.aws_id(), values.aws_secret()
    fake.accounts[key_id] = Account(secret, reach=Reach(policies=("AdministratorAccess",)))
    http = HttpClient(fake.url, 2.0, overridden=True)
    good = aws_iam.IamClient(Credential("aws", key_id, secret), http, "aws")
    assert good.call("ListAttachedUserPolicies", UserName="deployer").texts(
        "AttachedPolicies", "member", "PolicyName") == ["AdministratorAccess"]
    bad = aws_iam.IamClient(Credential("aws", key_id, values.aws_secret()), http, "aws")
    assert bad.call("ListAttachedUserPolicies", UserName="deployer").code \
        == "SignatureDoesNotMatch"
    # Signed for another region than IAM's us-east-1: the fake refuses it too.
    good.region = "eu-west-1"
    assert good.call("ListAttachedUserPolicies", UserName="deployer").code == "InvalidAction"


def test_each_denied_call_is_its_own_not_permitted_fact(fake: FakeProvider, values: Values):
    key_id, secret = values.aws_id(), values.aws_secret()
    fake.accounts[key_id] = Account(secret, account_id="210987654321", reach=Reach(
        console=True, mfa_devices=1, denied=frozenset({"ListGroupsForUser", "ListAccessKeys"})))
    verdict = VERIFIERS["aws"].verify(Credential("aws", key_id, secret),
                                      HttpClient(fake.url, 2.0, overridden=True))
    facts = {(f.name, f.value, f.risk) for f in verdict.facts}
    assert ("groups", "not permitted", "good") in facts
    assert ("access_keys", "not permitted", "good") in facts
    assert ("console_access", "yes (console password set)", "medium") in facts
    assert ("mfa", "1 device(s)", "good") in facts
    assert ("last_used", "never", "info") in facts
    assert fake.count(key_id) == 1  # one identity call; IAM calls are extra, not retries


def test_without_an_override_iam_calls_go_to_the_iam_endpoint(values: Values,
                                                             monkeypatch: pytest.MonkeyPatch):
    """STS answers at its endpoint, IAM at its own (``http.sibling``): here two loopback
    servers stand in for sts.amazonaws.com and iam.amazonaws.com."""
    key_id, secret = values.aws_id(), values.aws_secret()
    with FakeProvider() as sts, FakeProvider() as iam:
        sts.accounts[key_id] = Account(secret, account_id="210987654321", identity="root")
        iam.accounts[key_id] = Account(secret, account_id="210987654321", identity="root")
        monkeypatch.setitem(aws_iam.IAM_ENDPOINTS, "aws", (iam.url + "/", "us-east-1"))
        verdict = VERIFIERS["aws"].verify(Credential("aws", key_id, secret),
                                          HttpClient(sts.url, 2.0, overridden=False))
        assert verdict.root and ("access_keys", "1 (1 active)") in \
            {(f.name, f.value) for f in verdict.facts}
        assert [b"GetCallerIdentity" in r.body for r in sts.requests] == [True]
        assert {dict(parse_qsl(r.body.decode()))["Action"] for r in iam.requests} == {
            "ListAccessKeys", "GetAccessKeyLastUsed"}


def _iam_bodies(fake: FakeProvider, key_id: str, action: str) -> list[dict[str, str]]:
    """The form bodies of the IAM calls of ``action`` signed with ``key_id``."""
    bodies = [dict(parse_qsl(r.body.decode())) for r in fake.requests
              if f"Credential={key_id}/" in r.headers]
    return [b for b in bodies if b.get("Action") == action]


def test_every_page_of_each_list_is_read_and_a_cap_is_said(values: Values, tmp_path: Path):
    """IAM pages by IsTruncated/Marker (here two items a page): an AdministratorAccess policy,
    a group and an MFA device on a later page are still reported; a list longer than the cap
    is reported as cut, never silently."""
    tree = tmp_path / "tree"
    tree.mkdir()
    keys: dict[str, tuple[str, str]] = {}
    with FakeProvider(hang_seconds=20, page_size=2) as fake:
        for case, reach in {
            "paged": Reach(policies=("ReadOnlyAccess", "IAMReadOnlyAccess",
                                     "AdministratorAccess"),
                           inline=("a", "b", "deploy"),
                           groups={"dev": (), "qa": (), "ops": ("PowerUserAccess", "Billing",
                                                                "AmazonS3FullAccess")},
                           console=True, mfa_devices=3, keys=("Inactive", "Inactive", "Active")),
            "capped": Reach(policies=tuple(f"Team{i:02d}Policy" for i in range(45))),
        }.items():
            key_id, secret = values.aws_id("AKIA"), values.aws_secret()
            fake.accounts[key_id] = Account(secret, account_id="123456789012", name=case,
                                            reach=reach)
            (tree / f"{case}.ini").write_text(
                f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
            keys[case] = (key_id, secret)
        run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"aws={fake.url}",
                           "--verify-timeout", "3", "-f", "json", expected_code=1, timeout=90)
        facts = {}
        for f in run.json()["findings"]:
            if f["kind"] == "id":
                case = next(c for c, (k, _) in keys.items()
                            if hashlib.sha256(k.encode()).hexdigest() == f["secret_sha256"])
                assert f["verification"]["status"] == "active", f["verification"]
                facts[case] = facts_of(f)
        assert facts["paged"] == {
            ("identity_type", "IAM user", "info"), ("user", "paged", "info"),
            ("policy", "ReadOnlyAccess (attached)", "info"),
            ("policy", "IAMReadOnlyAccess (attached)", "info"),
            ("policy", "AdministratorAccess (attached)", "critical"),
            *(("policy", f"{p} (inline)", "info") for p in ("a", "b", "deploy")),
            *(("group", g, "info") for g in ("dev", "qa", "ops")),
            ("policy", "PowerUserAccess (via group ops)", "info"),
            ("policy", "Billing (via group ops)", "info"),
            ("policy", "AmazonS3FullAccess (via group ops)", "high"),
            ("console_access", "yes (console password set)", "medium"),
            ("mfa", "3 device(s)", "good"),
            ("access_keys", "3 (1 active)", "info"), ("last_used", "never", "info")}
        capped = facts["capped"]
        assert ("list_cut", "attached_policies: only the first 20 pages read; the provider "
                "has more", "info") in capped
        assert {v for n, v, _ in capped if n == "policy"} == {
            f"Team{i:02d}Policy (attached)" for i in range(40)}
        # The pages asked for: no Marker first, then each answer's Marker, one call a page.
        paged_id, capped_id = keys["paged"][0], keys["capped"][0]
        assert [b.get("Marker") for b in _iam_bodies(fake, paged_id, "ListMFADevices")] == [
            None, "ListMFADevices~2"]
        assert [b.get("GroupName") for b in _iam_bodies(fake, paged_id,
                                                        "ListAttachedGroupPolicies")] == [
            "dev", "qa", "ops", "ops"]
        assert len(_iam_bodies(fake, capped_id, "ListAttachedUserPolicies")) == 20
        log = fake.log_text()
    for _, secret in keys.values():
        assert secret not in log and secret not in run.stdout


def test_a_later_page_that_fails_keeps_what_was_read_and_says_the_list_is_cut(values: Values):
    key_id, secret = values.aws_id(), values.aws_secret()
    with FakeProvider(page_size=2) as fake:
        fake.accounts[key_id] = Account(secret, account_id="210987654321", reach=Reach(
            policies=("ReadOnlyAccess", "SecurityAudit", "AdministratorAccess"),
            throttled_later=frozenset({"ListAttachedUserPolicies"})))
        verdict = VERIFIERS["aws"].verify(Credential("aws", key_id, secret),
                                          HttpClient(fake.url, 2.0, overridden=True))
    facts = {(f.name, f.value, f.risk) for f in verdict.facts}
    assert verdict.status == "active"
    assert {("policy", "ReadOnlyAccess (attached)", "info"),
            ("policy", "SecurityAudit (attached)", "info"),
            ("list_cut", "attached_policies: page 2 not read (ThrottlingException); the "
             "provider has more", "info")} <= facts
    assert not any("AdministratorAccess" in v for _, v, _ in facts)
    assert ("policy", "none", "good") not in facts


def test_more_groups_than_looked_up_is_said(fake: FakeProvider, values: Values):
    key_id, secret = values.aws_id(), values.aws_secret()
    groups = {f"team{i:02d}": ("ReadOnlyAccess",) for i in range(aws_iam.MAX_GROUPS + 2)}
    fake.accounts[key_id] = Account(secret, account_id="210987654321", reach=Reach(
        groups=groups))
    verdict = VERIFIERS["aws"].verify(Credential("aws", key_id, secret),
                                      HttpClient(fake.url, 2.0, overridden=True))
    facts = {(f.name, f.value, f.risk) for f in verdict.facts}
    assert ("group_policies", f"listed for the first {aws_iam.MAX_GROUPS} of "
            f"{aws_iam.MAX_GROUPS + 2} groups only", "info") in facts
    assert sum(1 for name, _, _ in facts if name == "group") == aws_iam.MAX_GROUPS + 2
    assert len(_iam_bodies(fake, key_id, "ListAttachedGroupPolicies")) == aws_iam.MAX_GROUPS
