"""Tencent Cloud blast radius under --verify: who a live key is (the root account's own key,
a CAM user, an assumed role) and what it can reach, from read-only CAM calls answered by the
loopback fake, which checks each call's TC3-HMAC-SHA256 signature."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.corpus import BASE62, Values
from scanner.verifiers import VERIFIERS, Credential, tencent_cam
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_provider import Account, FakeProvider, Reach, facts_of
from tests.helpers.reports import assert_facts_in_every_format
from tests.helpers.run import run_keysweep


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider(hang_seconds=20) as server:
        yield server


def test_each_identity_gets_its_verdict_severity_and_facts(fake: FakeProvider, values: Values,
                                                           tmp_path: Path):
    uin = str(values.rng.randrange(10**9, 10**10))
    tree = tmp_path / "tree"
    keys: dict[str, tuple[str, str]] = {}

    def plant(case: str, row: Account, temporary: bool = False,
              sent_token: str | None = None) -> None:
        key_id, secret = values.tencent_id(), values.tencent_key()
        row.secret = secret
        token = values.token(BASE62, 200, min_entropy=4.5) if temporary else None
        if temporary:
            row.token = token
        fake.accounts[key_id] = row
        (tree / case).mkdir(parents=True)
        text = f"[default]\nsecret_id = {key_id}\nsecret_key = {secret}\n"
        if temporary:
            text += f"token = {sent_token or token}\n"
        (tree / case / "credentials").write_text(text)
        keys[case] = (key_id, secret)

    plant("root", Account("", account_id=uin, identity="root"))
    plant("admin", Account("", account_id=uin, name="ops", sub_uin="100011112222", reach=Reach(
        policies=("QcloudCOSFullAccess",), groups={"admins": ("AdministratorAccess",)},
        console=True, mfa_devices=0, keys=("Active", "Active"))))
    plant("least", Account("", account_id=uin, sub_uin="100033334444"))  # all CAM denied
    plant("sts", Account("", account_id=uin), temporary=True)
    plant("expired", Account("", account_id=uin), temporary=True,
          sent_token=values.token(BASE62, 200, min_entropy=4.5))
    run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"tencent={fake.url}",
                       "--verify-timeout", "3", "-f", "json", expected_code=1, timeout=90)
    by_hash = {hashlib.sha256(v.encode()).hexdigest(): case
               for case, pair in keys.items() for v in pair}
    seen: dict[str, list[dict[str, object]]] = {}
    for f in run.json()["findings"]:
        if f["kind"] in ("id", "secret"):
            seen.setdefault(by_hash[f["secret_sha256"]], []).append(f)
    assert {case: len(found) for case, found in seen.items()} == dict.fromkeys(keys, 2)
    for case, found in seen.items():
        assert facts_of(found[0]) == facts_of(found[1]), case
        want = ("inactive", "expired") if case == "expired" else ("active", None)
        for f in found:
            v = f["verification"]
            assert (v["status"], v["reason"], v["root"]) == (*want, case == "root"), (case, v)
            assert (f["severity"] == "root") == (case == "root"), (case, f["severity"])

    assert facts_of(seen["root"][0]) == {
        ("identity_type", "root account (the account's own API key)", "critical"),
        ("guidance", tencent_cam.ROOT_GUIDANCE, "critical")}
    assert facts_of(seen["admin"][0]) == {
        ("identity_type", "CAM user", "info"), ("user_uin", "100011112222", "info"),
        ("user", "ops", "info"), ("console_access", "yes", "medium"),
        ("mfa", "none: console access without MFA", "high"),
        ("policy", "QcloudCOSFullAccess (attached)", "high"),
        ("policy", "AdministratorAccess (via group admins)", "critical"),
        ("access_keys", "2 (2 active)", "low")}
    assert facts_of(seen["least"][0]) == {
        ("identity_type", "CAM user", "info"), ("user_uin", "100033334444", "info"),
        *((name, "not permitted", "good") for name in (
            "user", "console_access", "mfa", "policies", "access_keys"))}
    assert facts_of(seen["sts"][0]) == {("identity_type", "assumed role", "info"),
                                        ("role", "4611686018427397919", "info"),
                                        ("session", "session-1", "info")}
    assert facts_of(seen["expired"][0]) == set()
    assert_facts_in_every_format(tree, "tencent", fake.url, {
        case: facts_of(seen[case][0]) for case in ("root", "admin", "least", "sts")},
        [secret for _, secret in keys.values()])
    log = fake.log_text()
    for _, secret in keys.values():
        assert secret not in log and secret not in run.stdout


def test_a_wrong_signature_on_a_cam_call_is_rejected(fake: FakeProvider, values: Values):
    key_id, secret = values.tencent_id(), values.tencent_key()
    fake.accounts[key_id] = Account(secret, reach=Reach(keys=("Active",)))
    http = HttpClient(fake.url, 2.0, overridden=True)
    good = tencent_cam.CamClient(Credential("tencent", key_id, secret), http)
    answer, code = good.call("ListAccessKeys", {"TargetUin": 100023456789})
    assert code is None and answer["AccessKeys"][0]["Status"] == "Active"
    bad = tencent_cam.CamClient(Credential("tencent", key_id, values.tencent_key()), http)
    assert bad.call("ListAccessKeys", {"TargetUin": 100023456789})[1] \
        == "AuthFailure.SignatureFailure"


def test_each_denied_call_is_its_own_not_permitted_fact(fake: FakeProvider, values: Values):
    key_id, secret = values.tencent_id(), values.tencent_key()
    fake.accounts[key_id] = Account(secret, reach=Reach(
        mfa_devices=1, denied=frozenset({"ListAttachedUserAllPolicies"})))
    verdict = VERIFIERS["tencent"].verify(Credential("tencent", key_id, secret),
                                          HttpClient(fake.url, 2.0, overridden=True))
    facts = {(f.name, f.value, f.risk) for f in verdict.facts}
    assert ("policies", "not permitted", "good") in facts
    assert ("console_access", "no", "good") in facts
    assert ("mfa", "login protection: Stoken", "good") in facts
    assert ("access_keys", "1 (1 active)", "info") in facts
    assert fake.count(key_id) == 1


def test_without_an_override_cam_calls_go_to_the_cam_endpoint(values: Values,
                                                             monkeypatch: pytest.MonkeyPatch):
    key_id, secret = values.tencent_id(), values.tencent_key()
    with FakeProvider() as sts, FakeProvider() as cam:
        sts.accounts[key_id] = Account(secret)
        cam.accounts[key_id] = Account(secret, reach=Reach())
        monkeypatch.setattr(tencent_cam, "CAM_URL", cam.url + "/")
        verdict = VERIFIERS["tencent"].verify(Credential("tencent", key_id, secret),
                                              HttpClient(sts.url, 2.0, overridden=False))
        assert ("policy", "none", "good") in {(f.name, f.value, f.risk) for f in verdict.facts}
        assert [r.provider for r in sts.requests] == ["tencent"]
        assert "GetCallerIdentity" in sts.requests[0].headers
        assert len(cam.requests) == 5 and all("GetCallerIdentity" not in r.headers
                                              for r in cam.requests)


def _policy_calls(fake: FakeProvider, key_id: str) -> list[dict[str, object]]:
    """The bodies of the ListAttachedUserAllPolicies calls signed with ``key_id``."""
    return [json.loads(r.body) for r in fake.requests
            if f"Credential={key_id}/" in r.headers
            and "X-TC-Action: ListAttachedUserAllPolicies" in r.headers]


def test_policies_on_a_later_page_are_still_reported(fake: FakeProvider, values: Values,
                                                     tmp_path: Path):
    """CAM pages ListAttachedUserAllPolicies by Page/Rp (200 a page) with a TotalNum: an
    AdministratorAccess policy and a group's policy past the first 200 are still found."""
    key_id, secret = values.tencent_id(), values.tencent_key()
    filler = tuple(f"Team{i:03d}ReadOnly" for i in range(200))
    fake.accounts[key_id] = Account(secret, name="ops", sub_uin="100055556666", reach=Reach(
        policies=(*filler, "AdministratorAccess"), groups={"infra": ("QcloudCVMFullAccess",)}))
    (tmp_path / "credentials").write_text(
        f"[default]\nsecret_id = {key_id}\nsecret_key = {secret}\n")
    run = run_keysweep("scan", tmp_path, "--verify", "--verify-endpoint",
                       f"tencent={fake.url}", "--verify-timeout", "3", "-f", "json",
                       expected_code=1, timeout=90)
    found = [f for f in run.json()["findings"] if f["kind"] == "id"]
    assert len(found) == 1 and found[0]["verification"]["status"] == "active"
    policies = {(v, r) for n, v, r in facts_of(found[0]) if n == "policy"}
    assert len(policies) == 202
    assert {("AdministratorAccess (attached)", "critical"),
            ("QcloudCVMFullAccess (via group infra)", "high")} <= policies
    assert not any(n == "list_cut" for n, _, _ in facts_of(found[0]))
    assert [(c["Page"], c["Rp"], c["AttachType"], c["TargetUin"])
            for c in _policy_calls(fake, key_id)] == [(1, 200, 0, 100055556666),
                                                       (2, 200, 0, 100055556666)]
    assert secret not in fake.log_text() and secret not in run.stdout


