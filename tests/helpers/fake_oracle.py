"""A fake of the OCI identity endpoint keysweep verifies API signing keys against, on
127.0.0.1.

It answers ``GET /20160918/users/{userOcid}`` and ``GET /20160918/users/{userOcid}/apiKeys``
the way OCI documents them, after checking each request's signature version 1
(draft-cavage-http-signatures-08) for real: the ``keyId`` must be
``<tenancy>/<user>/<fingerprint>`` of a key it knows (the fingerprint being MD5 of the
public key's DER SubjectPublicKeyInfo), ``(request-target)``, ``date`` and ``host`` must be
signed, the date within five minutes, and the RSA-SHA256 signature must verify with the
public key over the signing string rebuilt from the request as received. All of it is
written here independently of ``scanner.verifiers``, so a shared bug cannot make both sides
agree. A failed check is 401 ``NotAuthenticated`` and is counted; errors are OCI's
``{"code", "message"}`` bodies with an ``opc-request-id`` header."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from benchmarks._keys import RsaKey
from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "no_permission", "unavailable")
USERS = re.compile(r"^/20160918/users/([^/?]+)(/apiKeys)?$")
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
PARAM = re.compile(r'(\w+)="([^"]*)"')


def fingerprint(key: RsaKey) -> str:
    digest = hashlib.md5(key.spki(), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


@dataclass
class User:
    tenancy: str
    key: RsaKey = field(repr=False)  # the public half is what OCI keeps; the fake uses n, e
    name: str = "deploy-bot"
    email: str = "deploy-bot@harbor-lights.invalid"
    mfa: bool = False
    behaviour: str = "active"

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


@dataclass(frozen=True)
class Received:
    user: str  # the user OCID of the keyId ("" when it did not parse)
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    raw: str = field(repr=False)


class FakeOracle(LoopbackServer):
    def __init__(self, users: dict[str, User] | None = None) -> None:
        self.users: dict[str, User] = dict(users or {})
        self.signature_failures: Counter[str] = Counter()
        self._listen(_handler_for(self))

    def sent_by(self, user: str) -> list[Received]:
        return self.recorded(lambda r: r.user == user)

    def authenticate(self, method: str, target: str, headers: dict[str, str]) -> str | None:
        """The user OCID whose key signed the request, or None (counted)."""
        user = self._check(method, target, headers)
        if user is None:
            with self._lock:
                self.signature_failures["oracle"] += 1
        return user

    def _check(self, method: str, target: str, headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        if not auth.startswith("Signature "):
            return None
        params = dict(PARAM.findall(auth))
        if params.get("version") != "1" or params.get("algorithm") != "rsa-sha256":
            return None
        signed = params.get("headers", "").split(" ")
        if not {"(request-target)", "date", "host"} <= set(signed):
            return None
        parts = params.get("keyId", "").split("/")
        if len(parts) != 3:
            return None
        tenancy, user_ocid, print_ = parts
        user = self.users.get(user_ocid)
        if user is None or user.tenancy != tenancy or fingerprint(user.key) != print_:
            return None
        try:
            sent_at = email.utils.parsedate_to_datetime(headers["date"]).timestamp()
        except (KeyError, TypeError, ValueError):
            return None
        if abs(time.time() - sent_at) > 300:
            return None
        lines = []
        for name in signed:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            elif name in headers:
                lines.append(f"{name}: {headers[name]}")
            else:
                return None
        try:
            signature = int.from_bytes(base64.b64decode(params.get("signature", ""),
                                                        validate=True), "big")
        except ValueError:
            return None
        k = (user.key.n.bit_length() + 7) // 8
        t = SHA256_DIGEST_INFO + hashlib.sha256("\n".join(lines).encode()).digest()
        expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        if signature >= user.key.n or pow(signature, user.key.e, user.key.n).to_bytes(
                k, "big") != expected:
            return None
        return user_ocid


def _handler_for(fake: FakeOracle) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            self.read_body()
            headers = self.lower_headers()
            params = dict(PARAM.findall(headers.get("authorization", "")))
            key_user = (params.get("keyId", "").split("/") + ["", ""])[1]
            raw = f"{self.command} {self.path}\n" + "\n".join(
                f"{k}: {v}" for k, v in headers.items())
            fake.record(Received(key_user, self.command, self.path, headers, raw))
            found = USERS.match(self.path)
            if self.command != "GET" or found is None:
                return self.error(404, "NotFound", "There is no operation supported at the "
                                  "URI path and HTTP method you specified in the request.")
            signer = fake.authenticate(self.command, self.path, headers)
            if signer is None:
                return self.error(401, "NotAuthenticated", "The required information to "
                                  "complete authentication was not provided or was incorrect.")
            user = fake.users[signer]
            if user.behaviour == "unavailable":
                return self.error(503, "ServiceUnavailable", "Try again later.")
            if found.group(1) != signer or user.behaviour == "no_permission":
                return self.error(404, "NotAuthorizedOrNotFound", "Authorization failed or "
                                  "requested resource not found.")
            if found.group(2):
                return self.send_answer(200, [
                    {"keyId": f"{user.tenancy}/{signer}/{fingerprint(user.key)}",
                     "fingerprint": fingerprint(user.key), "userId": signer,
                     "lifecycleState": "ACTIVE"},
                    {"keyId": f"{user.tenancy}/{signer}/0f:1e:2d", "fingerprint": "0f:1e:2d",
                     "userId": signer, "lifecycleState": "ACTIVE"}], self.opc())
            return self.send_answer(200, {
                "id": signer, "compartmentId": user.tenancy, "name": user.name,
                "email": user.email, "emailVerified": True, "isMfaActivated": user.mfa,
                "lifecycleState": "ACTIVE", "timeCreated": "2025-03-14T09:26:53.589Z"},
                self.opc())

        def opc(self) -> dict[str, str]:
            return {"opc-request-id": uuid.uuid4().hex.upper()}

        def error(self, status: int, code: str, message: str) -> None:
            self.send_answer(status, {"code": code, "message": message}, self.opc())

    return Handler
