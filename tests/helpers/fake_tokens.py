"""Fakes of the bearer-token identity APIs keysweep verifies against, one loopback server per
provider on 127.0.0.1.

Each fake takes the token only from the header its provider reads it from (GitLab's
``PRIVATE-TOKEN``, Anthropic's ``x-api-key`` with ``anthropic-version``, ``Authorization:
Bearer`` elsewhere), only on the provider's real path and method, and answers with the JSON
its documentation shows: the identity for a live token, the provider's "bad credentials"
answer for a revoked, unknown or wrongly presented one, its "not permitted" answer for a token
lacking the scope, 429 or 503. Every request is recorded so tests can check where a token
went."""

from __future__ import annotations

from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "revoked", "no_permission", "throttled", "unavailable",
              "expired", "no_quota")
PROVIDERS = ("gitlab", "npm", "rubygems", "digitalocean", "cloudflare", "openai", "anthropic",
             "dashscope", "huggingface", "slack", "stripe", "sendgrid")
BASE_PATHS = {"cloudflare": "/client/v4", "slack": "/api"}
ANTHROPIC_VERSION = "2023-06-01"
CLOUDFLARE_ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353"


@dataclass
class Token:
    behaviour: str = "active"
    name: str = "deployer"
    token_id: int = 4242

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased

    def carries(self, value: str) -> bool:
        return value in self.path or any(value in v for v in self.headers.values())


