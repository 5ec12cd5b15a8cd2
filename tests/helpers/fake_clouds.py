"""A fake of the Volcengine, Baidu AI Cloud, Kingsoft Cloud, Azure Blob Storage and Google
OAuth identity endpoints on 127.0.0.1, checking signatures the way those providers do.

Like ``fake_provider``, it recomputes each signature from the request as received with the
secret it knows for the key ID, written out here independently of ``scanner.verifiers`` so a
shared canonicalization bug cannot make both sides agree. The request's Authorization header
tells the provider: ``HMAC-SHA256 Credential=`` is Volcengine, ``bce-auth-v1/`` Baidu and
``AWS4-HMAC-SHA256`` with an ``/iam/aws4_request`` scope Kingsoft, ``SharedKey`` Azure;
``POST /token`` and ``GET /tokeninfo`` are Google. Every raw request is kept so tests can check
that no secret was sent."""

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
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlsplit

from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "disabled", "no_permission", "unavailable", "root")


@dataclass
class CloudAccount:
    secret: str = field(repr=False)
    behaviour: str = "active"
    account_id: str = "2100000001"
    name: str = "deployer"
    token: str | None = field(default=None, repr=False)  # a temporary key's session token

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


def _enc(s: str, safe: str = "-_.~") -> str:
    return quote(s, safe=safe)


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


@dataclass
class ServiceAccount:
    """A Google service account: the public half of its one registered key."""

    n: int
    e: int
    client_id: str = "108234567890123456789"
    disabled: bool = False


class FakeClouds(LoopbackServer):
    def __init__(self, accounts: dict[str, CloudAccount] | None = None) -> None:
        self.accounts: dict[str, CloudAccount] = dict(accounts or {})
        self.google: dict[str, ServiceAccount] = {}  # by client_email
        self.tokens: dict[str, tuple[str, str]] = {}  # access token -> (email, scope)
        self.providers: list[str] = []
        self.signature_failures: Counter[str] = Counter()  # per provider
        self.calls: Counter[str] = Counter()
        self._listen(_handler_for(self))


    def log_text(self) -> str:
        with self._lock:
            return "\n".join(self.requests)

    def record(self, provider: str, raw: str, key_id: str) -> None:
        with self._lock:
            self.requests.append(raw)
            self.providers.append(provider)
            self.calls[key_id] += 1

    def bad_signature(self, provider: str) -> None:
        with self._lock:
            self.signature_failures[provider] += 1


