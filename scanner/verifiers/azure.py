"""Azure Storage account keys: Blob service List Containers (``GET /?comp=list&maxresults=1``)
with Shared Key authorization, HMAC-SHA256 keyed with the base64-decoded account key. It only
reads; 200 proves the key, 403 AuthenticationFailed says the key is not (or no longer) the
account's. The credential is (account name, key): ``key_id`` is the account name.

https://learn.microsoft.com/en-us/rest/api/storageservices/authorize-with-shared-key
https://learn.microsoft.com/en-us/rest/api/storageservices/list-containers2
https://learn.microsoft.com/en-us/rest/api/storageservices/common-rest-api-error-codes"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scanner.models import Fact, Verification
from scanner.verifiers import cloud_signing
from scanner.verifiers.base import Credential, http_failure, inactive, log_answer, skipped, unknown
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code

VERSION = "2021-12-02"
QUERY = (("comp", "list"), ("maxresults", "1"))
_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")  # the documented account-name rule

CODES = {
    "AuthenticationFailed": inactive("wrong_secret"),
    "InvalidAuthenticationInfo": inactive("wrong_secret"),
    "KeyBasedAuthenticationNotPermitted": inactive("shared_key_disabled"),
    "AuthorizationFailure": unknown("network_restricted"),  # firewall / private endpoint
    "AccountIsDisabled": inactive("account_disabled"),
    "ServerBusy": unknown("throttled"),
    "InternalError": unknown("server_error"),
    "OperationTimedOut": unknown("server_error"),
}


class AzureStorageVerifier:
    name = "azure"
    endpoint = "https://blob.core.windows.net/"  # the account's own host is used instead
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        account = credential.key_id.strip()
        if not account:  # a key found without its AccountName: nothing to sign for
            return skipped("no_paired_id")
        if not _ACCOUNT.match(account):
            return inactive("not_a_storage_account_name")
        if not http.overridden:
            http = http.sibling(f"https://{account}.blob.core.windows.net/")
        x_ms_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
        headers = {"x-ms-date": x_ms_date, "x-ms-version": VERSION}
        to_sign = cloud_signing.azure_string_to_sign("GET", account, "/", QUERY, headers)
        try:
            headers["Authorization"] = cloud_signing.azure_shared_key(account,
                                                                      credential.secret, to_sign)
        except ValueError:
            return inactive("not_base64")
        query = "&".join(f"{k}={v}" for k, v in QUERY)
        resp = http.request("GET", "/", query=query, headers=headers)
        return _classify(credential, resp)


def _classify(cred: Credential, resp: HttpResponse) -> Verification:
    root = _xml(resp)
    found = root.findtext("Code") if root is not None else None
    code = found or resp.header("x-ms-error-code") or None
    log_answer(cred, "azure", resp.status, code, resp.header("x-ms-request-id"),
               root.findtext("Message") if root is not None else None)
    if resp.status == 200 and code is None:
        if root is None or root.tag != "EnumerationResults":
            return unknown("unexpected_response")
        names = [n.text or "" for n in root.iter("Name")]
        return Verification("active", None, {"account": cred.key_id.strip()},
                            (Fact("containers", "some" if names else "none listed",
                                  "high" if names else "info"),))
    if code in CODES:
        return CODES[code]
    return http_failure(resp.status) or unknown(clean_code(code) if code
                                                else f"http_{resp.status}")


def _xml(resp: HttpResponse) -> ET.Element | None:
    """The XML answer, parsed without DTDs or entity expansion (defusedxml)."""
    try:
        parsed: ET.Element = SafeET.fromstring(resp.body.lstrip(b"\xef\xbb\xbf"),
                                               forbid_dtd=True)
        return parsed
    except (ET.ParseError, DefusedXmlException, ValueError):
        return None
