"""Model-API and SaaS key verifiers end to end: the installed ``keysweep scan --verify`` over
real files, against loopback fakes of each provider's documented identity call
(tests/helpers/fake_model_apis.py) that take the key only the way the provider reads it.
Live keys come back active with their identity, revoked and unknown ones inactive, a 429 or
503 unknown; each key reaches its own provider's fake alone, with the documented method,
path and header, and is never printed."""

from __future__ import annotations

import base64
import hashlib
import logging
import string
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import BASE62, Values
from scanner.verifiers import VERIFIERS, Credential
from scanner.verifiers.http import HttpClient, HttpError
from scanner.verifiers.model_apis import ModelListVerifier, Region, SiliconflowVerifier
from tests.helpers.fake_model_apis import (
    BASE_PATHS,
    CALLS,
    KEY_HEADERS,
    MEMBER_DOMAIN,
    PROVIDERS,
    FakeModelApi,
    Key,
)
from tests.helpers.loopback import LoopbackServer
from tests.helpers.run import run_keysweep

HEX = "0123456789abcdef"
URLSAFE = BASE62 + "-_"


def mixed(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def letters_and_digits(value: str) -> bool:
    return any(c.isalpha() for c in value) and any(c.isdigit() for c in value)


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# provider -> (a file's text for a key, a new key). Twilio's line has the Account SID too.
MAKERS: dict[str, tuple[str, Callable[[Values], str]]] = {
    "deepseek": ("DEEPSEEK_API_KEY={key}\n",
                 lambda v: v.token(HEX, 32, "sk-", 3.3, lambda t: letters_and_digits(t[3:]))),
    "groq": ("GROQ_API_KEY={key}\n", lambda v: v.token(BASE62, 52, "gsk_", 4.0, mixed)),
    "mistral": ("MISTRAL_API_KEY={key}\n", lambda v: v.token(BASE62, 32, "", 3.9, mixed)),
    "xai": ("XAI_API_KEY={key}\n", lambda v: v.token(BASE62, 80, "xai-", 4.3, mixed)),
    "moonshot": ("MOONSHOT_API_KEY={key}\n", lambda v: v.token(BASE62, 48, "sk-", 4.0, mixed)),
    "openrouter": ("OPENROUTER_API_KEY={key}\n",
                   lambda v: v.token(HEX, 64, "sk-or-v1-", 3.6, letters_and_digits)),
    "together": ("TOGETHER_API_KEY={key}\n",
                 lambda v: v.token(HEX, 64, "", 3.6, letters_and_digits)),
    "siliconflow": ("SILICONFLOW_API_KEY={key}\n",
                    lambda v: v.token(string.ascii_lowercase, 48, "sk-", 4.0)),
    "minimax": ("MINIMAX_API_KEY={key}\n",
                lambda v: v.token(URLSAFE, 100, "sk-api-", 4.6, mixed)),
    "cohere": ("CO_API_KEY={key}\n", lambda v: v.token(BASE62, 40, "", 3.9, mixed)),
    "replicate": ("REPLICATE_API_TOKEN={key}\n",
                  lambda v: v.token(BASE62, 37, "r8_", 3.9, mixed)),
    "twilio": ("TWILIO_ACCOUNT_SID={sid}\nTWILIO_AUTH_TOKEN={key}\n",
               lambda v: v.token(HEX, 32, "", 3.3, letters_and_digits)),
    "mailchimp": ("MAILCHIMP_API_KEY={key}\n",
                  lambda v: v.token(HEX, 32, "", 3.3, letters_and_digits) + "-us7"),
    "baidu-qianfan": ("QIANFAN_API_KEY={key}\n",
                      lambda v: "bce-v3/ALTAK-" + v.token(BASE62, 21, "", 3.9, mixed) + "/"
                      + v.token(HEX, 40, "", 3.3, letters_and_digits)),
    "openai-admin": ("OPENAI_ADMIN_KEY={key}\n",
                     lambda v: v.token(URLSAFE, 120, "sk-admin-", 4.5, mixed)),
    "anthropic-admin": ("ANTHROPIC_ADMIN_KEY={key}\n",
                        lambda v: v.token(URLSAFE, 93, "sk-ant-admin01-", 4.5, mixed) + "AA"),
}

# What each provider's live key shows, and which identity field proves it was read.
IDENTITY = {"deepseek": ("models", "2"), "groq": ("models", "3"), "mistral": ("models", "1"),
            "moonshot": ("models", "2"), "together": ("models", "4"), "minimax": ("models", "1"),
            "baidu-qianfan": ("models", "3"),
            "xai": ("name", "deployer"), "openrouter": ("usage", "3.25"),
            "siliconflow": ("name", "deployer"), "cohere": ("organization_id", "org-5f6e7d8c"),
            "replicate": ("username", "deployer"), "twilio": ("friendly_name", "deployer"),
            "mailchimp": ("account_name", "Harbor Lights"),
            "openai-admin": ("users", "3"), "anthropic-admin": ("users", "2")}
# Cases beyond the common ones, with the verdict each must get: (status, reason or a fact).
EXTRA: dict[str, dict[str, tuple[str, str | None]]] = {
    "groq": {"no_permission": ("active", "not permitted")},
    "xai": {"blocked": ("inactive", "key_blocked")},
    "twilio": {"closed": ("inactive", "account_closed")},
    "openrouter": {"management": ("active", "can create and delete API keys")},
    "openai-admin": {"no_permission": ("active", "not permitted"),
                     "many": ("active", "users: only the first 100 read; the organization "
                                        "has more")},
    "anthropic-admin": {"no_permission": ("active", "not permitted"),
                        "many": ("active", "users: only the first 1000 read; the "
                                           "organization has more")},
}
# The Admin keys: every live one says what it can do, and whose organization it opens.
ADMIN_FACT = "can manage the organization's API keys and members"
ORGANIZATIONS = {"openai-admin": "org-harborlights",
                 "anthropic-admin": "5d2c7a10-8e4b-4f3a-9c61-2b7e0f4d9a38"}
COMMON = ("active", "revoked", "unknown_to_provider", "throttled", "unavailable")
BASIC = ("twilio", "mailchimp")


def new_sid(values: Values) -> str:
    return values.token(HEX, 32, "AC", 3.3, letters_and_digits)


def expected_auth(provider: str, key: str, sid: str) -> str:
    if provider in KEY_HEADERS:
        return key
    if provider == "twilio":
        return "Basic " + base64.b64encode(f"{sid}:{key}".encode()).decode()
    if provider == "mailchimp":
        return "Basic " + base64.b64encode(f"keysweep:{key}".encode()).decode()
    return f"Bearer {key}"


def scan(tree: Path, fakes: dict[str, FakeModelApi]) -> dict[str, Any]:
    args: list[str] = []
    for name, fake in fakes.items():
        args += ["--verify-endpoint", f"{name}={fake.url}"]
    run = run_keysweep("scan", tree, "--verify", *args, "--verify-timeout", "3",
                       "--verify-jobs", "16", "-f", "json", expected_code=1, timeout=180)
    report: dict[str, Any] = run.json()
    report["_output"] = run.stdout + run.stderr
    return report


def test_each_key_is_verified_with_its_providers_own_call(values: Values,
                                                          tmp_path: Path) -> None:
    # One keysweep run for every provider and case: the verdicts, where each key went, and
    # that none was printed.
    tree = tmp_path / "tree"
    keys: dict[str, dict[str, str]] = {}
    sids: dict[str, str] = {}
    fakes: dict[str, FakeModelApi] = {}
    for provider in PROVIDERS:
        template, make = MAKERS[provider]
        cases = COMMON + tuple(EXTRA.get(provider, {}))
        keys[provider] = {case: make(values) for case in cases}
        (tree / provider).mkdir(parents=True)
        known: dict[str, Key] = {}
        for case, key in keys[provider].items():
            sid = new_sid(values)
            sids[key] = sid
            (tree / provider / f"{case}.env").write_text(template.format(key=key, sid=sid))
            if case != "unknown_to_provider":
                known[key] = Key(case, account=sid)
        fakes[provider] = FakeModelApi(provider, known)
    for fake in fakes.values():
        fake.__enter__()
    try:
        report = scan(tree, fakes)
        sent = {p: {k: f.received(k) for k in keys[p].values()} for p, f in fakes.items()}
        elsewhere = {(p, q) for p in PROVIDERS for k in keys[p].values()
                     for q, f in fakes.items() if q != p and f.received(k)}
    finally:
        for fake in fakes.values():
            fake.close()
    assert elsewhere == set(), "a key reached another provider's fake"
    verdicts = {f["secret_sha256"]: f for f in report["findings"]}
    for provider in PROVIDERS:
        for case, key in keys[provider].items():
            finding = verdicts.get(sha(key))
            assert finding is not None, (provider, case, report["findings"])
            assert finding["rule_id"].startswith(provider), finding
            check_verdict(provider, case, finding["verification"])
            check_requests(provider, case, key, sids[key], sent[provider][key])
            assert key not in report["_output"]
    assert MEMBER_DOMAIN not in report["_output"]  # the members are counted, never shown


def check_verdict(provider: str, case: str, verdict: dict[str, Any]) -> None:
    where = (provider, case, verdict)
    if case == "active":
        field, expected = IDENTITY[provider]
        assert verdict["status"] == "active" and verdict["identity"][field] == expected, where
    elif case in ("revoked", "unknown_to_provider"):
        assert verdict["status"] == "inactive", where
    elif case in ("throttled", "unavailable"):
        reason = "throttled" if case == "throttled" else "server_error"
        assert (verdict["status"], verdict["reason"]) == ("unknown", reason), where
    else:
        status, detail = EXTRA[provider][case]
        assert verdict["status"] == status, where
        if status == "inactive":
            assert verdict["reason"] == detail, where
        else:
            assert detail in [f["value"] for f in verdict["facts"]], where
    if provider in ORGANIZATIONS and verdict["status"] == "active":
        # a live Admin key, its member list read or refused, is the organization's own
        admin = [f for f in verdict["facts"] if f["value"] == ADMIN_FACT]
        assert [f["risk"] for f in admin] == ["critical"], where
        if case != "no_permission":
            assert verdict["identity"]["organization"] == ORGANIZATIONS[provider], where


def check_requests(provider: str, case: str, key: str, sid: str, requests: list[Any]) -> None:
    """Every request with the key used the documented method, path and header, and carried
    the key nowhere else; a transient answer may be retried, a final one is asked once."""
    method, path = CALLS[provider]
    path = path.format(sid=sid)
    assert requests, (provider, case, "the key was never sent")
    for r in requests:
        assert (r.method, r.path) == (method, path), (provider, r)
        header = KEY_HEADERS.get(provider, "authorization")
        assert r.headers[header] == expected_auth(provider, key, sid), provider
        assert key not in r.path
        assert [k for k, v in r.headers.items() if key in v] == ([] if provider in BASIC
                                                                 else [header])
        if provider == "anthropic-admin":
            assert r.headers["anthropic-version"] == "2023-06-01"
    if case not in ("throttled", "unavailable"):
        assert len(requests) == 1, (provider, case, requests)


# A live key presented another way than the provider documents must be refused by its fake:
# otherwise the end-to-end test could pass with a verifier sending it the wrong way.
def wrong_headers(provider: str, key: str, sid: str) -> dict[str, str]:
    if provider == "twilio":  # the right pair, but as a bearer
        return {"Authorization": f"Bearer {key}"}
    if provider == "mailchimp":
        return {"Authorization": f"apikey {key}"}
    return {"Authorization": key, "X-Api-Key": key}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_fake_refuses_a_live_key_presented_another_way(provider: str,
                                                           values: Values) -> None:
    key, sid = MAKERS[provider][1](values), new_sid(values)
    method, path = CALLS[provider]
    with FakeModelApi(provider, {key: Key(account=sid)}) as fake:
        http = HttpClient(fake.url, 3.0, overridden=True)  # fake.url ends in the base path
        relative = path.format(sid=sid).removeprefix(BASE_PATHS.get(provider, ""))
        wrong = http.request(method, relative, headers=wrong_headers(provider, key, sid))
        assert wrong.status in (400, 401), wrong
        right = VERIFIERS[provider].verify(
            Credential(provider, sid if provider == "twilio" else "", key), http)
        assert right.status == "active", right


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_refusal_that_echoes_the_key_keeps_it_out_of_the_verdict_and_the_log(
        provider: str, values: Values, caplog: pytest.LogCaptureFixture) -> None:
    # Some providers repeat (part of) what they were sent in their errors: the reason and
    # the debug log carry none of it, even when the whole key comes back.
    key, sid = MAKERS[provider][1](values), new_sid(values)
    with FakeModelApi(provider, echo=True) as fake, \
            caplog.at_level(logging.DEBUG, logger="scanner.verifiers"):
        verdict = VERIFIERS[provider].verify(
            Credential(provider, sid if provider == "twilio" else "", key),
            HttpClient(fake.url, 3.0, overridden=True))
    assert verdict.status == "inactive", verdict
    assert f"{provider}: HTTP" in caplog.text  # the answer was logged...
    assert key not in caplog.text and key not in repr(verdict)  # ...without the key


# The verifiers whose keys belong to one of two platforms, built on two loopback "regions".
TWO_REGIONS: dict[str, Callable[[tuple[Region, ...]], Any]] = {
    "moonshot": lambda regions: ModelListVerifier("moonshot", regions, "/v1/models"),
    "siliconflow": lambda regions: SiliconflowVerifier(regions),
}


@pytest.mark.parametrize("provider", sorted(TWO_REGIONS))
def test_a_key_unknown_to_the_first_platform_is_tried_on_the_other(provider: str,
                                                                   values: Values) -> None:
    # A key of the second platform gets the first's 401, then is asked (once) where it
    # lives; a key neither knows is inactive after one call to each.
    key = MAKERS[provider][1](values)
    for known_in_second in (True, False):
        with FakeModelApi(provider) as first, \
                FakeModelApi(provider, {key: Key()} if known_in_second else {}) as second:
            verifier = TWO_REGIONS[provider]((Region(first.url, "cn"),
                                              Region(second.url, "global")))
            verdict = verifier.verify(Credential(provider, "", key),
                                      HttpClient(first.url, 3.0))
            assert (len(first.received(key)), len(second.received(key))) == (1, 1)
        if known_in_second:
            assert verdict.status == "active" and verdict.identity["region"] == "global", \
                verdict
        else:
            assert verdict.status == "inactive", verdict


class RefusingProxy(LoopbackServer):
    """An HTTP proxy on 127.0.0.1 that records each CONNECT target and refuses it: where a
    verifier would go, seen without any connection leaving the machine."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_CONNECT(self) -> None:  # noqa: N802
                proxy.targets.append(self.path)
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._listen(Handler)


def test_a_mailchimp_key_is_sent_to_its_own_data_center(values: Values,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Without --verify-endpoint the host comes from the key's suffix (…-us7 ->
    # us7.api.mailchimp.com); the proxy refuses the tunnel, so nothing leaves the machine.
    key = MAKERS["mailchimp"][1](values)
    with RefusingProxy() as proxy:
        for name in ("HTTPS_PROXY", "https_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        verifier = VERIFIERS["mailchimp"]
        http = HttpClient(verifier.endpoint, 3.0)
        with pytest.raises(HttpError):
            verifier.verify(Credential("mailchimp", "", key), http)
    assert proxy.targets == ["us7.api.mailchimp.com:443"]
