"""Akamai EdgeGrid credentials end to end: one run of the installed ``keysweep scan --verify``
over .edgerc files planted for every case (client token, client secret, access token, host),
against a loopback fake of the API host that recomputes the EdgeGrid signature with the
secret it knows (tests/helpers/fake_akamai.py); plus the signing steps against a computation
written here, offline."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import re
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from scanner.verifiers import VERIFIERS, Credential, akamai
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_akamai import Client, FakeAkamai
from tests.helpers.loopback import redirecting_client
from tests.helpers.run import verify_by_place

CASES = {  # case -> (status, reason) of the three findings (client token, secret, access token)
    "active": ("active", None),
    "wrong_secret": ("inactive", "the_signature_does_not_match"),
    "no_permission": ("active", None),
    "unavailable": ("unknown", "server_error"),
    "no_host": ("skipped", "needs_host"),
    "no_access_token": ("skipped", "needs_access_token"),
    "sdk_call": ("active", None),  # EdgeGridAuth(client_token, client_secret, access_token)
}


def akab(rng: random.Random) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "akab-" + "".join(rng.choice(alphabet) for _ in range(16)) + "-" + "".join(
        rng.choice(alphabet) for _ in range(16))


def secret_of(rng: random.Random) -> str:
    while True:
        s = "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(43))
        if any(c.isupper() for c in s) and any(c.islower() for c in s):
            return s + "="


def edgerc(secret: str, host: str | None, access: str | None, client: str) -> str:
    lines = ["[default]", f"client_secret = {secret}"]
    if host is not None:
        lines.append(f"host = {host}")
    if access is not None:
        lines.append(f"access_token = {access}")
    lines += [f"client_token = {client}", "max-body = 131072", ""]
    return "\n".join(lines)


def edgegrid_python(secret: str, host: str, access: str, client: str) -> str:
    """A script using edgegrid-python: the three tokens as the call's positional arguments,
    the host in a variable beside it."""
    return (f'import requests\nfrom akamai.edgegrid import EdgeGridAuth\n\n'
            f'host = "{host}"\nsession = requests.Session()\n'
            f'session.auth = EdgeGridAuth("{client}", "{secret}",\n'
            f'                            "{access}")\n'
            f'print(session.get(f"https://{{host}}/identity-management/v3/api-clients/self"))\n')


@dataclass
class Planted:
    client: str
    secret: str
    access: str
    host: str


@dataclass
class Sweep:
    planted: dict[str, Planted]
    verdicts: dict[tuple[str, str], list[dict[str, Any]]]
    fake: FakeAkamai
    output: str


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    rng = random.Random("test_verify_akamai")  # seeded: the same credentials on every run
    tree = tmp_path_factory.mktemp("akamai") / "tree"
    clients: dict[str, Client] = {}
    planted: dict[str, Planted] = {}
    for case in CASES:
        p = Planted(akab(rng), secret_of(rng), akab(rng), akab(rng) + ".luna.akamaiapis.net")
        planted[case] = p
        behaviour = case if case in ("no_permission", "unavailable") else "active"
        clients[p.client] = Client(p.access, p.secret, behaviour=behaviour)
        secret = secret_of(rng) if case == "wrong_secret" else p.secret
        (tree / "akamai" / case).mkdir(parents=True)
        if case == "sdk_call":
            (tree / "akamai" / case / "purge.py").write_text(
                edgegrid_python(secret, p.host, p.access, p.client))
            continue
        text = edgerc(secret, None if case == "no_host" else p.host,
                      None if case == "no_access_token" else p.access, p.client)
        (tree / "akamai" / case / ".edgerc").write_text(text)
    with FakeAkamai(clients) as fake:
        verdicts, output = verify_by_place(tree, {"akamai": fake.url})
        yield Sweep(planted, verdicts, fake, output)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_gets_its_verdict_on_every_finding(case: str, sweep: Sweep) -> None:
    got = sweep.verdicts[("akamai", case)]
    # client token, client secret and access token (the host is never a finding)
    assert len(got) == (2 if case == "no_access_token" else 3), got
    assert {(v["status"], v["reason"]) for v in got} == {CASES[case]}, got


def test_a_live_credential_names_its_client_and_what_it_can_reach(sweep: Sweep) -> None:
    live = sweep.verdicts[("akamai", "active")][0]
    assert live["identity"] == {"client": "cdn-purge-bot", "client_id": "q7m2xk4tdw9rbn3c",
                                "client_type": "CLIENT", "created_by": "ops-lead",
                                "host": sweep.planted["active"].host}
    facts = {f["name"]: (f["value"], f["risk"]) for f in live["facts"]}
    assert facts == {
        "apis": ("2: Fast Purge API (READ-WRITE), Reporting API (READ-ONLY)", "high"),
        "groups": ("1: web-properties (Editor)", "medium"),
        "active_credentials": ("2", "info")}
    denied = sweep.verdicts[("akamai", "no_permission")][0]
    assert {"name": "get_api_client", "value": "not permitted", "risk": "good"} \
        in denied["facts"]


def test_each_credential_was_sent_as_documented_and_only_its_signature_travelled(
        sweep: Sweep) -> None:
    calls = {"active": 1, "wrong_secret": 1, "no_permission": 1, "unavailable": 3,
             "no_host": 0, "no_access_token": 0, "sdk_call": 1}  # unknowns are asked again
    for case, p in sweep.planted.items():
        sent = sweep.fake.sent_by(p.client)
        assert len(sent) == calls[case], (case, sent)
        for r in sent:
            assert (r.method, r.path) == (
                "GET", "/identity-management/v3/api-clients/self?apiAccess=true&groupAccess=true")
            assert re.fullmatch(
                re.escape(f"EG1-HMAC-SHA256 client_token={p.client};access_token={p.access};")
                + r"timestamp=\d{8}T\d\d:\d\d:\d\d\+0000;nonce=[0-9a-f-]{36};"
                + r"signature=[A-Za-z0-9+/]{43}=", r.headers["authorization"]), r.headers
    # The fake's signature check ran and refused exactly the wrong secret's request.
    assert sweep.fake.signature_failures == {"akamai": 1}
    log = sweep.fake.log_text()
    for p in sweep.planted.values():
        assert p.secret not in log and p.secret not in sweep.output


def test_signing_matches_an_independent_computation() -> None:
    """Fixed timestamp and nonce; the expected signature is computed here step by step from
    the documented algorithm, not with the verifier's helpers."""
    secret = "Xb4nQ7tLw2Ke9Rz0Pm5Vc8Ha3Ys6Ud1Fg+Jo/Ni7Tq="
    client = "akab-w8e2r6t4y1u9i3o5-p7a0s2d4f6g8h1j3"
    access = "akab-k5l7z9x1c3v5b7n9-m2q4w6e8r0t2y4u6"
    stamp, nonce = "20261203T07:15:42+0000", "0b7e54a1-93c2-4d8f-a6e0-5f1c2b9d7e34"
    host = "akab-z1x3c5v7b9n1m3q5-w7e9r1t3y5u7i9o1.luna.akamaiapis.net"
    target = "/identity-management/v3/api-clients/self?apiAccess=true&groupAccess=true"
    header = (f"EG1-HMAC-SHA256 client_token={client};access_token={access};"
              f"timestamp={stamp};nonce={nonce};")
    key = base64.b64encode(hmac.new(secret.encode(), stamp.encode(), hashlib.sha256).digest())
    data = f"GET\thttps\t{host}\t{target}\t\t\t{header}".encode()
    want = header + "signature=" + base64.b64encode(
        hmac.new(key, data, hashlib.sha256).digest()).decode()
    assert akamai.timestamp(1796282142) == stamp
    assert akamai.signing_key(secret, stamp) == key.decode()
    assert akamai.data_to_sign("get", "HTTPS", host.upper(), target, header) == data.decode()
    assert akamai.authorization(client, secret, access, "GET", "https", host, target, stamp,
                                nonce) == want