@dataclass
class _Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeTokens(LoopbackServer):
    """``with FakeTokens("gitlab", {token: Token()}) as fake:`` then
    ``--verify-endpoint gitlab=<fake.url>`` (Cloudflare's and Slack's ``fake.url`` end in
    their ``/client/v4`` and ``/api`` base paths, as their real endpoints do)."""

    def __init__(self, provider: str, tokens: dict[str, Token] | None = None) -> None:
        assert provider in PROVIDERS, provider
        self.provider = provider
        self.tokens: dict[str, Token] = dict(tokens or {})
        self._listen(_handler_for(self))

    @property
    def url(self) -> str:
        return super().url + BASE_PATHS.get(self.provider, "")


    def received(self, value: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.carries(value)]

    # -- the providers' answers ---------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        route = getattr(self, f"_{self.provider}")
        result: _Answer = route(method, path, headers)
        return result

    def _lookup(self, token: str | None) -> Token | None:
        if not token:
            return None
        t = self.tokens.get(token)
        return None if t is None or t.behaviour == "revoked" else t

    @staticmethod
    def _bearer(headers: dict[str, str]) -> str | None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        return value if scheme == "Bearer" and value else None

    @staticmethod
    def _transient(t: Token) -> _Answer | None:
        if t.behaviour == "throttled":
            return _Answer(429, {"message": "rate limit exceeded"}, {"Retry-After": "1"})
        if t.behaviour == "unavailable":
            return _Answer(503, {"message": "service unavailable"})
        return None

    def _gitlab(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        # https://docs.gitlab.com/api/rest/authentication/: PRIVATE-TOKEN header
        if method != "GET" or path not in ("/api/v4/personal_access_tokens/self",
                                           "/api/v4/user"):
            return _Answer(404, {"error": "404 Not Found"})
        t = self._lookup(headers.get("private-token"))
        if t is None:
            return _Answer(401, {"message": "401 Unauthorized"})
        if (other := self._transient(t)) is not None:
            return other
        scopes = ["read_repository"] if t.behaviour == "no_permission" else ["api", "read_user"]
        if path.endswith("/self"):
            return _Answer(200, {"id": t.token_id, "name": t.name, "revoked": False,
                                 "created_at": "2024-07-23T14:31:47.729Z", "scopes": scopes,
                                 "user_id": 24, "last_used_at": None, "active": True,
                                 "expires_at": "2025-12-31"})
        if t.behaviour == "no_permission":
            return _Answer(403, {"error": "insufficient_scope",
                                 "error_description": "The request requires higher "
                                 "privileges than provided by the access token.",
                                 "scope": "api read_api read_user"})
        return _Answer(200, {"id": 24, "username": t.name, "name": "Deploy Er",
                             "state": "active", "bot": False, "is_admin": False})

    def _npm(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        if method != "GET" or path != "/-/whoami":
            return _Answer(404, {"error": "Not found"})
        t = self._lookup(self._bearer(headers))
        if t is None:
            return _Answer(401, {"error": "Unauthorized"})
        return self._transient(t) or _Answer(200, {"username": t.name})

    def _rubygems(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        # https://guides.rubygems.org/rubygems-org-api/: the key is the whole Authorization
        # header, no scheme
        if method != "GET" or path != "/api/v1/gems.json":
            return _Answer(404, {"error": "Not found"})
        t = self._lookup(headers.get("authorization"))
        if t is None:
            return _Answer(401, "Access Denied. Please sign up for an account at "
                                "https://rubygems.org")
        if t.behaviour == "no_permission":
            return _Answer(403, "This API key cannot perform the specified action on this gem.")
        return self._transient(t) or _Answer(200, [
            {"name": f"{t.name}-tools", "version": "1.4.2", "downloads": 1820},
            {"name": f"{t.name}-cli", "version": "0.9.0", "downloads": 311}])

    def _digitalocean(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        if method != "GET" or path != "/v2/account":
            return _Answer(404, {"id": "not_found", "message": "The resource you requested "
                                 "could not be found."})
        t = self._lookup(self._bearer(headers))
        if t is None:
            return _Answer(401, {"id": "Unauthorized", "message": "Unable to authenticate you"})
        if (other := self._transient(t)) is not None:
            return other
        if t.behaviour == "no_permission":
            return _Answer(403, {"id": "Forbidden", "message": "You are not authorized to "
                                 "perform this operation"})
        return _Answer(200, {"account": {
            "droplet_limit": 25, "floating_ip_limit": 5, "email": f"{t.name}@example.com",
            "name": "Sammy the Shark", "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
            "email_verified": True, "status": "active", "status_message": " ",
            "team": {"uuid": "5df3e3004a17e242b7c20ca6c9fc25b701a47ece", "name": "My Team"}}})

    def _cloudflare(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        def envelope(result: object) -> dict[str, object]:
            return {"success": True, "errors": [], "messages": [], "result": result}

        invalid = _Answer(401, {"success": False, "errors": [
            {"code": 1000, "message": "Invalid API Token"}], "messages": [], "result": None})
        routes = ("/client/v4/user/tokens/verify", "/client/v4/accounts",
                  f"/client/v4/accounts/{CLOUDFLARE_ACCOUNT}/tokens/verify")
        if method != "GET" or path not in routes:
            return _Answer(404, {"success": False, "errors": [
                {"code": 7003, "message": "No route for that URI"}], "result": None})
        token = self._bearer(headers)
        t = self._lookup(token)
        if t is None or token is None:
            return invalid
        account_token = token.startswith("cfat_")
        if path == routes[1]:
            if not account_token:
                return _Answer(200, envelope([]))
            return _Answer(200, envelope([{"id": CLOUDFLARE_ACCOUNT, "name": "Demo Account"}]))
        if account_token != (path == routes[2]):
            return invalid  # a user token on the account endpoint, or the reverse
        if (other := self._transient(t)) is not None:
            return other
        status = "expired" if t.behaviour == "expired" else "active"
        return _Answer(200, envelope({"id": "f267e341f3dd4697bd3b9f71dd96247f",
                                      "status": status, "not_before": "2018-07-01T05:20:00Z",
                                      "expires_on": "2030-01-01T00:00:00Z"}))

    def _openai_like(self, path: str, method: str, want: str,
                     headers: dict[str, str]) -> tuple[Token | None, _Answer | None]:
        if method != "GET" or path != want:
            return None, _Answer(404, {"error": {"message": f"Invalid URL (GET {path})",
                                                 "type": "invalid_request_error",
                                                 "param": None, "code": None}})
        t = self._lookup(self._bearer(headers))
        if t is None:
            return None, _Answer(401, {"error": {
                "message": "Incorrect API key provided. You can find your API key at "
                           "https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})
        return t, self._transient(t)

    def _openai(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        t, early = self._openai_like(path, method, "/v1/models", headers)
        if early is not None or t is None:
            return early or _Answer(500, {})
        if t.behaviour == "no_permission":
            return _Answer(403, {"error": {
                "message": "You have insufficient permissions for this operation. Missing "
                           "scopes: api.model.read. Check that you have the correct role in "
                           "your organization (Reader, Writer, Owner) and project (Member, "
                           "Owner), and if you're using a restricted API key, that it has the "
                           "necessary scopes.",
                "type": "invalid_request_error", "param": None, "code": None}})
        if t.behaviour == "no_quota":
            return _Answer(429, {"error": {
                "message": "You exceeded your current quota, please check your plan and "
                           "billing details.", "type": "insufficient_quota", "param": None,
                "code": "insufficient_quota"}})
        return _Answer(200, {"object": "list", "data": [
            {"id": "gpt-4o-mini", "object": "model", "created": 1721172741,
             "owned_by": "system"},
            {"id": "text-embedding-3-small", "object": "model", "created": 1705948997,
             "owned_by": "system"}]},
            {"openai-organization": "org-deployer", "openai-project": "proj_abc123"})

    def _dashscope(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        t, early = self._openai_like(path, method, "/compatible-mode/v1/models", headers)
        if early is not None or t is None:
            return early or _Answer(500, {})
        return _Answer(200, {"object": "list", "data": [
            {"id": "qwen-plus", "object": "model", "created": 1745308800,
             "owned_by": "system"}]})

    def _anthropic(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        def error(status: int, kind: str, message: str) -> _Answer:
            return _Answer(status, {"type": "error", "error": {"type": kind,
                                                               "message": message}})

        if method != "GET" or path != "/v1/models":
            return error(404, "not_found_error", "Not found")
        if headers.get("anthropic-version") != ANTHROPIC_VERSION:
            return error(400, "invalid_request_error",
                         "anthropic-version: header is required")
        t = self._lookup(headers.get("x-api-key"))
        if t is None:
            return error(401, "authentication_error", "invalid x-api-key")
        if (other := self._transient(t)) is not None:
            return other
        if t.behaviour == "no_permission":
            return error(403, "permission_error",
                         "Your API key does not have permission to use the specified resource.")
        return _Answer(200, {"data": [{"type": "model", "id": "claude-sonnet-4-20250514",
                                       "display_name": "Claude Sonnet 4",
                                       "created_at": "2025-05-22T00:00:00Z"}],
                             "has_more": False, "first_id": "claude-sonnet-4-20250514",
                             "last_id": "claude-sonnet-4-20250514"},
                       {"anthropic-organization-id": "8c1ee5a6-1b0c-4b2e-9a7f-0d2c1f6e3b21"})

    def _huggingface(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        if method != "GET" or path != "/api/whoami-v2":
            return _Answer(404, {"error": "Sorry, we can't find the page you are looking for."})
        t = self._lookup(self._bearer(headers))
        if t is None:
            return _Answer(401, {"error": "Invalid credentials in Authorization header"})
        if (other := self._transient(t)) is not None:
            return other
        return _Answer(200, {"type": "user", "id": "64f1c2d3e4a5b6c7d8e9f001", "name": t.name,
                             "fullname": "Deploy Er", "isPro": False, "orgs": [],
                             "auth": {"type": "access_token", "accessToken": {
                                 "displayName": "ci-read", "role": "read",
                                 "createdAt": "2024-03-01T10:00:00.000Z"}}})

    def _slack(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        # https://api.slack.com/methods/auth.test: HTTP 200 either way, "ok" tells
        if path != "/api/auth.test":
            return _Answer(404, {"ok": False, "error": "unknown_method"})
        token = self._bearer(headers)
        if token is None:
            return _Answer(200, {"ok": False, "error": "not_authed"})
        t = self.tokens.get(token)
        if t is None:
            return _Answer(200, {"ok": False, "error": "invalid_auth"})
        if t.behaviour == "revoked":
            return _Answer(200, {"ok": False, "error": "token_revoked"})
        if (other := self._transient(t)) is not None:
            return other
        return _Answer(200, {"ok": True, "url": "https://subarachnoid.slack.com/",
                             "team": "Subarachnoid Workspace", "user": t.name,
                             "team_id": "T12345678", "user_id": "W12345678"})

    def _stripe(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        if method != "GET" or path != "/v1/balance":
            return _Answer(404, {"error": {"type": "invalid_request_error",
                                           "message": f"Unrecognized request URL (GET: {path})."}})
        t = self._lookup(self._bearer(headers))
        if t is None:
            return _Answer(401, {"error": {"type": "invalid_request_error",
                                           "message": "Invalid API Key provided: sk_live_****"}})
        if (other := self._transient(t)) is not None:
            return other
        if t.behaviour == "no_permission":
            return _Answer(403, {"error": {
                "type": "invalid_request_error",
                "message": "The provided key does not have the required permissions for this "
                           "endpoint on account 'acct_1032D82eZvKYlo2C'."}})
        return _Answer(200, {"object": "balance", "livemode": True,
                             "available": [{"amount": 0, "currency": "usd",
                                            "source_types": {"card": 0}}],
                             "pending": [{"amount": 0, "currency": "usd",
                                          "source_types": {"card": 0}}]})

    def _sendgrid(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        if method != "GET" or path != "/v3/scopes":
            return _Answer(404, {"errors": [{"field": None, "message": "resource not found"}]})
        t = self._lookup(self._bearer(headers))
        if t is None:
            return _Answer(401, {"errors": [{"field": None,
                                             "message": "authorization required"}]})
        if (other := self._transient(t)) is not None:
            return other
        if t.behaviour == "no_permission":
            return _Answer(403, {"errors": [{"field": None, "message": "access forbidden"}]})
        return _Answer(200, {"scopes": ["mail.send", "alerts.read", "stats.read"]})


def _handler_for(fake: FakeTokens) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            self.read_body()
            headers = self.lower_headers()
            fake.record(Request(self.command, self.path, headers))
            ans = fake.answer(self.command, urlsplit(self.path).path, headers)
            self.send_answer(ans.status, ans.body, ans.headers)

    return Handler
