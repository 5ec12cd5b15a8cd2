"""Fakes of the model-API and SaaS identity calls keysweep verifies against
(scanner/verifiers/model_apis.py), one loopback server per provider on 127.0.0.1.

Each fake takes the key only the way its provider documents (``Authorization: Bearer`` for
the model APIs, HTTP Basic for Twilio's SID and Auth Token and for Mailchimp's key), only
on the provider's real method and path, and answers with the JSON shapes its documentation
shows: the identity for a live key, the provider's own "bad credentials" answer for a
revoked, unknown or wrongly presented one, 429 or 503 otherwise. Every value below was
written for these tests. Every request is recorded so tests can check where a key went."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.helpers.fake_tokens import Request
from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "revoked", "no_permission", "throttled", "unavailable", "blocked",
              "closed", "management", "many")
PROVIDERS = ("deepseek", "groq", "mistral", "xai", "moonshot", "openrouter", "together",
             "siliconflow", "minimax", "cohere", "replicate", "twilio", "mailchimp",
             "openai-admin", "anthropic-admin", "baidu-qianfan")
# Where each provider's API lives under its host (the verifier's default endpoint has it).
BASE_PATHS = {"groq": "/openai", "openrouter": "/api/v1"}
# The one method and path each provider's identity call uses (Twilio's has the SID in it).
CALLS: dict[str, tuple[str, str]] = {
    "deepseek": ("GET", "/models"), "groq": ("GET", "/openai/v1/models"),
    "mistral": ("GET", "/v1/models"), "xai": ("GET", "/v1/api-key"),
    "moonshot": ("GET", "/v1/models"), "openrouter": ("GET", "/api/v1/key"),
    "together": ("GET", "/v1/models"), "siliconflow": ("GET", "/v1/user/info"),
    "minimax": ("GET", "/v1/models"), "cohere": ("POST", "/v1/check-api-key"),
    "replicate": ("GET", "/v1/account"), "twilio": ("GET", "/2010-04-01/Accounts/{sid}.json"),
    "mailchimp": ("GET", "/3.0/"), "baidu-qianfan": ("GET", "/v2/models"),
    # The Admin API member lists, one page of the documented largest size.
    "openai-admin": ("GET", "/v1/organization/users?limit=100"),
    "anthropic-admin": ("GET", "/v1/organizations/users?limit=1000"),
}
# The header each provider reads the key from, where it is not Authorization.
KEY_HEADERS = {"anthropic-admin": "x-api-key"}
# The largest page each Admin API member list documents (OpenAI 1-100, Anthropic 1-1000).
PAGE_LIMITS = {"openai-admin": 100, "anthropic-admin": 1000}
# Members' emails live under this domain: a test checks that none reaches keysweep's output.
MEMBER_DOMAIN = "members.example.net"
ANTHROPIC_VERSION = "2023-06-01"


@dataclass
class Key:
    behaviour: str = "active"
    name: str = "deployer"
    account: str = ""  # Twilio: the Account SID this Auth Token belongs to

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


@dataclass
class Answer:
    status: int
    body: Any  # JSON-encoded, or sent as text/plain when a str
    headers: dict[str, str] | None = None


def _openai_error(status: int, message: str, kind: str, code: str | None = None) -> Answer:
    return Answer(status, {"error": {"message": message, "type": kind, "param": None,
                                     "code": code}})


def _model_list(*ids: str) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": i, "object": "model", "created": 1735689600,
                                        "owned_by": "system"} for i in ids]}


class FakeModelApi(LoopbackServer):
    """``with FakeModelApi("groq", {key: Key()}) as fake:`` then ``--verify-endpoint
    groq=<fake.url>`` (``fake.url`` carries the provider's base path where it has one)."""

    def __init__(self, provider: str, keys: dict[str, Key] | None = None,
                 echo: bool = False) -> None:
        assert provider in PROVIDERS, provider
        self.provider = provider
        self.echo = echo  # put the credential it was sent into every string of a refusal
        self.keys: dict[str, Key] = dict(keys or {})
        self._listen(_handler_for(self))

    @property
    def url(self) -> str:
        return super().url + BASE_PATHS.get(self.provider, "")

    def received(self, value: str) -> list[Request]:
        """Requests carrying ``value`` in the path or a header, Basic credentials decoded."""
        with self._lock:
            return [r for r in self.requests if r.carries(value) or value in _basic_pair(r)]

    # -- the providers' answers ---------------------------------------------------------------

    def answer(self, method: str, target: str, headers: dict[str, str]) -> Answer:
        path, query = urlsplit(target).path, urlsplit(target).query
        want_method, want_path = CALLS[self.provider]
        if "?" in want_path:  # the Admin lists: the query is checked by the route
            want_path = want_path.partition("?")[0]
        if self.provider == "twilio":
            want_path = want_path.format(sid=path.removeprefix("/2010-04-01/Accounts/")
                                         .removesuffix(".json"))
        route: Callable[[Key | None, dict[str, str], str], Answer] = getattr(
            self, f"_{self.provider.replace('-', '_')}")
        if method != want_method or path != want_path:
            return Answer(404, {"message": f"no route for {method} {path}"})
        key = self._key(headers, path)
        ans = route(key, headers, query) if self.provider in PAGE_LIMITS else route(
            key, headers, path)
        if self.echo and key is None:
            ans.body = _echoed(ans.body, self._presented(headers))
            ans.headers = {**(ans.headers or {}), "X-Request-Id": self._presented(headers)}
        return ans

    def _presented(self, headers: dict[str, str]) -> str:
        if self.provider in ("twilio", "mailchimp"):
            return _basic_pair_of(headers).partition(":")[2]
        if self.provider in KEY_HEADERS:
            return headers.get(KEY_HEADERS[self.provider], "")
        return headers.get("authorization", "").partition(" ")[2]

    def _key(self, headers: dict[str, str], path: str) -> Key | None:
        """The live key the request presents the documented way, if any."""
        if self.provider in ("twilio", "mailchimp"):
            user, _, password = _basic_pair_of(headers).partition(":")
            key = self.keys.get(password)
            if key is None or self.provider == "twilio" and (
                    user != key.account or f"/Accounts/{user}.json" not in path):
                return None
        elif self.provider == "anthropic-admin":  # x-api-key, and only with anthropic-version
            key = self.keys.get(headers.get("x-api-key", "")) if headers.get(
                "anthropic-version") == ANTHROPIC_VERSION else None
        else:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            key = self.keys.get(token) if scheme == "Bearer" else None
        return None if key is None or key.behaviour == "revoked" else key

    @staticmethod
    def _transient(key: Key) -> Answer | None:
        if key.behaviour == "throttled":
            return Answer(429, {"error": {"message": "Too many requests"}}, {"Retry-After": "1"})
        if key.behaviour == "unavailable":
            return Answer(503, {"error": {"message": "Service temporarily unavailable"}})
        return None

    def _deepseek(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        # https://api-docs.deepseek.com/quick_start/error_codes: 401 Authentication Fails
        if key is None:
            return _openai_error(401, "Authentication Fails, your api key is invalid",
                                 "authentication_error", "invalid_request_error")
        return self._transient(key) or Answer(200, {"object": "list", "data": [
            {"id": "deepseek-chat", "object": "model", "owned_by": "deepseek"},
            {"id": "deepseek-reasoner", "object": "model", "owned_by": "deepseek"}]})

    def _groq(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return _openai_error(401, "Invalid API Key", "invalid_request_error",
                                 "invalid_api_key")
        if key.behaviour == "no_permission":
            return _openai_error(403, "Permission denied for this organization",
                                 "permissions_error")
        return self._transient(key) or Answer(200, _model_list("llama-3.3-70b-versatile",
                                                               "whisper-large-v3", "gemma"))

    def _mistral(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return Answer(401, {"message": "Unauthorized", "request_id": "0f1e2d3c4b5a"})
        return self._transient(key) or Answer(200, _model_list("mistral-small-latest"))

    def _moonshot(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return _openai_error(401, "Invalid Authentication", "invalid_authentication_error")
        return self._transient(key) or Answer(200, _model_list("kimi-k2.5", "moonshot-v1-8k"))

    def _together(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return _openai_error(401, "Invalid API key provided", "invalid_request_error",
                                 "invalid_api_key")
        # Together's model list is a bare JSON array (its OpenAPI ModelInfoList)
        return self._transient(key) or Answer(200, [
            {"id": f"example-org/model-{i}", "object": "model", "created": 1735689600,
             "type": "chat"} for i in range(4)])

    def _minimax(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:  # https://platform.minimax.io/docs/api-reference/errorcode: 1004
            return Answer(401, {"base_resp": {"status_code": 1004,
                                              "status_msg": "login fail: not authorized"}})
        return self._transient(key) or Answer(200, _model_list("MiniMax-M2.7"))

    def _baidu_qianfan(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        # https://cloud.baidu.com/doc/qianfan-api/s/Dmba8k71y: an error has code, message and
        # type; a bad or expired API Key is refused before the call
        if key is None:
            return Answer(401, {"error": {"code": "invalid_iam_token", "type": "invalid_request",
                                          "message": "IAM Certification failed"}})
        return self._transient(key) or Answer(200, {"object": "list", "data": [
            {"id": name, "object": "model", "owned_by": "", "created": 0}
            for name in ("ernie-4.5-turbo-32k", "ernie-x1-turbo-32k", "ernie-speed-8k")]})

    def _xai(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:  # the documented 400 for an invalid key
            return Answer(400, {"code": "Client specified an invalid argument",
                                "error": "Incorrect API key provided."})
        if (other := self._transient(key)) is not None:
            return other
        return Answer(200, {
            "redacted_api_key": "xai-...k3y0", "user_id": "6a0b7c8d-1e2f-4a5b-9c6d-7e8f9a0b1c2d",
            "name": key.name, "create_time": "2026-01-05T09:30:00.000000Z",
            "modify_time": "2026-01-05T09:30:00.000000Z",
            "modified_by": "6a0b7c8d-1e2f-4a5b-9c6d-7e8f9a0b1c2d",
            "team_id": "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
            "acls": ["api-key:model:*", "api-key:endpoint:*"],
            "api_key_id": "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b", "team_blocked": False,
            "api_key_blocked": key.behaviour == "blocked", "api_key_disabled": False})

    def _openrouter(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return Answer(401, {"error": {"message": "No auth credentials found", "code": 401}})
        if (other := self._transient(key)) is not None:
            return other
        return Answer(200, {"data": {
            "label": "sk-or-v1-abc...789", "limit": 20, "usage": 3.25, "limit_remaining": 16.75,
            "limit_reset": "monthly", "is_free_tier": False,
            "is_management_key": key.behaviour == "management",
            "is_provisioning_key": key.behaviour == "management",
            "include_byok_in_limit": False, "expires_at": None}})

    def _siliconflow(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return Answer(401, "Invalid token")
        return self._transient(key) or Answer(200, {
            "code": 20000, "message": "OK", "status": True, "data": {
                "id": "", "name": key.name, "image": "", "email": f"{key.name}@example.com",
                "isAdmin": False, "balance": "1.50", "status": "normal", "introduction": "",
                "role": "", "chargeBalance": "10.00", "totalBalance": "11.50"}})

    def _cohere(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return Answer(401, {"id": "4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a",
                                "message": "invalid api token"})
        return self._transient(key) or Answer(200, {
            "valid": True, "organization_id": "org-5f6e7d8c", "owner_id": "user-1a2b3c4d"})

    def _replicate(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:
            return Answer(401, {"title": "Unauthenticated", "status": 401,
                                "detail": "You did not pass a valid authentication token"})
        return self._transient(key) or Answer(200, {
            "type": "user", "username": key.name, "name": "Deploy Er",
            "github_url": f"https://github.com/{key.name}"})

    def _twilio(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        if key is None:  # https://www.twilio.com/docs/api/errors/20003
            return Answer(401, {"code": 20003, "message": "Authenticate",
                                "more_info": "https://www.twilio.com/docs/errors/20003",
                                "status": 401})
        if (other := self._transient(key)) is not None:
            return other
        sid = key.account
        return Answer(200, {
            "auth_token": "", "date_created": "Mon, 05 Jan 2026 09:30:00 +0000",
            "date_updated": "Mon, 05 Jan 2026 09:30:00 +0000", "friendly_name": key.name,
            "owner_account_sid": sid, "sid": sid,
            "status": "closed" if key.behaviour == "closed" else "active", "type": "Full",
            "uri": f"/2010-04-01/Accounts/{sid}.json"})

    def _mailchimp(self, key: Key | None, headers: dict[str, str], path: str) -> Answer:
        problem = "https://mailchimp.com/developer/marketing/docs/errors/"
        if key is None:
            return Answer(401, {"type": problem, "title": "API Key Invalid", "status": 401,
                                "detail": "Your API key may be invalid, or you've attempted "
                                          "to access the wrong datacenter.",
                                "instance": "7c1f0e2d-3b4a-4c5d-8e9f-0a1b2c3d4e5f"})
        return self._transient(key) or Answer(200, {
            "account_id": "a1b2c3d4e5f60718293a4b5c6", "login_id": "20240105",
            "account_name": "Harbor Lights", "email": f"{key.name}@example.com",
            "username": key.name, "role": "owner", "pricing_plan_type": "monthly",
            "account_timezone": "Europe/Paris", "pro_enabled": False,
            "total_subscribers": 1234})


    # -- the Admin API member lists ----------------------------------------------------------

    def _page_size(self, query: str) -> int | None:
        """The page asked for: ``limit`` within the documented range, else None."""
        values = parse_qs(query).get("limit", ["20"])
        if len(values) != 1 or not values[0].isdigit():
            return None
        size = int(values[0])
        return size if 1 <= size <= PAGE_LIMITS[self.provider] else None

    def _members(self, key: Key, query: str, make: Callable[[int], dict[str, Any]],
                 few: int) -> dict[str, Any] | None:
        """A list page: ``few`` members, or a full page with more to come ("many")."""
        size = self._page_size(query)
        if size is None:
            return None
        count = size if key.behaviour == "many" else min(few, size)
        data = [make(i) for i in range(count)]
        return {"data": data, "first_id": data[0]["id"], "last_id": data[-1]["id"],
                "has_more": key.behaviour == "many"}

    def _openai_admin(self, key: Key | None, headers: dict[str, str], query: str) -> Answer:
        # https://platform.openai.com/docs/guides/error-codes: 401 invalid_api_key
        if key is None:
            return _openai_error(401, "Incorrect API key provided: sk-admin-****. You can "
                                 "find your API key at https://platform.openai.com/account/"
                                 "api-keys.", "invalid_request_error", "invalid_api_key")
        if (other := self._transient(key)) is not None:
            return other
        if key.behaviour == "no_permission":  # a restricted Admin key without the scope
            return _openai_error(403, "You have insufficient permissions for this operation. "
                                 "Missing scopes: api.organization.read.",
                                 "invalid_request_error")
        page = self._members(key, query, lambda i: {
            "object": "organization.user", "id": f"user-{i:04d}", "name": f"Member {i}",
            "email": f"member{i}@{MEMBER_DOMAIN}", "role": "owner" if i == 0 else "reader",
            "added_at": 1735689600 + i}, 3)
        if page is None:
            return _openai_error(400, "Invalid limit", "invalid_request_error")
        return Answer(200, {"object": "list", **page},
                      {"openai-organization": "org-harborlights"})

    def _anthropic_admin(self, key: Key | None, headers: dict[str, str], query: str) -> Answer:
        def error(status: int, kind: str, message: str) -> Answer:
            return Answer(status, {"type": "error", "error": {"type": kind, "message": message}})

        if headers.get("anthropic-version") != ANTHROPIC_VERSION:
            return error(400, "invalid_request_error", "anthropic-version: header is required")
        if key is None:  # https://docs.anthropic.com/en/api/errors
            return error(401, "authentication_error", "invalid x-api-key")
        if key.behaviour == "throttled":
            return error(429, "rate_limit_error", "Number of requests has exceeded your rate "
                         "limit")
        if key.behaviour == "unavailable":
            return error(529, "overloaded_error", "Overloaded")
        if key.behaviour == "no_permission":
            return error(403, "permission_error",
                         "Your API key does not have permission to use the specified resource.")
        page = self._members(key, query, lambda i: {
            "type": "user", "id": f"user_{i:04d}", "name": f"Member {i}",
            "email": f"member{i}@{MEMBER_DOMAIN}", "role": "admin" if i == 0 else "developer",
            "added_at": "2026-01-05T09:30:00Z"}, 2)
        if page is None:
            return error(400, "invalid_request_error", "limit: out of range")
        return Answer(200, page,
                      {"anthropic-organization-id": "5d2c7a10-8e4b-4f3a-9c61-2b7e0f4d9a38"})


def _echoed(body: Any, value: str) -> Any:
    """``body`` with ``value`` appended to each string in it, keys aside: a provider that
    echoes what it was sent, as some do in their error messages."""
    if isinstance(body, str):
        return f"{body} {value}"
    if isinstance(body, dict):
        return {k: _echoed(v, value) for k, v in body.items()}
    if isinstance(body, list):
        return [_echoed(v, value) for v in body]
    return body


def _basic_pair_of(headers: dict[str, str]) -> str:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme != "Basic":
        return ""
    try:
        return base64.b64decode(value, validate=True).decode()
    except ValueError:
        return ""


def _basic_pair(r: Request) -> str:
    return _basic_pair_of(r.headers)


def _handler_for(fake: FakeModelApi) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            self.read_body()
            headers = self.lower_headers()
            fake.record(Request(self.command, self.path, headers))
            ans = fake.answer(self.command, self.path, headers)
            self.send_answer(ans.status, ans.body, ans.headers)

    return Handler
