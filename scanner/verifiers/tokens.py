"""Bearer-token verifiers: one side-effect-free identity (or listing) call per token, to the
provider's documented API host only (or the ``--verify-endpoint`` loopback a test names).

Each verifier sends the token only in the header its provider documents, never in a URL or a
body, and never echoes it: identity fields come from the answer. The status mapping is shared:
200 with identity is ``active``; the provider's "bad credentials" answer is ``inactive``; an
authenticated call the token may not make is ``active`` with a "not permitted" fact (least
privilege, a good sign); 429 and 5xx are ``unknown`` (retried by ``verify_findings``)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

from scanner import __version__
from scanner.models import Fact, Verification
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

NOT_PERMITTED = "not permitted"
USER_AGENT = f"keysweep/{__version__}"


def with_facts(verdict: Verification, *facts: Fact) -> Verification:
    return dataclasses.replace(verdict, facts=verdict.facts + facts)


def text_of(value: Any) -> str | None:
    """A JSON scalar (string or number, not a boolean) as text; None for anything else or
    an empty string: what an identity field or a log line may show."""
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
        return str(value)
    return None


def not_permitted(call: str) -> Fact:
    """A call the key is not allowed to make: least privilege shows, never an error."""
    return Fact(call, NOT_PERMITTED, "good")


def bearer_headers(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json",
            "User-Agent": USER_AGENT, **extra}


def get_json(http: HttpClient, path: str, headers: Mapping[str, str]) -> tuple[HttpResponse,
                                                                           dict[str, Any]]:
    resp = http.request("GET", path, headers=headers)
    return resp, resp.json_object()


def status_fallback(resp: HttpResponse) -> Verification:
    return http_failure(resp.status) or unknown(f"http_{resp.status}")


def error_fields(body: dict[str, Any]) -> tuple[str | None, str]:
    """(code, message) of an OpenAI-style ``{"error": {"code"|"type", "message"}}`` body."""
    err = body.get("error")
    if isinstance(err, dict):
        code = err.get("code") or err.get("type")
        return (str(code) if code else None), str(err.get("message") or "")
    if isinstance(err, str):
        return err, str(body.get("error_description") or body.get("message") or "")
    return None, str(body.get("message") or "")


# -- GitLab ---------------------------------------------------------------------------------

GITLAB_BROAD_SCOPES = frozenset({"api", "sudo", "admin_mode", "write_repository",
                                 "write_registry", "write_package_registry", "manage_runner"})


class GitlabVerifier:
    """Personal, project and group access tokens (``glpat-``), on gitlab.com by default.

    ``GET /api/v4/personal_access_tokens/self`` with ``PRIVATE-TOKEN`` — the token's own
    name, scopes and expiry (https://docs.gitlab.com/api/personal_access_tokens/
    #get-details-on-a-personal-access-token), then ``GET /api/v4/user`` for its user
    (https://docs.gitlab.com/api/users/#get-the-current-user). GitLab answers a revoked,
    expired or unknown token with 401, and a token whose scopes do not cover the call with
    403 ``{"error": "insufficient_scope"}`` (https://docs.gitlab.com/api/rest/troubleshooting/
    #status-codes). Other token types (deploy, runner, job, feed tokens) do not authenticate
    this API and are not verified."""

    name = "gitlab"
    endpoint = "https://gitlab.com"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        token = credential.secret
        if not token.startswith("glpat-"):
            return skipped("not_verifiable")
        headers = {"PRIVATE-TOKEN": token, "Accept": "application/json",
                   "User-Agent": USER_AGENT}
        resp, body = get_json(http, "/api/v4/personal_access_tokens/self", headers)
        self._log(credential, resp, body)
        if resp.status == 401:
            return inactive("revoked_or_invalid")
        facts: list[Fact] = []
        identity: dict[str, object] = {}
        if resp.status == 200 and isinstance(body.get("scopes"), list):
            if body.get("active") is False or body.get("revoked") is True:
                return inactive("revoked" if body.get("revoked") else "expired")
            scopes = [str(s) for s in body["scopes"]]
            identity = {"token_name": body.get("name"), "token_id": body.get("id"),
                        "scopes": ", ".join(scopes), "expires_at": body.get("expires_at"),
                        "user_id": body.get("user_id")}
            broad = sorted(GITLAB_BROAD_SCOPES.intersection(scopes))
            facts.append(Fact("scopes", ", ".join(scopes) or "none",
                              "high" if broad else "low"))
        elif resp.status == 403 and error_fields(body)[0] == "insufficient_scope":
            facts.append(not_permitted("personal_access_tokens/self"))
        elif resp.status != 404:  # 404: an instance without the endpoint; /user still says
            return status_fallback(resp)
        user_resp, user = get_json(http, "/api/v4/user", headers)
        self._log(credential, user_resp, user)
        if user_resp.status == 200 and user.get("username"):
            identity |= {"username": user.get("username"), "user_id": user.get("id"),
                         "bot": user.get("bot")}
            if user.get("is_admin") is True:
                facts.append(Fact("is_admin", "instance administrator", "critical"))
        elif user_resp.status == 403 and error_fields(user)[0] == "insufficient_scope":
            facts.append(not_permitted("user"))
        elif user_resp.status == 401:
            return inactive("revoked_or_invalid")
        elif not identity and not facts:
            return status_fallback(user_resp)
        return with_facts(active(identity), *facts)

    def _log(self, credential: Credential, resp: HttpResponse, body: dict[str, Any]) -> None:
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code, resp.header("x-request-id"),
                   message)


# -- npm ------------------------------------------------------------------------------------


class NpmVerifier:
    """npm access tokens: ``GET https://registry.npmjs.org/-/whoami`` with the token as a
    bearer, what ``npm whoami`` calls (https://docs.npmjs.com/cli/v10/commands/npm-whoami);
    the answer is ``{"username": ...}``, a bad or revoked token 401."""

    name = "npm"
    endpoint = "https://registry.npmjs.org"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/-/whoami", bearer_headers(credential.secret))
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code, resp.header("npm-notice"),
                   message)
        if resp.status == 200 and body.get("username"):
            return active({"username": body.get("username")})
        if resp.status == 401:
            return inactive("bad_credentials")
        return status_fallback(resp)


# -- RubyGems -------------------------------------------------------------------------------

MAX_GEMS_SHOWN = 10


class RubygemsVerifier:
    """RubyGems.org API keys: ``GET https://rubygems.org/api/v1/gems.json`` with the key as the
    whole ``Authorization`` header, "list all gems that you own"
    (https://guides.rubygems.org/rubygems-org-api/#gem-methods): read-only, and the answer is
    the blast radius, the gems whose next version the key's owner may push. An unknown or
    revoked key is 401; a scoped key that may not list gems is 403 (it still opened the API)."""

    name = "rubygems"
    endpoint = "https://rubygems.org"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp = http.request("GET", "/api/v1/gems.json", headers={
            "Authorization": credential.secret, "Accept": "application/json",
            "User-Agent": USER_AGENT})
        log_answer(credential, self.name, resp.status, None, resp.header("x-request-id"), "")
        gems = resp.json_list() if resp.status == 200 else None
        if gems is not None:
            names = [str(g["name"]) for g in gems if isinstance(g, dict) and g.get("name")]
            verdict = active({"gems": len(names)})
            if names:
                shown = ", ".join(names[:MAX_GEMS_SHOWN]) + (
                    f" (+{len(names) - MAX_GEMS_SHOWN} more)" if len(names) > MAX_GEMS_SHOWN
                    else "")
                verdict = with_facts(verdict, Fact("owned_gems", shown, "high"))
            return verdict
        if resp.status == 401:
            return inactive("bad_credentials")
        if resp.status == 403:
            return with_facts(active({}), not_permitted("gems"))
        return status_fallback(resp)


class DockerhubVerifier:
    """Docker Hub personal access tokens with their Docker ID: ``POST
    https://hub.docker.com/v2/auth/token`` with ``{"identifier": <Docker ID>, "secret":
    <token>}``, the Hub API's "Create access token"
    (https://docs.docker.com/reference/api/hub/latest/operations/AuthCreateAccessToken/),
    which answers a valid pair with a JWT "for use as a bearer" that "expires in 10 minutes";
    it is never kept, logged or used. The token alone proves nothing (the call needs the
    Docker ID), so a token found without one is ``skipped: no_paired_id``. The page does
    not list the refusals: 401, the Hub API's "Unauthorized", is taken for a wrong pair;
    anything else is unknown."""

    name = "dockerhub"
    endpoint = "https://hub.docker.com"
    rate = 1.0  # a login endpoint: be gentle

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        body = json.dumps({"identifier": credential.key_id, "secret": credential.secret})
        resp = http.request("POST", "/v2/auth/token", headers={
            "Content-Type": "application/json", "Accept": "application/json",
            "User-Agent": USER_AGENT}, body=body.encode())
        answer = resp.json_object()
        log_answer(credential, self.name, resp.status, None, resp.header("x-request-id"),
                   credential.scrub(str(answer.get("message") or answer.get("detail") or "")))
        if resp.status == 200 and answer.get("access_token"):
            return active({"docker_id": credential.key_id})
        if resp.status == 401:
            return inactive("unauthorized")
        return status_fallback(resp)


# -- DigitalOcean ---------------------------------------------------------------------------


class DigitaloceanVerifier:
    """DigitalOcean API tokens: ``GET https://api.digitalocean.com/v2/account``
    (https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account/operation/
    account_get). 401 ``{"id": "Unauthorized"}`` is a bad token; a custom-scoped token
    without ``account:read`` gets 403 (https://docs.digitalocean.com/reference/api/scopes/)."""

    name = "digitalocean"
    endpoint = "https://api.digitalocean.com"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/v2/account", bearer_headers(credential.secret))
        log_answer(credential, self.name, resp.status, str(body.get("id") or "") or None,
                   resp.header("x-request-id") or body.get("request_id"),
                   str(body.get("message") or ""))
        account = body.get("account")
        if resp.status == 200 and isinstance(account, dict):
            team = account.get("team") if isinstance(account.get("team"), dict) else {}
            return active({"email": account.get("email"), "uuid": account.get("uuid"),
                           "status": account.get("status"),
                           "team": (team or {}).get("name")})
        if resp.status == 401:
            return inactive("unauthorized")
        if resp.status == 403:
            return with_facts(active(), not_permitted("account"))
        return status_fallback(resp)


# -- Cloudflare -----------------------------------------------------------------------------


class CloudflareVerifier:
    """Cloudflare API tokens. A user token: ``GET /client/v4/user/tokens/verify``
    (https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/
    verify/). An account-owned token (``cfat_``) has no user: its accounts come from
    ``GET /client/v4/accounts`` (https://developers.cloudflare.com/api/resources/accounts/
    methods/list/), then ``GET /client/v4/accounts/{account_id}/tokens/verify``
    (https://developers.cloudflare.com/api/resources/accounts/subresources/tokens/methods/
    verify/). The verify answer's ``result.status`` is active, disabled or expired; a bad
    token is 401 with error code 1000 "Invalid API Token"."""

    name = "cloudflare"
    endpoint = "https://api.cloudflare.com/client/v4"
    rate = 4.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        token = credential.secret
        if token.startswith("cfk_"):
            return skipped("needs_email")  # a Global API key goes with its account's email
        headers = bearer_headers(token)
        if not token.startswith("cfat_"):
            return self._verify(credential, http, "/user/tokens/verify", headers)
        resp, body = get_json(http, "/accounts", headers)
        self._log(credential, resp, body)
        accounts = body.get("result")
        if resp.status == 200 and isinstance(accounts, list) and accounts \
                and isinstance(accounts[0], dict) and accounts[0].get("id"):
            account = accounts[0]
            verdict = self._verify(credential, http, f"/accounts/{account['id']}/tokens/verify",
                                   headers)
            if verdict.status != "active":
                return verdict
            return dataclasses.replace(verdict, identity={
                **(verdict.identity or {}), "account_id": str(account["id"]),
                **({"account_name": str(account["name"])} if account.get("name") else {})})
        if resp.status == 401 or self._invalid(body):
            return inactive("invalid_token")
        if resp.status == 403 or resp.status == 200:  # authenticated, no account it may list
            return with_facts(active(), not_permitted("accounts"))
        return status_fallback(resp)

    def _verify(self, credential: Credential, http: HttpClient, path: str,
                headers: Mapping[str, str]) -> Verification:
        resp, body = get_json(http, path, headers)
        self._log(credential, resp, body)
        result = body.get("result")
        if resp.status == 200 and body.get("success") is True and isinstance(result, dict):
            status = str(result.get("status") or "")
            if status == "active":
                return active({"token_id": result.get("id"),
                               "expires_on": result.get("expires_on"),
                               "not_before": result.get("not_before")})
            return inactive(status or "not_active")  # disabled / expired
        if resp.status == 401 or (resp.status in (400, 403) and self._invalid(body)):
            return inactive("invalid_token")
        return status_fallback(resp)

    @staticmethod
    def _invalid(body: dict[str, Any]) -> bool:
        """Error 1000, "Invalid API Token"."""
        errors = body.get("errors")
        return isinstance(errors, list) and any(
            isinstance(e, dict) and e.get("code") == 1000 for e in errors)

    def _log(self, credential: Credential, resp: HttpResponse, body: dict[str, Any]) -> None:
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(
            errors[0], dict) else {}
        log_answer(credential, self.name, resp.status, str(first.get("code") or "") or None,
                   resp.header("cf-ray"), str(first.get("message") or ""))


# -- OpenAI, Anthropic, Model Studio, Hugging Face ------------------------------------------


def code_reason(credential: Credential, code: str | None, default: str) -> str:
    """The provider's error code as the reason, unless the answer echoed the key in it:
    nothing sent may reach the report."""
    if not code or credential.scrub(code) != code:
        return default
    return clean_code(code)


def openai_refusal(credential: Credential, resp: HttpResponse, code: str | None, message: str,
                   owner: dict[str, object], call: str) -> Verification:
    """The verdict for an OpenAI answer that is not the call's 200, shared by the API-key
    and Admin-key verifiers. A key without the call's scope is told "insufficient
    permissions ... Missing scopes" (a 403, and sometimes a 401: OpenAI's 401 also covers
    "an API key that does not have the required permissions",
    https://help.openai.com/en/articles/6891767-error-code-401-invalid-authentication), so
    that message is read before the status; any other 401 is a bad or revoked key."""
    if resp.status in (401, 403) and "insufficient permissions" in message.lower():
        return with_facts(active(owner), not_permitted(call))
    if resp.status == 401:
        # the code as the reason, redacted here too: some answers echo the key in it
        return inactive(credential.scrub(code) if code else "invalid_api_key")
    if resp.status == 429 and code == "insufficient_quota":
        return with_facts(active(owner), Fact("quota", "exhausted", "low"))
    return status_fallback(resp)


def openai_owner(resp: HttpResponse) -> dict[str, object]:
    """The ``openai-organization`` and ``openai-project`` response headers: who owns the key
    (https://platform.openai.com/docs/api-reference/debugging-requests)."""
    return {"organization": resp.header("openai-organization") or None,
            "project": resp.header("openai-project") or None}


class OpenaiVerifier:
    """OpenAI project, service-account and legacy user keys: ``GET /v1/models``
    (https://platform.openai.com/docs/api-reference/models/list). 401 (``invalid_api_key``)
    is a bad or revoked key; a restricted key without the models read permission gets 403
    "insufficient permissions ... Missing scopes"; 429 ``insufficient_quota`` is a working
    key with no credit (https://platform.openai.com/docs/guides/error-codes). The
    ``openai-organization`` and ``openai-project`` response headers name the owner
    (https://platform.openai.com/docs/api-reference/debugging-requests)."""

    name = "openai"
    endpoint = "https://api.openai.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/v1/models", bearer_headers(credential.secret))
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code, resp.header("x-request-id"),
                   message)
        owner = openai_owner(resp)
        if resp.status == 200 and isinstance(body.get("data"), list):
            return active({**owner, "models": len(body["data"])})
        return openai_refusal(credential, resp, code, message, owner, "models")


AZURE_OPENAI_API_VERSION = "2024-10-21"
_AZURE_OPENAI_HOST = re.compile(
    r"^[a-z0-9][a-z0-9-]{1,62}\.(?:openai|cognitiveservices|services\.ai)\.azure\.com$")


class AzureOpenaiVerifier:
    """Azure OpenAI / AI services resource keys: ``GET https://{resource-host}/openai/models
    ?api-version=2024-10-21`` with the key in ``api-key`` ("Models - List", the data plane:
    https://learn.microsoft.com/rest/api/azureopenai/models/list), read-only. A key answers
    only at its own resource, so the call goes to the endpoint found with it (the key's
    paired ``azure-openai-endpoint``), and only to a host under openai.azure.com,
    cognitiveservices.azure.com or services.ai.azure.com; without one nothing is sent
    (``skipped: needs_endpoint``). 200 lists the models the resource can use; 401 is a wrong
    or regenerated key; 403 (network rules, a disabled public endpoint) says nothing of
    the key and is ``unknown``."""

    name = "azure-openai"
    endpoint = "https://aoairesource.openai.azure.com"  # the key's own resource is used
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        host = credential.key_id.strip().lower()
        if not _AZURE_OPENAI_HOST.match(host):
            return skipped("needs_endpoint")
        if not http.overridden:
            http = http.sibling(f"https://{host}")
        resp = http.request("GET", "/openai/models", f"api-version={AZURE_OPENAI_API_VERSION}",
                            headers={"api-key": credential.secret, "Accept": "application/json",
                                     "User-Agent": USER_AGENT})
        body = resp.json_object()
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code,
                   resp.header("apim-request-id") or None, message)
        models = body.get("data")
        if resp.status == 200 and isinstance(models, list):
            return active({"resource": host, "models": len(models)})
        if resp.status == 401:
            return inactive("invalid_key")
        if resp.status == 403:
            return unknown("forbidden")
        return status_fallback(resp)


ANTHROPIC_VERSION = "2023-06-01"


def anthropic_headers(key: str) -> dict[str, str]:
    """Anthropic's ``x-api-key`` with the ``anthropic-version`` every request needs
    (https://docs.anthropic.com/en/api/versioning); never a bearer."""
    return {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION,
            "Accept": "application/json", "User-Agent": USER_AGENT}


def anthropic_refusal(credential: Credential, resp: HttpResponse, code: str | None, call: str,
                      identity: dict[str, object] | None = None) -> Verification:
    """The verdict for an Anthropic answer that is not the call's 200, shared by the API-key
    and Admin-key verifiers: 401 ``authentication_error`` is a bad key, 403
    ``permission_error`` a key not allowed the call, 429 ``rate_limit_error`` and 529
    ``overloaded_error`` are transient (https://docs.anthropic.com/en/api/errors)."""
    if resp.status == 401:
        return inactive(credential.scrub(code) if code else "authentication_error")
    if resp.status == 403 and code == "permission_error":
        return with_facts(active(identity), not_permitted(call))
    return status_fallback(resp)


class AnthropicVerifier:
    """Anthropic API keys: ``GET /v1/models`` with ``x-api-key`` and ``anthropic-version``
    (https://docs.anthropic.com/en/api/models-list, https://docs.anthropic.com/en/api/versioning).
    401 ``authentication_error`` is a bad key, 403 ``permission_error`` a key not allowed the
    call, 429 ``rate_limit_error`` and 529 ``overloaded_error`` are transient
    (https://docs.anthropic.com/en/api/errors)."""

    name = "anthropic"
    endpoint = "https://api.anthropic.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/v1/models", anthropic_headers(credential.secret))
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code, resp.header("request-id"),
                   message)
        if resp.status == 200 and isinstance(body.get("data"), list):
            return active({"models": len(body["data"]),
                           "organization": resp.header("anthropic-organization-id") or None})
        return anthropic_refusal(credential, resp, code, "models")


# Model Studio keys belong to one region; an unknown key gets 401 invalid_api_key there.
# https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope
DASHSCOPE_REGIONS = (("https://dashscope.aliyuncs.com", "cn-beijing"),
                     ("https://dashscope-intl.aliyuncs.com", "ap-southeast-1"))


class DashscopeVerifier:
    """Alibaba Cloud Model Studio (DashScope) keys: the OpenAI-compatible ``GET
    /compatible-mode/v1/models`` with the key as a bearer
    (https://www.alibabacloud.com/help/en/model-studio/compatibility-of-openai-with-dashscope).
    A key is valid in the region it was created in only, so a 401 in Beijing is tried in
    Singapore before the key is called inactive (not with ``--verify-endpoint``: then every
    call goes to the one URL given)."""

    name = "dashscope"
    endpoint = DASHSCOPE_REGIONS[0][0]
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        clients = [(http, "" if http.overridden else DASHSCOPE_REGIONS[0][1])]
        if not http.overridden:
            clients += [(http.sibling(url), region) for url, region in DASHSCOPE_REGIONS[1:]]
        verdict = inactive("invalid_api_key")
        for client, region in clients:
            verdict = self._call(credential, client, region)
            if verdict.status != "inactive":
                return verdict
        return verdict

    def _call(self, credential: Credential, http: HttpClient, region: str) -> Verification:
        resp, body = get_json(http, "/compatible-mode/v1/models", bearer_headers(credential.secret))
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code, resp.header("x-request-id")
                   or str(body.get("request_id") or ""), message, region=region)
        if resp.status == 200 and isinstance(body.get("data"), list):
            return active({"region": region or None, "models": len(body["data"])})
        if resp.status == 401:
            return inactive(code or "invalid_api_key")
        if resp.status == 403:
            return with_facts(active({"region": region or None}), not_permitted("models"))
        return status_fallback(resp)


