"""Other clouds' and hosts' verifiers (scanner/verifiers/cloud_apis.py) end to end: the
installed ``keysweep scan --verify`` over real files, against loopback fakes of each
provider's API (tests/helpers/fake_cloud_apis.py) that take the credential only the way the
provider documents. Live keys come back active with their identity, revoked and unknown ones
inactive, a 429 or 503 unknown, a scope-limited key active with a "not permitted" fact; no
secret is printed, and each goes only to its own provider, with the documented header and
path."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import BASE62, Values
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_cloud_apis import HEROKU_ACCEPT, IBM_GRANT, FakeCloudApis, Key
from tests.helpers.run import run_keysweep

HEX = "0123456789abcdef"
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
URLSAFE = BASE62 + "-_"


def mixed(value: str) -> bool:
    return (any(c.isupper() for c in value) and any(c.islower() for c in value)
            and any(c.isdigit() for c in value))


def letters_and_digits(value: str) -> bool:
    return any(c.isalpha() for c in value) and any(c.isdigit() for c in value)


@dataclass(frozen=True)
class Maker:
    """How a provider's credential is written in a file, and how to make a new one."""

    layout: str  # with {id} and {secret}
    secret: Callable[[Values], str]
    key_id: Callable[[Values], str] | None = None

    def new(self, values: Values) -> tuple[str, str]:
        return (self.key_id(values) if self.key_id else ""), self.secret(values)


MAKERS: dict[str, Maker] = {
    "hetzner": Maker("HCLOUD_TOKEN={secret}\n",
                     lambda v: v.token(BASE62, 64, "", 4.5, mixed)),
    "vultr": Maker("VULTR_API_KEY={secret}\n",
                   lambda v: v.token(UPPER_ALNUM, 36, "", 3.8, letters_and_digits)),
    "linode": Maker("LINODE_TOKEN={secret}\n", lambda v: v.token(HEX, 64, "", 3.5)),
    "heroku": Maker("HEROKU_API_KEY={secret}\n",
                    lambda v: v.token(BASE62, 60, "HRKU-", 4.0, mixed)),
    "terraform": Maker("TF_TOKEN_app_terraform_io={secret}\n",
                       lambda v: v.token(BASE62, 14, "", 3.3, mixed) + ".atlasv1."
                       + v.token(BASE62, 67, "", 4.0, mixed)),
    "civo": Maker("CIVO_TOKEN={secret}\n", lambda v: v.token(BASE62, 50, "", 4.0, mixed)),
    "upcloud": Maker("UPCLOUD_TOKEN={secret}\n",
                     lambda v: v.token(BASE62, 40, "ucat_", 4.0, mixed)),
    "scaleway": Maker("SCW_ACCESS_KEY={id}\nSCW_SECRET_KEY={secret}\n",
                      lambda v: v.uuid(),
                      lambda v: v.token(UPPER_ALNUM, 17, "SCW", 3.0, letters_and_digits)),
    "backblaze": Maker("B2_APPLICATION_KEY_ID={id}\nB2_APPLICATION_KEY={secret}\n",
                       lambda v: v.token(BASE62, 27, "K005", 3.8, mixed),
                       lambda v: v.token(HEX, 25, "", 3.3)),
    "ibm": Maker("IBMCLOUD_API_KEY={secret}\n",
                 lambda v: v.token(URLSAFE, 44, "", 4.0, mixed)),
}

# What each provider's live key shows: one identity field that proves the answer was read.
IDENTITY = {"hetzner": ("servers", "7"), "vultr": ("email", "deployer@harbor-lights.example"),
            "linode": ("username", "deployer"),
            "heroku": ("email", "deployer@harbor-lights.example"),
            "terraform": ("username", "deployer"),
            "civo": ("account_id", "3f9d2b8e-6a41-4c57-b0e2-91d7a5c3e864"),
            "upcloud": ("username", "deployer"),
            "scaleway": ("user_id", "6e2b4c8a-1d3f-4a5b-9c7e-0f8d2a4b6c13"),
            "backblaze": ("account_id", "9d0a490f3c68"), "ibm": ("account",
                                                            "0123456789abcdef0123456789abcdef")}
# The fact a scope-limited key shows, where the provider has such an answer.
LIMITED = {"hetzner": {"name": "servers", "value": "not permitted", "risk": "good"},
           "scaleway": {"name": "iam api-keys", "value": "not permitted", "risk": "good"},
           "backblaze": {"name": "buckets", "value": "only ledger-backups", "risk": "low"}}
# The documented request: method and path, and the header that carries the credential.
CALLS = {"hetzner": ("GET", "/v1/servers?per_page=1"), "vultr": ("GET", "/v2/account"),
         "linode": ("GET", "/v4/profile"), "heroku": ("GET", "/account"),
         "terraform": ("GET", "/api/v2/account/details"), "civo": ("GET", "/v2/quota"),
         "upcloud": ("GET", "/1.3/account"), "scaleway": ("GET", "/iam/v1alpha1/api-keys/{id}"),
         "backblaze": ("GET", "/b2api/v3/b2_authorize_account"),
         "ibm": ("POST", "/identity/token")}


