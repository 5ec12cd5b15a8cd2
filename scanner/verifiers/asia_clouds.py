"""Signed identity (or listing) calls for more Chinese and Asian clouds: Qiniu, UCloud,
QingCloud and Naver Cloud.

Each verifier signs one read-only request with the ID and secret (the secret itself never
leaves the machine, only a signature made with it), sends it to the provider's documented
endpoint (or the ``--verify-endpoint`` a test names), and maps the provider's own answer:
identity or listing -> ``active``; the documented bad-credentials answer -> ``inactive``; an
authenticated call the key may not make -> ``active`` with a "not permitted" fact; throttling
and 5xx -> ``unknown``; anything undocumented -> ``unknown``, never a guess. The signing is in
``cloud_signing`` (pure functions, each provider's published example reproduced in tests)."""

from __future__ import annotations

import json
import time
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers import cloud_signing
from scanner.verifiers.base import Credential, active, http_failure, inactive, log_answer, unknown
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code
from scanner.verifiers.signing import canonical_query, percent_encode
from scanner.verifiers.tokens import USER_AGENT, not_permitted, status_fallback, with_facts

# -- Qiniu ------------------------------------------------------------------------------------

QINIU_FORM = "application/x-www-form-urlencoded"


class QiniuVerifier:
    """Qiniu AccessKey/SecretKey: Kodo "获取 Bucket 列表", ``GET /buckets`` on uc.qiniuapi.com
    (https://developer.qiniu.com/kodo/3926/get-service), signed with a management credential
    in the ``Qiniu`` scheme (https://developer.qiniu.com/kodo/1201/access-token: method,
    path, Host, Content-Type and the X-Qiniu-* headers, here X-Qiniu-Date, HMAC-SHA1 with the
    SecretKey, URL-safe base64). It lists only the calling account's bucket names and changes
    nothing. Answers (https://developer.qiniu.com/kodo/3928/error-responses, JSON
    ``{"code", "error"}``): 401 authentication failed (wrong key, bad signature: "bad
    token"), 403 not permitted (or "request time too skewed": our clock), 419 account frozen,
    573 too frequent, 5xx/599 server failures."""

    name = "qiniu"
    endpoint = "https://uc.qiniuapi.com"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        # The server signs the path it receives: an endpoint's base path is part of it.
        data = cloud_signing.qiniu_signing_string(
            "GET", f"{http.endpoint.base_path}/buckets", "", http.host, QINIU_FORM,
            {"X-Qiniu-Date": date})
        headers = {"Content-Type": QINIU_FORM, "X-Qiniu-Date": date,
                   "Authorization": cloud_signing.qiniu_authorization(
                       credential.key_id, credential.secret, data),
                   "Accept": "application/json", "User-Agent": USER_AGENT}
        resp = http.request("GET", "/buckets", headers=headers)
        return _qiniu_classify(credential, resp)