HF_ROLE_RISK = {"write": "high", "fineGrained": "medium", "read": "low"}


class HuggingfaceVerifier:
    """Hugging Face user and organization tokens: ``GET https://huggingface.co/api/whoami-v2``
    with the token as a bearer, the call ``huggingface_hub.HfApi.whoami`` makes
    (https://huggingface.co/docs/huggingface_hub/package_reference/hf_api#huggingface_hub.HfApi.whoami,
    https://github.com/huggingface/huggingface.js/blob/main/packages/hub/src/lib/who-am-i.ts).
    401 is a bad or revoked token; ``auth.accessToken.role`` is read, write or fineGrained."""

    name = "huggingface"
    endpoint = "https://huggingface.co"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/api/whoami-v2", bearer_headers(credential.secret))
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code, resp.header("x-request-id"),
                   message)
        if resp.status == 200 and body.get("name"):
            auth = body.get("auth") if isinstance(body.get("auth"), dict) else {}
            token = (auth or {}).get("accessToken")
            token = token if isinstance(token, dict) else {}
            role = str(token.get("role") or "")
            verdict = active({"name": body.get("name"), "type": body.get("type"),
                              "token_name": token.get("displayName"), "role": role})
            if role:
                verdict = with_facts(verdict, Fact("role", role, HF_ROLE_RISK.get(role, "info")))
            return verdict
        if resp.status == 401:
            return inactive("invalid_token")
        return status_fallback(resp)


