"""Other clouds' and hosts' API tokens: one side-effect-free identity (or listing) call each,
to the provider's documented API host only (or the ``--verify-endpoint`` loopback a test
names), with the status mapping of ``tokens.py``.

Most of these providers share one shape, "a bearer token, GET one path, read identity fields
from the answer": ``IdentityCallVerifier`` is that call, and each provider is a small subclass
naming its host, path, headers and fields (and citing the documentation they come from).
Scaleway (the access key in the path, the secret in ``X-Auth-Token``), Backblaze B2 (basic
auth of the key pair) and IBM Cloud (an API-key-for-token exchange) have their own classes.

Nothing here echoes a secret: identity fields come from the answer, and the short-lived tokens
B2 and IBM hand back are read for their claims and dropped, never logged or reported."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from scanner.models import Fact, Verification
from scanner.verifiers.base import Credential, active, inactive, log_answer, unknown
from scanner.verifiers.http import HttpClient
from scanner.verifiers.tokens import (
    USER_AGENT,
    bearer_headers,
    error_fields,
    not_permitted,
    status_fallback,
    with_facts,
)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first_error(body: dict[str, Any]) -> dict[str, Any]:
    """The first object of a JSON:API-style ``{"errors": [{...}]}`` body."""
    errors = body.get("errors")
    return _dict(errors[0]) if isinstance(errors, list) and errors else {}


# -- the shared shape: bearer token, GET one path, read fields ------------------------------


class IdentityCallVerifier:
    """``GET {endpoint}{path}`` with the token in ``Authorization: <scheme> <token>``; a 200
    whose body ``identity`` can read is ``active`` with those fields, a status in
    ``inactive_statuses`` is ``inactive``, one in ``forbidden_statuses`` an authenticated
    token not allowed the call (``active`` with a "not permitted" fact), 429/5xx ``unknown``.
    Subclasses set the class attributes and override ``identity`` (and ``error_code`` where
    the provider's error body is not ``{"error": {"code", "message"}}``)."""

    name: str = ""
    endpoint: str = ""
    path: str = ""
    query: str = ""
    scheme: str = "Bearer"
    extra_headers: Mapping[str, str] = {}
    inactive_statuses: frozenset[int] = frozenset({401})
    forbidden_statuses: frozenset[int] = frozenset()
    call: str = ""  # the fact's name when the call is not permitted
    request_id_header: str = "x-request-id"
    rate: float = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        headers = {**bearer_headers(credential.secret), **self.extra_headers,
                   "Authorization": self.authorization(credential)}
        resp = http.request("GET", self.path, self.query, headers=headers)
        body = resp.json_object()
        code, message = self.error_code(body)
        log_answer(credential, self.name, resp.status, code,
                   resp.header(self.request_id_header) or None, message)
        if resp.status == 200:
            identity = self.identity(body)
            return active(identity) if identity is not None else unknown("unexpected_answer")
        if resp.status in self.inactive_statuses:
            return inactive(code or "unauthorized")
        if resp.status in self.forbidden_statuses:
            return with_facts(active(), not_permitted(self.call or self.path.strip("/")))
        return status_fallback(resp)

    def authorization(self, credential: Credential) -> str:
        return f"{self.scheme} {credential.secret}"

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        """The identity fields of a 200 answer, or None when it is not the documented shape."""
        raise NotImplementedError

    def error_code(self, body: dict[str, Any]) -> tuple[str | None, str]:
        return error_fields(body)


class HetznerVerifier(IdentityCallVerifier):
    """Hetzner Cloud API tokens (project-scoped, Read or Read & Write): ``GET
    https://api.hetzner.cloud/v1/servers?per_page=1`` with the token as a bearer (API
    reference https://docs.hetzner.cloud/reference/cloud, sections "Authentication" and
    "Servers: List Servers"; https://docs.hetzner.com/cloud/api/getting-started/
    generating-api-token/). Hetzner has no identity call: a token is bound to one project, and
    the list's ``meta.pagination.total_entries`` (section "Pagination") says how many servers
    it reaches. Errors are ``{"error": {"code", "message", "details"}}`` (section "Errors"):
    401 ``unauthorized`` is "an invalid or unknown token", 403 ``forbidden`` insufficient
    permissions, 429 ``rate_limit_exceeded`` (the same codes in Hetzner's own client,
    https://github.com/hetznercloud/hcloud-go/blob/main/hcloud/error.go)."""

    name = "hetzner"
    endpoint = "https://api.hetzner.cloud"
    path = "/v1/servers"
    query = "per_page=1"
    forbidden_statuses = frozenset({403})
    call = "servers"
    request_id_header = "x-correlation-id"

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        if not isinstance(body.get("servers"), list):
            return None
        pagination = _dict(_dict(body.get("meta")).get("pagination"))
        return {"servers": pagination.get("total_entries", len(body["servers"]))}


class VultrVerifier(IdentityCallVerifier):
    """Vultr API v2 keys: ``GET https://api.vultr.com/v2/account`` with the key as a bearer,
    "Get your Vultr account, permission, and billing information"
    (https://www.vultr.com/api/#operation/get-account, section "Authentication" of
    https://www.vultr.com/api/); the answer is ``{"account": {"name", "email", "acls",
    ...}}``, a bad or revoked key 401 Unauthorized (only the status is relied on: the error
    body's shape is not documented)."""

    name = "vultr"
    endpoint = "https://api.vultr.com"
    path = "/v2/account"
    rate = 2.0

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        account = body.get("account")
        if not isinstance(account, dict):
            return None
        acls = account.get("acls")
        return {"name": account.get("name"), "email": account.get("email"),
                "acls": ", ".join(map(str, acls)) if isinstance(acls, list) else None}


class LinodeVerifier(IdentityCallVerifier):
    """Linode (Akamai Cloud) personal access and OAuth tokens: ``GET
    https://api.linode.com/v4/profile`` with the token as a bearer, "information about the
    current user", open to every token whatever its scopes
    (https://techdocs.akamai.com/linode-api/reference/get-profile,
    https://techdocs.akamai.com/linode-api/reference/get-started#personal-access-tokens).
    401 is a token that "is invalid or has expired"
    (https://techdocs.akamai.com/linode-api/reference/401); errors are ``{"errors":
    [{"reason"}]}``."""

    name = "linode"
    endpoint = "https://api.linode.com"
    path = "/v4/profile"

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        if not body.get("username"):
            return None
        return {"username": body.get("username"), "email": body.get("email"),
                "uid": body.get("uid"), "restricted": body.get("restricted")}

    def error_code(self, body: dict[str, Any]) -> tuple[str | None, str]:
        reason = str(_first_error(body).get("reason") or "")
        return None, reason


class HerokuVerifier(IdentityCallVerifier):
    """Heroku Platform API keys and OAuth tokens: ``GET https://api.heroku.com/account`` with
    the token as a bearer and the versioned ``Accept: application/vnd.heroku+json; version=3``
    (https://devcenter.heroku.com/articles/platform-api-reference, sections "Account Info",
    "Clients" and "Errors"; https://devcenter.heroku.com/articles/platform-api-quickstart
    #authentication). Errors are ``{"id", "message"}``: 401 ``unauthorized``, 429
    ``rate_limit``."""

    name = "heroku"
    endpoint = "https://api.heroku.com"
    path = "/account"
    extra_headers = {"Accept": "application/vnd.heroku+json; version=3"}
    request_id_header = "request-id"

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        if not body.get("id"):
            return None
        return {"email": body.get("email"), "id": body.get("id"), "name": body.get("name")}

    def error_code(self, body: dict[str, Any]) -> tuple[str | None, str]:
        return (str(body["id"]) if body.get("id") else None), str(body.get("message") or "")


class TerraformVerifier(IdentityCallVerifier):
    """HCP Terraform (Terraform Cloud) user, team and organization tokens: ``GET
    https://app.terraform.io/api/v2/account/details`` with the token as a bearer and the
    JSON:API media type (https://developer.hashicorp.com/terraform/cloud-docs/api-docs/account,
    https://developer.hashicorp.com/terraform/cloud-docs/api-docs#authentication). A team or
    organization token answers with its synthetic "service user"
    (``is-service-account``); 401 is a bad or revoked token, errors are JSON:API ``{"errors":
    [{"status", "title"}]}``."""

    name = "terraform"
    endpoint = "https://app.terraform.io"
    path = "/api/v2/account/details"
    extra_headers = {"Accept": "application/vnd.api+json",
                     "Content-Type": "application/vnd.api+json"}

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        data = _dict(body.get("data"))
        if data.get("type") != "users" or not data.get("id"):
            return None
        attributes = _dict(data.get("attributes"))
        return {"user_id": data.get("id"), "username": attributes.get("username"),
                "email": attributes.get("email"),
                "service_account": attributes.get("is-service-account")}

    def error_code(self, body: dict[str, Any]) -> tuple[str | None, str]:
        error = _first_error(body)
        return (str(error["title"]) if error.get("title") else None), str(
            error.get("detail") or "")


class CivoVerifier(IdentityCallVerifier):
    """Civo API keys: ``GET https://api.civo.com/v2/quota``, "the current quota for the
    current user" with the account's ID and default user's email
    (https://www.civo.com/api/quota), the key in ``Authorization: bearer <key>``
    (https://www.civo.com/api, "Authentication"). Civo answers a bad key with 401, or with 403
    "Unauthorized" and a ``reason`` (same page)."""

    name = "civo"
    endpoint = "https://api.civo.com"
    path = "/v2/quota"
    scheme = "bearer"  # as Civo writes it
    inactive_statuses = frozenset({401, 403})

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        if not body.get("id"):
            return None
        return {"account_id": body.get("id"), "email": body.get("default_user_email_address"),
                "instances": body.get("instance_count_usage")}

    def error_code(self, body: dict[str, Any]) -> tuple[str | None, str]:
        return (str(body["code"]) if body.get("code") else None), str(body.get("reason") or "")


class UpcloudVerifier(IdentityCallVerifier):
    """UpCloud API credentials: ``GET https://api.upcloud.com/1.3/account``, the account's
    username, credits and resource limits
    (https://developers.upcloud.com/1.3/3-accounts/). An API token (``ucat_``) goes as a
    bearer (https://upcloud.com/docs/guides/managing-api-tokens/); the older API username and
    password (UPCLOUD_USERNAME / UPCLOUD_PASSWORD, paired by the rules) as HTTP basic
    authentication, ``-u username:password`` in UpCloud's examples
    (https://developers.upcloud.com/1.3/, "Authentication"). A request that "does not use or
    fails authentication" is 401, with ``{"error": {"error_code", "error_message"}}`` (same
    page, "Errors")."""

    name = "upcloud"
    endpoint = "https://api.upcloud.com"
    path = "/1.3/account"

    def authorization(self, credential: Credential) -> str:
        if not credential.key_id:
            return super().authorization(credential)
        pair = f"{credential.key_id}:{credential.secret}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def identity(self, body: dict[str, Any]) -> dict[str, object] | None:
        account = body.get("account")
        if not isinstance(account, dict) or not account.get("username"):
            return None
        return {"username": account.get("username"), "credits": account.get("credits")}

    def error_code(self, body: dict[str, Any]) -> tuple[str | None, str]:
        error = _dict(body.get("error"))
        return (str(error["error_code"]) if error.get("error_code") else None), str(
            error.get("error_message") or "")


# -- Scaleway: access key in the path, secret key in X-Auth-Token ----------------------------


class ScalewayVerifier:
    """Scaleway IAM API keys (access key ``SCW…`` + secret key): ``GET
    https://api.scaleway.com/iam/v1alpha1/api-keys/{access_key}``, "Get an API key"
    (https://www.scaleway.com/en/developers/api/iam/api-keys), with the secret key in
    ``X-Auth-Token`` (https://www.scaleway.com/en/developers/api/).
    The access key is an ID, "not a sensitive piece of information"
    (https://www.scaleway.com/en/developers/api/iam/api-keys), so it may go in the path. The
    answer names the key's bearer (user or application), default project and expiry. A
    secret that does not authenticate gets ``{"type": "denied_authentication", "method",
    "reason": "invalid_argument" | "not_found" | "expired"}``; an authenticated key without
    the IAM read permission ``{"type": "permissions_denied", "details": [...]}`` (the
    error types of Scaleway's own SDK, @scaleway/sdk-client ``scw/errors/standard``:
    https://app.unpkg.com/@scaleway/sdk-client@2.1.0/files/dist/scw/errors/standard/
    denied-authentication-error.js)."""

    name = "scaleway"
    endpoint = "https://api.scaleway.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        access_key = credential.key_id.strip()
        path = f"/iam/v1alpha1/api-keys/{quote(access_key, safe='')}"
        resp = http.request("GET", path, headers={
            "X-Auth-Token": credential.secret, "Accept": "application/json",
            "User-Agent": USER_AGENT})
        body = resp.json_object()
        kind = str(body.get("type") or "") or None
        log_answer(credential, self.name, resp.status, kind, resp.header("x-request-id"),
                   str(body.get("message") or ""), reason=body.get("reason"))
        if resp.status == 200 and body.get("access_key") == access_key:
            return active({"access_key": access_key, "user_id": body.get("user_id"),
                           "application_id": body.get("application_id"),
                           "default_project_id": body.get("default_project_id"),
                           "expires_at": body.get("expires_at"),
                           "description": body.get("description")})
        if kind == "denied_authentication" or (resp.status == 401 and kind is None):
            return inactive(str(body.get("reason") or "denied_authentication"))
        if resp.status == 403 and kind == "permissions_denied":
            return with_facts(active({"access_key": access_key}), not_permitted("iam api-keys"))
        return status_fallback(resp)


# -- Backblaze B2: basic auth of the key pair -----------------------------------------------

B2_HIGH_CAPABILITIES = frozenset({"writeKeys", "deleteKeys", "deleteBuckets", "writeBuckets",
                                  "deleteFiles", "bypassGovernance"})


class BackblazeVerifier:
    """Backblaze B2 application keys (applicationKeyId + applicationKey): ``GET
    https://api.backblazeb2.com/b2api/v3/b2_authorize_account`` with ``Authorization: Basic
    base64(applicationKeyId:applicationKey)``
    (https://www.backblaze.com/apidocs/b2-authorize-account). The answer gives the account ID
    and, under ``apiInfo.storageApi``, the key's capabilities and any bucket restriction
    (https://www.backblaze.com/docs/cloud-storage-application-key-capabilities: ``writeKeys``
    "grants full access to the Backblaze B2 account"). The ``authorizationToken`` in it is
    never kept. 401 ``unauthorized`` is a wrong key ID or key; 401 ``unsupported`` a key this
    API version cannot use; 503 ``service_unavailable`` is transient."""

    name = "backblaze"
    endpoint = "https://api.backblazeb2.com"
    rate = 2.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        pair = f"{credential.key_id.strip()}:{credential.secret}".encode()
        resp = http.request("GET", "/b2api/v3/b2_authorize_account", headers={
            "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
            "Accept": "application/json", "User-Agent": USER_AGENT})
        body = resp.json_object()
        code = str(body.get("code") or "") or None
        log_answer(credential, self.name, resp.status, code, None,
                   str(body.get("message") or ""))
        if resp.status == 200 and body.get("accountId"):
            return self._live(body)
        if resp.status == 401 and code in (None, "unauthorized", "bad_auth_token"):
            return inactive(code or "unauthorized")
        if resp.status == 401 and code:
            return unknown(code)  # "unsupported": the key exists, this API version refuses it
        return status_fallback(resp)

    @staticmethod
    def _live(body: dict[str, Any]) -> Verification:
        storage = _dict(_dict(body.get("apiInfo")).get("storageApi"))
        raw = storage.get("capabilities")
        capabilities = [str(c) for c in raw] if isinstance(raw, list) else []
        high = sorted(B2_HIGH_CAPABILITIES.intersection(capabilities))
        bucket = storage.get("bucketName")
        verdict = active({"account_id": body.get("accountId"), "bucket": bucket,
                          "name_prefix": storage.get("namePrefix"),
                          "expires": body.get("applicationKeyExpirationTimestamp")})
        facts = [Fact("capabilities", ", ".join(capabilities) or "none",
                      "critical" if "writeKeys" in high else "high" if high else "low")]
        facts.append(Fact("buckets", f"only {bucket}" if bucket else "all buckets",
                          "low" if bucket else "medium"))
        return with_facts(verdict, *facts)


# -- IBM Cloud: API key for an IAM token, identity from its claims --------------------------

IBM_GRANT = "urn:ibm:params:oauth:grant-type:apikey"
IBM_NOT_FOUND = "BXNIM0415E"  # "Provided API key could not be found."


class IbmCloudVerifier:
    """IBM Cloud IAM API keys (a user's or a service ID's): ``POST
    https://iam.cloud.ibm.com/identity/token`` with
    ``grant_type=urn:ibm:params:oauth:grant-type:apikey&apikey=<key>`` as
    a form body, the documented exchange of an API key for an IAM access token
    (https://cloud.ibm.com/docs/iam?topic=iam-iamtoken_from_apikey,
    https://cloud.ibm.com/apidocs/iam-identity-token-api#gettoken-apikey); the key goes in
    the body because that is where IAM reads it, never in the URL. It creates nothing and
    changes no state: the short-lived access token comes back, its JWT claims (``iam_id``,
    ``sub``, ``sub_type``, ``account.bss``, ``name``, ``email``) are read and the token is
    dropped. Errors are ``{"errorCode", "errorMessage"}``: ``BXNIM0415E`` "Provided API key
    could not be found" is a deleted or never-issued key."""

    name = "ibm"
    endpoint = "https://iam.cloud.ibm.com"
    rate = 2.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        form = urlencode({"grant_type": IBM_GRANT, "apikey": credential.secret}).encode()
        resp = http.request("POST", "/identity/token", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json", "User-Agent": USER_AGENT}, body=form)
        body = resp.json_object()
        code = str(body.get("errorCode") or "") or None
        context = _dict(body.get("context"))
        log_answer(credential, self.name, resp.status, code,
                   str(context.get("requestId") or "") or None,
                   str(body.get("errorMessage") or ""))
        if resp.status == 200 and isinstance(body.get("access_token"), str):
            claims = _jwt_claims(body["access_token"])
            if not claims.get("iam_id"):
                return unknown("unexpected_answer")
            account = _dict(claims.get("account"))
            return active({"iam_id": claims.get("iam_id"), "subject": claims.get("sub"),
                           "subject_type": claims.get("sub_type"),
                           "account": account.get("bss"), "name": claims.get("name"),
                           "email": claims.get("email")})
        if code == IBM_NOT_FOUND:
            return inactive("api_key_not_found")
        if resp.status in (400, 401) and code:
            return unknown(code)  # another IAM refusal: say which, do not guess a verdict
        return status_fallback(resp)



def _jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified: it came over TLS from IAM itself, and only its
    descriptive claims are read."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