def _qiniu_classify(cred: Credential, resp: HttpResponse) -> Verification:
    try:
        body: Any = json.loads(resp.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    error = str(body.get("error") or "") if isinstance(body, dict) else ""
    log_answer(cred, "qiniu", resp.status, str(resp.status), resp.header("x-reqid") or None,
               error)
    if resp.status == 200 and isinstance(body, list):
        # The answer is only the bucket names: how many says how much the key can reach.
        return with_facts(active({"buckets": len(body)}),
                          Fact("kodo_buckets", str(len(body)), "high" if body else "info"))
    if resp.status == 401:
        return inactive("unauthorized")
    if resp.status == 403:
        if "time too skewed" in error:
            return unknown("clock_skew")
        return with_facts(active(), not_permitted("buckets"))
    if resp.status == 419:
        return inactive("account_frozen")
    if resp.status == 573:
        return unknown("throttled")
    return status_fallback(resp)


# -- UCloud -----------------------------------------------------------------------------------

# UCloud's documented answers to a request that does not authenticate (RetCode, HTTP 200), as
# the FAQ of its API guides gives them (e.g. the UIoT Core API guide, which points on to
# https://docs.ucloud.cn/api/summary/overview): 171 "Signature VerifyAC Error" (the signature
# does not match: the PrivateKey is wrong) and 172 "User Not Exists" (no such PublicKey).
UCLOUD_CODES = {171: inactive("wrong_secret"), 172: inactive("id_not_found")}


class UcloudVerifier:
    """UCloud PublicKey/PrivateKey: UAccount ``GetProjectList`` on api.ucloud.cn, the caller's
    own project list, read-only and region-free (https://docs.ucloud.cn/api/uaccount-api/
    get_project_list; read as its international twin, https://www.surfercloud.com/docs/api/
    uaccount-api/get_project_list). Signed as https://docs.ucloud.cn/api/summary/signature
    describes: SHA1 of the sorted parameters and the PrivateKey, sent as ``Signature``; the
    PublicKey travels as a parameter, the PrivateKey never. Every answer is HTTP 200 with a
    ``RetCode`` (0 success); 171 "Signature VerifyAC Error" and 172 "User Not Exists" are the
    authentication failures UCloud's API guides document. Any other RetCode is ``unknown``:
    UCloud publishes no permission-denied code for this call that could be found."""

    name = "ucloud"
    endpoint = "https://api.ucloud.cn"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        params = {"Action": "GetProjectList", "PublicKey": credential.key_id}
        params["Signature"] = cloud_signing.ucloud_signature(params, credential.secret)
        query = "&".join(f"{percent_encode(k)}={percent_encode(v)}"
                         for k, v in sorted(params.items()))
        resp = http.request("GET", "/", query=query,
                            headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        return _ucloud_classify(credential, resp)


def _ucloud_classify(cred: Credential, resp: HttpResponse) -> Verification:
    body = resp.json_object()
    code = body.get("RetCode")
    log_answer(cred, "ucloud", resp.status, str(code), None, str(body.get("Message") or ""))
    if resp.status != 200 or not isinstance(code, int):
        return http_failure(resp.status) or unknown(f"http_{resp.status}")
    if code == 0:
        projects = body.get("ProjectSet")
        if not isinstance(projects, list):
            return unknown("unexpected_response")
        default = next((p for p in projects if isinstance(p, dict) and p.get("IsDefault")), {})
        return active({"projects": body.get("ProjectCount", len(projects)),
                       "default_project_id": default.get("ProjectId"),
                       "default_project": default.get("ProjectName")})
    return UCLOUD_CODES.get(code) or unknown(clean_code(f"retcode_{code}"))


# -- QingCloud --------------------------------------------------------------------------------

# QingCloud's documented ret_codes (https://docsv3.qingcloud.com/development_docs/api/
# error_code/): 1200 authentication failed (no such access_key_id, or a wrong signature),
# 1300 expired time_stamp (our clock), 1400 access denied (an authenticated caller without
# the permission), 2500 over the API request quota, 5000/5100/5300 server side.
QINGCLOUD_CODES = {
    1200: inactive("authentication_failed"),
    1300: unknown("clock_skew"),
    1400: with_facts(active(), not_permitted("balance")),
    2500: unknown("throttled"),
    5000: unknown("server_error"),
    5100: unknown("server_error"),
    5300: unknown("server_error"),
}


class QingcloudVerifier:
    """QingCloud access_key_id/secret_access_key: ``GetBalance`` on api.qingcloud.com/iaas/,
    the caller's own account entry (user_id, balance), read-only and zone-free: it takes no
    parameters beyond the common ones (https://docsv3.qingcloud.com/development_docs/api/
    command_list/billing/get_balance/, common parameters: https://docsv3.qingcloud.com/
    development_docs/api/parameters/). Signed HmacSHA256 signature_version 1 as
    https://docsv3.qingcloud.com/development_docs/api/signature/ describes; the secret never
    travels, only ``signature``. Answers carry ``ret_code`` (0 success; see QINGCLOUD_CODES)."""

    name = "qingcloud"
    endpoint = "https://api.qingcloud.com"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        params = {"action": "GetBalance", "access_key_id": credential.key_id,
                  "signature_method": "HmacSHA256", "signature_version": "1", "version": "1",
                  "time_stamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        signature = cloud_signing.qingcloud_signature(
            credential.secret, "GET", f"{http.endpoint.base_path}/iaas/", params)
        query = (canonical_query(params.items()) + "&signature=" + percent_encode(signature))
        resp = http.request("GET", "/iaas/", query=query,
                            headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        return _qingcloud_classify(credential, resp)


def _qingcloud_classify(cred: Credential, resp: HttpResponse) -> Verification:
    body = resp.json_object()
    code = body.get("ret_code")
    log_answer(cred, "qingcloud", resp.status, str(code), None, str(body.get("message") or ""))
    if not isinstance(code, int):
        return http_failure(resp.status) or unknown(f"http_{resp.status}")
    if code == 0:
        if not body.get("user_id"):
            return unknown("unexpected_response")
        return active({"user_id": body.get("user_id")})
    return QINGCLOUD_CODES.get(code) or http_failure(resp.status) \
        or unknown(clean_code(f"ret_code_{code}"))


# -- Naver Cloud Platform ---------------------------------------------------------------------

NCLOUD_PATH = "/vserver/v2/getRegionList"
NCLOUD_QUERY = "responseFormatType=json"


class NcloudVerifier:
    """Naver Cloud access key ID/secret key: VPC Server ``getRegionList`` on
    ncloud.apigw.ntruss.com, the regions the key may use, read-only and region-free
    (https://api.ncloud-docs.com/docs/en/compute-vserver-server-common-getregionlist). Signed
    with the API Gateway signature v2 headers x-ncp-apigw-timestamp, x-ncp-iam-access-key and
    x-ncp-apigw-signature-v2 (https://api.ncloud-docs.com/docs/common-ncpapi); the secret never
    travels. Gateway errors are ``{"error": {"errorCode", "message"}}`` with 401 errorCode 200
    "Authentication Failed", 401 errorCode 210 "Permission Denied", 429 quota/throttle/rate
    limits and 5xx endpoint errors (https://api-gov.ncloud-docs.com/docs/
    api-call-lgc-errorhandling, the Legacy API error page of the same documentation)."""

    name = "naver-cloud"
    endpoint = "https://ncloud.apigw.ntruss.com"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        timestamp = str(int(time.time() * 1000))
        # The gateway signs the path it receives, so a base path of the endpoint is signed too.
        uri = f"{http.endpoint.base_path}{NCLOUD_PATH}?{NCLOUD_QUERY}"
        headers = {"x-ncp-apigw-timestamp": timestamp, "x-ncp-iam-access-key": credential.key_id,
                   "x-ncp-apigw-signature-v2": cloud_signing.ncloud_signature(
                       credential.secret, "GET", uri, timestamp, credential.key_id),
                   "Accept": "application/json", "User-Agent": USER_AGENT}
        resp = http.request("GET", NCLOUD_PATH, query=NCLOUD_QUERY, headers=headers)
        return _ncloud_classify(credential, resp)


def _ncloud_classify(cred: Credential, resp: HttpResponse) -> Verification:
    body = resp.json_object()
    raw_error = body.get("error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    code = str(error.get("errorCode") or "") or None
    result = body.get("getRegionListResponse")
    log_answer(cred, "naver-cloud", resp.status, code,
               result.get("requestId") if isinstance(result, dict) else None,
               str(error.get("message") or ""))
    if resp.status == 200 and isinstance(result, dict) and str(result.get("returnCode")) == "0":
        regions = result.get("regionList")
        return active({"regions": result.get("totalRows",
                                             len(regions) if isinstance(regions, list) else None)})
    if resp.status == 401 and code == "200":
        return inactive("authentication_failed")
    if resp.status == 401 and code == "210":
        return with_facts(active(), not_permitted("getRegionList"))
    return status_fallback(resp)