# -- Slack, Stripe, SendGrid ----------------------------------------------------------------

SLACK_INACTIVE = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired",
                            "account_inactive"})


class SlackVerifier:
    """Slack bot, user and app-level tokens: ``auth.test`` with the token as a bearer
    (https://api.slack.com/methods/auth.test). Slack answers HTTP 200 either way: ``ok`` true
    with team and user, or ``ok`` false with ``error`` (``invalid_auth``, ``token_revoked``,
    ``account_inactive``, ...). It needs no scope."""

    name = "slack"
    endpoint = "https://slack.com/api"
    rate = 1.0  # auth.test is a Tier-special method: be gentle

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp = http.request("POST", "/auth.test", headers=bearer_headers(
            credential.secret, **{"Content-Type": "application/x-www-form-urlencoded"}))
        body = resp.json_object()
        error = str(body.get("error") or "") or None
        log_answer(credential, self.name, resp.status, error, resp.header("x-slack-req-id"),
                   None)
        if resp.status == 200 and body.get("ok") is True:
            return active({"team": body.get("team"), "team_id": body.get("team_id"),
                           "user": body.get("user"), "user_id": body.get("user_id"),
                           "bot_id": body.get("bot_id"), "url": body.get("url")})
        if resp.status == 200 and error in SLACK_INACTIVE:
            return inactive(error or "invalid_auth")
        if resp.status == 200 and error == "ratelimited":
            return unknown("throttled")
        if resp.status != 200:
            return status_fallback(resp)
        return unknown(error or "unexpected_answer")


