"""Baidu AI Cloud: BOS ListBuckets (``GET /`` on bj.bcebos.com), signed with bce-auth-v1. It
changes nothing and answers the account's owner ID and display name; a sub-user without BOS
permission gets AccessDenied, which still proves the key authenticated.

API: https://cloud.baidu.com/doc/BOS/s/Tkc4eakqz-en (ListBuckets: owner id/displayName,
buckets); signing: https://cloud.baidu.com/doc/Reference/s/njwvz1yfu; error format and common
codes: https://cloud.baidu.com/doc/Reference/s/Bjz3uz3qj-en. A temporary key's session token
goes in the x-bce-security-token header, signed like every x-bce-* header."""

from __future__ import annotations

import time
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers import cloud_signing
from scanner.verifiers.base import Credential, http_failure, inactive, log_answer, unknown
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code

EXPIRATION = 1800  # seconds the signature is valid, the documented default

CODES = {
    "InvalidAccessKeyId": inactive("id_not_found"),
    "SignatureDoesNotMatch": inactive("wrong_secret"),
    "InvalidSessionToken": inactive("expired"),
    "AccessDenied": Verification("active", None, None, (
        Fact("bos:ListBuckets", "not permitted", "good"),)),
    "RequestExpired": unknown("clock_skew"),
    "InternalError": unknown("server_error"),
    "ServiceUnavailable": unknown("server_error"),
    "RequestRateLimitExceeded": unknown("throttled"),
}


class BaiduVerifier:
    name = "baidu"
    endpoint = "https://bj.bcebos.com/"
    rate = 10.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        timestamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        headers = {"Host": http.host, "x-bce-date": timestamp}
        if credential.token:
            headers["x-bce-security-token"] = credential.token
        signed = [h.lower() for h in headers]
        canonical = cloud_signing.bce_canonical_request("GET", "/", {}, headers, signed)
        headers["Authorization"] = cloud_signing.bce_authorization(
            credential.key_id, credential.secret, timestamp, EXPIRATION, canonical, signed)
        headers["Accept"] = "application/json"
        resp = http.request("GET", "/", headers=headers)
        return _classify(credential, resp)


def _classify(cred: Credential, resp: HttpResponse) -> Verification:
    body = resp.json_object()
    code = str(body.get("code") or "") or None
    log_answer(cred, "baidu", resp.status, code, body.get("requestId"),
               str(body.get("message") or ""))
    if resp.status == 200 and code is None:
        owner = _dict(body.get("owner"))
        if not owner.get("id"):
            return unknown("unexpected_response")
        raw = body.get("buckets")
        buckets = raw if isinstance(raw, list) else []
        return Verification("active", None, {
            k: str(v) for k, v in (("owner_id", owner.get("id")),
                                   ("display_name", owner.get("displayName"))) if v},
            (Fact("bos_buckets", str(len(buckets)), "high" if buckets else "info"),))
    if code in CODES:
        return CODES[code]
    return http_failure(resp.status) or unknown(clean_code(code) if code
                                                else f"http_{resp.status}")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