def sent_as(provider: str, key_id: str, secret: str) -> dict[str, str]:
    """The header the provider documents for the credential (IBM's goes in the body)."""
    if provider == "scaleway":
        return {"x-auth-token": secret}
    if provider == "backblaze":
        pair = base64.b64encode(f"{key_id}:{secret}".encode()).decode()
        return {"authorization": f"Basic {pair}"}
    if provider == "ibm":
        return {"content-type": "application/x-www-form-urlencoded"}
    scheme = "bearer" if provider == "civo" else "Bearer"
    return {"authorization": f"{scheme} {secret}"}


def scan(tree: Path, *fakes: FakeCloudApis) -> dict[str, Any]:
    args: list[str] = []
    for fake in fakes:
        args += ["--verify-endpoint", f"{fake.provider}={fake.url}"]
    run = run_keysweep("scan", tree, "--verify", *args, "--verify-timeout", "3", "-f", "json",
                       expected_code=1, timeout=120)
    report: dict[str, Any] = run.json()
    report["_output"] = run.stdout + run.stderr
    return report


def by_case(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each case file's verdict (an ID and its secret share one)."""
    out: dict[str, dict[str, Any]] = {}
    for f in report["findings"]:
        case = Path(f["path"]).stem
        assert out.get(case, f["verification"]) == f["verification"], report["findings"]
        out[case] = f["verification"]
    return out


@pytest.mark.parametrize("provider", sorted(MAKERS))
def test_each_key_is_verified_with_its_providers_own_call(provider: str, values: Values,
                                                           tmp_path: Path) -> None:
    maker = MAKERS[provider]
    cases = ["active", "revoked", "unknown_to_provider", "throttled", "unavailable"]
    if provider in LIMITED:
        cases.append("no_permission")
    creds = {case: maker.new(values) for case in cases}
    tree = tmp_path / "tree"
    tree.mkdir()
    for case, (key_id, secret) in creds.items():
        (tree / f"{case}.env").write_text(maker.layout.format(id=key_id, secret=secret))
    known = {secret: Key(case, key_id) for case, (key_id, secret) in creds.items()
             if case != "unknown_to_provider"}
    with FakeCloudApis(provider, known) as fake:
        report = scan(tree, fake)
    seen = by_case(report)
    assert set(seen) == set(cases), report["findings"]
    live = seen["active"]
    field, expected = IDENTITY[provider]
    assert live["status"] == "active" and live["identity"][field] == expected, live
    for gone in ("revoked", "unknown_to_provider"):
        assert seen[gone]["status"] == "inactive", seen[gone]
    assert (seen["throttled"]["status"], seen["throttled"]["reason"]) == ("unknown", "throttled")
    assert (seen["unavailable"]["status"], seen["unavailable"]["reason"]) \
        == ("unknown", "server_error")
    if provider in LIMITED:
        limited = seen["no_permission"]
        assert limited["status"] == "active" and LIMITED[provider] in limited["facts"], limited
    for _, secret in creds.values():
        assert secret not in report["_output"]


def test_each_credential_goes_only_to_its_provider_with_the_documented_header_and_path(
        values: Values, tmp_path: Path) -> None:
    # One tree with a live key of every provider, one run against all the fakes at once.
    tree = tmp_path / "tree"
    tree.mkdir()
    creds = {p: m.new(values) for p, m in MAKERS.items()}
    for provider, (key_id, secret) in creds.items():
        (tree / f"{provider}.env").write_text(MAKERS[provider].layout.format(
            id=key_id, secret=secret))
    fakes = {p: FakeCloudApis(p, {secret: Key("active", key_id)})
             for p, (key_id, secret) in creds.items()}
    for fake in fakes.values():
        fake.__enter__()
    try:
        report = scan(tree, *fakes.values())
    finally:
        for fake in fakes.values():
            fake.close()
    seen = by_case(report)
    assert {p: v["status"] for p, v in seen.items()} == dict.fromkeys(MAKERS, "active")
    for provider, (key_id, secret) in creds.items():
        for other, fake in fakes.items():
            if other != provider:
                assert fake.received(secret) == [], (provider, other)
        (request,) = fakes[provider].requests
        method, path = CALLS[provider]
        assert (request.method, request.path) == (method, path.format(id=key_id))
        for name, value in sent_as(provider, key_id, secret).items():
            assert request.headers.get(name) == value, (provider, request.headers)
        assert secret not in request.path  # never in a URL
        if provider == "ibm":
            assert request.body.decode() == f"grant_type={IBM_GRANT.replace(':', '%3A')}" \
                f"&apikey={secret}"
        else:
            assert request.body == b""
        if provider == "heroku":
            assert request.headers["accept"] == HEROKU_ACCEPT
        assert secret not in report["_output"]
    # The short-lived tokens B2 and IBM hand back are read and dropped, never reported.
    assert "acct_FAKEFAKEFAKE" not in report["_output"]
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ", report["_output"])


# Each fake, given the live key the wrong way, must refuse it: otherwise the end-to-end tests
# could pass with a verifier sending it the wrong way.
WRONG: dict[str, Callable[[str, str], tuple[str, dict[str, str], bytes]]] = {
    "hetzner": lambda i, s: ("/v1/servers", {"Authorization": f"Token {s}"}, b""),
    "vultr": lambda i, s: ("/v2/account", {"API-Key": s}, b""),
    "linode": lambda i, s: ("/v4/profile", {"Authorization": s}, b""),
    "heroku": lambda i, s: ("/account", {"Authorization": f"Bearer {s}",
                                         "Accept": "application/json"}, b""),
    "terraform": lambda i, s: ("/api/v2/account/details", {"X-TFE-Token": s}, b""),
    "civo": lambda i, s: ("/v2/quota", {"X-Api-Key": s}, b""),
    "upcloud": lambda i, s: ("/1.3/account", {"Authorization": f"Basic {s}"}, b""),
    "scaleway": lambda i, s: (f"/iam/v1alpha1/api-keys/{i}",
                              {"Authorization": f"Bearer {s}"}, b""),
    "backblaze": lambda i, s: ("/b2api/v3/b2_authorize_account",
                               {"Authorization": "Basic " + base64.b64encode(
                                   f"{i}:{s[::-1]}".encode()).decode()}, b""),
    "ibm": lambda i, s: ("/identity/token", {"Authorization": f"Bearer {s}",
                                             "Content-Type": "application/json"},
                         f'{{"apikey": "{s}"}}'.encode()),
}


@pytest.mark.parametrize("provider", sorted(MAKERS))
def test_the_fake_refuses_a_live_key_presented_the_wrong_way(provider: str,
                                                             values: Values) -> None:
    key_id, secret = MAKERS[provider].new(values)
    with FakeCloudApis(provider, {secret: Key("active", key_id)}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)
        path, headers, body = WRONG[provider](key_id, secret)
        method = CALLS[provider][0]
        wrong = http.request(method, path, headers=headers, body=body)
        assert wrong.status in (400, 401, 403), wrong
        right = VERIFIERS[provider].verify(Credential(provider, key_id, secret), http)
        assert right.status == "active", right


def test_a_scaleway_secret_with_another_keys_access_key_is_not_called_active(
        values: Values) -> None:
    # The secret authenticates, but the access key found beside it is not its own: the API
    # answers 404 for that key, which says nothing about the pair as found.
    maker = MAKERS["scaleway"]
    (key_id, secret), (other_id, _) = maker.new(values), maker.new(values)
    with FakeCloudApis("scaleway", {secret: Key("active", key_id)}) as fake:
        verdict = VERIFIERS["scaleway"].verify(Credential("scaleway", other_id, secret),
                                               HttpClient(fake.url, 3.0, overridden=True))
    assert (verdict.status, verdict.reason) == ("unknown", "http_404")


def test_a_live_b2_master_key_shows_it_can_write_keys(values: Values) -> None:
    key_id, secret = MAKERS["backblaze"].new(values)
    with FakeCloudApis("backblaze", {secret: Key("active", key_id)}) as fake:
        verdict = VERIFIERS["backblaze"].verify(Credential("backblaze", key_id, secret),
                                                HttpClient(fake.url, 3.0, overridden=True))
    assert verdict.status == "active"
    capabilities = {f.name: f for f in verdict.facts}["capabilities"]
    assert "writeKeys" in capabilities.value and capabilities.risk == "critical"
    assert {f.name: f.value for f in verdict.facts}["buckets"] == "all buckets"


def test_an_upcloud_username_and_password_are_verified_as_basic_auth_and_a_lone_password_not(
        values: Values, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    password, wrong, lone = (values.token(BASE62, 16, "", 3.5, mixed) for _ in range(3))
    (tree / "live.env").write_text(f"UPCLOUD_USERNAME=api-deployer\nUPCLOUD_PASSWORD={password}\n")
    (tree / "wrong.env").write_text(f"UPCLOUD_USERNAME=api-deployer\nUPCLOUD_PASSWORD={wrong}\n")
    (tree / "lone.env").write_text(f"UPCLOUD_PASSWORD={lone}\n")
    with FakeCloudApis("upcloud", {password: Key("active", "api-deployer")}) as fake:
        report = scan(tree, fake)
        sent = [r.headers["authorization"] for r in fake.requests]
    seen = by_case(report)
    assert seen["live"]["status"] == "active" and seen["live"]["identity"]["username"] \
        == "api-deployer", seen["live"]
    assert seen["wrong"]["status"] == "inactive", seen["wrong"]
    assert (seen["lone"]["status"], seen["lone"]["reason"]) == ("skipped", "no_paired_id")
    basic = {"Basic " + base64.b64encode(f"api-deployer:{p}".encode()).decode()
             for p in (password, wrong)}
    assert sorted(sent) == sorted(basic)  # one call per pair, basic auth, the lone one unsent
    for value in (password, wrong, lone):
        assert value not in report["_output"]