# Answers of an incoming webhook (https://api.slack.com/messaging/webhooks#handling_errors):
# these say the URL no longer leads anywhere.
SLACK_WEBHOOK_GONE = frozenset({"invalid_token", "no_service", "no_service_id", "no_team",
                                "team_disabled", "channel_not_found", "channel_is_archived"})
# A live webhook refusing an empty message (nothing is posted): it authenticated the URL.
SLACK_WEBHOOK_EMPTY = frozenset({"no_text", "invalid_payload"})
SLACK_WEBHOOK_REFUSED = frozenset({"action_prohibited", "posting_to_general_channel_denied"})


class SlackWebhookVerifier:
    """Slack incoming webhook URLs: the URL is the credential, so the only check is a POST
    to it, of an empty JSON object: there is no text, so Slack posts nothing and answers 400
    (``no_text`` / ``invalid_payload``) for a live webhook, 403 ``invalid_token`` or 404
    ``no_service``/``no_team`` for a revoked or removed one, 410 for an archived channel or
    a disabled workspace. Only the URL's path is taken from the finding: the request goes to
    hooks.slack.com (or the ``--verify-endpoint`` a test names), never to a host a file says."""

    name = "slack-webhook"
    endpoint = "https://hooks.slack.com"
    rate = 1.0  # incoming webhooks allow about one message a second

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        url = credential.secret
        path = url[url.index("/services/"):]
        resp = http.request("POST", path, headers={
            "Content-Type": "application/json", "User-Agent": USER_AGENT}, body=b"{}")
        answer = clean_code(resp.body[:80].decode("utf-8", "replace").strip()) or None
        log_answer(credential, self.name, resp.status, answer, resp.header("x-slack-req-id"),
                   None)
        if resp.status == 400 and answer in SLACK_WEBHOOK_EMPTY:
            return active({"webhook": "posts to its channel"})
        if resp.status in (403, 404, 410) and answer in SLACK_WEBHOOK_GONE:
            return inactive(answer or "invalid_token")
        if resp.status == 403 and answer in SLACK_WEBHOOK_REFUSED:
            return with_facts(active(), not_permitted("post"))
        if resp.status == 200:  # an empty object accepted: the URL works all the same
            return active()
        return status_fallback(resp)


