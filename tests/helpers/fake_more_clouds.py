"""A fake of the Yandex Cloud, Exoscale and OVHcloud endpoints keysweep verifies against, on
127.0.0.1.

One server answers like all four APIs, told apart by what each protocol puts in a request:
``Authorization: Bearer`` on ``/resource-manager/v1/clouds`` is Yandex Resource Manager,
``AWS4-HMAC-SHA256`` with a ``ru-central1/s3`` scope on ``/`` Yandex Object Storage,
``EXO2-HMAC-SHA256`` on ``/v2/organization`` Exoscale, a ``/1.0/auth/`` path OVHcloud (its
``/auth/time`` unauthenticated, ``/auth/currentCredential`` signed "$1$" + SHA1).
Signatures are recomputed from the request as received with the secret the fake knows for
the key, written out here independently of ``scanner.verifiers`` so a shared signing bug
cannot make both sides agree; a mismatch gets the provider's bad-signature answer and is
counted. The answers use each provider's documented shapes: google.rpc.Status JSON for Yandex
APIs, S3 XML errors for Object Storage, ``{"message": ...}`` for Exoscale, ``{"errorCode",
"httpCode", "message"}`` for OVHcloud. Every raw request is kept."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote, urlsplit

from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "no_permission", "unavailable", "throttled", "expired")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
EXOSCALE_BAD = "Invalid request signature"


@dataclass
class Account:
    secret: str = field(repr=False)  # for a bearer token: unused
    behaviour: str = "active"
    consumer: str = field(default="", repr=False)  # OVHcloud: the consumer key it knows

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


@dataclass(frozen=True)
class Received:
    provider: str
    key: str  # the key ID or token the request was made with
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names lower-cased
    raw: str = field(repr=False)


class FakeMoreClouds(LoopbackServer):
    def __init__(self, accounts: dict[str, Account] | None = None) -> None:
        self.accounts: dict[str, Account] = dict(accounts or {})
        self.received: list[Received] = []
        self.signature_failures: Counter[str] = Counter()
        self._listen(_handler_for(self))

    def url_for(self, provider: str) -> str:
        """The base URL to give ``--verify-endpoint``: Exoscale's carries its /v2 base path."""
        return self.url + {"exoscale": "/v2", "ovhcloud": "/1.0"}.get(provider, "")

    def record(self, r: Received) -> None:
        with self._lock:
            self.received.append(r)

    def sent_by(self, key: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.key == key]

    def log_text(self) -> str:
        with self._lock:
            return "\n".join(r.raw for r in self.received)

    def bad_signature(self, provider: str) -> None:
        with self._lock:
            self.signature_failures[provider] += 1


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def _handler_for(fake: FakeMoreClouds) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            self.raw = (f"{self.command} {self.path}\n{self.headers}\n"
                        f"{self.body.decode('utf-8', 'replace')}")
            auth = self.headers.get("Authorization", "")
            if parts.path.startswith("/1.0/auth/"):
                self._ovh(parts.path, parts.query)
            elif auth.startswith("EXO2-HMAC-SHA256 "):
                self._exoscale(parts.path, parts.query)
            elif auth.startswith("AWS4-HMAC-SHA256 "):
                self._storage(parts.path, parts.query)
            elif parts.path.startswith("/resource-manager/"):
                self._resource_manager(parts.path, parts.query)
            else:
                self._keep("unknown", "", parts.path, parts.query)
                self._send(400, "application/json", json.dumps({"message": "unrecognised"}))

        def _keep(self, provider: str, key: str, path: str, query: str) -> None:
            fake.record(Received(provider, key, self.command, path, query,
                                 {k.lower(): v for k, v in self.headers.items()}, self.raw))

        def _send(self, status: int, content_type: str, data: str,
                  extra: dict[str, str] | None = None) -> None:
            self.send_answer(status, data, extra, content_type)

        # -- Yandex Resource Manager: Cloud.list with an IAM token ---------------------------

        def _resource_manager(self, path: str, query: str) -> None:
            def status(http: int, code: int, message: str) -> None:
                # google.rpc.Status, as the Yandex Cloud API answers REST errors
                self._send(http, "application/json", json.dumps({
                    "code": code, "message": message, "details": [{
                        "@type": "type.googleapis.com/google.rpc.RequestInfo",
                        "requestId": str(uuid.uuid4())}]}))

            scheme, _, token = self.headers.get("Authorization", "").partition(" ")
            self._keep("yandex-cloud-iam", token, path, query)
            if self.command != "GET" or path != "/resource-manager/v1/clouds":
                return status(404, 5, "Not found")
            account = fake.accounts.get(token) if scheme == "Bearer" else None
            if account is None:  # unknown, revoked, expired, or not sent as a bearer
                return status(401, 16, "Token is invalid or has expired.")
            if account.behaviour == "no_permission":
                return status(403, 7, "Permission denied")
            if account.behaviour == "throttled":
                return status(429, 8, "Too many requests")
            if account.behaviour == "unavailable":
                return status(503, 14, "Service is unavailable")
            self._send(200, "application/json", json.dumps({"clouds": [
                {"id": "b1gq8r0s4t6v2w9x3y5z", "createdAt": "2024-03-01T08:00:00Z",
                 "name": "deployer-cloud", "description": "",
                 "organizationId": "bpf7m3n5p8k2j4h6f0d1", "labels": {}},
                {"id": "b1g2a4c6e8g0i2k4m6o8", "createdAt": "2024-05-11T10:20:00Z",
                 "name": "staging", "description": "",
                 "organizationId": "bpf7m3n5p8k2j4h6f0d1", "labels": {}}]}))

        # -- Yandex Object Storage: listBuckets signed with SigV4 ----------------------------

        def _storage(self, path: str, query: str) -> None:
            rid = uuid.uuid4().hex[:16]

            def error(http: int, code: str, message: str) -> None:
                self._send(http, "application/xml", (
                    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>'
                    f"{code}</Code><Message>{message}</Message><Resource>{path}</Resource>"
                    f"<RequestId>{rid}</RequestId></Error>"), {"x-amz-request-id": rid})

            m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/ru-central1/s3/"
                             r"aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?"
                             r"Signature=([0-9a-f]{64})", self.headers.get("Authorization", ""))
            if not m:
                self._keep("yandex-cloud-storage", "", path, query)
                return error(400, "InvalidRequest", "Use AWS4-HMAC-SHA256.")
            key_id, date, signed, signature = m.groups()
            self._keep("yandex-cloud-storage", key_id, path, query)
            if self.command != "GET" or path != "/" or query:
                return error(405, "MethodNotAllowed", "not a listBuckets request")
            account = fake.accounts.get(key_id)
            if account is None:
                return error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided "
                             "does not exist in our records.")
            names = signed.split(";")
            amz_date = self.headers.get("X-Amz-Date", "")
            if not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(names) \
                    or amz_date[:8] != date:
                return error(403, "AccessDenied", "host, date and payload hash must be signed")
            headers = "".join(f"{n}:{' '.join((self.headers.get(n) or '').split())}\n"
                              for n in names)
            canonical = "\n".join(["GET", quote(path, safe="/-_.~"), "", headers, signed,
                                   self.headers.get("X-Amz-Content-Sha256", "")])
            to_sign = (f"AWS4-HMAC-SHA256\n{amz_date}\n{date}/ru-central1/s3/aws4_request\n"
                       f"{_sha256(canonical)}")
            key = ("AWS4" + account.secret).encode()
            for part in (date, "ru-central1", "s3", "aws4_request"):
                key = _hmac(key, part)
            if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256)
                                       .hexdigest(), signature):
                fake.bad_signature("yandex-cloud-storage")
                return error(403, "SignatureDoesNotMatch", "The request signature we "
                             "calculated does not match the signature you provided.")
            if account.behaviour == "no_permission":
                return error(403, "AccessDenied", "Access Denied")
            if account.behaviour == "throttled":
                return error(429, "TooManyRequests", "Reduce your request rate.")
            if account.behaviour == "unavailable":
                return error(503, "ServiceUnavailable", "Please reduce your request rate.")
            self._send(200, "application/xml", (
                '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult '
                'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets>'
                "<Bucket><Name>deployer-media</Name>"
                "<CreationDate>2024-03-01T08:00:00.000Z</CreationDate></Bucket>"
                "<Bucket><Name>deployer-logs</Name>"
                "<CreationDate>2024-05-11T10:20:00.000Z</CreationDate></Bucket>"
                "</Buckets></ListAllMyBucketsResult>"), {"x-amz-request-id": rid})

        # -- Exoscale: get-organization signed EXO2-HMAC-SHA256 -----------------------------

        def _exoscale(self, path: str, query: str) -> None:
            def message(http: int, text: str) -> None:
                self._send(http, "application/json", json.dumps({"message": text}))

            pragmas = dict(p.split("=", 1) for p in
                           self.headers["Authorization"][len("EXO2-HMAC-SHA256 "):].split(",")
                           if "=" in p)
            key = pragmas.get("credential", "")
            self._keep("exoscale", key, path, query)
            if self.command != "GET" or path != "/v2/organization":
                return message(404, "Not found")
            account = fake.accounts.get(key)
            expires = pragmas.get("expires", "")
            params = dict(parse_qsl(query, keep_blank_values=True))
            signed_args = [a for a in pragmas.get("signed-query-args", "").split(";") if a]
            text = "\n".join([f"{self.command} {path}", self.body.decode(),
                              "".join(params.get(a, "") for a in signed_args), "", expires])
            expected = base64.b64encode(_hmac((account.secret if account else "").encode(),
                                              text)).decode()
            if account is None or not expires.isdigit() or int(expires) < time.time():
                return message(403, EXOSCALE_BAD)
            if not hmac.compare_digest(expected, pragmas.get("signature", "")):
                fake.bad_signature("exoscale")
                return message(403, EXOSCALE_BAD)
            if account.behaviour == "no_permission":
                return message(403, "Operation get-organization is not allowed by the role "
                                    "of this API key")
            if account.behaviour == "throttled":
                return message(429, "Too many requests")
            if account.behaviour == "unavailable":
                return message(503, "Service unavailable")
            self._send(200, "application/json", json.dumps({
                "id": "5f3c2a1b-8d7e-4f60-9a1b-2c3d4e5f6a7b", "name": "deployer-org",
                "address": "Rue du Test 1", "postcode": "1000", "city": "Lausanne",
                "country": "CH", "balance": 0.0, "currency": "CHF"}))

        # -- OVHcloud: /auth/time, then /auth/currentCredential signed "$1$" + SHA1 ----------

        def _ovh(self, path: str, query: str) -> None:
            def error(http: int, code: str, message: str) -> None:
                status_text = {400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests",
                               503: "Service Unavailable"}[http]
                self._send(http, "application/json", json.dumps({
                    "errorCode": code, "httpCode": f"{http} {status_text}",
                    "message": message}), {"X-Ovh-QueryId": f"EU.ext-1.{uuid.uuid4().hex[:8]}"})

            app_key = self.headers.get("X-Ovh-Application", "")
            self._keep("ovhcloud", app_key, path, query)
            if self.command == "GET" and path == "/1.0/auth/time":
                return self._send(200, "application/json", str(int(time.time())))
            if self.command != "GET" or path != "/1.0/auth/currentCredential":
                return error(400, "INVALID_PATH", "Got an invalid (or empty) URL")
            account = fake.accounts.get(app_key)
            if account is None or not account.consumer:
                return error(403, "INVALID_KEY", "This application key is invalid")
            consumer = self.headers.get("X-Ovh-Consumer", "")
            if consumer != account.consumer:
                return error(403, "INVALID_CREDENTIAL", "This credential is not valid")
            stamp = self.headers.get("X-Ovh-Timestamp", "")
            url = f"http://{self.headers.get('Host')}{path}"
            text = "+".join([account.secret, consumer, "GET", url, "", stamp])
            want = "$1$" + hashlib.sha1(text.encode()).hexdigest()
            if not stamp.isdigit() or abs(int(stamp) - time.time()) > 180:
                return error(400, "QUERY_TIME_OUT", "Query out of time")
            if not hmac.compare_digest(want, self.headers.get("X-Ovh-Signature", "")):
                fake.bad_signature("ovhcloud")
                return error(400, "INVALID_SIGNATURE", "Invalid signature")
            if account.behaviour == "no_permission":
                return error(403, "NOT_GRANTED_CALL", "This call has not been granted")
            if account.behaviour == "throttled":
                return error(429, "QUERY_LIMIT_REACHED", "Too many requests")
            if account.behaviour == "unavailable":
                return error(503, "SERVICE_UNAVAILABLE", "Service unavailable")
            self._send(200, "application/json", json.dumps({
                "credentialId": 418392211, "applicationId": 204517,
                "status": "expired" if account.behaviour == "expired" else "validated",
                "creation": "2024-03-01T08:00:00+01:00", "expiration": None,
                "lastUse": "2024-06-11T10:20:00+01:00", "ovhSupport": False,
                "allowedIPs": None, "rules": [{"method": "GET", "path": "/*"},
                                              {"method": "POST", "path": "/domain/*"}]}))

    return Handler
