"""Volcengine, Baidu AI Cloud and Kingsoft Cloud verification end to end: the installed
``keysweep scan --verify`` against a loopback server that checks each provider's real
signature (tests/helpers/fake_clouds.py), plus Baidu's published signing example and the
Huawei lockout rule (never asked, always skipped)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import BASE62, Values
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers import cloud_signing as cs
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_clouds import CloudAccount, FakeClouds
from tests.helpers.fake_provider import FakeProvider
from tests.helpers.run import run_keysweep


@pytest.fixture
def fake() -> Iterator[FakeClouds]:
    with FakeClouds() as server:
        yield server


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


LAYOUTS = {
    "volcengine": "VOLCENGINE_ACCESS_KEY={id}\nVOLCENGINE_SECRET_KEY={secret}\n"
                  "VOLCENGINE_REGION=cn-beijing\n",
    "baidu": "baidubce:\n  bos:\n    endpoint: https://bj.bcebos.com\n"
             "    access_key_id: {id}\n    secret_access_key: {secret}\n",
    "kingsoft": "KSYUN_ACCESS_KEY={id}\nKSYUN_SECRET_KEY={secret}\nKSYUN_REGION=cn-beijing-6\n",
}


def new_pair(values: Values, provider: str) -> tuple[str, str]:
    if provider == "volcengine":
        return values.volc_ak(), values.volc_sk()
    if provider == "baidu":
        return values.token(BASE62, 20, "ALTAK", 3.4), values.baidu_sk()
    return values.ksyun_ak(), values.ksyun_sk()


def scan(tree: Path, provider: str, fake: FakeClouds) -> list[dict[str, Any]]:
    run = run_keysweep("scan", tree, "--verify", "--verify-endpoint", f"{provider}={fake.url}",
                       "--verify-timeout", "3", "-f", "json", expected_code=1, timeout=60)
    findings: list[dict[str, Any]] = run.json()["findings"]
    return findings


def verdicts_by_case(findings: list[dict[str, Any]]) -> dict[str, set[tuple[str, object]]]:
    out: dict[str, set[tuple[str, object]]] = {}
    for f in findings:
        v = f["verification"]
        assert isinstance(v, dict)
        out.setdefault(str(f["path"]).split("/")[0], set()).add((v["status"], v["reason"]))
    return out


@pytest.mark.parametrize("provider", ["volcengine", "baidu", "kingsoft"])
def test_live_key_is_active_with_its_identity_and_a_wrong_secret_inactive(
        provider: str, fake: FakeClouds, values: Values, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    account_id = str(values.rng.randrange(2 * 10**9, 3 * 10**9))
    planted = {}
    for case in ("live", "wrong_secret", "unknown_id", "no_permission"):
        key_id, secret = new_pair(values, provider)
        if case != "unknown_id":
            known = new_pair(values, provider)[1] if case == "wrong_secret" else secret
            fake.accounts[key_id] = CloudAccount(
                known, "no_permission" if case == "no_permission" else "active",
                account_id=account_id)
        (tree / case).mkdir(parents=True)
        (tree / case / "credentials.env").write_text(
            LAYOUTS[provider].format(id=key_id, secret=secret))
        planted[case] = (key_id, secret)
    findings = scan(tree, provider, fake)
    assert verdicts_by_case(findings) == {
        "live": {("active", None)}, "wrong_secret": {("inactive", "wrong_secret")},
        "unknown_id": {("inactive", "id_not_found")}, "no_permission": {("active", None)}}
    live = [f for f in findings if str(f["path"]).startswith("live")]
    assert {f["secret_sha256"] for f in live} == {sha(v) for v in planted["live"]}
    for f in live:
        identity = f["verification"]["identity"]
        assert account_id in json.dumps(identity), identity
    denied = next(f for f in findings if str(f["path"]).startswith("no_permission"))
    assert [fact["value"] for fact in denied["verification"]["facts"]] \
        == ["not permitted"]
    # The fake's signature check ran and rejected exactly the wrong secret's request.
    assert fake.signature_failures[provider] == 1
    assert set(fake.providers) == {provider}
    log = fake.log_text()
    for _, secret in planted.values():
        assert secret not in log and base64.b64encode(secret.encode()).decode() not in log


@pytest.mark.parametrize("provider", ["volcengine", "baidu", "kingsoft"])
def test_the_fake_rejects_a_tampered_signature(provider: str, fake: FakeClouds,
                                               values: Values) -> None:
    """The signature check is real: the same request with one signature digit changed (or
    signed with a near-miss secret) fails, while the right one passes."""
    key_id, secret = new_pair(values, provider)
    fake.accounts[key_id] = CloudAccount(secret)
    http = HttpClient(fake.url, 3.0, overridden=True)
    verifier = VERIFIERS[provider]
    assert verifier.verify(Credential(provider, key_id, secret), http).status == "active"
    near = secret[:-3] + ("a" if secret[-3] != "a" else "b") + secret[-2:]
    assert verifier.verify(Credential(provider, key_id, near), http).reason == "wrong_secret"
    assert fake.signature_failures[provider] == 1


def test_volcengine_temporary_key_is_verified_with_its_signed_session_token(
        fake: FakeClouds, values: Values, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    planted = {}
    for case in ("live", "expired"):
        key_id = "AKTP" + values.volc_ak()[4:]
        secret = values.volc_sk()
        doc = {"AccountId": 2100000042, "AccessKeyId": key_id, "ExpiredTime": 1772106214,
               "Signature": values.rng.randbytes(32).hex(), "SessionName": "ci-deploy"}
        token = "STS" + base64.b64encode(json.dumps(doc).encode()).decode()
        other = "STS" + base64.b64encode(json.dumps({**doc, "ExpiredTime": 1}).encode()).decode()
        fake.accounts[key_id] = CloudAccount(secret, token=token if case == "live" else other)
        (tree / case).mkdir(parents=True)
        (tree / case / "credentials.env").write_text(
            f"VOLCENGINE_ACCESS_KEY={key_id}\nVOLCENGINE_SECRET_KEY={secret}\n"
            f"VOLCENGINE_SESSION_TOKEN={token}\n")
        planted[case] = (key_id, secret, token)
    findings = scan(tree, "volcengine", fake)
    assert verdicts_by_case(findings) == {"live": {("active", None)},
                                          "expired": {("inactive", "expired")}}
    kinds = {f["kind"] for f in findings if str(f["path"]).startswith("live")}
    assert kinds == {"id", "secret", "token"}
    for key_id, _, token in planted.values():
        sent = [r for r in fake.requests if key_id in r]
        assert len(sent) == 1  # ID, secret and token: one credential, one call
        assert "x-security-token" in sent[0].split("SignedHeaders=")[1].split(",")[0]
        assert token in sent[0]


def test_volcengine_main_account_key_is_root(fake: FakeClouds, values: Values,
                                            tmp_path: Path) -> None:
    key_id, secret = new_pair(values, "volcengine")
    fake.accounts[key_id] = CloudAccount(secret, "root", account_id="2100000077")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / ".env").write_text(LAYOUTS["volcengine"].format(id=key_id, secret=secret))
    findings = scan(tmp_path / "t", "volcengine", fake)
    assert {f["severity"] for f in findings} == {"root"}
    assert {f["verification"]["identity"]["trn"] for f in findings} \
        == {"trn:iam::2100000077:root"}


def test_baidu_documented_signing_example() -> None:
    """https://cloud.baidu.com/doc/Reference/s/njwvz1yfu and its Sample-Code page
    (https://cloud.baidu.com/doc/Reference/s/wjwvz1xt2): the UploadPart request of 2015-04-27
    08:23:49 UTC, AK a*32, SK b*32, default headers signed, empty signedHeaders."""
    headers = {"Host": "bj.bcebos.com", "Content-Length": "8",
               "Content-Md5": "NFzcPqhviddjRNnSOGo4rw==", "Content-Type": "text/plain",
               "x-bce-date": "2015-04-27T08:23:49Z"}
    params = {"partNumber": "9", "uploadId": "a44cc9bab11cbd156984767aad637851"}
    canonical = cs.bce_canonical_request("PUT", "/v1/test/myfolder/readme.txt", params,
                                         headers, list(headers))
    assert canonical == ("PUT\n/v1/test/myfolder/readme.txt\n"
                         "partNumber=9&uploadId=a44cc9bab11cbd156984767aad637851\n"
                         "content-length:8\ncontent-md5:NFzcPqhviddjRNnSOGo4rw%3D%3D\n"
                         "content-type:text%2Fplain\nhost:bj.bcebos.com\n"
                         "x-bce-date:2015-04-27T08%3A23%3A49Z")
    prefix = "bce-auth-v1/" + "a" * 32 + "/2015-04-27T08:23:49Z/1800"
    assert cs.bce_signing_key("b" * 32, prefix) \
        == "1d5ce5f464064cbee060330d973218821825ac6952368a482a592e6615aef479"
    assert cs.bce_authorization("a" * 32, "b" * 32, "2015-04-27T08:23:49Z", 1800, canonical,
                                list(headers), list_signed=False) \
        == prefix + "//d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e"
    # The CanonicalQueryString example of the same page: empty value kept as "key=".
    q = cs.bce_canonical_request("GET", "/", {"text": "", "text1": "测试", "text10": "test"},
                                 {}, []).split("\n")[2]
    assert q == "text10=test&text1=%E6%B5%8B%E8%AF%95&text="
    assert cs.bce_uri_encode("/example/测试", encode_slash=False) \
        == "/example/%E6%B5%8B%E8%AF%95"


HUAWEI = ("HUAWEICLOUD_SDK_AK={id}\nHUAWEICLOUD_SDK_SK={secret}\n"
          "HUAWEICLOUD_SDK_REGION=cn-north-4\n")


def test_huawei_findings_are_skipped_for_the_lockout_and_never_sent(values: Values,
                                                                    tmp_path: Path) -> None:
    """Huawei locks a key after five failed authentications, so keysweep never asks: every
    Huawei finding, a full pair or a lone half, is skipped with that reason, and no request
    leaves the machine even with an endpoint given."""
    tree = tmp_path / "tree"
    (tree / "pair").mkdir(parents=True)
    (tree / "pair" / ".env").write_text(HUAWEI.format(id=values.huawei_ak(),
                                                      secret=values.huawei_sk()))
    (tree / "lone").mkdir(parents=True)
    (tree / "lone" / ".env").write_text(f"HUAWEICLOUD_SDK_AK={values.huawei_ak()}\n")
    with FakeProvider() as server:
        run = run_keysweep("scan", tree, "--verify", "--verify-endpoint",
                           f"huawei={server.url}", "-f", "json", expected_code=1, timeout=60)
        assert server.requests == []
    findings = [f for f in run.json()["findings"] if f["provider"] == "huawei"]
    assert {f["path"].split("/")[0] for f in findings} == {"pair", "lone"}
    assert len(findings) == 3
    for f in findings:
        assert (f["verification"]["status"], f["verification"]["reason"]) \
            == ("skipped", "huawei_locks_the_key_after_five_failed_authentications")
