"""Oracle Cloud Infrastructure API signing keys: a signed ``GetUser`` on the identity endpoint.

An OCI API signing key is five things: the user OCID (the credential's ``key_id``), the RSA
private key (its ``secret``), the tenancy OCID and the region (its ``parts``, found beside
the user OCID by the ``oracle-tenancy-ocid`` and ``oracle-region`` rules), and the key's
fingerprint, which is computed here from the private key (MD5 of the DER
SubjectPublicKeyInfo, colon-separated hex), so a fingerprint found in the file is not needed.

The request is ``GET /20160918/users/{userOcid}`` on ``identity.{region}.oraclecloud.com``
(read-only), signed as OCI's request signature version 1 (draft-cavage-http-signatures-08):
``Authorization: Signature version="1",keyId="<tenancy>/<user>/<fingerprint>",
algorithm="rsa-sha256",headers="(request-target) date host",signature="<base64>"``, an
RSASSA-PKCS1-v1_5 SHA-256 signature over the signing string
``(request-target): get <path>\\ndate: <date>\\nhost: <host>``
(https://docs.oracle.com/en-us/iaas/Content/API/Concepts/signingrequests.htm). The private
key never travels; only the signature does. When the user may be read, the user's API keys
are counted too (``GET /20160918/users/{userOcid}/apiKeys``, read-only).

Answers (https://docs.oracle.com/en-us/iaas/Content/API/References/apierrors.htm): 200 is
``active`` with the user's name and email, whether the email is verified and MFA is on; 401
``NotAuthenticated`` ("the required authentication information was not provided or was
incorrect": a wrong or deleted key, a wrong tenancy, a clock more than 5 minutes off) is
``inactive``; 404 ``NotAuthorizedOrNotFound`` comes only once the signature was accepted
(a failed authentication is always 401), so it is ``active`` with a "not permitted" fact;
any other 404 or 4xx is ``unknown``; 429 and 5xx are ``unknown`` and retried. Without a
tenancy or a region found with the key nothing is sent: ``skipped`` as ``needs_tenancy`` /
``needs_region``."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

from scanner.models import Fact, Verification
from scanner.verifiers import cloud_signing
from scanner.verifiers.base import (
    Credential,
    active,
    inactive,
    log_answer,
    skipped,
    unknown,
)
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.redaction import clean_code
from scanner.verifiers.tokens import (
    USER_AGENT,
    not_permitted,
    status_fallback,
    text_of,
    with_facts,
)

API_VERSION = "/20160918"
SIGNED_HEADERS = ("(request-target)", "date", "host")
# Realms by the OCID's realm part, and their domains (oc1 is the commercial realm; the
# government and dedicated realms have their own domains, not asked here).
REALM_DOMAINS = {"oc1": "oraclecloud.com"}
_USER = re.compile(r"^ocid1\.user\.(oc[0-9]+)\.[a-z0-9-]*\.[a-z0-9]{20,100}$")
_TENANCY = re.compile(r"^ocid1\.tenancy\.(oc[0-9]+)\.[a-z0-9-]*\.[a-z0-9]{20,100}$")
_REGION = re.compile(r"^[a-z]{2,3}-[a-z]+-[0-9]{1,2}$")  # eu-frankfurt-1, us-ashburn-1


def key_fingerprint(pem: str) -> str:
    """The OCI (and ``openssl``) fingerprint of an RSA private key's public half: MD5 of the
    DER SubjectPublicKeyInfo, as colon-separated lower-case hex. ValueError if not RSA."""
    n, e, _ = cloud_signing.rsa_private_numbers(pem)
    digest = hashlib.md5(cloud_signing.rsa_spki(n, e), usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def signing_string(method: str, target: str, headers: Mapping[str, str],
                   order: Sequence[str] = SIGNED_HEADERS) -> str:
    """What is signed: one ``name: value`` line per signed header, in ``order``, the
    pseudo-header ``(request-target)`` being the lower-case method and the path with its
    query (draft-cavage-http-signatures-08 §2.3). ``headers`` are by lower-case name."""
    return "\n".join(f"{name}: {method.lower()} {target}" if name == "(request-target)"
                     else f"{name}: {headers[name]}" for name in order)


def authorization(key_id: str, pem: str, method: str, target: str,
                  headers: Mapping[str, str], order: Sequence[str] = SIGNED_HEADERS) -> str:
    """The ``Authorization`` header of a request with no body (GET)."""
    message = signing_string(method, target, headers, order).encode("utf-8")
    signature = base64.b64encode(cloud_signing.rs256_sign(pem, message)).decode("ascii")
    return (f'Signature version="1",keyId="{key_id}",algorithm="rsa-sha256",'
            f'headers="{" ".join(order)}",signature="{signature}"')


class OracleVerifier:
    name = "oracle"
    endpoint = "https://identity.us-ashburn-1.oraclecloud.com"  # the region's is used
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        user = credential.key_id.strip()
        tenancy = credential.parts.get("tenancy", "").strip()
        region = credential.parts.get("region", "").strip().lower()
        found = _USER.match(user)
        if not found:
            return inactive("not_a_user_ocid")
        if not _TENANCY.match(tenancy):
            return skipped("needs_tenancy")
        if not _REGION.match(region):
            return skipped("needs_region")
        domain = REALM_DOMAINS.get(found.group(1))
        if domain is None:
            return skipped("unsupported_realm")
        try:
            key_id = f"{tenancy}/{user}/{key_fingerprint(credential.secret)}"
        except ValueError:
            return skipped("not_an_rsa_private_key")  # decided offline: nothing is sent
        if not http.overridden:
            http = http.sibling(f"https://identity.{region}.{domain}")
        user_path = f"{API_VERSION}/users/{quote(user, safe='')}"
        resp, body = self._get(http, credential, key_id, user_path)
        code = _code(body)
        log_answer(credential, self.name, resp.status, code,
                   resp.header("opc-request-id") or None, text_of(body.get("message")),
                   region=region)
        if resp.status == 200 and body.get("id"):
            return self._user(http, credential, key_id, user_path, body, region)
        if resp.status == 401:
            return inactive(_reason(credential, code, "not_authenticated"))
        if resp.status == 404 and code == "NotAuthorizedOrNotFound":
            # Only an authenticated request gets this far: a bad signature is 401.
            return Verification("active", None, {"user_ocid": user, "region": region},
                                (not_permitted("get_user"),))
        if 400 <= resp.status < 500 and resp.status != 429:
            return unknown(_reason(credential, code, f"http_{resp.status}"))
        return status_fallback(resp)

    def _get(self, http: HttpClient, credential: Credential, key_id: str,
             path: str) -> tuple[HttpResponse, dict[str, Any]]:
        resp = _signed_get(http, credential, key_id, path)
        return resp, resp.json_object()

    def _user(self, http: HttpClient, credential: Credential, key_id: str, user_path: str,
              body: dict[str, Any], region: str) -> Verification:
        identity: dict[str, object] = {
            "user": text_of(body.get("name")), "email": text_of(body.get("email")),
            "user_ocid": credential.key_id.strip(), "region": region}
        facts = []
        verified = body.get("emailVerified")
        if isinstance(verified, bool):
            facts.append(Fact("email_verified", "yes" if verified else "no", "info"))
        mfa = body.get("isMfaActivated")
        if isinstance(mfa, bool):
            facts.append(Fact("mfa", "activated" if mfa else "not activated",
                              "info" if mfa else "medium"))
        state = text_of(body.get("lifecycleState"))
        if state:
            facts.append(Fact("lifecycle_state", state, "info"))
        verdict = with_facts(active(identity), *facts)
        resp = _signed_get(http, credential, key_id, user_path + "/apiKeys")
        keys = resp.json_list() if resp.status == 200 else None
        if keys is not None:
            return with_facts(verdict, Fact("api_keys", str(len(keys)), "info"))
        if resp.status in (401, 403, 404):
            return with_facts(verdict, not_permitted("list_api_keys"))
        return verdict  # the user read already proved the key


def _signed_get(http: HttpClient, credential: Credential, key_id: str,
                path: str) -> HttpResponse:
    signed = {"date": formatdate(usegmt=True), "host": http.host}
    target = http.endpoint.base_path + path  # the path the server receives
    headers = {"Date": signed["date"], "Accept": "application/json", "User-Agent": USER_AGENT,
               "Authorization": authorization(key_id, credential.secret, "GET", target,
                                              signed)}
    return http.request("GET", path, headers=headers)


def _code(body: dict[str, Any]) -> str | None:
    code = body.get("code")
    return str(code) if isinstance(code, str) and code else None


def _reason(credential: Credential, code: str | None, default: str) -> str:
    """OCI's error code as a reason (NotAuthenticated -> not_authenticated), cleaned."""
    if not code:
        return default
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", code).lower()
    return clean_code(credential.scrub(snake))
