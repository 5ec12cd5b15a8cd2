"""A fake of an Akamai API host (``akab-….luna.akamaiapis.net``) on 127.0.0.1, for the
EdgeGrid credentials keysweep verifies.

It answers ``GET /identity-management/v3/api-clients/self`` the way the Identity and Access
Management API v3 documents it, after checking each request's EdgeGrid v1 signature for
real: the Authorization header must be ``EG1-HMAC-SHA256 client_token=…;access_token=…;
timestamp=…;nonce=…;signature=…`` naming a client token and access token it knows, the
timestamp (yyyyMMddTHH:mm:ss+0000) within five minutes, and the signature must equal the one
it recomputes from the request as received (method, scheme http, the Host header, the path
and query, no signed headers, no content hash, the header up to the signature) with the
client secret it keeps. All of it is written here independently of ``scanner.verifiers``, so
a shared bug cannot make both sides agree. A failed check is 401 with a Problem Details body
("Invalid timestamp" for a timestamp out of the window, else "The signature does not match")
and is counted; after a valid signature a client set to ``no_permission`` gets 403 and one set
to ``deactivated`` 401 "Inactive client token"."""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "no_permission", "unavailable", "deactivated")
SELF = "/identity-management/v3/api-clients/self"
DENY = "https://problems.luna.akamaiapis.net/-/pep-authn/deny"


@dataclass
class Client:
    access_token: str
    secret: str = field(repr=False)
    name: str = "cdn-purge-bot"
    client_id: str = "q7m2xk4tdw9rbn3c"
    behaviour: str = "active"

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


@dataclass(frozen=True)
class Received:
    client_token: str  # "" when the header did not parse
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    raw: str = field(repr=False)


def parse_header(value: str) -> dict[str, str] | None:
    """The name=value fields after the moniker, or None."""
    moniker, _, rest = value.partition(" ")
    if moniker != "EG1-HMAC-SHA256":
        return None
    fields = {}
    for item in rest.split(";"):
        if item:
            name, eq, val = item.partition("=")
            if not eq:
                return None
            fields[name] = val
    return fields


def expected_signature(secret: str, method: str, host: str, target: str, header: str,
                       stamp: str) -> str:
    """What the signature must be: HMAC-SHA-256 over the tab-joined request fields, keyed
    with base64(HMAC-SHA-256(secret, timestamp))."""
    key = base64.b64encode(hmac.new(secret.encode(), stamp.encode(), "sha256").digest())
    fields = [method.upper(), "http", host.lower(), target, "", "", header]
    mac = hmac.new(key, "\t".join(fields).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


class FakeAkamai(LoopbackServer):
    def __init__(self, clients: dict[str, Client] | None = None) -> None:
        self.clients: dict[str, Client] = dict(clients or {})  # by client token
        self.signature_failures: Counter[str] = Counter()
        self._listen(_handler_for(self))

    def sent_by(self, client_token: str) -> list[Received]:
        return self.recorded(lambda r: r.client_token == client_token)

    def authenticate(self, method: str, target: str, headers: dict[str, str]) -> str | None:
        """The client token whose secret signed the request, or None, or "stale" for a
        timestamp more than five minutes off (both counted)."""
        token = self._check(method, target, headers)
        if token in (None, "stale"):
            with self._lock:
                self.signature_failures["akamai"] += 1
        return token

    def _check(self, method: str, target: str, headers: dict[str, str]) -> str | None:
        # "stale" is returned before the signature is checked, as a gateway would.
        value = headers.get("authorization", "")
        fields = parse_header(value)
        if fields is None or list(fields) != ["client_token", "access_token", "timestamp",
                                               "nonce", "signature"]:
            return None
        client = self.clients.get(fields["client_token"])
        if client is None or client.access_token != fields["access_token"]:
            return None
        stamp = fields["timestamp"]
        try:
            sent_at = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H:%M:%S+0000"))
        except ValueError:
            return None
        if abs(time.time() - sent_at) > 300:
            return "stale"
        if not fields["nonce"]:
            return None
        header = value[:value.rindex("signature=")]
        want = expected_signature(client.secret, method, headers.get("host", ""), target,
                                  header, stamp)
        if not hmac.compare_digest(want, fields["signature"]):
            return None
        return fields["client_token"]


def _handler_for(fake: FakeAkamai) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            self.read_body()
            headers = self.lower_headers()
            fields = parse_header(headers.get("authorization", "")) or {}
            raw = f"{self.command} {self.path}\n" + "\n".join(
                f"{k}: {v}" for k, v in headers.items())
            fake.record(Received(fields.get("client_token", ""), self.command, self.path,
                                 headers, raw))
            if self.command != "GET" or self.path.split("?")[0] != SELF:
                return self.problem(404, "Not Found", "The requested resource is not found")
            token = fake.authenticate(self.command, self.path, headers)
            if token is None:
                return self.problem(401, "Not authorized", "The signature does not match",
                                    DENY)
            if token == "stale":
                return self.problem(401, "Not authorized", "Invalid timestamp", DENY)
            client = fake.clients[token]
            if client.behaviour == "deactivated":
                return self.problem(401, "Not authorized", "Inactive client token", DENY)
            if client.behaviour == "unavailable":
                return self.problem(503, "Service Unavailable", "Try again later")
            if client.behaviour == "no_permission":
                return self.problem(403, "Forbidden",
                                    "You don't have access to this resource")
            query = self.path.partition("?")[2].split("&")
            body: dict[str, object] = {
                "clientId": client.client_id, "clientName": client.name,
                "clientType": "CLIENT", "createdBy": "ops-lead", "isLocked": False,
                "allowAccountSwitch": False, "activeCredentialCount": 2,
                "authorizedUsers": ["ops-lead"],
                "createdDate": "2025-06-02T11:40:17.000Z"}
            if "apiAccess=true" in query:
                body["apiAccess"] = {"allAccessibleApis": False, "apis": [
                    {"apiId": 7101, "apiName": "Fast Purge API", "accessLevel": "READ-WRITE",
                     "endPoint": "/ccu"},
                    {"apiId": 7102, "apiName": "Reporting API", "accessLevel": "READ-ONLY",
                     "endPoint": "/reporting-api"}]}
            if "groupAccess=true" in query:
                body["groupAccess"] = {"cloneAuthorizedUserGroups": False, "groups": [
                    {"groupId": 40112, "groupName": "web-properties", "roleName": "Editor"}]}
            return self.send_answer(200, body)

        def problem(self, status: int, title: str, detail: str,
                    kind: str = "https://problems.luna.akamaiapis.net/-/error") -> None:
            self.send_answer(status, {"type": kind, "title": title, "detail": detail,
                                      "status": status, "instance": self.path,
                                      "method": self.command, "requestId": "4f2a9c1"},
                             content_type="application/problem+json")

    return Handler
