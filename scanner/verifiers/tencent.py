"""Tencent Cloud: STS GetCallerIdentity signed with TC3-HMAC-SHA256 (credentials.md §2.3).
Errors come back as HTTP 200 with ``Response.Error.Code``. A live key's blast radius (root
account key, a CAM user's policies, console login, MFA, keys) comes from read-only CAM calls:
``scanner.verifiers.tencent_cam``."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers import signing
from scanner.verifiers.base import Credential, active, http_failure, inactive, log_answer, unknown
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code
from scanner.verifiers.tencent_cam import blast_radius

log = logging.getLogger("scanner.verifiers")

SERVICE = "sts"
CONTENT_TYPE = "application/json; charset=utf-8"  # signed: must be byte-identical when sent
BODY = b"{}"
SIGNED = ("content-type", "host", "x-tc-action")

CODES = {
    "AuthFailure.SecretIdNotFound": inactive("id_not_found"),  # unknown or disabled: same code
    "AuthFailure.InvalidSecretId": inactive("id_not_found"),
    "AuthFailure.SignatureFailure": inactive("wrong_secret"),
    "AuthFailure.TokenFailure": inactive("expired"),
    "AuthFailure.UnauthorizedOperation": active(),
    "UnauthorizedOperation": active(),
    "RequestLimitExceeded": unknown("throttled"),
    "InternalError": unknown("server_error"),
}


class TencentVerifier:
    name = "tencent"
    endpoint = "https://sts.tencentcloudapi.com/"
    rate = 20.0  # the documented limit of GetCallerIdentity

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        verdict = unknown("clock_skew")
        for _ in range(2):  # AuthFailure.SignatureExpire: one fresh try, then unknown
            verdict, code = self._call(credential, http)
            if code != "AuthFailure.SignatureExpire":
                return verdict
        return verdict

    def _call(self, cred: Credential, http: HttpClient) -> tuple[Verification, str | None]:
        timestamp = int(time.time())
        headers = {"Content-Type": CONTENT_TYPE, "Host": http.host,
                   "X-TC-Action": "GetCallerIdentity", "X-TC-Version": "2018-08-13",
                   "X-TC-Timestamp": str(timestamp), "X-TC-Region": "ap-guangzhou"}
        signed: tuple[str, ...] = SIGNED
        if cred.token:
            # Signed too, so the token cannot be swapped on the way (TC3 signs any header).
            headers["X-TC-Token"] = cred.token
            signed = (*SIGNED, "x-tc-token")
        canonical = signing.tc3_canonical_request("POST", "/", [], headers, signed, BODY)
        headers["Authorization"] = signing.tc3_authorization(
            cred.key_id, cred.secret, timestamp, SERVICE, canonical, signed)
        resp = http.request("POST", "/", headers=headers, body=BODY)
        answer = _response(resp)
        error = answer.get("Error") if isinstance(answer.get("Error"), dict) else None
        code = str(error.get("Code") or "") if error else None
        log_answer(cred, self.name, resp.status, code, answer.get("RequestId"),
                   str(error.get("Message") or "") if error else None)
        if resp.status != 200:
            return http_failure(resp.status) or unknown(f"http_{resp.status}"), code
        if code is None:
            if not answer.get("AccountId"):
                return unknown("unexpected_response"), None
            verdict = active({"account_id": answer.get("AccountId"), "arn": answer.get("Arn"),
                              "user_id": answer.get("UserId"),
                              "identity_type": answer.get("Type")})
            return _with_blast_radius(cred, http, answer, verdict), None
        if code == "AuthFailure.SignatureExpire":
            return unknown("clock_skew"), code
        return CODES.get(code) or unknown(clean_code(code)), code


def _with_blast_radius(cred: Credential, http: HttpClient, answer: dict[str, Any],
                       verdict: Verification) -> Verification:
    try:
        facts, root = blast_radius(cred, http, answer)
    except Exception as exc:  # noqa: BLE001 - the key is live whatever went wrong here
        log.debug("tencent: blast radius failed: %s", cred.scrub(repr(exc)))
        facts, root = (Fact("blast_radius", "not checked (verifier error)"),), False
    return dataclasses.replace(verdict, facts=facts, root=root)


def _response(resp: HttpResponse) -> dict[str, Any]:
    answer = resp.json_object().get("Response")
    return answer if isinstance(answer, dict) else {}
