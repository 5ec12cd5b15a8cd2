"""A fake of the Qiniu, UCloud, QingCloud and Naver Cloud identity endpoints on 127.0.0.1,
checking each request's signature the way the provider does.

The signature is recomputed from the request as received (method, raw path and query, the
headers as sent) with the secret the fake knows for the key ID, written out here
independently of ``scanner.verifiers`` so a shared signing bug cannot make both sides agree;
a mismatch gets the provider's own bad-signature answer and is counted. Which provider a
request is for is told by what the provider's protocol puts in it: ``Authorization: Qiniu
<AK>:<sign>`` on ``/buckets`` is Qiniu, ``PublicKey`` and ``Signature`` query parameters
UCloud, ``access_key_id`` and ``signature`` on ``/iaas/`` QingCloud, an
``x-ncp-apigw-signature-v2`` header Naver Cloud. Every raw request is kept, with the provider
it went to, so tests can check where each credential went and that no secret was sent."""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote, urlsplit

from tests.helpers.loopback import FakeHandler, LoopbackServer

BEHAVIOURS = ("active", "no_permission", "unavailable", "throttled", "frozen")


@dataclass
class Account:
    secret: str = field(repr=False)
    behaviour: str = "active"
    name: str = "deployer"

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour


@dataclass(frozen=True)
class Received:
    provider: str
    key_id: str
    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]
    raw: str = field(repr=False)


class FakeAsiaClouds(LoopbackServer):
    def __init__(self, accounts: dict[str, Account] | None = None) -> None:
        self.accounts: dict[str, Account] = dict(accounts or {})
        self.received: list[Received] = []
        self.signature_failures: Counter[str] = Counter()  # per provider
        self._listen(_handler_for(self))

    def log_text(self) -> str:
        with self._lock:
            return "\n".join(r.raw for r in self.received)

    def sent_by(self, key_id: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.key_id == key_id]

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    def bad_signature(self, provider: str) -> None:
        with self._lock:
            self.signature_failures[provider] += 1


