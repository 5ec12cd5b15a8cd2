"""Yandex Cloud (IAM tokens, static access keys), Exoscale and OVHcloud verification end to
end: one run
of the installed ``keysweep scan --verify`` over files planted for every provider and case,
each provider's endpoint its own loopback fake that checks the provider's real header, path
and signature (tests/helpers/fake_more_clouds.py), plus the published Exoscale and OVHcloud
signing examples reproduced offline."""

from __future__ import annotations

import calendar
import random
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from benchmarks.corpus import BASE62, Values
from scanner.models import Fact
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers import cloud_signing as cs
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_more_clouds import BEHAVIOURS, Account, FakeMoreClouds, Received
from tests.helpers.run import verify_by_place

URLSAFE = BASE62 + "-_"
HEX = "0123456789abcdef"


def mixed(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def iam_token(v: Values) -> str:
    """t1. + a base64url part + . + 86 base64url characters, the documented shape."""
    return v.token(URLSAFE, 120, "t1.", 4.0, mixed) + "." + v.token(URLSAFE, 86, "", 4.0, mixed)


@dataclass(frozen=True)
class Provider:
    layout: str  # a file, with {id} and {secret} (a token is {secret}, with no ID)
    pair: Callable[[Values], tuple[str, str]]  # (ID or "", secret or token)
    # case -> (status, reason); "wrong_secret" and "unknown_id" are set up by the test
    expected: dict[str, tuple[str, str | None]]
    identity: tuple[str, str]  # a field of the live credential's identity and its value
    not_permitted: str | None  # the fact a credential without permission gets
    sent_right: Callable[[Received, str], bool]  # the documented method, path and auth
    consumer: Callable[[Values], str] | None = None  # OVHcloud's third part, {token}


def _iam_sent_right(r: Received, token: str) -> bool:
    return (r.method, r.path, r.query) == ("GET", "/resource-manager/v1/clouds", "") \
        and r.headers["authorization"] == f"Bearer {token}"


def _storage_sent_right(r: Received, key_id: str) -> bool:
    return (r.method, r.path, r.query) == ("GET", "/", "") and bool(re.fullmatch(
        re.escape(f"AWS4-HMAC-SHA256 Credential={key_id}/") + r"\d{8}/ru-central1/s3/"
        r"aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
        r"Signature=[0-9a-f]{64}", r.headers["authorization"]))


def _exoscale_sent_right(r: Received, key_id: str) -> bool:
    return (r.method, r.path, r.query) == ("GET", "/v2/organization", "") and bool(re.fullmatch(
        re.escape(f"EXO2-HMAC-SHA256 credential={key_id},expires=") + r"\d{10},"
        r"signature=[A-Za-z0-9+/]{43}=", r.headers["authorization"]))


def _ovh_sent_right(r: Received, key_id: str) -> bool:
    return (r.method, r.path, r.query) == ("GET", "/1.0/auth/currentCredential", "") \
        and r.headers["x-ovh-application"] == key_id \
        and r.headers["x-ovh-timestamp"].isdigit() \
        and bool(re.fullmatch(r"\$1\$[0-9a-f]{40}", r.headers["x-ovh-signature"])) \
        and "authorization" not in r.headers


def alnum(v: Values, n: int) -> str:
    return v.token(BASE62, n, "", 3.8, lambda t: mixed(t) and any(c.isdigit() for c in t))


PROVIDERS: dict[str, Provider] = {
    "yandex-cloud-iam": Provider(
        "export YC_TOKEN={secret}\n",
        lambda v: ("", iam_token(v)),
        {"active": ("active", None), "unknown_id": ("inactive", "unauthenticated"),
         "no_permission": ("active", None), "unavailable": ("unknown", "server_error"),
         "throttled": ("unknown", "throttled")},
        ("clouds", "2"), "resource-manager.clouds.list", _iam_sent_right),
    "yandex-cloud-storage": Provider(
        'provider "yandex" {{\n  storage_access_key = "{id}"\n'
        '  storage_secret_key = "{secret}"\n}}\n',
        lambda v: (v.token(URLSAFE, 23, "YC", 3.5, mixed), v.token(URLSAFE, 38, "YC", 3.8, mixed)),
        {"active": ("active", None), "wrong_secret": ("inactive", "wrong_secret"),
         "unknown_id": ("inactive", "id_not_found"), "no_permission": ("active", None),
         "unavailable": ("unknown", "server_error"), "throttled": ("unknown", "throttled")},
        ("buckets", "2"), "storage:ListBuckets", _storage_sent_right),
    "exoscale": Provider(
        "EXOSCALE_API_KEY={id}\nEXOSCALE_API_SECRET={secret}\n",
        lambda v: (v.token(HEX, 24, "EXO", 3.0), v.token(URLSAFE, 43, "", 4.0, mixed)),
        {"active": ("active", None), "wrong_secret": ("inactive", "invalid_signature"),
         "unknown_id": ("inactive", "invalid_signature"),
         "no_permission": ("unknown", "forbidden"),
         "unavailable": ("unknown", "server_error"), "throttled": ("unknown", "throttled")},
        ("organization", "deployer-org"), None, _exoscale_sent_right),
    "ovhcloud": Provider(
        "[default]\nendpoint=ovh-eu\n\n[ovh-eu]\napplication_key={id}\n"
        "application_secret={secret}\nconsumer_key={token}\n",
        lambda v: (alnum(v, 16), alnum(v, 32)),
        {"active": ("active", None), "wrong_secret": ("inactive", "wrong_secret"),
         "unknown_id": ("inactive", "invalid_key"),
         "unknown_consumer": ("inactive", "invalid_credential"),
         "no_permission": ("active", None), "expired": ("inactive", "expired"),
         "unavailable": ("unknown", "server_error"), "throttled": ("unknown", "throttled"),
         "no_consumer": ("skipped", "needs_consumer_key")},
        ("credential_id", "418392211"), "auth/currentCredential", _ovh_sent_right,
        lambda v: alnum(v, 32)),
}


@dataclass
class Sweep:
    planted: dict[tuple[str, str], tuple[str, str, str]]  # (provider, case) -> id, secret, token
    verdicts: dict[tuple[str, str], list[dict[str, Any]]]  # (provider, case) -> verifications
    fakes: dict[str, FakeMoreClouds]
    output: str


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    """Every provider's every case in one tree, verified by one keysweep run. Each provider
    has its own fake, and every fake knows every credential, so one sent to the wrong
    provider would be answered (and seen) rather than lost."""
    values = Values(random.Random("more-clouds"), rsa_budget=0)
    tree = tmp_path_factory.mktemp("more") / "tree"
    accounts: dict[str, Account] = {}
    planted = {}
    for provider, spec in PROVIDERS.items():
        for case in spec.expected:
            key_id, secret = spec.pair(values)
            token = spec.consumer(values) if spec.consumer else ""
            if case != "unknown_id":
                known = spec.pair(values)[1] if case == "wrong_secret" else secret
                behaviour = case if case in BEHAVIOURS else "active"
                consumer = spec.consumer(values) if spec.consumer and case == "unknown_consumer" \
                    else token
                accounts[key_id or secret] = Account(known, behaviour, consumer)
            layout = spec.layout.replace("consumer_key={token}\n", "") if case == "no_consumer" \
                else spec.layout
            (tree / provider / case).mkdir(parents=True)
            (tree / provider / case / "main.tf").write_text(
                layout.format(id=key_id, secret=secret, token=token))
            planted[(provider, case)] = (key_id, secret, token)
    fakes = {p: FakeMoreClouds(accounts) for p in PROVIDERS}
    with ExitStack() as stack:
        for f in fakes.values():
            stack.enter_context(f)
        verdicts, output = verify_by_place(tree, {p: f.url_for(p) for p, f in fakes.items()})
        yield Sweep(planted, verdicts, fakes, output)


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_case_gets_the_providers_verdict(provider: str, sweep: Sweep) -> None:
    spec = PROVIDERS[provider]
    for case, expected in spec.expected.items():
        got = sweep.verdicts[(provider, case)]
        # an ID, its secret (and OVHcloud's consumer key) share one verdict
        parts = 1 if provider == "yandex-cloud-iam" else 2
        parts += 1 if spec.consumer and case != "no_consumer" else 0
        assert len(got) == parts, got
        assert {(v["status"], v["reason"]) for v in got} == {expected}, (case, got)
    live = sweep.verdicts[(provider, "active")][0]
    field, value = spec.identity
    assert live["identity"][field] == value, live
    if spec.not_permitted:
        denied = sweep.verdicts[(provider, "no_permission")][0]
        assert {"name": spec.not_permitted, "value": "not permitted", "risk": "good"} \
            in denied["facts"], denied
    # The fake's signature check ran and rejected exactly the wrong secret's request.
    failures = 1 if "wrong_secret" in spec.expected else 0
    assert sweep.fakes[provider].signature_failures.get(provider, 0) == failures


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_credential_went_once_to_its_own_provider_as_documented(
        provider: str, sweep: Sweep) -> None:
    spec = PROVIDERS[provider]
    fake = sweep.fakes[provider]
    retried = {"unavailable", "throttled"}  # unknown answers are asked again (bounded)
    for case in spec.expected:
        key_id, secret, _ = sweep.planted[(provider, case)]
        key = key_id or secret
        sent = fake.sent_by(key)
        calls = 3 if case in retried else 0 if case == "no_consumer" else 1
        assert len(sent) == calls, (case, sent)
        assert all(r.provider == provider and spec.sent_right(r, key) for r in sent), sent
        for other, f in sweep.fakes.items():
            if other != provider:
                assert f.sent_by(key) == []
    for (p, _), (_, secret, token) in sweep.planted.items():
        assert secret not in sweep.output and (not token or token not in sweep.output)
        if p != "yandex-cloud-iam":  # a signed scheme: the secret itself never travels
            assert secret not in fake.log_text()
    if provider == "ovhcloud":  # the server's clock is read with no credential at all
        clock = [r for r in fake.received if r.path == "/1.0/auth/time"]
        assert clock and all(not any(h.startswith("x-ovh-") for h in r.headers) for r in clock)


@pytest.mark.parametrize("provider", ["yandex-cloud-storage", "exoscale", "ovhcloud"])
def test_the_fake_rejects_a_near_miss_secret(provider: str) -> None:
    """The signature check is real: the request signed with a near-miss secret fails while the
    right one passes (so a wrong signing implementation cannot pass the tests above)."""
    values = Values(random.Random(f"near-{provider}"), rsa_budget=0)
    spec = PROVIDERS[provider]
    key_id, secret = spec.pair(values)
    token = spec.consumer(values) if spec.consumer else None
    with FakeMoreClouds({key_id: Account(secret, consumer=token or "")}) as fake:
        http = HttpClient(fake.url_for(provider), 3.0, overridden=True)
        verifier = VERIFIERS[provider]
        assert verifier.verify(Credential(provider, key_id, secret, token), http).status \
            == "active"
        near = secret[:-1] + ("a" if secret[-1] != "a" else "b")
        assert verifier.verify(Credential(provider, key_id, near, token), http).status \
            == "inactive"
        assert fake.signature_failures == {provider: 1}


def test_the_iam_fake_refuses_a_live_token_in_another_scheme() -> None:
    """Resource Manager takes an IAM token only as a bearer: the same token as ``Api-Key``
    (Yandex's API-key scheme) gets 401, so the sweep's active verdict proves the scheme."""
    token = iam_token(Values(random.Random("iam-scheme"), rsa_budget=0))
    with FakeMoreClouds({token: Account("")}) as fake:
        http = HttpClient(fake.url_for("yandex-cloud-iam"), 3.0, overridden=True)
        wrong = http.request("GET", "/resource-manager/v1/clouds",
                             headers={"Authorization": f"Api-Key {token}"})
        assert wrong.status == 401 and wrong.json_object()["code"] == 16
        verdict = VERIFIERS["yandex-cloud-iam"].verify(Credential("yandex-cloud-iam", "", token),
                                                       http)
        assert verdict.status == "active", verdict


def test_an_account_without_clouds_is_still_active() -> None:
    """proto3 JSON leaves out an empty list: Cloud.list for an account that sees no cloud
    answers ``{}``, which is a live token, not an unexpected answer."""
    from scanner.verifiers.http import HttpResponse
    from scanner.verifiers.more_clouds import YandexIamTokenVerifier

    class EmptyList(HttpClient):
        def request(self, method: str, path: str = "", query: str = "",
                    headers: Any = None, body: bytes = b"") -> HttpResponse:
            return HttpResponse(200, {}, b"{}")

    verdict = YandexIamTokenVerifier().verify(Credential("yandex-cloud-iam", "", "t1.x.y"),
                                              EmptyList("https://127.0.0.1", 1.0))
    assert (verdict.status, (verdict.identity or {}).get("clouds")) == ("active", "0")


# -- Exoscale's published signing examples ------------------------------------------------------

EXPIRES_2077 = calendar.timegm((2077, 1, 1, 0, 0, 0))


def test_exoscale_documented_message_layout() -> None:
    """https://openapi-v2.exoscale.com/topic/topic-api-request-signature: for GET
    /v2/resource/a02baf5a-…?p1=v1&p2=v2 the message is the request line, an empty line (no
    body), the signed query values v1v2, an empty line (no signed headers) and the expiry
    1599140767; the header lists signed-query-args=p1;p2."""
    path = "/v2/resource/a02baf5a-a3e4-49a0-857b-8a08d276c1c0"
    assert cs.exoscale_message("GET", path, "", [("p1", "v1"), ("p2", "v2")], 1599140767) \
        == f"GET {path}\n\nv1v2\n\n1599140767"
    auth = cs.exoscale_authorization("EXO29147e9f89102b7ac1e88514", "s", "GET", path,
                                     1599140767, query=[("p1", "v1"), ("p2", "v2")])
    assert re.fullmatch(r"EXO2-HMAC-SHA256 credential=EXO29147e9f89102b7ac1e88514,"
                        r"signed-query-args=p1;p2,expires=1599140767,signature=\S{43}=", auth)
    # The POST example: the body on the second line, then two empty lines.
    assert cs.exoscale_message("POST", "/v2/security-group", '{"name": "my-security-group"}',
                               [], 1599140767) \
        == 'POST /v2/security-group\n{"name": "my-security-group"}\n\n\n1599140767'


@pytest.mark.parametrize("query, signature", [
    ((), "Ntbq/p0HVmA3Zg1HHY+Lq1vjFGi7HeMrrgXDS5jRNlY="),
    ((("k1", "v1"), ("k2", "v2")), "iqOBz13+44L5j0uJclE8hmUhQQcvtCSoPEOXYK6liqY="),
])
def test_exoscale_sdk_published_signatures(query: tuple[tuple[str, str], ...],
                                           signature: str) -> None:
    """The vectors Exoscale publishes with its Go SDK (exoscale/egoscale,
    v2/api/security_test.go, checked there against requests-exoscale-auth): key EXO + 24 x,
    secret 43 X, GET /v2/zone expiring 2077-01-01T00:00:00Z, without and with k1=v1&k2=v2.
    (The documentation page's own example gives no secret, so it cannot be recomputed.)"""
    auth = cs.exoscale_authorization("EXO" + "x" * 24, "X" * 43, "GET", "/v2/zone",
                                     EXPIRES_2077, query=query)
    signed_args = ",signed-query-args=k1;k2" if query else ""
    assert auth == (f"EXO2-HMAC-SHA256 credential=EXO{'x' * 24}{signed_args},"
                    f"expires={EXPIRES_2077},signature={signature}")


# -- OVHcloud's published signing examples ------------------------------------------------------


@pytest.mark.parametrize("method, body, signature", [
    ("GET", "", "$1$e9556054b6309771395efa467c22e627407461ad"),
    ("POST", '{"a":"b","c":"d"}', "$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1"),
])
def test_ovh_sdk_published_signatures(method: str, body: str, signature: str) -> None:
    """The vectors OVHcloud publishes with its Python SDK (ovh/python-ovh,
    tests/test_client.py test_call_signature, the same in ovh/go-ovh ovh/ovh_test.go): AS
    9ufkBmLa…Djk, CK 5mBuy6SU…D4KY, https://eu.api.ovh.com/1.0/auth at 1457018875."""
    assert cs.ovh_signature("9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk",
                            "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY", method,
                            "https://eu.api.ovh.com/1.0/auth", body, "1457018875") == signature


def test_an_ovh_key_unknown_in_europe_is_asked_in_the_next_region() -> None:
    """An application key belongs to one region: INVALID_KEY from the first region's API is
    asked again at the next one, and the region that knows the key is reported."""
    from scanner.verifiers.more_clouds import OvhVerifier

    values = Values(random.Random("ovh-regions"), rsa_budget=0)
    key_id, secret = PROVIDERS["ovhcloud"].pair(values)
    consumer = alnum(values, 32)
    with FakeMoreClouds() as europe, \
            FakeMoreClouds({key_id: Account(secret, consumer=consumer)}) as canada:
        verifier = OvhVerifier()
        verifier.regions = ((europe.url_for("ovhcloud"), "ovh-eu"),
                            (canada.url_for("ovhcloud"), "ovh-ca"))
        http = HttpClient(verifier.regions[0][0], 3.0)  # not overridden: regions are tried
        verdict = verifier.verify(Credential("ovhcloud", key_id, secret, consumer), http)
        assert (verdict.status, (verdict.identity or {}).get("region")) == ("active", "ovh-ca")
        assert [r.path for r in europe.sent_by(key_id)] == ["/1.0/auth/currentCredential"]
        assert Fact("access_rules", "GET /*, POST /domain/*", "high") in verdict.facts
        # Known nowhere: inactive once every region has said INVALID_KEY.
        other = verifier.verify(Credential("ovhcloud", "Zq" + key_id[2:], secret, consumer),
                                http)
        assert (other.status, other.reason) == ("inactive", "invalid_key")