def test_the_page_cap_and_a_failed_later_page_are_said(fake: FakeProvider, values: Values,
                                                       monkeypatch: pytest.MonkeyPatch):
    """Two policies a page: 45 policies stop at the 20-page cap, a throttled second page stops
    there; either way the list is reported as cut, with what was read."""
    monkeypatch.setattr(tencent_cam, "POLICY_PAGE_SIZE", 2)
    capped_id, throttled_id = values.tencent_id(), values.tencent_id()
    fake.accounts[capped_id] = Account(values.tencent_key(), reach=Reach(
        policies=tuple(f"P{i:02d}" for i in range(45))))
    fake.accounts[throttled_id] = Account(values.tencent_key(), reach=Reach(
        policies=("QcloudCOSReadOnlyAccess", "QcloudCLSReadOnlyAccess", "AdministratorAccess"),
        throttled_later=frozenset({"ListAttachedUserAllPolicies"})))
    http = HttpClient(fake.url, 2.0, overridden=True)

    def facts(key_id: str) -> set[tuple[str, str, str]]:
        verdict = VERIFIERS["tencent"].verify(
            Credential("tencent", key_id, fake.accounts[key_id].secret), http)
        assert verdict.status == "active"
        return {(f.name, f.value, f.risk) for f in verdict.facts}

    capped = facts(capped_id)
    assert {v for n, v, _ in capped if n == "policy"} == {f"P{i:02d} (attached)"
                                                          for i in range(40)}
    assert ("list_cut", "policies: only the first 20 pages read; the provider has more",
            "info") in capped
    assert [c["Page"] for c in _policy_calls(fake, capped_id)] == list(range(1, 21))
    throttled = facts(throttled_id)
    assert {(n, v) for n, v, _ in throttled if n in ("policy", "list_cut")} == {
        ("policy", "QcloudCOSReadOnlyAccess (attached)"),
        ("policy", "QcloudCLSReadOnlyAccess (attached)"),
        ("list_cut", "policies: page 2 not read (RequestLimitExceeded); the provider has more")}
