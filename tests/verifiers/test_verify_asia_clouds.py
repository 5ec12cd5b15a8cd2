"""Qiniu, UCloud, QingCloud and Naver Cloud verification end to end: one run of the installed
``keysweep scan --verify`` over files planted for every provider and case, each provider's
endpoint its own loopback fake that recomputes the provider's real signature
(tests/helpers/fake_asia_clouds.py), plus each provider's published signing example
reproduced offline."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from benchmarks.corpus import BASE62, Values
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers import cloud_signing as cs
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_asia_clouds import Account, FakeAsiaClouds, Received
from tests.helpers.run import verify_by_place

URLSAFE = BASE62 + "-_"
FORM = "application/x-www-form-urlencoded"
UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def mixed(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


@dataclass(frozen=True)
class Provider:
    layout: str  # a credentials file, with {id} and {secret}
    pair: Callable[[Values], tuple[str, str]]
    # case -> (status, reason) keysweep must report; the case name is the fake's behaviour
    # ("wrong_secret" and "unknown_id" are set up by the test)
    expected: dict[str, tuple[str, str | None]]
    identity: tuple[str, str]  # a field of the live key's identity and its value
    not_permitted: str | None  # the fact a key without permission gets
    sent_right: Callable[[Received, str], bool]  # the documented method, path and auth


def _qiniu_sent_right(r: Received, key_id: str) -> bool:
    return (r.method, r.path, r.query) == ("GET", "/buckets", "") and bool(re.fullmatch(
        re.escape(f"Qiniu {key_id}:") + r"[A-Za-z0-9_-]{27}=", r.headers["authorization"]))


def _ucloud_sent_right(r: Received, key_id: str) -> bool:
    params = dict(p.split("=", 1) for p in r.query.split("&"))
    return (r.method, r.path, params["Action"]) == ("GET", "/", "GetProjectList") \
        and set(params) == {"Action", "PublicKey", "Signature"} \
        and bool(re.fullmatch(r"[0-9a-f]{40}", params["Signature"])) \
        and "authorization" not in r.headers


def _qingcloud_sent_right(r: Received, key_id: str) -> bool:
    params = dict(p.split("=", 1) for p in r.query.split("&"))
    return (r.method, r.path, params["action"]) == ("GET", "/iaas/", "GetBalance") \
        and params["access_key_id"] == key_id and "zone" not in params \
        and (params["signature_method"], params["signature_version"]) == ("HmacSHA256", "1") \
        and bool(re.fullmatch(r"[A-Za-z0-9%]{44,60}", params["signature"])) \
        and "authorization" not in r.headers


def _ncloud_sent_right(r: Received, key_id: str) -> bool:
    return (r.method, r.path, r.query) == ("GET", "/vserver/v2/getRegionList",
                                           "responseFormatType=json") \
        and r.headers["x-ncp-iam-access-key"] == key_id \
        and r.headers["x-ncp-apigw-timestamp"].isdigit() \
        and bool(re.fullmatch(r"[A-Za-z0-9+/]{43}=", r.headers["x-ncp-apigw-signature-v2"])) \
        and "authorization" not in r.headers


PROVIDERS: dict[str, Provider] = {
    "qiniu": Provider(
        "QINIU_ACCESS_KEY={id}\nQINIU_SECRET_KEY={secret}\nQINIU_BUCKET=media\n",
        lambda v: (v.token(URLSAFE, 40, "", 3.8, mixed), v.token(URLSAFE, 40, "", 3.8, mixed)),
        {"active": ("active", None), "wrong_secret": ("inactive", "unauthorized"),
         "unknown_id": ("inactive", "unauthorized"), "no_permission": ("active", None),
         "frozen": ("inactive", "account_frozen"), "unavailable": ("unknown", "server_error"),
         "throttled": ("unknown", "throttled")},
        ("buckets", "2"), "buckets", _qiniu_sent_right),
    "ucloud": Provider(
        "UCLOUD_PUBLIC_KEY={id}\nUCLOUD_PRIVATE_KEY={secret}\nUCLOUD_REGION=cn-bj2\n",
        lambda v: (v.token(BASE62, 32, "", 3.6, mixed), v.token(BASE62, 40, "", 3.8, mixed)),
        {"active": ("active", None), "wrong_secret": ("inactive", "wrong_secret"),
         "unknown_id": ("inactive", "id_not_found"), "unavailable": ("unknown", "server_error")},
        ("default_project_id", "org-x3k2pd"), None, _ucloud_sent_right),
    "qingcloud": Provider(
        "qy_access_key_id: '{id}'\nqy_secret_access_key: '{secret}'\nzone: 'pek3a'\n",
        lambda v: (v.token(UPPER_DIGITS, 20, "", 3.5), v.token(BASE62, 40, "", 3.8, mixed)),
        {"active": ("active", None), "wrong_secret": ("inactive", "authentication_failed"),
         "unknown_id": ("inactive", "authentication_failed"), "no_permission": ("active", None),
         "unavailable": ("unknown", "server_error"), "throttled": ("unknown", "throttled")},
        ("user_id", "usr-deployer"), "balance", _qingcloud_sent_right),
    "naver-cloud": Provider(
        "NCLOUD_ACCESS_KEY={id}\nNCLOUD_SECRET_KEY={secret}\nNCLOUD_REGION=KR\n",
        lambda v: (v.token(BASE62, 20, "", 3.5, mixed), v.token(BASE62, 40, "", 3.8, mixed)),
        {"active": ("active", None), "wrong_secret": ("inactive", "authentication_failed"),
         "unknown_id": ("inactive", "authentication_failed"), "no_permission": ("active", None),
         "unavailable": ("unknown", "server_error"), "throttled": ("unknown", "throttled")},
        ("regions", "2"), "getRegionList", _ncloud_sent_right),
}


@dataclass
class Sweep:
    planted: dict[tuple[str, str], tuple[str, str]]  # (provider, case) -> (id, secret)
    verdicts: dict[tuple[str, str], list[dict[str, Any]]]  # (provider, case) -> verifications
    fakes: dict[str, FakeAsiaClouds]
    output: str


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    """Every provider's every case in one tree, verified by one keysweep run. Each provider
    has its own fake, and every fake knows every account, so a credential sent to the wrong
    provider would be answered (and seen) rather than lost."""
    values = Values(random.Random("asia-clouds"), rsa_budget=0)
    tree = tmp_path_factory.mktemp("asia") / "tree"
    accounts: dict[str, Account] = {}
    planted = {}
    for provider, spec in PROVIDERS.items():
        for case in spec.expected:
            key_id, secret = spec.pair(values)
            if case != "unknown_id":
                known = spec.pair(values)[1] if case == "wrong_secret" else secret
                behaviour = "active" if case == "wrong_secret" else case
                accounts[key_id] = Account(known, behaviour)
            (tree / provider / case).mkdir(parents=True)
            (tree / provider / case / ".env").write_text(
                spec.layout.format(id=key_id, secret=secret))
            planted[(provider, case)] = (key_id, secret)
    fakes = {p: FakeAsiaClouds(accounts) for p in PROVIDERS}
    with ExitStack() as stack:
        for f in fakes.values():
            stack.enter_context(f)
        verdicts, output = verify_by_place(tree, {p: f.url for p, f in fakes.items()})
        yield Sweep(planted, verdicts, fakes, output)


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_case_gets_the_providers_verdict(provider: str, sweep: Sweep) -> None:
    spec = PROVIDERS[provider]
    for case, expected in spec.expected.items():
        got = sweep.verdicts[(provider, case)]
        assert len(got) == 2, got  # the ID and the secret, one verdict for the pair
        assert {(v["status"], v["reason"]) for v in got} == {expected}, (case, got)
    live = sweep.verdicts[(provider, "active")][0]
    field, value = spec.identity
    assert live["identity"][field] == value, live
    if spec.not_permitted:
        (denied, _) = sweep.verdicts[(provider, "no_permission")]
        assert {"name": spec.not_permitted, "value": "not permitted", "risk": "good"} \
            in denied["facts"], denied
    # The fake's signature check ran and rejected exactly the wrong secret's request.
    assert sweep.fakes[provider].signature_failures == {provider: 1}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_pair_went_once_to_its_own_provider_signed_as_documented(
        provider: str, sweep: Sweep) -> None:
    spec = PROVIDERS[provider]
    fake = sweep.fakes[provider]
    retried = {"unavailable", "throttled"}  # unknown answers are asked again (bounded)
    for case in spec.expected:
        key_id, _ = sweep.planted[(provider, case)]
        sent = fake.sent_by(key_id)
        assert len(sent) == 3 if case in retried else len(sent) == 1, (case, sent)
        assert all(r.provider == provider and spec.sent_right(r, key_id) for r in sent), sent
        for other, f in sweep.fakes.items():
            if other != provider:
                assert f.sent_by(key_id) == []
    log = fake.log_text()
    for _, secret in sweep.planted.values():
        assert secret not in log and base64.b64encode(secret.encode()).decode() not in log
        assert secret not in sweep.output


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_the_fake_rejects_a_near_miss_secret(provider: str) -> None:
    """The signature check is real: the request signed with a near-miss secret fails while the
    right one passes (so a wrong signing implementation cannot pass the tests above)."""
    values = Values(random.Random(f"near-{provider}"), rsa_budget=0)
    key_id, secret = PROVIDERS[provider].pair(values)
    with FakeAsiaClouds({key_id: Account(secret)}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)
        verifier = VERIFIERS[provider]
        assert verifier.verify(Credential(provider, key_id, secret), http).status == "active"
        near = secret[:-1] + ("a" if secret[-1] != "a" else "b")
        assert verifier.verify(Credential(provider, key_id, near), http).status == "inactive"
        assert fake.signature_failures == {provider: 1}


def test_qiniu_documented_management_credential_example() -> None:
    """https://developer.qiniu.com/kodo/manual/6671/historical-document-management-certificate
    (the same HMAC-SHA1 + URL-safe base64 step the current "Qiniu" scheme uses): AK
    MY_ACCESS_KEY, SK MY_SECRET_KEY, the move request's signingStr; sign (hex) 157b1887…7843,
    encodedSign FXsYh0wKHYPEsIAgdPD9OfjkeEM=."""
    signing_str = "/move/bmV3ZG9jczpmaW5kX21hbi50eHQ=/bmV3ZG9jczpmaW5kLm1hbi50eHQ=\n"
    encoded = cs.qiniu_sign("MY_SECRET_KEY", signing_str)
    assert base64.urlsafe_b64decode(encoded).hex() == "157b18874c0a1d83c4b0802074f0fd39f8e47843"
    assert encoded == "FXsYh0wKHYPEsIAgdPD9OfjkeEM="


def test_qiniu_signing_string_layout() -> None:
    """https://developer.qiniu.com/kodo/1201/access-token: "<Method> <Path>[?<query>]", Host,
    Content-Type, the X-Qiniu-* headers (canonically cased, sorted), a blank line, then the
    body only for a typed, non-binary body."""
    data = cs.qiniu_signing_string("POST", "/move/a/b", "force=true", "rs.qiniu.com", FORM,
                                   {"x-qiniu-date": "20260102T030405Z", "X-QINIU-BUCKET": "b"},
                                   "k=v")
    assert data == ("POST /move/a/b?force=true\nHost: rs.qiniu.com\n"
                    "Content-Type: application/x-www-form-urlencoded\n"
                    "X-Qiniu-Bucket: b\nX-Qiniu-Date: 20260102T030405Z\n\nk=v")
    assert cs.qiniu_signing_string("GET", "/buckets", "", "uc.qiniuapi.com",
                                   "application/octet-stream", {}, "raw") \
        == "GET /buckets\nHost: uc.qiniuapi.com\nContent-Type: application/octet-stream\n\n"


def test_ucloud_documented_signature_example() -> None:
    """https://docs.ucloud.cn/api/summary/signature: PublicKey
    ucloudsomeone@example.com1296235120854146120, PrivateKey 46f09bb9…5debe, DescribeUHostInstance
    in cn-bj2 with Limit 10 signs to cba5cf5e…642f (the value UCloud's own SDK tests check).
    The same page in its white-label copy (docs.tnqacloud.com), with the PublicKey
    someone@example.com1296235120854146120, gives 4201919d…d36b."""
    private = "46f09bb9fab4f12dfc160dae12273d5332b5debe"
    params = {"Action": "DescribeUHostInstance", "Region": "cn-bj2", "Limit": "10",
              "PublicKey": "ucloudsomeone@example.com1296235120854146120"}
    assert cs.ucloud_signature(params, private) == "cba5cf5ec4d4233d206b1b54951e3787350a642f"
    params["PublicKey"] = "someone@example.com1296235120854146120"
    assert cs.ucloud_signature(params, private) == "4201919d267504385deb93af19e0197870fed36b"
    # The signed string joins name and value with nothing between, the PrivateKey last.
    assert cs.ucloud_signature({"b": "2", "A": "1", "Signature": "x"}, "k") \
        == hashlib.sha1(b"A1b2k").hexdigest()


def test_qingcloud_documented_signature_example() -> None:
    """https://docsv3.qingcloud.com/development_docs/api/signature/: access key
    QYACCESSKEYIDEXAMPLE / SECRETACCESSKEY, the RunInstances request of 2013-08-27T14:30:10Z;
    the string to sign, and the signature byjccvWIvAftaq+oublemagH3bYAlDWxxLFAzAsyslw=."""
    params = {"count": "1", "vxnets.1": "vxnet-0", "zone": "pek3a", "instance_type": "small_b",
              "signature_version": "1", "signature_method": "HmacSHA256",
              "instance_name": "demo", "image_id": "centos64x86a", "login_mode": "passwd",
              "login_passwd": "QingCloud20130712", "version": "1",
              "access_key_id": "QYACCESSKEYIDEXAMPLE", "action": "RunInstances",
              "time_stamp": "2013-08-27T14:30:10Z"}
    assert cs.qingcloud_string_to_sign("GET", "/iaas/", params) == (
        "GET\n/iaas/\naccess_key_id=QYACCESSKEYIDEXAMPLE&action=RunInstances&count=1"
        "&image_id=centos64x86a&instance_name=demo&instance_type=small_b&login_mode=passwd"
        "&login_passwd=QingCloud20130712&signature_method=HmacSHA256&signature_version=1"
        "&time_stamp=2013-08-27T14%3A30%3A10Z&version=1&vxnets.1=vxnet-0&zone=pek3a")
    assert cs.qingcloud_signature("SECRETACCESSKEY", "GET", "/iaas/", params) \
        == "byjccvWIvAftaq+oublemagH3bYAlDWxxLFAzAsyslw="


def test_ncloud_signing_string_layout() -> None:
    """https://api.ncloud-docs.com/docs/common-ncpapi: "<METHOD> <uri with query>", the
    millisecond timestamp and the access key, one per line, HMAC-SHA256 with the secret key,
    base64. The page publishes no input/output pair, so the value here is derived by hand from
    that description with the standard library, independently of cloud_signing."""
    message = ("GET /vserver/v2/getRegionList?responseFormatType=json\n1714000000000\n"
               "NCPEXAMPLEACCESSKEY0")
    assert cs.ncloud_string_to_sign("GET", "/vserver/v2/getRegionList?responseFormatType=json",
                                    "1714000000000", "NCPEXAMPLEACCESSKEY0") == message
    expected = base64.b64encode(hmac.new(b"k" * 40, message.encode(), hashlib.sha256).digest())
    assert cs.ncloud_signature("k" * 40, "GET",
                               "/vserver/v2/getRegionList?responseFormatType=json",
                               "1714000000000", "NCPEXAMPLEACCESSKEY0") == expected.decode()


def test_ucloud_legacy_public_key_travels_encoded_and_is_signed_raw() -> None:
    """A legacy PublicKey ("ucloud" + the account e-mail + digits) has "@" and "." in it: it
    must be percent-encoded in the query and signed as is (the signature documentation says
    the signed string is not URL-escaped)."""
    public = "ucloudops.deploy@harbor-lights.cn1538806207314551908"
    values = Values(random.Random("ucloud-legacy"), rsa_budget=0)
    private = values.token(BASE62, 40, "", 3.8, mixed)
    with FakeAsiaClouds({public: Account(private)}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)
        verdict = VERIFIERS["ucloud"].verify(Credential("ucloud", public, private), http)
        assert verdict.status == "active", verdict
        (sent,) = fake.sent_by(public)
    assert "PublicKey=ucloudops.deploy%40harbor-lights.cn1538806207314551908" in sent.query
    assert private not in sent.raw