def _handler_for(fake: FakeAsiaClouds) -> type[BaseHTTPRequestHandler]:
    class Handler(FakeHandler):
        def respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            self.raw = (f"{self.command} {self.path}\n{self.headers}\n"
                        f"{self.body.decode('utf-8', 'replace')}")
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            if "x-ncp-apigw-signature-v2" in self.headers:
                self._ncloud(parts.path, parts.query)
            elif self.headers.get("Authorization", "").startswith("Qiniu "):
                self._qiniu(parts.path, parts.query)
            elif parts.path == "/iaas/" and "access_key_id" in params:
                self._qingcloud(parts.path, parts.query)
            elif "PublicKey" in params and "Signature" in params:
                self._ucloud(parts.path, parts.query)
            else:
                self._keep("unknown", "", parts.path, parts.query)
                self._json(400, {"message": "unrecognised request"})

        def _keep(self, provider: str, key_id: str, path: str, query: str) -> None:
            fake.record(Received(provider, key_id, self.command, path, query,
                                 {k.lower(): v for k, v in self.headers.items()}, self.raw))

        def _json(self, status: int, doc: object, extra: dict[str, str] | None = None) -> None:
            self.send_answer(status, doc, extra)

        # -- Qiniu: "Qiniu <AK>:<urlsafe b64 HMAC-SHA1>" on GET /buckets ---------------------

        def _qiniu(self, path: str, query: str) -> None:
            def error(status: int, message: str) -> None:
                self._json(status, {"code": status, "error": message},
                           {"X-Reqid": uuid.uuid4().hex[:16]})

            key_id, _, sign = self.headers["Authorization"][len("Qiniu "):].partition(":")
            self._keep("qiniu", key_id, path, query)
            if self.command != "GET" or path != "/buckets":
                return error(405 if path == "/buckets" else 404, "no such api")
            date = self.headers.get("X-Qiniu-Date", "")
            try:
                skew = abs(calendar.timegm(time.strptime(date, "%Y%m%dT%H%M%SZ")) - time.time())
            except ValueError:
                skew = None
            if skew is not None and skew > 15 * 60:
                return error(403, "request time too skewed")
            account = fake.accounts.get(key_id)
            if account is None:
                return error(401, "bad token")
            # The string the server signs, rebuilt from the request as it arrived.
            content_type = self.headers.get("Content-Type")
            data = f"{self.command} {path}" + (f"?{query}" if query else "")
            data += f"\nHost: {self.headers.get('Host', '')}"
            if content_type:
                data += f"\nContent-Type: {content_type}"
            qiniu = sorted(("-".join(w[:1].upper() + w[1:].lower() for w in k.split("-")), v)
                           for k, v in self.headers.items()
                           if k.lower().startswith("x-qiniu-") and len(k) > len("x-qiniu-"))
            data += "".join(f"\n{k}: {v}" for k, v in qiniu) + "\n\n"
            if self.body and content_type and content_type != "application/octet-stream":
                data += self.body.decode()
            expected = base64.urlsafe_b64encode(
                hmac.new(account.secret.encode(), data.encode(), hashlib.sha1).digest()).decode()
            if not hmac.compare_digest(expected, sign):
                fake.bad_signature("qiniu")
                return error(401, "bad token")
            if account.behaviour == "frozen":
                return error(419, "user is frozen")
            if account.behaviour == "no_permission":
                return error(403, "permission denied")
            if account.behaviour == "unavailable":
                return error(599, "service operation failed")
            if account.behaviour == "throttled":
                return error(573, "too many requests")
            self._json(200, [f"{account.name}-media", f"{account.name}-backups"],
                       {"X-Reqid": uuid.uuid4().hex[:16]})

        # -- UCloud: SHA1(sorted name+value pairs + PrivateKey) in the Signature parameter ---

        def _ucloud(self, path: str, query: str) -> None:
            params = dict(parse_qsl(query, keep_blank_values=True))
            key_id = params.get("PublicKey", "")
            self._keep("ucloud", key_id, path, query)
            action = params.get("Action", "")

            def answer(code: int, message: str = "", **extra: object) -> None:
                doc: dict[str, object] = {"Action": f"{action}Response", "RetCode": code}
                if message:
                    doc["Message"] = message
                self._json(200, {**doc, **extra})

            if path not in ("", "/"):
                return self._json(404, {"RetCode": 160, "Message": "no such path"})
            account = fake.accounts.get(key_id)
            if account is None:
                return answer(172, "User Not Exists")
            text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "Signature")
            expected = hashlib.sha1((text + account.secret).encode()).hexdigest()
            if not hmac.compare_digest(expected, params.get("Signature", "")):
                fake.bad_signature("ucloud")
                return answer(171, "Signature VerifyAC Error")
            if action != "GetProjectList":
                return answer(161, f"Action [{action}] not exists")
            if account.behaviour == "unavailable":
                return self._json(502, {"RetCode": 150, "Message": "Service busy"})
            projects = [{"ProjectId": "org-x3k2pd", "ProjectName": "Default", "IsDefault": True,
                         "CreateTime": 1700000000, "MemberCount": 1, "ResourceCount": 4},
                        {"ProjectId": "org-q81mzz", "ProjectName": account.name,
                         "IsDefault": False, "CreateTime": 1710000000, "MemberCount": 0,
                         "ResourceCount": 0}]
            answer(0, ProjectCount=len(projects), ProjectSet=projects)

        # -- QingCloud: base64 HMAC-SHA256 over "GET\n/iaas/\n<sorted encoded query>" ------

        def _qingcloud(self, path: str, query: str) -> None:
            params = dict(parse_qsl(query, keep_blank_values=True))
            key_id = params["access_key_id"]
            self._keep("qingcloud", key_id, path, query)
            action = params.get("action", "")

            def error(code: int, message: str) -> None:
                self._json(200, {"ret_code": code, "message": message})

            if (params.get("signature_method"), params.get("signature_version"),
                    params.get("version")) != ("HmacSHA256", "1", "1"):
                return error(1100, "InvalidRequestFormat, bad signature_method or version")
            try:
                sent = calendar.timegm(time.strptime(params.get("time_stamp", ""),
                                                     "%Y-%m-%dT%H:%M:%SZ"))
            except ValueError:
                return error(1100, "InvalidRequestFormat, bad time_stamp")
            if abs(sent - time.time()) > 60:
                return error(1300, "RequestExpired, time_stamp too old")
            account = fake.accounts.get(key_id)
            if account is None:
                return error(1200, f"AuthFailure, access key [{key_id}] not found")
            signed = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
                              for k, v in sorted(params.items()) if k != "signature")
            expected = base64.b64encode(hmac.new(
                account.secret.encode(), f"{self.command}\n{path}\n{signed}".encode(),
                hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, params.get("signature", "")):
                fake.bad_signature("qingcloud")
                return error(1200, "AuthFailure, signature not matched")
            if action != "GetBalance":
                return error(1101, f"InvalidAction [{action}]")
            if account.behaviour == "no_permission":
                return error(1400, "PermissionDenied, no permission to GetBalance")
            if account.behaviour == "unavailable":
                return error(5100, "ServerBusy, try again later")
            if account.behaviour == "throttled":
                return error(2500, "QuotaExceeded, too many API requests today")
            self._json(200, {"action": "GetBalanceResponse", "ret_code": 0,
                             "user_id": f"usr-{account.name}", "balance": "120.50",
                             "bonus": "0", "coupons": []})

        # -- Naver Cloud: API Gateway signature v2 on GET /vserver/v2/getRegionList ----------

        def _ncloud(self, path: str, query: str) -> None:
            key_id = self.headers.get("x-ncp-iam-access-key", "")
            self._keep("naver-cloud", key_id, path, query)

            def error(status: int, code: str, message: str) -> None:
                self._json(status, {"error": {"errorCode": code, "message": message}})

            timestamp = self.headers.get("x-ncp-apigw-timestamp", "")
            if not timestamp.isdigit() or abs(int(timestamp) / 1000 - time.time()) > 300:
                return error(401, "200", "Authentication Failed")  # more than 5 minutes off
            account = fake.accounts.get(key_id)
            if account is None:
                return error(401, "200", "Authentication Failed")
            message = f"{self.command} {self.path}\n{timestamp}\n{key_id}"
            expected = base64.b64encode(hmac.new(account.secret.encode(), message.encode(),
                                                 hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, self.headers["x-ncp-apigw-signature-v2"]):
                fake.bad_signature("naver-cloud")
                return error(401, "200", "Authentication Failed")
            if path != "/vserver/v2/getRegionList":
                return error(404, "300", "Not Found Exception")
            if account.behaviour == "no_permission":
                return error(401, "210", "Permission Denied")
            if account.behaviour == "throttled":
                return error(429, "420", "Rate Limited")
            if account.behaviour == "unavailable":
                return error(503, "500", "Endpoint Error")
            regions = [{"regionCode": "KR", "regionName": "Korea"},
                       {"regionCode": "JPN", "regionName": "Japan(New)"}]
            self._json(200, {"getRegionListResponse": {
                "requestId": str(uuid.uuid4()), "returnCode": "0", "returnMessage": "success",
                "totalRows": len(regions), "regionList": regions}})

    return Handler
