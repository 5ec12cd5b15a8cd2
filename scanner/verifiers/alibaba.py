"""Alibaba Cloud: STS GetCallerIdentity, RPC style, signature v1 (HMAC-SHA1). It needs no
permission, so any working key passes whatever its RAM policy (credentials.md §2.1)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from scanner.models import Verification
from scanner.verifiers import signing
from scanner.verifiers.base import (
    Credential,
    active,
    http_failure,
    inactive,
    log_answer,
    skipped,
    unknown,
)
from scanner.verifiers.http import HttpClient
from scanner.verifiers.redaction import clean_code

ECHO_MARKER = "string to sign is:"

NOT_FOUND = {"InvalidAccessKeyId.NotFound", "InvalidAccessKeyId"}
DISABLED = {"InvalidAccessKeyId.Inactive", "Forbidden.AccessKeyDisabled"}
SIGNATURE = {"SignatureDoesNotMatch", "IncompleteSignature"}
TOKEN = {"InvalidSecurityToken.Expired", "InvalidSecurityToken.Malformed",
         "InvalidSecurityToken.MismatchWithAccessKey"}
AUTHENTICATED = {"NoPermission", "Forbidden.RAM", "Forbidden"}
CLOCK = {"InvalidTimeStamp.Expired": "clock_skew", "IllegalTimestamp": "clock_skew",
         "SignatureNonceUsed": "nonce_rejected"}
SERVER = {"ServiceUnavailable", "InternalError", "InternalFailure"}


class AlibabaVerifier:
    name = "alibaba"
    endpoint = "https://sts.aliyuncs.com/"
    rate = 10.0  # no documented quota for this call: stay polite

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        if credential.key_id.startswith("STS.") and not credential.token:
            return skipped("needs_session_token")
        verdict = unknown("clock_skew")
        for _ in range(2):  # a nonce or clock complaint gets one fresh try
            verdict, again = self._call(credential, http)
            if not again:
                break
        return verdict

    def _call(self, cred: Credential, http: HttpClient) -> tuple[Verification, bool]:
        params = {
            "Action": "GetCallerIdentity",
            "Version": "2015-04-01",
            "Format": "JSON",
            "AccessKeyId": cred.key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if cred.token:
            params["SecurityToken"] = cred.token
        string_to_sign = signing.rpc_string_to_sign("GET", params)
        signature = signing.hmac_sha1_base64(cred.secret + "&", string_to_sign)
        query = (signing.rpc_canonical_query(params) + "&Signature="
                 + signing.percent_encode(signature))
        resp = http.request("GET", query=query, headers={"Accept": "application/json"})
        body = resp.json_object()
        code = str(body.get("Code") or "") or None
        message = str(body.get("Message") or "")
        echo_match: bool | None = None
        if code in SIGNATURE:
            echo_match = _echoed(message) == string_to_sign
        log_answer(cred, self.name, resp.status, code, body.get("RequestId"), message,
                   echo_match=echo_match)
        if code in CLOCK:
            return unknown(CLOCK[code]), True
        return _classify(resp.status, code, body, echo_match, cred), False


def _classify(status: int, code: str | None, body: dict[str, Any], echo_match: bool | None,
              cred: Credential) -> Verification:
    if status == 200 and code is None:
        if not body.get("AccountId"):
            return unknown("unexpected_response")
        return active({"account_id": body.get("AccountId"), "arn": body.get("Arn"),
                       "identity_type": body.get("IdentityType")})
    if code in NOT_FOUND:
        return inactive("id_not_found")
    if code in DISABLED:
        return inactive("key_disabled")
    if code in SIGNATURE:
        # Only a byte-identical echo proves the server saw the request we signed: then the
        # secret is wrong. Anything else is our canonicalization bug, not the key's fault.
        return inactive("wrong_secret") if echo_match else unknown("signing_error")
    if code in TOKEN:
        return inactive("expired")
    if code == "MissingSecurityToken":
        return skipped("needs_session_token") if not cred.token else unknown("signing_error")
    if code in AUTHENTICATED:
        return active()
    if code and code.startswith("Throttling"):
        return unknown("throttled")
    if code in SERVER:
        return unknown("server_error")
    return http_failure(status) or unknown(_reason_for(code, status))


def _reason_for(code: str | None, status: int) -> str:
    return clean_code(code) if code else f"http_{status}"


def _echoed(message: str) -> str | None:
    """The server's string-to-sign from a signature error message, if it echoed one."""
    at = message.lower().find(ECHO_MARKER)
    return message[at + len(ECHO_MARKER):].strip() if at >= 0 else None
