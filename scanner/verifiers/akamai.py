"""Akamai EdgeGrid API client credentials: a signed read of the API client's own details.

An EdgeGrid credential is four things: the client token (the credential's ``key_id``), the
client secret (its ``secret``, the HMAC-SHA-256 key), and the access token and the API host
(its ``parts``, found beside the client token by the ``akamai-access-token`` and
``akamai-host`` rules). Requests go to that host (``akab-….luna.akamaiapis.net``), so without
a host ending in ``.akamaiapis.net`` nothing is sent (``skipped: needs_host``), and without an
access token nothing can be signed (``skipped: needs_access_token``).

Signing, EdgeGrid v1 (EG1-HMAC-SHA256,
https://techdocs.akamai.com/developer/docs/authenticate-with-edgegrid): the timestamp is UTC
as ``yyyyMMddTHH:mm:ss+0000``, the nonce a random string used once; the signing key is the
base64 of HMAC-SHA-256 over the timestamp keyed with the client secret; the header so far is
``EG1-HMAC-SHA256 client_token=…;access_token=…;timestamp=…;nonce=…;`` and the signature the
base64 of HMAC-SHA-256, keyed with the signing key, over the data to sign: the method, the
scheme, the host, the path with its query, the canonical signed headers (none here), the
content hash (empty: a GET has no body) and the header so far, joined by tabs. The header
sent is the header so far followed by ``signature=…``. The secret never travels.

The call is ``GET /identity-management/v3/api-clients/self?apiAccess=true&groupAccess=true``
(Identity and Access Management API v3, "Get an API client" with ``self`` as the client ID:
the client that signed the request, as Akamai's PowerShell ``Get-IAMAPIClient -ClientID self``
and Terraform ``akamai_iam_api_client`` with an empty block document it; read-only;
https://techdocs.akamai.com/powershell/docs/get-iamapiclient,
https://techdocs.akamai.com/terraform/docs/iam-ds-api-client). A client only reaches an API
it is granted, so a client without the IAM API in its grants is refused after its signature
was checked: the 403 below. Answers: 200 is ``active`` with the client's
name and ID, and what it can reach (the APIs it is granted and at which access level, the
groups and roles, whether it may switch accounts, whether it is locked): its blast radius;
401 (``https://problems.luna.akamaiapis.net/-/pep-authn/deny`` with a detail such as
"Inactive client token", https://techdocs.akamai.com/client-access-control/reference/401; or a
signature that does not match) is ``inactive`` with the detail as its reason, except a 401 about
the timestamp (the local clock is off), which says nothing about the credential and is
``unknown``; 403 comes only after the signature was accepted, so it is ``active`` with a "not
permitted" fact; 429 and 5xx are ``unknown`` and retried; any other status is ``unknown``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import uuid
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers.base import Credential, active, inactive, log_answer, skipped, unknown
from scanner.verifiers.http import HttpClient
from scanner.verifiers.redaction import clean_code
from scanner.verifiers.tokens import (
    USER_AGENT,
    not_permitted,
    status_fallback,
    text_of,
    with_facts,
)

MONIKER = "EG1-HMAC-SHA256"
SELF_PATH = "/identity-management/v3/api-clients/self"
SELF_QUERY = "apiAccess=true&groupAccess=true"
_HOST = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}(?:\.[a-z0-9-]{1,63})*\.akamaiapis\.net$")
_TOKEN = re.compile(r"^akab-[a-z0-9]{6,40}-[a-z0-9]{6,40}$")
MAX_APIS_SHOWN = 10


def timestamp(now: float | None = None) -> str:
    """EdgeGrid's timestamp: UTC as yyyyMMddTHH:mm:ss+0000."""
    return time.strftime("%Y%m%dT%H:%M:%S+0000", time.gmtime(now))


