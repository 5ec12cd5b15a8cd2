"""Google Cloud service-account keys: the OAuth 2.0 JWT-bearer grant, then tokeninfo.

The key signs an RS256 assertion (iss = the account's client_email, aud = the token URI,
a read-only scope, five minutes), exchanged at https://oauth2.googleapis.com/token for a
short-lived access token; ``GET /tokeninfo?access_token=...`` then shows what it is (scope,
client ID, expiry). Nothing is created or rotated that outlives the hour-long token.
https://developers.google.com/identity/protocols/oauth2/service-account#httprest
(its error table: invalid_grant "Invalid JWT Signature.", "account not found", ...);
tokeninfo: https://cloud.google.com/docs/authentication/token-types

The credential is (client_email, private_key): ``key_id`` is the email. Google API keys
(``AIza...``) are left unverified: Google documents no key-only identity or validity call,
and every API that takes a bare key is a product call (Maps, Custom Search, ...) billed to,
or counted against the quota of, the key's owner, a side effect this tool does not make."""

from __future__ import annotations

import re
import time
from urllib.parse import quote, urlencode

from scanner.models import Fact, Verification
from scanner.verifiers import cloud_signing
from scanner.verifiers.base import Credential, http_failure, inactive, log_answer, unknown
from scanner.verifiers.http import HttpClient

TOKEN_URI = "https://oauth2.googleapis.com/token"
SCOPE = "https://www.googleapis.com/auth/cloud-platform.read-only"
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME = 300  # seconds the assertion is valid (Google allows at most 3600)
_EMAIL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}@[a-z0-9][a-z0-9.-]{0,126}"
                    r"\.gserviceaccount\.com$")


class GcpServiceAccountVerifier:
    name = "gcp"
    endpoint = "https://oauth2.googleapis.com/"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        email = credential.key_id.strip().lower()
        if not _EMAIL.match(email):
            return inactive("not_a_service_account_email")
        now = int(time.time())
        try:
            assertion = cloud_signing.jwt_rs256(
                credential.secret, {"alg": "RS256", "typ": "JWT"},
                {"iss": email, "scope": SCOPE, "aud": TOKEN_URI, "iat": now,
                 "exp": now + LIFETIME})
        except ValueError:
            return inactive("not_an_rsa_private_key")  # decided offline: nothing is sent
        body = urlencode({"grant_type": GRANT, "assertion": assertion}).encode("ascii")
        resp = http.request("POST", "/token", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            body=body)
        answer = resp.json_object()
        error = str(answer.get("error") or "") or None
        description = str(answer.get("error_description") or "")
        log_answer(credential, self.name, resp.status, error, None, description)
        if resp.status == 200 and answer.get("access_token"):
            return self._tokeninfo(credential, http, str(answer["access_token"]), email)
        if error is not None:
            return _grant_error(error, description)
        return http_failure(resp.status) or unknown(f"http_{resp.status}")

    def _tokeninfo(self, credential: Credential, http: HttpClient, token: str,
                   email: str) -> Verification:
        resp = http.request("GET", "/tokeninfo", query="access_token=" + quote(token, safe=""),
                            headers={"Accept": "application/json"})
        info = resp.json_object()
        identity = {"client_email": email}
        if resp.status != 200:
            # The grant already proved the key; tokeninfo only adds details.
            return Verification("active", None, identity,
                                (Fact("tokeninfo", f"http {resp.status}", "info"),))
        identity.update({k: str(v) for k, v in (("client_id", info.get("azp")),
                                                ("email", info.get("email"))) if v})
        facts = tuple(Fact("scope", s, "info") for s in str(info.get("scope") or "").split())
        return Verification("active", None, identity, facts)


def _grant_error(error: str, description: str) -> Verification:
    """The token endpoint's answers listed in the service-account guide's error table."""
    text = description.lower()
    if error == "invalid_grant":
        if "invalid jwt signature" in text:
            # Signed with a key the account does not have: deleted, disabled or expired.
            return inactive("key_deleted_or_wrong")
        if "account not found" in text or "email or user id" in text:
            return inactive("id_not_found")
        if "short-lived" in text or "reasonable timeframe" in text:
            return unknown("clock_skew")
    if error in ("unauthorized_client", "access_denied", "admin_policy_enforced"):
        # The signature was accepted; only the grant or scope is refused.
        return Verification("active", None, None, (Fact("token_grant", "not permitted",
                                                        "good"),))
    if error == "disabled_client" or "disabled" in text:
        return inactive("key_disabled")
    return unknown(re.sub(r"[^a-z0-9_]", "", error.lower())[:64] or "unrecognised")
