"""Kingsoft Cloud (KSYUN): IAM GetUser (Version 2015-11-01) on iam.api.ksyun.com, a read-only
call, signed with AWS SigV4 unchanged: the official SDKs (KscSDK/ksc-sdk-go, ksc/client.go and
service/iam/service.go; KscSDK/ksc-sdk-python kscore/data/iam/2015-11-01/service-2.yaml, which
says ``signatureVersion: v4``) sign with aws-sdk-go's / botocore's v4 signer, scope
``<date>/<region>/iam/aws4_request``. Errors come back as JSON ``{"Error": {"Code",
"Message"}, "RequestID"}`` (ksc/kscquery/unmarshal_error.go). Kingsoft publishes no error-code
table that could be found: the codes below are the SigV4 family's, and any other code is
``unknown``, never a guess."""

from __future__ import annotations

import time
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers import signing
from scanner.verifiers.base import Credential, http_failure, inactive, log_answer, unknown
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code

QUERY = (("Action", "GetUser"), ("Version", "2015-11-01"))
REGION = "cn-beijing-6"
SERVICE = "iam"

NOT_PERMITTED = Verification("active", None, None, (
    Fact("iam:GetUser", "not permitted", "good"),))
CODES = {
    "InvalidAccessKey": inactive("id_not_found"),
    "InvalidAccessKeyId": inactive("id_not_found"),
    "InvalidClientTokenId": inactive("id_not_found"),
    "SignatureDoesNotMatch": inactive("wrong_secret"),
    "AccessDenied": NOT_PERMITTED,
    "Forbidden": NOT_PERMITTED,
    "RequestExpired": unknown("clock_skew"),
    "InternalError": unknown("server_error"),
    "ServiceUnavailable": unknown("server_error"),
    "Throttling": unknown("throttled"),
}


class KingsoftVerifier:
    name = "kingsoft"
    endpoint = "https://iam.api.ksyun.com/"
    rate = 10.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = {"Host": http.host, "X-Amz-Date": amz_date}
        signed = [h.lower() for h in headers]
        canonical = signing.sigv4_canonical_request("GET", "/", QUERY, headers, signed,
                                                    signing.EMPTY_SHA256)
        headers["Authorization"] = signing.sigv4_authorization(
            credential.key_id, credential.secret, amz_date, REGION, SERVICE, canonical, signed)
        headers["Accept"] = "application/json"
        query = signing.canonical_query(QUERY)
        resp = http.request("GET", "/", query=query, headers=headers)
        return _classify(credential, resp)


def _classify(cred: Credential, resp: HttpResponse) -> Verification:
    body = resp.json_object()
    error = _dict(body.get("Error"))
    code = str(error.get("Code") or "") or None
    log_answer(cred, "kingsoft", resp.status, code, body.get("RequestID") or body.get("RequestId"),
               str(error.get("Message") or ""))
    if resp.status == 200 and code is None:
        result = _dict(body.get("GetUserResult")) or body
        user = _dict(result.get("User"))
        if not (user.get("UserId") or user.get("Krn")):
            return unknown("unexpected_response")
        return Verification("active", None, {
            k: str(v) for k, v in (("user_id", user.get("UserId")),
                                   ("user_name", user.get("UserName")),
                                   ("krn", user.get("Krn"))) if v})
    if code in CODES:
        return CODES[code]
    return http_failure(resp.status) or unknown(clean_code(code) if code
                                                else f"http_{resp.status}")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