def signing_key(client_secret: str, stamp: str) -> str:
    """base64(HMAC-SHA-256(key = the client secret, message = the timestamp))."""
    digest = hmac.new(client_secret.encode("utf-8"), stamp.encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def unsigned_header(client_token: str, access_token: str, stamp: str, nonce: str) -> str:
    """The Authorization header before its signature (it ends with ``;``)."""
    return (f"{MONIKER} client_token={client_token};access_token={access_token};"
            f"timestamp={stamp};nonce={nonce};")


def data_to_sign(method: str, scheme: str, host: str, path_and_query: str,
                 header_so_far: str, canonical_headers: str = "",
                 content_hash: str = "") -> str:
    """The tab-joined fields the signature covers, in EdgeGrid's order."""
    return "\t".join((method.upper(), scheme.lower(), host.lower(), path_and_query,
                      canonical_headers, content_hash, header_so_far))


def authorization(client_token: str, client_secret: str, access_token: str, method: str,
                  scheme: str, host: str, path_and_query: str, stamp: str, nonce: str) -> str:
    """The whole Authorization header of a request without a body and no signed headers."""
    header = unsigned_header(client_token, access_token, stamp, nonce)
    data = data_to_sign(method, scheme, host, path_and_query, header)
    key = signing_key(client_secret, stamp)
    mac = hmac.new(key.encode("utf-8"), data.encode("utf-8"), hashlib.sha256).digest()
    return header + "signature=" + base64.b64encode(mac).decode("ascii")


class AkamaiVerifier:
    name = "akamai"
    endpoint = "https://akab-host.luna.akamaiapis.net"  # the credential's own host is used
    rate = 2.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        client_token = credential.key_id.strip()
        access_token = credential.parts.get("access_token", "").strip()
        host = credential.parts.get("host", "").strip().lower()
        if not _TOKEN.match(client_token):
            return inactive("not_a_client_token")
        if not _HOST.match(host):
            return skipped("needs_host")
        if not _TOKEN.match(access_token):
            return skipped("needs_access_token")
        if not http.overridden:
            http = http.sibling(f"https://{host}")
        target = f"{http.endpoint.base_path}{SELF_PATH}?{SELF_QUERY}"  # as the server sees it
        header = authorization(client_token, credential.secret, access_token, "GET",
                               http.endpoint.scheme, http.host, target, timestamp(),
                               str(uuid.uuid4()))
        resp = http.request("GET", SELF_PATH, SELF_QUERY, headers={
            "Authorization": header, "Accept": "application/json", "User-Agent": USER_AGENT})
        body = resp.json_object()
        detail = text_of(body.get("detail")) or ""
        log_answer(credential, self.name, resp.status, text_of(body.get("type")),
                   text_of(body.get("requestId")), detail, host=host)
        if resp.status == 200 and (body.get("clientId") or body.get("clientName")):
            return _client(body, host)
        if resp.status == 401:
            if "timestamp" in detail.lower():
                return unknown("invalid_timestamp")  # our clock, not the credential
            return inactive(_reason(credential, detail, "not_authorized"))
        if resp.status == 403:
            # Authentication passed (a bad signature or token is 401): the client lacks the
            # grant to read itself, which is what least privilege looks like.
            return Verification("active", None, {"client_token": client_token, "host": host},
                                (not_permitted("get_api_client"),))
        if 400 <= resp.status < 500 and resp.status != 429:
            return unknown(f"http_{resp.status}")
        return status_fallback(resp)


def _client(body: dict[str, Any], host: str) -> Verification:
    identity: dict[str, object] = {
        "client": text_of(body.get("clientName")), "client_id": text_of(body.get("clientId")),
        "client_type": text_of(body.get("clientType")),
        "created_by": text_of(body.get("createdBy")), "host": host}
    facts: list[Fact] = []
    if body.get("isLocked") is True:
        facts.append(Fact("locked", "yes", "info"))
    if body.get("allowAccountSwitch") is True:
        facts.append(Fact("account_switch", "allowed: can act on other accounts", "high"))
    access = body.get("apiAccess")
    if isinstance(access, dict):
        if access.get("allAccessibleApis") is True:
            facts.append(Fact("all_accessible_apis", "yes", "high"))
        apis = [a for a in access.get("apis") or () if isinstance(a, dict)]
        if apis:
            shown = [f"{text_of(a.get('apiName')) or text_of(a.get('endPoint')) or '?'} "
                     f"({text_of(a.get('accessLevel')) or '?'})" for a in apis]
            extra = f", +{len(shown) - MAX_APIS_SHOWN} more" if len(shown) > MAX_APIS_SHOWN \
                else ""
            writes = any("WRITE" in (text_of(a.get("accessLevel")) or "").upper() for a in apis)
            facts.append(Fact("apis", f"{len(apis)}: " + ", ".join(shown[:MAX_APIS_SHOWN])
                              + extra, "high" if writes else "medium"))
    groups = body.get("groupAccess")
    if isinstance(groups, dict):
        named = [g for g in groups.get("groups") or () if isinstance(g, dict)]
        if named:
            shown = [f"{text_of(g.get('groupName')) or text_of(g.get('groupId')) or '?'} "
                     f"({text_of(g.get('roleName')) or '?'})" for g in named]
            facts.append(Fact("groups", f"{len(named)}: " + ", ".join(shown[:MAX_APIS_SHOWN]),
                              "medium"))
    count = body.get("activeCredentialCount")
    if isinstance(count, int) and not isinstance(count, bool):
        facts.append(Fact("active_credentials", str(count), "info"))
    return with_facts(active(identity), *facts)


def _reason(credential: Credential, detail: str, default: str) -> str:
    """Akamai's problem detail as a reason ("The signature does not match" ->
    signature_does_not_match), cleaned; ``default`` without one."""
    words = re.findall(r"[a-z0-9]+", credential.scrub(detail).lower())
    return clean_code("_".join(words)) if words else default