class StripeVerifier:
    """Stripe secret and restricted keys: ``GET /v1/balance``, a read
    (https://docs.stripe.com/api/balance/balance_retrieve), with the key as a bearer
    (https://docs.stripe.com/api/authentication). 401 is an invalid or expired key; a
    restricted key without the balance read permission gets 403
    (https://docs.stripe.com/api/errors)."""

    name = "stripe"
    endpoint = "https://api.stripe.com"
    rate = 5.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/v1/balance", bearer_headers(credential.secret))
        code, message = error_fields(body)
        log_answer(credential, self.name, resp.status, code, resp.header("request-id"),
                   message)
        mode = "live" if "_live_" in credential.secret else "test"
        if resp.status == 200 and body.get("object") == "balance":
            return active({"livemode": body.get("livemode"), "mode": mode})
        if resp.status == 401:
            return inactive("invalid_api_key")
        if resp.status == 403:
            return with_facts(active({"mode": mode}), not_permitted("balance"))
        return status_fallback(resp)


class SendgridVerifier:
    """SendGrid API keys: ``GET /v3/scopes``, the scopes of the key making the call
    (https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/
    retrieve-a-list-of-scopes-for-which-this-user-has-access). 401 is a bad or deleted key;
    403 a key not allowed the call."""

    name = "sendgrid"
    endpoint = "https://api.sendgrid.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/v3/scopes", bearer_headers(credential.secret))
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(
            errors[0], dict) else {}
        log_answer(credential, self.name, resp.status, None, resp.header("x-message-id"),
                   str(first.get("message") or ""))
        scopes = body.get("scopes")
        if resp.status == 200 and isinstance(scopes, list):
            names = [str(s) for s in scopes]
            sends = any(s.startswith("mail.send") for s in names)
            return with_facts(active({"scopes": len(names)}),
                              Fact("mail_send", "allowed" if sends else NOT_PERMITTED,
                                   "high" if sends else "good"))
        if resp.status == 401:
            return inactive("unauthorized")
        if resp.status == 403:
            return with_facts(active(), not_permitted("scopes"))
        return status_fallback(resp)