def test_the_host_names_the_endpoint_and_nothing_is_sent_without_what_signing_needs() -> None:
    rng = random.Random("akamai-host")
    client, access, secret = akab(rng), akab(rng), secret_of(rng)
    host = akab(rng) + ".luna.akamaiapis.net"
    asked: list[str] = []
    with FakeAkamai({client: Client(access, secret)}) as fake:
        http = redirecting_client(akamai.AkamaiVerifier.endpoint, fake.url, asked)
        verdict = VERIFIERS["akamai"].verify(
            Credential("akamai", client, secret, None, {"access_token": access, "host": host}),
            http)
        assert verdict.status == "active" and asked == [f"https://{host}"]
        for parts, reason in [({"access_token": access}, "needs_host"),
                              ({"access_token": access, "host": "akab-x.evil.example"},
                               "needs_host"),
                              ({"access_token": access, "host": host + ".evil.example"},
                               "needs_host"),
                              ({"host": host}, "needs_access_token")]:
            got = VERIFIERS["akamai"].verify(Credential("akamai", client, secret, None, parts),
                                             http)
            assert (got.status, got.reason) == ("skipped", reason)
        assert len(fake.sent_by(client)) == 1


def test_the_fake_rejects_a_signature_made_with_another_secret() -> None:
    rng = random.Random("akamai-forged")
    client, access, secret = akab(rng), akab(rng), secret_of(rng)
    with FakeAkamai({client: Client(access, secret)}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)
        target = "/identity-management/v3/api-clients/self?apiAccess=true&groupAccess=true"
        for key, status in [(secret, 200), (secret_of(rng), 401)]:
            header = akamai.authorization(client, key, access, "GET", "http", http.host,
                                          target, akamai.timestamp(), "f00dfeed")
            resp = http.request("GET", target.split("?")[0], target.split("?")[1],
                                headers={"Authorization": header})
            assert resp.status == status, resp.body
        assert fake.signature_failures == {"akamai": 1}


def test_an_inactive_token_is_inactive_and_a_stale_clock_is_unknown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random("akamai-401")
    live, gone, access, secret = akab(rng), akab(rng), akab(rng), secret_of(rng)
    host = akab(rng) + ".luna.akamaiapis.net"
    parts = {"access_token": access, "host": host}
    with FakeAkamai({live: Client(access, secret),
                     gone: Client(access, secret, behaviour="deactivated")}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)
        got = VERIFIERS["akamai"].verify(Credential("akamai", gone, secret, None, parts), http)
        assert (got.status, got.reason) == ("inactive", "inactive_client_token")
        # A request signed an hour ago (the local clock is off) says nothing about the key.
        an_hour_ago = akamai.timestamp(time.time() - 3600)
        monkeypatch.setattr(akamai, "timestamp", lambda now=None: an_hour_ago)
        got = VERIFIERS["akamai"].verify(Credential("akamai", live, secret, None, parts), http)
        assert (got.status, got.reason) == ("unknown", "invalid_timestamp")
        assert fake.signature_failures == {"akamai": 1}
