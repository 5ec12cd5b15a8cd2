"""Bearer-token verifiers end to end: the installed ``keysweep scan --verify`` over real files,
against loopback fakes of each provider's identity API (tests/helpers/fake_tokens.py) that
take the token only from the provider's real header and path. Live tokens come back active
with their identity, revoked ones inactive, scope-limited ones active with a "not permitted"
fact, a 503 unknown; no token is printed, and none is sent to another provider's endpoint."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import BASE62, Values
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers.http import HttpClient
from tests.helpers.fake_tokens import FakeTokens, Token
from tests.helpers.loopback import LoopbackServer
from tests.helpers.run import run_keysweep

HEX = "0123456789abcdef"
URLSAFE = BASE62 + "-_"


def mixed(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


# provider -> (file line for a token, a new token)
MAKERS: dict[str, tuple[str, Callable[[Values], str]]] = {
    "gitlab": ("GITLAB_TOKEN={}", lambda v: v.token(BASE62, 20, "glpat-", 3.3, mixed)),
    "npm": ("//registry.npmjs.org/:_authToken={}", lambda v: v.github("npm_")),
    "rubygems": ("GEM_HOST_API_KEY={}", lambda v: v.token(HEX, 48, "rubygems_", 3.3)),
    "digitalocean": ("DIGITALOCEAN_TOKEN={}", lambda v: v.token(HEX, 64, "dop_v1_", 3.5)),
    "cloudflare": ("CLOUDFLARE_API_TOKEN={}", lambda v: v.token(BASE62, 46, "cfut_", 3.8, mixed)),
    "openai": ("OPENAI_API_KEY={}", lambda v: v.token(BASE62, 64, "sk-proj-", 3.8, mixed)),
    "anthropic": ("ANTHROPIC_API_KEY={}",
                  lambda v: v.token(BASE62, 93, "sk-ant-api03-", 3.8, mixed)),
    "dashscope": ("DASHSCOPE_API_KEY={}", lambda v: v.token(HEX, 32, "sk-", 3.3)),
    "huggingface": ("HF_TOKEN={}", lambda v: v.token(BASE62, 34, "hf_", 3.8, mixed)),
    "slack": ("SLACK_BOT_TOKEN={}", lambda v: v.token(
        BASE62, 24, f"xoxb-{v.rng.randrange(10**11, 10**12)}-{v.rng.randrange(10**12, 10**13)}-",
        3.8, lambda t: mixed(t) and not re.search(r"(.)\1{3}", t))),
    "stripe": ("STRIPE_SECRET_KEY={}", lambda v: v.token(BASE62, 99, "sk_live_", 3.8, mixed)),
    "sendgrid": ("SENDGRID_API_KEY={}", lambda v: v.token(BASE62, 22, "SG.", 3.5, mixed)
                 + "." + v.token(URLSAFE, 43, "", 4.0, mixed)),
}

# What each provider's live token shows, and which identity field proves it was read.
IDENTITY = {"gitlab": ("username", "deployer"), "npm": ("username", "deployer"),
            "rubygems": ("gems", "2"),
            "digitalocean": ("email", "deployer@example.com"),
            "cloudflare": ("token_id", "f267e341f3dd4697bd3b9f71dd96247f"),
            "openai": ("organization", "org-deployer"), "anthropic": ("models", "1"),
            "dashscope": ("models", "1"), "huggingface": ("name", "deployer"),
            "slack": ("user", "deployer"), "stripe": ("mode", "live"),
            "sendgrid": ("scopes", "3")}
# The call a scope-limited token may not make, where the provider has such an answer.
NOT_PERMITTED = {"gitlab": "user", "rubygems": "gems", "digitalocean": "account",
                 "openai": "models", "anthropic": "models", "stripe": "balance",
                 "sendgrid": "scopes"}


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def scan(tree: Path, *endpoints: tuple[str, str]) -> dict[str, Any]:
    args: list[str] = []
    for name, url in endpoints:
        args += ["--verify-endpoint", f"{name}={url}"]
    run = run_keysweep("scan", tree, "--verify", *args, "--verify-timeout", "3", "-f", "json",
                       expected_code=1, timeout=120)
    report: dict[str, Any] = run.json()
    report["_output"] = run.stdout + run.stderr
    return report


@pytest.mark.parametrize("provider", sorted(MAKERS))
def test_each_token_is_verified_with_its_providers_own_call(provider: str, values: Values,
                                                             tmp_path: Path) -> None:
    line, make = MAKERS[provider]
    cases = ["active", "revoked", "unknown_to_provider", "unavailable"]
    if provider in NOT_PERMITTED:
        cases.append("no_permission")
    tokens = {case: make(values) for case in cases}
    tree = tmp_path / "tree"
    tree.mkdir()
    for case, token in tokens.items():
        (tree / f"{case}.env").write_text(line.format(token) + "\n")
    known = {t: Token(case) for case, t in tokens.items()
             if case not in ("unknown_to_provider",)}
    with FakeTokens(provider, known) as fake:
        report = scan(tree, (provider, fake.url))
    by_hash = {sha(t): case for case, t in tokens.items()}
    seen = {by_hash[f["secret_sha256"]]: f["verification"] for f in report["findings"]}
    assert set(seen) == set(cases), report["findings"]
    live = seen["active"]
    field, expected = IDENTITY[provider]
    assert live["status"] == "active" and live["identity"][field] == expected, live
    for gone in ("revoked", "unknown_to_provider"):
        assert seen[gone]["status"] == "inactive", seen[gone]
    assert (seen["unavailable"]["status"], seen["unavailable"]["reason"]) \
        == ("unknown", "server_error")
    if provider in NOT_PERMITTED:
        limited = seen["no_permission"]
        assert limited["status"] == "active"
        assert {"name": NOT_PERMITTED[provider], "value": "not permitted", "risk": "good"} \
            in limited["facts"], limited
    for token in tokens.values():
        assert token not in report["_output"]


# Each provider's fake, given the live token in the wrong header (or scheme), must refuse it:
# otherwise the end-to-end test above could pass with a verifier sending it the wrong way.
WRONG_HEADERS: dict[str, Callable[[str], dict[str, str]]] = {
    "gitlab": lambda t: {"Authorization": f"Bearer {t}"},
    "npm": lambda t: {"Authorization": f"token {t}"},
    "rubygems": lambda t: {"Authorization": f"Bearer {t}"},
    "digitalocean": lambda t: {"X-Auth-Token": t},
    "cloudflare": lambda t: {"X-Auth-Key": t},
    "openai": lambda t: {"Authorization": t},
    "anthropic": lambda t: {"Authorization": f"Bearer {t}", "anthropic-version": "2023-06-01"},
    "dashscope": lambda t: {"X-DashScope-Key": t},
    "huggingface": lambda t: {"Authorization": f"Basic {t}"},
    "slack": lambda t: {"X-Slack-Token": t},
    "stripe": lambda t: {"Stripe-Key": t},
    "sendgrid": lambda t: {"Authorization": f"token {t}"},
}
PATHS = {"gitlab": "/api/v4/user", "npm": "/-/whoami", "rubygems": "/api/v1/gems.json",
         "digitalocean": "/v2/account",
         "cloudflare": "/user/tokens/verify", "openai": "/v1/models", "anthropic": "/v1/models",
         "dashscope": "/compatible-mode/v1/models", "huggingface": "/api/whoami-v2",
         "slack": "/auth.test", "stripe": "/v1/balance", "sendgrid": "/v3/scopes"}


@pytest.mark.parametrize("provider", sorted(MAKERS))
def test_the_fake_refuses_a_live_token_in_the_wrong_header(provider: str, values: Values) -> None:
    token = MAKERS[provider][1](values)
    with FakeTokens(provider, {token: Token()}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)
        wrong = http.request("GET", PATHS[provider], headers=WRONG_HEADERS[provider](token))
        if provider == "slack":  # Slack says so in the body, with HTTP 200
            assert wrong.json_object()["ok"] is False, wrong
        else:
            assert wrong.status in (400, 401), wrong
        right = VERIFIERS[provider].verify(Credential(provider, "", token), http)
        assert right.status == "active", right


def test_a_model_studio_key_goes_only_to_model_studio_and_an_openai_key_only_to_openai(
        values: Values, tmp_path: Path) -> None:
    # Both rules look at sk- values beside AI-provider words; each key must reach its own
    # provider's endpoint alone, whatever else is near it.
    dash_key = MAKERS["dashscope"][1](values)
    openai_key = "sk-" + values.token(BASE62, 48, "", 3.8, mixed)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / ".env").write_text(
        "# OpenAI and DashScope (Model Studio, OpenAI-compatible mode)\n"
        f"DASHSCOPE_API_KEY={dash_key}\n"
        "OPENAI_BASE_URL=https://dashscope.aliyuncs.com/compatible-mode/v1\n"
        f"OPENAI_API_KEY={openai_key}\n")
    with FakeTokens("openai", {openai_key: Token(), dash_key: Token()}) as openai, \
            FakeTokens("dashscope", {dash_key: Token(), openai_key: Token()}) as dashscope:
        report = scan(tree, ("openai", openai.url), ("dashscope", dashscope.url))
        assert openai.received(dash_key) == []
        assert dashscope.received(openai_key) == []
        assert len(dashscope.received(dash_key)) == 1
        assert len(openai.received(openai_key)) == 1
    rules = {f["secret_sha256"]: (f["rule_id"], f["verification"]["status"])
             for f in report["findings"]}
    assert rules[sha(dash_key)] == ("alibaba-model-studio-api-key", "active")
    assert rules[sha(openai_key)] == ("openai-api-key-unmarked", "active")


@pytest.mark.parametrize("prefix, expected", [("cfat_", "active"), ("cfk_", "skipped")])
def test_cloudflare_account_tokens_verify_through_their_account(
        prefix: str, expected: str, values: Values, tmp_path: Path) -> None:
    token = values.token(BASE62, 46, prefix, 3.8, mixed)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "cf.env").write_text(f"CLOUDFLARE_API_TOKEN={token}\n")
    with FakeTokens("cloudflare", {token: Token()}) as fake:
        report = scan(tree, ("cloudflare", fake.url))
        sent = fake.received(token)
    (finding,) = report["findings"]
    assert finding["verification"]["status"] == expected, finding
    if expected == "active":
        assert finding["verification"]["identity"]["account_id"] \
            == "023e105f4ecef8ad9ca31a8372d0c353"
        assert [r.path for r in sent] == [
            "/client/v4/accounts",
            "/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/tokens/verify"]
    else:
        assert sent == []  # a Global API key needs its email: nothing is sent


@pytest.mark.parametrize("prefix", ["gldt-", "glrt-", "glft-"])
def test_gitlab_tokens_that_do_not_open_the_api_are_not_sent(prefix: str, values: Values,
                                                              tmp_path: Path) -> None:
    token = values.token(BASE62, 20, prefix, 3.3, mixed)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "gl.env").write_text(f"GITLAB_TOKEN={token}\n")
    with FakeTokens("gitlab", {token: Token()}) as fake:
        report = scan(tree, ("gitlab", fake.url))
        assert fake.received(token) == []
    (finding,) = report["findings"]
    assert (finding["verification"]["status"], finding["verification"]["reason"]) \
        == ("skipped", "not_verifiable")


class _EchoingProvider(LoopbackServer):
    """An OpenAI-style API whose refusal echoes the bearer token in its error code, its
    message and an identity-looking field: what a careless provider or a proxy might do."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                body = json.dumps({"error": {"code": f"invalid_api_key:{token}",
                                             "message": f"Incorrect API key provided: {token}"}})
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None: ...

        self._listen(Handler)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_key_a_provider_echoes_in_its_answer_never_reaches_the_report(
        values: Values, tmp_path: Path, fmt: str) -> None:
    token = MAKERS["openai"][1](values)
    (tmp_path / "app.env").write_text(MAKERS["openai"][0].format(token) + "\n")
    with _EchoingProvider() as fake:
        run = run_keysweep("scan", tmp_path, "--verify", "--verify-endpoint",
                           f"openai={fake.url}", "--verify-timeout", "3", "-f", fmt, "-v",
                           expected_code=1, timeout=120)
    assert token not in run.stdout + run.stderr
    if fmt == "json":
        verdict = run.json()["findings"][0]["verification"]
        assert verdict["status"] == "inactive" and verdict["reason"].startswith(
            "invalid_api_key:"), verdict
