"""Volcengine: STS GetCallerIdentity (Version 2018-01-01, service sts, host
sts.volcengineapi.com), signed HMAC-SHA256 V4 style. It returns the caller's account, TRN and
identity type; temporary AKTP keys send their session token as X-Security-Token, signed.

API: https://www.volcengine.com/docs/6257/1902650 (GetCallerIdentity);
signing: https://www.volcengine.com/docs/6369/67269; common error codes:
https://www.volcengine.com/docs/6369/68677 and https://www.volcengine.com/docs/6396/70462."""

from __future__ import annotations

import time
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers import cloud_signing
from scanner.verifiers.base import (
    Credential,
    http_failure,
    inactive,
    log_answer,
    skipped,
    unknown,
)
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code
from scanner.verifiers.signing import EMPTY_SHA256

QUERY = (("Action", "GetCallerIdentity"), ("Version", "2018-01-01"))
REGION = "cn-beijing"
SERVICE = "sts"

CODES = {
    "InvalidAccessKey": inactive("id_not_found"),
    "SignatureDoesNotMatch": inactive("wrong_secret"),
    "InvalidSecretToken": inactive("expired"),  # a wrong, expired or foreign STS token
    "AccessDenied": Verification("active", None, None, (
        Fact("sts:GetCallerIdentity", "not permitted", "good"),)),
    "LackPolicy": Verification("active", None, None, (
        Fact("sts:GetCallerIdentity", "not permitted", "good"),)),
    "InvalidTimestamp": unknown("clock_skew"),
    "InternalError": unknown("server_error"),
    "InternalServiceTimeout": unknown("server_error"),
    "ServiceUnavailableTemp": unknown("server_error"),
    "FlowLimitExceeded": unknown("throttled"),
    "AccountFlowLimitExceeded": unknown("throttled"),
}


class VolcengineVerifier:
    name = "volcengine"
    endpoint = "https://sts.volcengineapi.com/"
    rate = 10.0  # no documented quota for this call: stay polite

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        if credential.key_id.startswith("AKTP") and not credential.token:
            return skipped("needs_session_token")
        x_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = {"Host": http.host, "X-Date": x_date, "X-Content-Sha256": EMPTY_SHA256}
        if credential.token:
            headers["X-Security-Token"] = credential.token
        canonical, signed = cloud_signing.volc_canonical_request("GET", "/", QUERY, headers,
                                                                 EMPTY_SHA256)
        headers["Authorization"] = cloud_signing.volc_authorization(
            credential.key_id, credential.secret, x_date, REGION, SERVICE, canonical, signed)
        headers["Accept"] = "application/json"
        query = "&".join(f"{k}={v}" for k, v in QUERY)
        resp = http.request("GET", "/", query=query, headers=headers)
        return _classify(credential, resp)


def _classify(cred: Credential, resp: HttpResponse) -> Verification:
    body = resp.json_object()
    meta = _dict(body.get("ResponseMetadata"))
    error = _dict(meta.get("Error"))
    code = str(error.get("Code") or "") or None
    log_answer(cred, "volcengine", resp.status, code, meta.get("RequestId"),
               str(error.get("Message") or ""))
    if code is None and resp.status == 200:
        result = _dict(body.get("Result"))
        if not result.get("AccountId"):
            return unknown("unexpected_response")
        identity_type = str(result.get("IdentityType") or "")
        return Verification("active", None, {
            k: str(v) for k, v in (("account_id", result.get("AccountId")),
                                   ("trn", result.get("Trn")),
                                   ("identity_type", identity_type),
                                   ("identity_id", result.get("IdentityId"))) if v},
            root=identity_type == "Account")  # the main account's own key
    if code in CODES:
        return CODES[code]
    return http_failure(resp.status) or unknown(clean_code(code) if code
                                                else f"http_{resp.status}")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
