"""Identity (or listing) calls for Yandex Cloud, Exoscale and OVHcloud.

Each verifier makes one read-only call to the provider's documented endpoint (or the
``--verify-endpoint`` a test names; OVHcloud's is preceded by a read of the API's clock, which
carries no credential): a Yandex IAM token goes as a bearer to Resource Manager;
a Yandex static access key, an Exoscale API key and an OVHcloud application secret sign
their request, so only a signature made with the secret travels (OVHcloud's consumer key
goes in its own documented header). Answers map as everywhere: identity or listing -> ``active``;
the documented bad-credentials answer -> ``inactive``; an authenticated call the credential
may not make -> ``active`` with a "not permitted" fact; throttling and 5xx -> ``unknown``;
anything the provider does not document -> ``unknown``, never a guess.

Not verified, on purpose: Yandex Cloud API keys (``AQVN``) work only with the services their
scopes name (AI Studio, SpeechKit, Translate, Vision, Functions, ...; Resource Manager takes
IAM tokens only), no call is documented to work for every key, and the answer to a key used
outside its scope is not documented, so a refusal cannot tell a dead key from a scoped one
(https://yandex.cloud/en/docs/iam/concepts/authorization/api-key). Yandex OAuth tokens are
only ever exchanged for a new IAM token (``POST /iam/v1/tokens``), a call that issues a
credential, not a read."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scanner.models import Fact, Verification
from scanner.verifiers import cloud_signing, signing
from scanner.verifiers.aws import xml_fields
from scanner.verifiers.base import (
    Credential,
    active,
    http_failure,
    inactive,
    log_answer,
    skipped,
    unknown,
)
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code
from scanner.verifiers.tokens import (
    USER_AGENT,
    bearer_headers,
    get_json,
    not_permitted,
    status_fallback,
    with_facts,
)

# -- Yandex Cloud: IAM tokens ----------------------------------------------------------------

YANDEX_CLOUDS_PATH = "/resource-manager/v1/clouds"


class YandexIamTokenVerifier:
    """Yandex Cloud IAM tokens (``t1.``): Resource Manager ``Cloud.list``, ``GET
    /resource-manager/v1/clouds`` on resource-manager.api.cloud.yandex.net
    (https://yandex.cloud/en/docs/resource-manager/api-ref/Cloud/list), with the token as
    ``Authorization: Bearer`` (https://yandex.cloud/en/docs/iam/concepts/authorization/iam-token).
    It lists the clouds the token's account may see and needs no cloud or folder ID. Errors are
    google.rpc.Status JSON, ``{"code", "message", "details"}``, with the documented HTTP mapping
    (https://yandex.cloud/en/docs/api-design-guide/concepts/errors): 401 UNAUTHENTICATED (16,
    "Token is invalid or has expired"), 403 PERMISSION_DENIED (7, authenticated but not
    allowed), 429 RESOURCE_EXHAUSTED, 5xx server side."""

    name = "yandex-cloud-iam"
    endpoint = "https://resource-manager.api.cloud.yandex.net"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, YANDEX_CLOUDS_PATH, bearer_headers(credential.secret))
        log_answer(credential, self.name, resp.status, _str(body.get("code")),
                   resp.header("x-request-id") or None, _str(body.get("message")))
        if resp.status == 200 and "code" not in body:
            # proto3 JSON leaves an empty list out: {} is an account that sees no cloud.
            raw = body.get("clouds")
            clouds: list[Any] = raw if isinstance(raw, list) else []
            first = next((c for c in clouds if isinstance(c, dict)), {})
            count = f"{len(clouds)}+" if body.get("nextPageToken") else str(len(clouds))
            return with_facts(
                active({"clouds": count, "cloud_id": first.get("id"),
                        "cloud_name": first.get("name"),
                        "organization_id": first.get("organizationId")}),
                Fact("clouds", count, "high" if clouds else "info"))
        if resp.status == 401:
            return inactive("unauthenticated")
        if resp.status == 403:
            return with_facts(active(), not_permitted("resource-manager.clouds.list"))
        return status_fallback(resp)


# -- Yandex Cloud: static access keys (Object Storage, SigV4) --------------------------------

YANDEX_REGION = "ru-central1"
YANDEX_STORAGE_CODES = {
    "InvalidAccessKeyId": inactive("id_not_found"),
    "SignatureDoesNotMatch": inactive("wrong_secret"),
    "InvalidSecurity": inactive("invalid_credentials"),
    "AccessDenied": with_facts(active(), not_permitted("storage:ListBuckets")),
    "RequestTimeTooSkewed": unknown("clock_skew"),
    "TooManyRequests": unknown("throttled"),
    "SlowDown": unknown("throttled"),
    "InternalError": unknown("server_error"),
    "ServiceUnavailable": unknown("server_error"),
}


class YandexStorageVerifier:
    """Yandex Cloud static access keys (``YC…`` key ID and secret, a service account's keys
    for the AWS-compatible APIs): Object Storage ``listBuckets``, ``GET /`` on
    storage.yandexcloud.net (https://yandex.cloud/en/docs/storage/s3/api-ref/bucket/list: the
    buckets of the service account's folder, read-only), signed with AWS Signature V4 for
    region ru-central1 and service s3 (https://yandex.cloud/en/docs/storage/s3/signing-requests),
    the existing SigV4 code unchanged. Error codes are the documented S3 ones
    (https://yandex.cloud/en/docs/storage/s3/api-ref/response-codes): 403 InvalidAccessKeyId
    (unknown key), SignatureDoesNotMatch (wrong secret), InvalidSecurity, AccessDenied (a key
    without storage access), RequestTimeTooSkewed (our clock), 429 TooManyRequests, 503
    SlowDown/ServiceUnavailable, 500 InternalError."""

    name = "yandex-cloud-storage"
    endpoint = "https://storage.yandexcloud.net"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = {"Host": http.host, "X-Amz-Date": amz_date,
                   "X-Amz-Content-Sha256": signing.EMPTY_SHA256}
        signed = [h.lower() for h in headers]
        path = http.endpoint.base_path + "/"  # the server signs the path it receives
        canonical = signing.sigv4_canonical_request("GET", path, [], headers, signed,
                                                    signing.EMPTY_SHA256)
        headers["Authorization"] = signing.sigv4_authorization(
            credential.key_id, credential.secret, amz_date, YANDEX_REGION, "s3", canonical,
            signed)
        headers["User-Agent"] = USER_AGENT
        resp = http.request("GET", "/", headers=headers)
        return _storage_classify(credential, resp)


def _storage_classify(cred: Credential, resp: HttpResponse) -> Verification:
    fields = xml_fields(resp)
    code = fields.get("Code")
    log_answer(cred, "yandex-cloud-storage", resp.status, code,
               fields.get("RequestId") or resp.header("x-amz-request-id") or None,
               fields.get("Message"))
    if resp.status == 200 and code is None:
        buckets = _bucket_count(resp)
        if buckets is None:
            return unknown("unexpected_response")
        return with_facts(active({"buckets": buckets}),
                          Fact("storage_buckets", str(buckets), "high" if buckets else "info"))
    if code in YANDEX_STORAGE_CODES:
        return YANDEX_STORAGE_CODES[code]
    return http_failure(resp.status) or unknown(clean_code(code) if code
                                                else f"http_{resp.status}")


def _bucket_count(resp: HttpResponse) -> int | None:
    """How many ``Bucket`` elements a ``ListAllMyBucketsResult`` holds; None for another
    document. Parsed with defusedxml: the body comes off the network."""
    try:
        root = SafeET.fromstring(resp.body, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError):
        return None
    if root.tag.rsplit("}", 1)[-1] != "ListAllMyBucketsResult":
        return None
    return sum(1 for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "Bucket")


# -- Exoscale: API v2, EXO2-HMAC-SHA256 ------------------------------------------------------

EXOSCALE_PATH = "/organization"
EXOSCALE_EXPIRY = 600  # seconds the signature is valid; the official SDKs use ten minutes
# The bad-signature answer, as Exoscale's own Python SDK reproduces it in its tests.
EXOSCALE_BAD_SIGNATURE = "invalid request signature"


class ExoscaleVerifier:
    """Exoscale IAM API keys (``EXO…`` key and secret): ``get-organization``, ``GET
    /v2/organization`` on api-ch-gva-2.exoscale.com, the key's own organization (ID, name,
    currency), read-only and needing no resource ID
    (https://openapi-v2.exoscale.com/operation/operation-get-organization). Signed with the
    API v2 request signature, ``Authorization: EXO2-HMAC-SHA256 credential=<key>,
    expires=<timestamp>,signature=<base64 HMAC-SHA256>``
    (https://openapi-v2.exoscale.com/topic/topic-api-request-signature); the secret never
    travels. ``list-zones`` is not used: it answers public data (exoscale/python-exoscale,
    exoscale/api/generator.py). The API reference documents no error answer for this call;
    Exoscale's Python SDK treats 403 as its authentication error and its tests reproduce a bad
    signature's answer as 403 ``{"message": "Invalid request signature"}``
    (exoscale/python-exoscale, exoscale/api/exceptions.py, tests/test_client.py). So that
    answer is ``inactive``; any other 403 (an IAM role that denies the call, or a refusal we
    cannot read) and any other 4xx stay ``unknown``; 429 and 5xx are ``unknown``."""

    name = "exoscale"
    endpoint = "https://api-ch-gva-2.exoscale.com/v2"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        expires = int(time.time()) + EXOSCALE_EXPIRY
        # The signed path is the one the server receives, base path (/v2) included.
        signed_path = http.endpoint.base_path + EXOSCALE_PATH
        headers = {"Authorization": cloud_signing.exoscale_authorization(
                       credential.key_id, credential.secret, "GET", signed_path, expires),
                   "Accept": "application/json", "User-Agent": USER_AGENT}
        resp, body = get_json(http, EXOSCALE_PATH, headers)
        message = _str(body.get("message"))
        log_answer(credential, self.name, resp.status, None,
                   resp.header("x-request-id") or None, message)
        if resp.status == 200 and body.get("id"):
            return active({"organization_id": body.get("id"),
                           "organization": body.get("name"),
                           "currency": body.get("currency")})
        if resp.status == 403 and (message or "").strip().lower() == EXOSCALE_BAD_SIGNATURE:
            return inactive("invalid_signature")
        if resp.status == 403:
            return unknown("forbidden")
        return status_fallback(resp)


# -- OVHcloud: application key + application secret + consumer key ---------------------------

# The regions' API roots, as OVHcloud's SDK names them (ovh/python-ovh, ovh/client.py ENDPOINTS).
OVH_REGIONS = (("https://eu.api.ovh.com/1.0", "ovh-eu"), ("https://ca.api.ovh.com/1.0", "ovh-ca"),
               ("https://api.us.ovhcloud.com/1.0", "ovh-us"))
OVH_PATH = "/auth/currentCredential"
# 403 errorCodes, as OVHcloud's SDK tells them apart (ovh/python-ovh, ovh/client.py,
# ovh/exceptions.py): INVALID_KEY is an application key this region does not know;
# INVALID_CREDENTIAL and NOT_CREDENTIAL a consumer key that is not (or no longer) valid;
# NOT_GRANTED_CALL an authenticated credential whose access rules do not cover the call.
OVH_CREDENTIAL_GONE = {"INVALID_CREDENTIAL": "invalid_credential",
                       "NOT_CREDENTIAL": "not_credential"}
OVH_STATES = {"expired": "expired", "refused": "refused",
              "pendingValidation": "pending_validation"}
OVH_WRITE = frozenset({"POST", "PUT", "DELETE"})


class OvhVerifier:
    """OVHcloud API credentials, the application key (AK) with its application secret (AS)
    and the consumer key (CK) found with them: ``GET /1.0/auth/currentCredential``, the
    calling credential's own details (ID, application, status, access rules, expiry),
    read-only (the API schema, https://eu.api.ovh.com/1.0/auth.json: api.Credential, states
    expired, pendingValidation, refused, validated). Signed as "First API usage" documents
    (https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api?id=kb_article_view&sysparm_article=KB0042784):
    X-Ovh-Application (AK), X-Ovh-Consumer (CK), X-Ovh-Timestamp and X-Ovh-Signature ("$1$" +
    SHA1 over AS, CK, method, full URL, body and timestamp); the AS never travels. The
    timestamp is the API's own clock, read first from the unauthenticated ``GET /auth/time``
    (no credential sent), as the SDKs do. An AK belongs to one region: INVALID_KEY in Europe
    is asked again in Canada, then the US (not with ``--verify-endpoint``). A wrong AS is
    answered 400 ``{"errorCode": "INVALID_SIGNATURE", "message": "Invalid signature"}`` (as
    reported in OVHcloud's own repository, ovh/java-ovh#4); any other 400 or 403 code is
    ``unknown``. Without a consumer key nothing is sent: ``skipped: needs_consumer_key``."""

    name = "ovhcloud"
    endpoint = OVH_REGIONS[0][0]
    rate = 5.0
    regions = OVH_REGIONS  # asked in turn while the answer is INVALID_KEY

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        if not credential.token:
            return skipped("needs_consumer_key")
        clients = [(http, "" if http.overridden else self.regions[0][1])]
        if not http.overridden:
            clients += [(http.sibling(url), region) for url, region in self.regions[1:]]
        verdict = inactive("invalid_key")
        for client, region in clients:
            verdict, code = self._call(credential, client, region)
            if code != "INVALID_KEY":
                return verdict
        return verdict

    def _call(self, cred: Credential, http: HttpClient,
              region: str) -> tuple[Verification, str | None]:
        timestamp, time_resp = self._server_time(http)
        if timestamp is None:
            return http_failure(time_resp.status) or unknown("no_server_time"), None
        ep = http.endpoint
        url = f"{ep.scheme}://{ep.host}{ep.base_path}{OVH_PATH}"  # the URL is signed whole
        headers = {"X-Ovh-Application": cred.key_id, "X-Ovh-Consumer": cred.token or "",
                   "X-Ovh-Timestamp": timestamp,
                   "X-Ovh-Signature": cloud_signing.ovh_signature(
                       cred.secret, cred.token or "", "GET", url, "", timestamp),
                   "Accept": "application/json", "User-Agent": USER_AGENT}
        resp, body = get_json(http, OVH_PATH, headers)
        code = _str(body.get("errorCode"))
        log_answer(cred, self.name, resp.status, code, resp.header("x-ovh-queryid") or None,
                   _str(body.get("message")), region=region)
        return _ovh_classify(resp, body, code, region), code

    @staticmethod
    def _server_time(http: HttpClient) -> tuple[str | None, HttpResponse]:
        """The API's clock, UNIX seconds (no credential is sent for it)."""
        resp = http.request("GET", "/auth/time", headers={"Accept": "application/json",
                                                          "User-Agent": USER_AGENT})
        text = resp.body.decode("utf-8", "replace").strip()
        return (text if resp.status == 200 and text.isdigit() else None), resp


def _ovh_classify(resp: HttpResponse, body: dict[str, Any], code: str | None,
                  region: str) -> Verification:
    if resp.status == 200 and body.get("credentialId") is not None:
        status = str(body.get("status") or "")
        if status in OVH_STATES:
            return inactive(OVH_STATES[status])
        if status != "validated":
            return unknown("unexpected_response")
        raw = body.get("rules")
        rules = [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []
        shown = ", ".join(f"{r.get('method')} {r.get('path')}" for r in rules[:5])
        # A write rule on /* can change (or order, or delete) anything on the account.
        writes = [r for r in rules if str(r.get("method")) in OVH_WRITE]
        risk = "critical" if any(str(r.get("path")) == "/*" for r in writes) \
            else "high" if writes else "medium"
        return with_facts(
            active({"region": region or None, "credential_id": body.get("credentialId"),
                    "application_id": body.get("applicationId"),
                    "expiration": body.get("expiration"), "last_use": body.get("lastUse")}),
            Fact("access_rules", shown + (" ..." if len(rules) > 5 else "") or "none",
                 risk if rules else "info"))
    if resp.status == 403 and code == "NOT_GRANTED_CALL":
        return with_facts(active({"region": region or None}),
                          not_permitted("auth/currentCredential"))
    if resp.status == 403 and code == "INVALID_KEY":
        return inactive("invalid_key")
    if resp.status == 403 and code in OVH_CREDENTIAL_GONE:
        return inactive(OVH_CREDENTIAL_GONE[code])
    if resp.status == 400 and code == "INVALID_SIGNATURE":
        return inactive("wrong_secret")
    if resp.status in (400, 403):
        return unknown(clean_code(code) if code else f"http_{resp.status}")
    return status_fallback(resp)


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