def _handler_for(fake: FakeClouds) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            auth = self.headers.get("Authorization", "")
            parts = urlsplit(self.path)
            raw = f"{self.command} {self.path}\n{self.headers}\n{body.decode('utf-8', 'replace')}"
            if self.command == "POST" and parts.path == "/token":
                self._google_token(body, raw)
            elif self.command == "GET" and parts.path == "/tokeninfo":
                self._google_tokeninfo(parts.query, raw)
            elif auth.startswith("SharedKey "):
                self._azure(parts.path, parts.query, raw)
            elif auth.startswith("HMAC-SHA256 "):
                self._volcengine(parts.path, parts.query, body, raw)
            elif auth.startswith("bce-auth-v1/"):
                self._baidu(parts.path, parts.query, raw)
            elif auth.startswith("AWS4-HMAC-SHA256 ") and "/iam/aws4_request" in auth:
                self._kingsoft(parts.path, parts.query, body, raw)
            else:
                fake.record("unknown", raw, "")
                self._json(400, {"message": "unrecognised request"})

        def _json(self, status: int, doc: object) -> None:
            self.send_answer(status, doc)

        def _v4_canonical(self, path: str, query: str, names: list[str], body: bytes,
                          trim: bool) -> str:
            canonical_query = "&".join(f"{k}={v}" for k, v in sorted(
                (_enc(k), _enc(v)) for k, v in parse_qsl(query, keep_blank_values=True)))
            lines = "".join(
                f"{n}:{' '.join((self.headers.get(n) or '').split()) if trim else self.headers.get(n) or ''}\n"  # noqa: E501
                for n in names)
            return "\n".join([self.command, path or "/", canonical_query, lines, ";".join(names),
                              _sha256(body)])

        # -- Volcengine: HMAC-SHA256, scope <date>/<region>/<service>/request ----------------

        def _volcengine(self, path: str, query: str, body: bytes, raw: str) -> None:
            rid = uuid.uuid4().hex.upper()

            def meta(extra: dict[str, object] | None = None) -> dict[str, object]:
                return {"RequestId": rid, "Action": "GetCallerIdentity",
                        "Version": "2018-01-01", "Service": "sts", "Region": "cn-beijing",
                        **(extra or {})}

            def error(status: int, code: str, message: str) -> None:
                self._json(status, {"ResponseMetadata": meta(
                    {"Error": {"Code": code, "Message": message}})})

            m = re.fullmatch(r"HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/request, "
                             r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
                             self.headers.get("Authorization", ""))
            if not m:
                fake.record("volcengine", raw, "")
                return error(400, "InvalidAuthorization", "Invalid 'Authorization' header")
            key_id, date, region, service, signed, signature = m.groups()
            fake.record("volcengine", raw, key_id)
            params = dict(parse_qsl(query))
            if (params.get("Action"), params.get("Version"), service) != \
                    ("GetCallerIdentity", "2018-01-01", "sts"):
                return error(404, "InvalidActionOrVersion", "Could not find operation")
            account = fake.accounts.get(key_id)
            if account is None or account.behaviour == "disabled":
                return error(401, "InvalidAccessKey",
                             f"The accesskey [{key_id}] included in the request is invalid.")
            if account.behaviour == "unavailable":
                return error(500, "InternalError", "Service has some internal Error.")
            names = signed.split(";")
            x_date = self.headers.get("X-Date", "")
            if "host" not in names or "x-date" not in names or x_date[:8] != date \
                    or self.headers.get("X-Content-Sha256") != _sha256(body):
                return error(400, "InvalidAuthorization", "host, X-Date and the body hash "
                             "must be signed")
            canonical = self._v4_canonical(path, query, names, body, trim=False)
            to_sign = f"HMAC-SHA256\n{x_date}\n{date}/{region}/{service}/request\n" \
                      f"{_sha256(canonical)}"
            key = account.secret.encode()
            for part in (date, region, service, "request"):
                key = _hmac(key, part)
            if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256)
                                       .hexdigest(), signature):
                fake.bad_signature("volcengine")
                return error(401, "SignatureDoesNotMatch", "The request signature we calculated "
                             "does not match the signature you provided.")
            if account.token is not None and ("x-security-token" not in names or
                                              self.headers.get("X-Security-Token")
                                              != account.token):
                return error(401, "InvalidSecretToken", "Invalid secret token, msg: expired.")
            if account.behaviour == "no_permission":
                return error(403, "AccessDenied", "User is not authorized to perform: "
                             "sts:GetCallerIdentity")
            root = account.behaviour == "root"
            self._json(200, {"ResponseMetadata": meta(), "Result": {
                "AccountId": int(account.account_id),
                "Trn": f"trn:iam::{account.account_id}:" + ("root" if root
                                                              else f"user/{account.name}"),
                "IdentityType": "Account" if root else "User",
                "IdentityId": account.account_id if root else "31000042"}})

        # -- Baidu AI Cloud: bce-auth-v1 on BOS ListBuckets -----------------------------------

        def _baidu(self, path: str, query: str, raw: str) -> None:
            rid = str(uuid.uuid4())

            def error(status: int, code: str, message: str) -> None:
                self._json(status, {"code": code, "message": message, "requestId": rid})

            parts = self.headers.get("Authorization", "").split("/")
            if len(parts) != 6:
                fake.record("baidu", raw, "")
                return error(400, "InvalidHTTPAuthHeader", "Authorization header malformed")
            _, key_id, timestamp, expiration, signed, signature = parts
            fake.record("baidu", raw, key_id)
            if path not in ("", "/") or query:
                return error(400, "InvalidURI", "Could not parse the specified URI.")
            account = fake.accounts.get(key_id)
            if account is None or account.behaviour == "disabled":
                return error(403, "InvalidAccessKeyId", "The Access Key ID you provided does "
                             "not exist in our records.")
            if account.behaviour == "unavailable":
                return error(500, "InternalError", "We encountered an internal error.")
            names = signed.split(";") if signed else ["host", "content-length", "content-type",
                                                      "content-md5"]
            if "host" not in names:
                return error(400, "InvalidHTTPAuthHeader", "host must be signed")
            lines = sorted(f"{_enc(n)}:{_enc((self.headers.get(n) or '').strip())}"
                           for n in names if (self.headers.get(n) or "").strip())
            canonical = "\n".join([self.command, _enc(unquote(path or "/"), "-_.~/"), "",
                                   "\n".join(lines)])
            prefix = f"bce-auth-v1/{key_id}/{timestamp}/{expiration}"
            signing_key = hmac.new(account.secret.encode(), prefix.encode(),
                                   hashlib.sha256).hexdigest()
            expected = hmac.new(signing_key.encode(), canonical.encode(),
                                hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, signature):
                fake.bad_signature("baidu")
                return error(403, "SignatureDoesNotMatch", "The request signature we calculated "
                             "does not match the signature you provided.")
            if account.token is not None and ("x-bce-security-token" not in names or
                                              self.headers.get("x-bce-security-token")
                                              != account.token):
                return error(400, "InvalidSessionToken", "The session token is invalid.")
            if account.behaviour == "no_permission":
                return error(403, "AccessDenied", "Access denied.")
            self._json(200, {"owner": {"id": account.account_id, "displayName": account.name},
                             "buckets": [{"name": "backups-7f", "location": "bj",
                                          "creationDate": "2024-03-01T08:00:00Z"}]})

        # -- Kingsoft Cloud: AWS SigV4 on IAM GetUser -----------------------------------------

        def _kingsoft(self, path: str, query: str, body: bytes, raw: str) -> None:
            rid = str(uuid.uuid4())

            def error(status: int, code: str, message: str) -> None:
                self._json(status, {"Error": {"Code": code, "Message": message},
                                    "RequestID": rid})

            m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/iam/"
                             r"aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?"
                             r"Signature=([0-9a-f]{64})", self.headers.get("Authorization", ""))
            if not m:
                fake.record("kingsoft", raw, "")
                return error(400, "IncompleteSignature", "Authorization header malformed")
            key_id, date, region, signed, signature = m.groups()
            fake.record("kingsoft", raw, key_id)
            params = dict(parse_qsl(query))
            if (params.get("Action"), params.get("Version")) != ("GetUser", "2015-11-01"):
                return error(400, "InvalidAction", "no such action")
            account = fake.accounts.get(key_id)
            if account is None or account.behaviour == "disabled":
                return error(403, "InvalidAccessKey", "The access key is invalid.")
            if account.behaviour == "unavailable":
                return error(503, "ServiceUnavailable", "Service is unavailable.")
            names = signed.split(";")
            amz_date = self.headers.get("X-Amz-Date", "")
            if "host" not in names or amz_date[:8] != date:
                return error(400, "IncompleteSignature", "Host and date must be signed")
            canonical = self._v4_canonical(path, query, names, body, trim=True)
            to_sign = (f"AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/iam/aws4_request\n"
                       f"{_sha256(canonical)}")
            key = ("AWS4" + account.secret).encode()
            for part in (date, region, "iam", "aws4_request"):
                key = _hmac(key, part)
            if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256)
                                       .hexdigest(), signature):
                fake.bad_signature("kingsoft")
                return error(403, "SignatureDoesNotMatch", "The request signature we "
                             "calculated does not match the signature you provided.")
            if account.behaviour == "no_permission":
                return error(403, "AccessDenied", "not authorized to perform iam:GetUser")
            self._json(200, {"GetUserResult": {"User": {
                "UserId": account.account_id, "UserName": account.name,
                "Krn": f"krn:ksc:iam::{account.account_id}:user/{account.name}",
                "CreateDate": "2024-03-01T08:00:00Z"}}, "ResponseMetadata": {"RequestId": rid}})

        # -- Google: OAuth 2.0 JWT-bearer grant (RS256) and tokeninfo --------------------------

        def _google_token(self, body: bytes, raw: str) -> None:
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}

            def error(status: int, code: str, description: str) -> None:
                self._json(status, {"error": code, "error_description": description})

            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                fake.record("gcp", raw, "")
                return error(400, "unsupported_grant_type", "Invalid grant_type: ")
            try:
                head_b64, claims_b64, sig_b64 = form.get("assertion", "").split(".")
                head = json.loads(_unb64url(head_b64))
                claims = json.loads(_unb64url(claims_b64))
                signature = _unb64url(sig_b64)
            except ValueError:
                fake.record("gcp", raw, "")
                return error(400, "invalid_grant", "Invalid JWT: malformed")
            email = str(claims.get("iss", ""))
            fake.record("gcp", raw, email)
            if head.get("alg") != "RS256" or claims.get("aud") != \
                    "https://oauth2.googleapis.com/token":
                return error(400, "invalid_grant", "Invalid JWT: bad header or audience")
            if not 0 < int(claims.get("exp", 0)) - int(claims.get("iat", 0)) <= 3600 or \
                    abs(int(claims.get("iat", 0)) - time.time()) > 300:
                return error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived "
                             "token (60 minutes) and in a reasonable timeframe. Check your iat "
                             "and exp values in the JWT claim.")
            account = fake.google.get(email)
            if account is None:
                return error(400, "invalid_grant", "Invalid grant: account not found")
            # RSASSA-PKCS1-v1_5 verification: s^e mod n must be the padded SHA-256 DigestInfo.
            k = (account.n.bit_length() + 7) // 8
            digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + \
                hashlib.sha256(f"{head_b64}.{claims_b64}".encode()).digest()
            expected = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
            recovered = pow(int.from_bytes(signature, "big"), account.e, account.n)
            if len(signature) != k or recovered.to_bytes(k, "big") != expected:
                fake.bad_signature("gcp")
                return error(400, "invalid_grant", "Invalid JWT Signature.")
            if account.disabled:
                return error(400, "invalid_grant", "Invalid grant: service account disabled")
            token = "ya29.c." + uuid.uuid4().hex + uuid.uuid4().hex
            with fake._lock:
                fake.tokens[token] = (email, str(claims.get("scope", "")))
            self._json(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

        def _google_tokeninfo(self, query: str, raw: str) -> None:
            token = dict(parse_qsl(query)).get("access_token", "")
            fake.record("gcp", raw, "")
            with fake._lock:
                found = fake.tokens.get(token)
            if found is None:
                return self._json(400, {"error": "invalid_token",
                                        "error_description": "Invalid Value"})
            email, scope = found
            client_id = fake.google[email].client_id
            self._json(200, {"azp": client_id, "aud": client_id, "scope": scope,
                             "exp": str(int(time.time()) + 3599), "expires_in": "3599",
                             "access_type": "online"})

        # -- Azure Blob Storage: Shared Key on List Containers ---------------------------------

        def _azure(self, path: str, query: str, raw: str) -> None:
            def error(status: int, code: str, message: str) -> None:
                data = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
                        f"<Message>{message}\nRequestId:{uuid.uuid4()}</Message></Error>")
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("x-ms-error-code", code)
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

            m = re.fullmatch(r"SharedKey ([a-z0-9]{3,24}):([A-Za-z0-9+/=]+)",
                             self.headers.get("Authorization", ""))
            if not m:
                fake.record("azure", raw, "")
                return error(400, "InvalidAuthenticationInfo", "Authorization malformed")
            account_name, signature = m.groups()
            fake.record("azure", raw, account_name)
            params = parse_qsl(query, keep_blank_values=True)
            if dict(params).get("comp") != "list" or path not in ("", "/"):
                return error(400, "InvalidQueryParameterValue", "Value for one of the query "
                             "parameters specified in the request URI is invalid.")
            account = fake.accounts.get(account_name)
            if account is None:  # the real service: no such host (DNS)
                return error(400, "InvalidUri", "no such account")
            if not self.headers.get("x-ms-date") or not self.headers.get("x-ms-version"):
                return error(403, "AuthenticationFailed", "x-ms-date and x-ms-version needed")
            standard = ["Content-Encoding", "Content-Language", "Content-Length", "Content-MD5",
                        "Content-Type", "Date", "If-Modified-Since", "If-Match",
                        "If-None-Match", "If-Unmodified-Since", "Range"]
            values = [self.headers.get(h) or "" for h in standard]
            if values[2] == "0":
                values[2] = ""
            ms = sorted((k.lower(), " ".join(v.split())) for k, v in self.headers.items()
                        if k.lower().startswith("x-ms-"))
            resource = f"/{account_name}{path or '/'}" + "".join(
                f"\n{k}:{v}" for k, v in sorted((k.lower(), v) for k, v in params))
            to_sign = "\n".join([self.command, *values]) + "\n" + \
                "".join(f"{k}:{v}\n" for k, v in ms) + resource
            expected = base64.b64encode(hmac.new(base64.b64decode(account.secret),
                                                 to_sign.encode(), hashlib.sha256)
                                        .digest()).decode()
            if not hmac.compare_digest(expected, signature):
                fake.bad_signature("azure")
                return error(403, "AuthenticationFailed", "Server failed to authenticate the "
                             "request. Make sure the value of Authorization header is formed "
                             "correctly including the signature.")
            if account.behaviour == "no_permission":
                return error(403, "KeyBasedAuthenticationNotPermitted",
                             "Key based authentication is not permitted on this storage account.")
            data = ('<?xml version="1.0" encoding="utf-8"?><EnumerationResults '
                    f'ServiceEndpoint="https://{account_name}.blob.core.windows.net/">'
                    "<MaxResults>1</MaxResults><Containers><Container><Name>backups</Name>"
                    "<Properties/></Container></Containers><NextMarker/></EnumerationResults>")
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(data.encode())))
            self.end_headers()
            self.wfile.write(data.encode())

    return Handler


def _unb64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
