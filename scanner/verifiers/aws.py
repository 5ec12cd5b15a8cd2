"""AWS: STS GetCallerIdentity signed with SigV4. It needs no permission, even under an explicit
deny. Keys of known canary-token accounts are never sent anywhere (credentials.md §2.2). A live
key's blast radius (root user, IAM user's policies, console, keys) comes from read-only IAM
calls: ``scanner.verifiers.aws_iam``."""

from __future__ import annotations

import dataclasses
import logging
import re
import time
import tomllib
import xml.etree.ElementTree as ET
from functools import cache

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scanner.models import Fact, Verification
from scanner.rules.loader import CANARIES_FILE, builtin_patterns_dir
from scanner.verifiers import signing
from scanner.verifiers.aws_iam import blast_radius
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

BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
# Keys of the China and GovCloud partitions are unknown to the global endpoint.
OTHER_PARTITIONS = (("https://sts.cn-north-1.amazonaws.com.cn/", "cn-north-1"),
                    ("https://sts.us-gov-west-1.amazonaws.com/", "us-gov-west-1"))
_REGIONAL_HOST = re.compile(
    r"^sts[.-](?:fips\.)?([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$")

NOT_FOUND = "InvalidClientTokenId"
EXPIRED = {"ExpiredToken", "InvalidToken"}
SIGNING = {"IncompleteSignature", "MissingAuthenticationToken", "RequestExpired"}
THROTTLED = {"Throttling", "ThrottlingException", "RequestLimitExceeded"}
SERVER = {"ServiceUnavailable", "InternalFailure", "InternalError"}

log = logging.getLogger("scanner.verifiers")


@cache
def canary_accounts() -> frozenset[str]:
    """The canary-token accounts listed in ``patterns/canaries.toml``."""
    path = builtin_patterns_dir() / CANARIES_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return frozenset(str(a) for a in data.get("aws", {}).get("canary_accounts", ()))


class AwsVerifier:
    name = "aws"
    endpoint = "https://sts.amazonaws.com/"
    rate = 10.0
    recheck_delay = 2.0  # a wrong-signature answer is confirmed once, after this pause
    partitions = OTHER_PARTITIONS  # asked when the global endpoint does not know a key

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        account = signing.aws_account_id(credential.key_id)
        if account is not None and account in canary_accounts():
            return skipped("canary")  # decided offline, before any connection
        if credential.key_id.startswith("ASIA") and not credential.token:
            return skipped("needs_session_token")
        verdict, code = self._call(credential, http)
        if code == "SignatureDoesNotMatch":
            # Reported: a call right after another with the same ID and a different secret
            # can fail even with the right secret. Confirm once before saying wrong_secret.
            time.sleep(max(0.0, min(self.recheck_delay, http.remaining() - http.timeout / 2)))
            verdict, code = self._call(credential, http)
        if code == NOT_FOUND and not http.overridden:
            verdict = self._other_partitions(credential, http)
        return self._with_blast_radius(credential, http, verdict)

    def _with_blast_radius(self, credential: Credential, http: HttpClient,
                           verdict: Verification) -> Verification:
        """A live key's verdict with what it is and can reach (read-only IAM calls)."""
        arn = (verdict.identity or {}).get("arn")
        if verdict.status != "active" or not arn:
            return verdict
        try:
            facts, root = blast_radius(credential, http, arn)
        except Exception as exc:  # noqa: BLE001 - the key is live whatever went wrong here
            log.debug("aws: blast radius failed: %s", credential.scrub(repr(exc)))
            facts, root = (Fact("blast_radius", "not checked (verifier error)"),), False
        return dataclasses.replace(verdict, facts=facts, root=root)

    def _other_partitions(self, credential: Credential, http: HttpClient) -> Verification:
        """Unknown to the global endpoint: maybe a China or GovCloud key."""
        inconclusive = False
        for url, region in self.partitions:
            verdict, code = self._call(credential, http.sibling(url), region)
            if code == NOT_FOUND:
                continue
            if verdict.status == "unknown":
                inconclusive = True
                continue
            return verdict
        return inactive("not_found_in_aws_partition" if inconclusive else "id_not_found")

    def _call(self, cred: Credential, http: HttpClient,
              region: str | None = None) -> tuple[Verification, str | None]:
        region = region or _region_of(http.endpoint.hostname)
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = {"Content-Type": CONTENT_TYPE, "Host": http.host, "X-Amz-Date": amz_date}
        if cred.token:
            headers["X-Amz-Security-Token"] = cred.token
        signed = [h.lower() for h in headers]
        canonical = signing.sigv4_canonical_request("POST", "/", [], headers, signed,
                                                    signing.sha256_hex(BODY))
        headers["Authorization"] = signing.sigv4_authorization(
            cred.key_id, cred.secret, amz_date, region, "sts", canonical, signed)
        headers["Accept"] = "text/xml"
        resp = http.request("POST", "/", headers=headers, body=BODY)
        fields = xml_fields(resp)
        code = fields.get("Code")
        log_answer(cred, self.name, resp.status, code, fields.get("RequestId"),
                   fields.get("Message"))
        return _classify(resp.status, code, fields), code


def _classify(status: int, code: str | None, fields: dict[str, str]) -> Verification:
    if status == 200 and code is None:
        if not fields.get("Account"):
            return unknown("unexpected_response")
        return active({"account_id": fields.get("Account"), "arn": fields.get("Arn"),
                       "user_id": fields.get("UserId")})
    if code == NOT_FOUND:
        return inactive("id_not_found")
    if code == "SignatureDoesNotMatch":
        return inactive("wrong_secret")
    if code in EXPIRED:
        return inactive("expired")
    if code == "AccessDenied":
        return active()  # authenticated, only not authorized
    if code in SIGNING:
        return unknown("signing_error")
    if code in THROTTLED:
        return unknown("throttled")
    if code in SERVER:
        return unknown("server_error")
    return http_failure(status) or unknown(clean_code(code) if code else f"http_{status}")


def _region_of(hostname: str) -> str:
    """The signing region: a regional STS host names it, anything else is us-east-1."""
    m = _REGIONAL_HOST.match(hostname.lower())
    return m.group(1) if m else "us-east-1"


def xml_fields(resp: HttpResponse) -> dict[str, str]:
    """Leaf elements of the XML answer by local name (Code, Message, Account, Arn, ...). The
    body comes off the network: parsed with defusedxml, so entity expansion (a "billion
    laughs" bomb) or external entities are refused instead of eating memory and time."""
    try:
        root = SafeET.fromstring(resp.body, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError):
        return {}
    out: dict[str, str] = {}
    for el in root.iter():
        name = el.tag.rsplit("}", 1)[-1]
        if len(el) == 0 and el.text and name not in out:
            out[name] = el.text.strip()
    return out
