"""Fakes of the cloud and hosting APIs ``scanner/verifiers/cloud_apis.py`` asks, one loopback
server per provider on 127.0.0.1.

Each fake takes the credential only the way its provider documents (a bearer token;
Civo's ``bearer``; Heroku's bearer with its versioned ``Accept``; Scaleway's ``X-Auth-Token``
with the access key in the path; B2's basic auth of the key pair; IBM's form body with the
API-key grant), only on the provider's real method and path, and answers with the JSON its
documentation shows: the identity for a live key, the provider's "bad credentials" answer for
a revoked, unknown or wrongly presented one, its "not permitted" answer where it has one, 429
or 503. Every value here is made up for these tests. Every request is recorded so tests can
check where a credential went."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "revoked", "no_permission", "throttled", "unavailable", "expired")
PROVIDERS = ("hetzner", "vultr", "linode", "heroku", "terraform", "civo", "upcloud",
             "scaleway", "backblaze", "ibm")
HEROKU_ACCEPT = "application/vnd.heroku+json; version=3"
IBM_GRANT = "urn:ibm:params:oauth:grant-type:apikey"


@dataclass
class Key:
    """A credential the fake knows: ``key_id`` is the ID half of a pair (Scaleway's access
    key, B2's applicationKeyId); the fake is keyed by the secret."""

    behaviour: str = "active"
    key_id: str = ""
    name: str = "deployer"

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query
    headers: dict[str, str]  # names lower-cased
    body: bytes = b""

    def carries(self, value: str) -> bool:
        return value in self.path or value.encode() in self.body or any(
            value in v for v in self.headers.values())


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[["FakeCloudApis", Request], Answer]


class FakeCloudApis(LoopbackServer):
    """``with FakeCloudApis("vultr", {key: Key()}) as fake:`` then
    ``--verify-endpoint vultr=<fake.url>``."""

    def __init__(self, provider: str, keys: dict[str, Key] | None = None) -> None:
        assert provider in PROVIDERS, provider
        self.provider = provider
        self.keys: dict[str, Key] = dict(keys or {})
        self._listen(_handler_for(self))

    def received(self, value: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.carries(value)]

    def answer(self, r: Request) -> Answer:
        route: Route = ROUTES[self.provider]
        return route(self, r)

    # -- helpers the routes share -------------------------------------------------------------

    def lookup(self, secret: str | None, key_id: str | None = None) -> Key | None:
        """The live (or limited, throttled ...) key for a secret, None if unknown or revoked
        or if the ID half does not belong to it."""
        if not secret:
            return None
        k = self.keys.get(secret)
        if k is None or k.behaviour == "revoked" or (key_id is not None and k.key_id != key_id):
            return None
        return k

    @staticmethod
    def bearer(r: Request, scheme: str = "Bearer") -> str | None:
        got, _, value = r.headers.get("authorization", "").partition(" ")
        # Civo documents "bearer"; auth schemes are case-insensitive (RFC 9110 11.1)
        return value if got.lower() == scheme.lower() and value else None

    @staticmethod
    def transient(k: Key, throttled: Answer, unavailable: Answer) -> Answer | None:
        if k.behaviour == "throttled":
            return throttled
        if k.behaviour == "unavailable":
            return unavailable
        return None


def _path(r: Request) -> str:
    return urlsplit(r.path).path


def _basic(r: Request) -> tuple[str, str]:
    """(user, password) of an ``Authorization: Basic`` header, or two empty strings."""
    scheme, _, encoded = r.headers.get("authorization", "").partition(" ")
    if scheme != "Basic":
        return "", ""
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""  # not basic auth at all: the provider answers 401
    return user, password


# -- the providers ----------------------------------------------------------------------------


def _hetzner(fake: FakeCloudApis, r: Request) -> Answer:
    def error(status: int, code: str, message: str) -> Answer:
        return Answer(status, {"error": {"code": code, "message": message, "details": {}}},
                      {"X-Correlation-Id": "5a1c3f0e9b2d4c7a"})

    if r.method != "GET" or _path(r) != "/v1/servers":
        return error(404, "not_found", "not found")
    k = fake.lookup(fake.bearer(r))
    if k is None:
        return error(401, "unauthorized", "unable to authenticate")
    if t := fake.transient(k, error(429, "rate_limit_exceeded", "limit of 3600 requests per "
                                    "hour reached"), error(503, "unavailable", "try again")):
        return t
    if k.behaviour == "no_permission":
        return error(403, "forbidden", "insufficient permissions for this request")
    server = {"id": 4711, "name": "ledger-1", "status": "running",
              "created": "2025-03-14T09:26:53+00:00", "labels": {}}
    return Answer(200, {"servers": [server], "meta": {"pagination": {
        "page": 1, "per_page": 1, "previous_page": None, "next_page": 2, "last_page": 7,
        "total_entries": 7}}})


def _vultr(fake: FakeCloudApis, r: Request) -> Answer:
    if r.method != "GET" or _path(r) != "/v2/account":
        return Answer(404, {"error": "Not found", "status": 404})
    k = fake.lookup(fake.bearer(r))
    if k is None:
        return Answer(401, {"error": "Invalid API token.", "status": 401})
    if t := fake.transient(k, Answer(429, {"error": "Rate limit reached", "status": 429}),
                           Answer(503, {"error": "Service unavailable", "status": 503})):
        return t
    return Answer(200, {"account": {
        "name": k.name, "email": f"{k.name}@harbor-lights.example",
        "acls": ["manage_users", "subscriptions", "billing"], "balance": -42.17,
        "pending_charges": 3.08, "last_payment_date": "2025-09-01T04:02:11+00:00",
        "last_payment_amount": -50}})


def _linode(fake: FakeCloudApis, r: Request) -> Answer:
    def errors(status: int, reason: str) -> Answer:
        return Answer(status, {"errors": [{"reason": reason}]})

    if r.method != "GET" or _path(r) != "/v4/profile":
        return errors(404, "Not found")
    k = fake.lookup(fake.bearer(r))
    if k is None:
        return errors(401, "Invalid Token")
    if t := fake.transient(k, errors(429, "Too Many Requests"),
                           errors(503, "Service Unavailable")):
        return t
    return Answer(200, {"username": k.name, "email": f"{k.name}@harbor-lights.example",
                        "uid": 918273, "restricted": False, "timezone": "Europe/Berlin",
                        "two_factor_auth": True, "authentication_type": "password"})


def _heroku(fake: FakeCloudApis, r: Request) -> Answer:
    def error(status: int, ident: str, message: str) -> Answer:
        return Answer(status, {"id": ident, "message": message},
                      {"Request-Id": "0d3e7c2a-5b1f-4e8a-9c6d-2f4b8a1e7c30"})

    if r.method != "GET" or _path(r) != "/account":
        return error(404, "not_found", "Couldn't find that resource.")
    if r.headers.get("accept") != HEROKU_ACCEPT:
        return error(400, "bad_request", "Please specify a version in the Accept header.")
    k = fake.lookup(fake.bearer(r))
    if k is None:
        return error(401, "unauthorized", "Invalid credentials provided.")
    if t := fake.transient(k, error(429, "rate_limit", "Your account reached the API rate "
                                    "limit"), error(503, "unavailable", "Try again later.")):
        return t
    return Answer(200, {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                        "email": f"{k.name}@harbor-lights.example", "name": "Deploy Er",
                        "verified": True, "two_factor_authentication": True,
                        "created_at": "2021-06-01T12:00:00Z"})


def _terraform(fake: FakeCloudApis, r: Request) -> Answer:
    def error(status: int, title: str) -> Answer:
        return Answer(status, {"errors": [{"status": str(status), "title": title}]})

    if r.method != "GET" or _path(r) != "/api/v2/account/details":
        return error(404, "not found")
    k = fake.lookup(fake.bearer(r))
    if k is None:
        return error(401, "unauthorized")
    if t := fake.transient(k, error(429, "too many requests"), error(503, "unavailable")):
        return t
    return Answer(200, {"data": {"id": "user-V3R563qtJNcExAkN", "type": "users", "attributes": {
        "username": k.name, "is-service-account": False, "auth-method": "tfc",
        "avatar-url": "https://www.gravatar.com/avatar/0?s=100&d=mm",
        "two-factor": {"enabled": True, "verified": True},
        "email": f"{k.name}@harbor-lights.example", "unconfirmed-email": None,
        "has-git-hub-app-token": False, "is-site-admin": False}}})


def _civo(fake: FakeCloudApis, r: Request) -> Answer:
    if r.method != "GET" or _path(r) != "/v2/quota":
        return Answer(404, {"reason": "Not found"})
    k = fake.lookup(fake.bearer(r, "bearer"))
    if k is None:
        return Answer(403, {"reason": "Unauthorized: the API key is not valid"})
    if t := fake.transient(k, Answer(429, {"reason": "Too many requests"}),
                           Answer(503, {"reason": "Service unavailable"})):
        return t
    return Answer(200, {"id": "3f9d2b8e-6a41-4c57-b0e2-91d7a5c3e864",
                        "default_user_id": "b1e8c2d4-7f3a-4e96-8d05-c2a9f6b3e711",
                        "default_user_email_address": f"{k.name}@harbor-lights.example",
                        "instance_count_limit": 16, "instance_count_usage": 4,
                        "cpu_core_limit": 10, "cpu_core_usage": 3})


def _upcloud(fake: FakeCloudApis, r: Request) -> Answer:
    def error(status: int, code: str, message: str) -> Answer:
        return Answer(status, {"error": {"error_code": code, "error_message": message}})

    if r.method != "GET" or _path(r) != "/1.3/account":
        return error(404, "NOT_FOUND", "The requested resource was not found.")
    # an API token as a bearer, or the API username and password as basic auth
    username, password = _basic(r)
    k = fake.lookup(password, username) if username else fake.lookup(fake.bearer(r))
    if k is None:
        return error(401, "AUTHENTICATION_FAILED", "Authentication failed using the given "
                     "credentials.")
    if t := fake.transient(k, error(429, "TOO_MANY_REQUESTS", "Slow down."),
                           error(503, "SERVICE_UNAVAILABLE", "Try again later.")):
        return t
    return Answer(200, {"account": {"credits": 9972.28, "username": k.key_id or k.name,
                                    "resource_limits": {"cores": 200, "memory": 1048576,
                                                        "networks": 100}}})


def _scaleway(fake: FakeCloudApis, r: Request) -> Answer:
    prefix = "/iam/v1alpha1/api-keys/"
    path = _path(r)
    if r.method != "GET" or not path.startswith(prefix):
        return Answer(404, {"message": "resource is not found", "type": "not_found"})
    secret = r.headers.get("x-auth-token")
    k = fake.keys.get(secret or "")
    if k is None or k.behaviour in ("revoked", "expired"):
        reason = "expired" if k is not None and k.behaviour == "expired" else "not_found"
        return Answer(401, {"message": "authentication is denied", "method": "api_key",
                            "reason": reason, "type": "denied_authentication"})
    if t := fake.transient(k, Answer(429, {"message": "too many requests",
                                           "type": "too_many_requests"}),
                           Answer(503, {"message": "service unavailable"})):
        return t
    access_key = path[len(prefix):]
    if k.behaviour == "no_permission":
        return Answer(403, {"message": "insufficient permissions", "type": "permissions_denied",
                            "details": [{"resource": "api_key", "action": "read"}]})
    if access_key != k.key_id:
        return Answer(404, {"message": "resource is not found", "resource": "api_key",
                            "resource_id": access_key, "type": "not_found"})
    return Answer(200, {"access_key": k.key_id, "secret_key": None, "application_id": None,
                        "user_id": "6e2b4c8a-1d3f-4a5b-9c7e-0f8d2a4b6c13",
                        "description": "ci deploys", "created_at": "2025-02-03T10:11:12Z",
                        "updated_at": "2025-02-03T10:11:12Z", "expires_at": None,
                        "default_project_id": "0c9a7e5b-3d1f-4b2a-8e6c-4a2d0f8b6e91",
                        "editable": True, "deletable": True, "managed": False,
                        "creation_ip": "192.0.2.10"})


def _backblaze(fake: FakeCloudApis, r: Request) -> Answer:
    def error(status: int, code: str, message: str) -> Answer:
        return Answer(status, {"status": status, "code": code, "message": message})

    if r.method != "GET" or _path(r) != "/b2api/v3/b2_authorize_account":
        return error(404, "not_found", "")
    key_id, secret = _basic(r)
    k = fake.lookup(secret, key_id)
    if k is None:
        return error(401, "unauthorized", "")
    if t := fake.transient(k, error(429, "too_many_requests", "Slow down"),
                           error(503, "service_unavailable", "Service temporarily "
                                 "unavailable")):
        return t
    limited = k.behaviour == "no_permission"
    return Answer(200, {
        "accountId": "9d0a490f3c68",
        "authorizationToken": "4_0029d0a490f3c680000000003_01a2b3c4_d5e6f7_acct_FAKEFAKEFAKE=",
        "applicationKeyExpirationTimestamp": None,
        "apiInfo": {"storageApi": {
            "absoluteMinimumPartSize": 5000000, "apiUrl": "https://api005.backblazeb2.com",
            "bucketId": "5f8a2c4e6b0d1a3c5e7f9b1d" if limited else None,
            "bucketName": "ledger-backups" if limited else None,
            "capabilities": ["listFiles", "readFiles"] if limited else
            ["listKeys", "writeKeys", "deleteKeys", "listBuckets", "writeFiles", "deleteFiles"],
            "downloadUrl": "https://f005.backblazeb2.com", "infoType": "storageApi",
            "namePrefix": None, "recommendedPartSize": 100000000,
            "s3ApiUrl": "https://s3.us-west-005.backblazeb2.com"}}})


def _ibm(fake: FakeCloudApis, r: Request) -> Answer:
    def error(status: int, code: str, message: str) -> Answer:
        return Answer(status, {"errorCode": code, "errorMessage": message,
                               "context": {"requestId": "aWFtLWZha2UtMDAx"}})

    if r.method != "POST" or _path(r) != "/identity/token":
        return error(404, "BXNIM0102E", "Not found")
    if r.headers.get("content-type") != "application/x-www-form-urlencoded":
        return error(400, "BXNIM0109E", "Property missing or empty. Property: grant_type")
    form = {name: values[0] for name, values in parse_qs(r.body.decode()).items()}
    if form.get("grant_type") != IBM_GRANT:
        return error(400, "BXNIM0109E", "Property missing or empty. Property: grant_type")
    k = fake.lookup(form.get("apikey"))
    if k is None:
        return error(400, "BXNIM0415E", "Provided API key could not be found.")
    if t := fake.transient(k, error(429, "BXNIM0429E", "Too many requests"),
                           error(503, "BXNIM0503E", "Service unavailable")):
        return t
    claims = {"iam_id": "iam-ServiceId-1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b",
              "id": "iam-ServiceId-1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b",
              "realmid": "iam", "sub": "ServiceId-1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b",
              "sub_type": "ServiceId", "name": k.name,
              "account": {"valid": True, "bss": "0123456789abcdef0123456789abcdef"},
              "iat": 1760000000, "exp": 1760003600, "iss": "https://iam.cloud.ibm.com/identity",
              "grant_type": IBM_GRANT, "scope": "ibm openid", "client_id": "default"}
    return Answer(200, {"access_token": _fake_jwt(claims), "refresh_token": "not_supported",
                        "token_type": "Bearer", "expires_in": 3600, "expiration": 1760003600,
                        "scope": "ibm openid"})


def _fake_jwt(claims: dict[str, object]) -> str:
    def part(doc: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")

    return f"{part({'kid': 'fake-1', 'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


ROUTES: dict[str, Route] = {"hetzner": _hetzner, "vultr": _vultr, "linode": _linode,
                            "heroku": _heroku, "terraform": _terraform, "civo": _civo,
                            "upcloud": _upcloud, "scaleway": _scaleway,
                            "backblaze": _backblaze, "ibm": _ibm}


def _handler_for(fake: FakeCloudApis) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            request = Request(self.command, self.path, self.lower_headers(), self.read_body())
            fake.record(request)
            ans = fake.answer(request)
            self.send_answer(ans.status, ans.body, ans.headers)

    return Handler
