"""Model-API and SaaS token verifiers: one side-effect-free read per key, to the provider's
documented API host only (or the ``--verify-endpoint`` loopback a test names).

The status mapping is ``tokens.py``'s, and so are the helpers: 200 with identity is
``active``; the provider's "bad credentials" answer is ``inactive``; an authenticated call
the key may not make is ``active`` with a "not permitted" fact; 429 and 5xx are ``unknown``.
The key travels only in the header (or HTTP Basic pair) its provider documents, never in a
URL, and is never logged: identity fields come from the answer.

Not verified, for want of a documented call that proves a key without side effects: Zhipu AI
(BigModel) documents only billed model calls; Tencent Hunyuan's OpenAI-compatible API
(https://cloud.tencent.com/document/product/1729/111007) and Volcengine Ark's data-plane API
(https://www.volcengine.com/docs/82379/1330626) document chat and embedding calls but no
model list or key check for an API key (Ark's ListEndpoints needs a signed AK/SK);
Perplexity's model list (``GET /v1/models``,
https://docs.perplexity.ai/api-reference/models-get) declares no security, so a 200 says
nothing about the key; Mailgun's domain sending keys may call only ``/messages``
(https://documentation.mailgun.com/docs/mailgun/api-reference/authentication) and its 403
"auth error or access denied" does not tell a bad key from one without access
(https://documentation.mailgun.com/docs/mailgun/quickstart-guide/responses)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers.base import Credential, active, inactive, log_answer, skipped, unknown
from scanner.verifiers.http import HttpClient, HttpResponse
from scanner.verifiers.tokens import (
    USER_AGENT,
    anthropic_headers,
    anthropic_refusal,
    bearer_headers,
    code_reason,
    error_fields,
    get_json,
    not_permitted,
    openai_owner,
    openai_refusal,
    status_fallback,
    with_facts,
)


def _log(credential: Credential, provider: str, resp: HttpResponse, body: dict[str, Any],
         request_id_header: str = "x-request-id", **extra: object) -> None:
    code, message = error_fields(body)
    log_answer(credential, provider, resp.status, code, resp.header(request_id_header) or None,
               message, **extra)


def _basic(user: str, password: str) -> dict[str, str]:
    """HTTP Basic credentials (RFC 7617) in the Authorization header, as Twilio and Mailchimp
    document; never in the URL's userinfo."""
    pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {pair}", "Accept": "application/json",
            "User-Agent": USER_AGENT}


# -- OpenAI-compatible model lists ------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """One of a provider's API hosts; ``name`` is shown with the verdict when there are
    several (keys of one platform are not valid on the other)."""

    url: str
    name: str = ""


RegionCall = Callable[[Credential, HttpClient, str], Verification]


def _across_regions(call: RegionCall, credential: Credential, http: HttpClient,
                    regions: tuple[Region, ...]) -> Verification:
    """``call`` in each region in turn until one knows the key (any verdict but
    ``inactive``); ``http`` is bound to the first. With ``--verify-endpoint`` every call goes
    to the one URL given, so it is asked once, without a region name."""
    if http.overridden:
        return call(credential, http, "")
    verdict = inactive("invalid_api_key")
    for i, region in enumerate(regions):
        verdict = call(credential, http if i == 0 else http.sibling(region.url), region.name)
        if verdict.status != "inactive":
            return verdict
    return verdict


def _model_count(resp: HttpResponse, body: dict[str, Any]) -> int | None:
    """How many models a 200 answer lists: OpenAI's ``{"object": "list", "data": [...]}``,
    or Together's bare JSON array; ``None`` when the answer is neither."""
    if isinstance(body.get("data"), list):
        return len(body["data"])
    data = resp.json_list()
    return None if data is None else len(data)


# MiniMax reports failures in a ``base_resp`` object: 1004 is "not authorized", 1002 "rate
# limit" (https://platform.minimax.io/docs/api-reference/errorcode).
MINIMAX_AUTH_FAILED = 1004
MINIMAX_RATE_LIMIT = 1002


class ModelListVerifier:
    """One key, ``GET <region><path>`` with the key as a bearer: the OpenAI-compatible model
    list many model APIs share. A key belongs to one region (a China and an international
    platform issue their own keys), so a 401 in the first is tried in the next before the
    key is called inactive (not with ``--verify-endpoint``: then every call goes to the one
    URL given). ``forbidden_is_live`` is set where the provider documents 403 as a
    permission answer to an authenticated key; elsewhere a 403 stays unknown.
    ``base_resp_errors`` reads MiniMax's error object, which may come with any status.

    Each instance below cites its provider's documentation for the call and the answers."""

    def __init__(self, name: str, regions: tuple[Region, ...], path: str, *,
                 forbidden_is_live: bool = False, base_resp_errors: bool = False,
                 rate: float = 3.0) -> None:
        self.name = name
        self.regions = regions
        self.endpoint = regions[0].url
        self.path = path
        self.forbidden_is_live = forbidden_is_live
        self.base_resp_errors = base_resp_errors
        self.rate = rate

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        return _across_regions(self._call, credential, http, self.regions)

    def _call(self, credential: Credential, http: HttpClient, region: str) -> Verification:
        resp, body = get_json(http, self.path, bearer_headers(credential.secret))
        _log(credential, self.name, resp, body, region=region or "-")
        where: dict[str, object] = {"region": region or None}
        if self.base_resp_errors and (failed := self._base_resp(body)) is not None:
            return failed
        count = _model_count(resp, body) if resp.status == 200 else None
        if count is not None:
            return active({**where, "models": count})
        if resp.status == 401:
            return inactive(code_reason(credential, error_fields(body)[0],
                                         "invalid_api_key"))
        if resp.status == 403 and self.forbidden_is_live:
            return with_facts(active(where), not_permitted("models"))
        return status_fallback(resp)

    @staticmethod
    def _base_resp(body: dict[str, Any]) -> Verification | None:
        base = body.get("base_resp")
        if not isinstance(base, dict) or not base.get("status_code"):
            return None  # absent, or 0: success
        if base["status_code"] == MINIMAX_AUTH_FAILED:
            return inactive("not_authorized")
        if base["status_code"] == MINIMAX_RATE_LIMIT:
            return unknown("throttled")
        code = base["status_code"]
        return unknown(f"code_{code}" if isinstance(code, int) else "unexpected_answer")


# DeepSeek: GET https://api.deepseek.com/models (https://api-docs.deepseek.com/api/list-models);
# 401 "Authentication Fails" is a wrong key, 429 the rate limit, 500/503 the server
# (https://api-docs.deepseek.com/quick_start/error_codes).
DEEPSEEK = ModelListVerifier("deepseek", (Region("https://api.deepseek.com"),), "/models")

# Groq: GET https://api.groq.com/openai/v1/models (https://console.groq.com/docs/api-reference
# #models-list); 401 is a missing or invalid key, 403 "not allowed due to permission
# restrictions", 429, 498 (flex capacity) and 5xx are transient
# (https://console.groq.com/docs/errors).
GROQ = ModelListVerifier("groq", (Region("https://api.groq.com/openai"),), "/v1/models",
                         forbidden_is_live=True)

# Mistral: GET https://api.mistral.ai/v1/models, "all models available to the user", 401 for
# a missing or invalid key (https://docs.mistral.ai/api/endpoint/models).
MISTRAL = ModelListVerifier("mistral", (Region("https://api.mistral.ai"),), "/v1/models")

# Moonshot AI (Kimi): GET /v1/models with MOONSHOT_API_KEY as the bearer, 401 for a missing
# or invalid key (https://platform.kimi.ai/docs/api/list-models), on the international
# api.moonshot.ai and the China platform's api.moonshot.cn, whose API is the same
# OpenAI-compatible one (https://platform.moonshot.cn/api-reference); each platform issues
# its own keys.
MOONSHOT = ModelListVerifier("moonshot", (Region("https://api.moonshot.cn", "cn"),
                                          Region("https://api.moonshot.ai", "global")),
                             "/v1/models")

# Together AI: GET https://api.together.xyz/v1/models answers a bare array of models; 401 is
# "Unauthorized" with an OpenAI-style error (https://docs.together.ai/reference/models-1,
# https://github.com/togethercomputer/openapi/blob/main/openapi.yaml).
TOGETHER = ModelListVerifier("together", (Region("https://api.together.xyz"),), "/v1/models")

# MiniMax: GET /v1/models, "compatible with the OpenAI API", on api.minimaxi.com for the
# China platform (https://platform.minimaxi.com/docs/api-reference/models/openai/list-models)
# and api.minimax.io internationally (https://platform.minimax.io/docs/api-reference/models);
# keys are the platform's own; errors as in ``ModelListVerifier._base_resp``.
MINIMAX = ModelListVerifier("minimax", (Region("https://api.minimaxi.com", "cn"),
                                        Region("https://api.minimax.io", "global")),
                            "/v1/models", base_resp_errors=True)


# Baidu AI Cloud Qianfan: GET https://qianfan.baidubce.com/v2/models with the API Key
# (bce-v3/ALTAK-...) as the bearer, the page's only authentication scheme, answering
# {"object": "list", "data": [...]} (https://cloud.baidu.com/doc/qianfan-api/s/Dmba8k71y);
# errors carry code, message and type. A bad or expired key is 401; a 403 is not documented
# for this call, so it stays unknown.
QIANFAN = ModelListVerifier("baidu-qianfan", (Region("https://qianfan.baidubce.com"),),
                            "/v2/models")


# -- Key-info and account calls ---------------------------------------------------------------


class XaiVerifier:
    """xAI API keys: ``GET https://api.x.ai/v1/api-key``, "information about an API key,
    including name, status, permissions" (https://docs.x.ai/docs/api-reference#api-key,
    https://docs.x.ai/developers/rest-api-reference/inference/other), with the key as a
    bearer (https://docs.x.ai/developers/rest-api-reference/inference). An invalid key gets
    400 ("an invalid API key is provided"); a known key may be ``api_key_blocked``,
    ``api_key_disabled`` or ``team_blocked``; its ``acls`` are the endpoints and models it
    may use (https://docs.x.ai/developers/rest-api-reference/management/auth)."""

    name = "xai"
    endpoint = "https://api.x.ai"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/v1/api-key", bearer_headers(credential.secret))
        _log(credential, self.name, resp, body)
        if resp.status == 200 and body.get("api_key_id"):
            for flag in ("api_key_disabled", "api_key_blocked", "team_blocked"):
                if body.get(flag) is True:
                    return inactive(flag.removeprefix("api_"))
            acls = [str(a) for a in body.get("acls") or [] if isinstance(a, str)]
            wildcard = any(a.endswith(":*") for a in acls)
            return with_facts(
                active({"name": body.get("name"), "api_key_id": body.get("api_key_id"),
                        "team_id": body.get("team_id"), "user_id": body.get("user_id")}),
                Fact("acls", ", ".join(acls) or "none", "high" if wildcard else "medium"))
        if resp.status in (400, 401):
            return inactive("invalid_api_key")
        return status_fallback(resp)


class OpenrouterVerifier:
    """OpenRouter API keys: ``GET https://openrouter.ai/api/v1/key``, "information on the
    API key associated with the current authentication session", with the key as a bearer;
    401 is missing or invalid credentials
    (https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key). The answer's
    ``data`` has the key's label, credit ``limit``, ``usage``, ``limit_remaining``,
    ``is_free_tier`` and whether it is a management (provisioning) key, which can create and
    delete the account's keys."""

    name = "openrouter"
    endpoint = "https://openrouter.ai/api/v1"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/key", bearer_headers(credential.secret))
        _log(credential, self.name, resp, body)
        data = body.get("data")
        if resp.status == 200 and isinstance(data, dict):
            verdict = active({"label": data.get("label"), "usage": data.get("usage"),
                              "limit": data.get("limit"),
                              "limit_remaining": data.get("limit_remaining"),
                              "free_tier": data.get("is_free_tier"),
                              "expires_at": data.get("expires_at")})
            if data.get("is_management_key") is True or data.get("is_provisioning_key") is True:
                verdict = with_facts(verdict, Fact("management_key",
                                                   "can create and delete API keys", "high"))
            return verdict
        if resp.status == 401:
            return inactive("unauthorized")
        return status_fallback(resp)


# SiliconFlow's China (siliconflow.cn) and international (siliconflow.com) platforms each
# issue their own keys.
SILICONFLOW_REGIONS = (Region("https://api.siliconflow.cn", "cn"),
                       Region("https://api.siliconflow.com", "global"))


class SiliconflowVerifier:
    """SiliconFlow (SiliconCloud) keys: ``GET /v1/user/info``, "user information including
    balance and status", with the key as a bearer
    (https://docs.siliconflow.cn/cn/api-reference/userinfo/get-user-info,
    https://docs.siliconflow.com/en/api-reference/userinfo/get-user-info). The answer is
    ``{"code": 20000, "status": true, "data": {...}}``. 401 is "API Key is not properly
    set", 429 the rate limits, 503/504 load (https://docs.siliconflow.cn/en/faqs/error-code,
    https://docs.siliconflow.com/en/faqs/error-code); a key unknown to one platform is tried
    on the other (not with ``--verify-endpoint``)."""

    name = "siliconflow"
    rate = 3.0

    def __init__(self, regions: tuple[Region, ...] = SILICONFLOW_REGIONS) -> None:
        self.regions = regions
        self.endpoint = regions[0].url

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        return _across_regions(self._call, credential, http, self.regions)

    def _call(self, credential: Credential, http: HttpClient, region: str) -> Verification:
        resp, body = get_json(http, "/v1/user/info", bearer_headers(credential.secret))
        log_answer(credential, self.name, resp.status, str(body.get("code") or "") or None,
                   resp.header("x-siliconcloud-trace-id") or None,
                   str(body.get("message") or ""), region=region or "-")
        data = body.get("data")
        if resp.status == 200 and body.get("status") is True and isinstance(data, dict):
            return active({"region": region or None, "name": data.get("name"),
                           "email": data.get("email"), "status": data.get("status"),
                           "balance": data.get("totalBalance") or data.get("balance")})
        if resp.status == 401:
            return inactive("invalid_api_key")
        return status_fallback(resp)


class CohereVerifier:
    """Cohere API keys: ``POST https://api.cohere.com/v1/check-api-key``, which "checks that
    the api key in the Authorization header is valid and active" and changes nothing; it
    answers ``{"valid": bool, "organization_id", "owner_id"}``, and 401 for a key it does not
    accept, 429 when throttled (https://docs.cohere.com/reference/check-api-key)."""

    name = "cohere"
    endpoint = "https://api.cohere.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp = http.request("POST", "/v1/check-api-key", headers=bearer_headers(credential.secret))
        body = resp.json_object()
        log_answer(credential, self.name, resp.status, str(body.get("id") or "") or None,
                   None, str(body.get("message") or ""))
        if resp.status == 200 and body.get("valid") is True:
            return active({"organization_id": body.get("organization_id"),
                           "owner_id": body.get("owner_id")})
        if resp.status == 200 and body.get("valid") is False:
            return inactive("not_valid")
        if resp.status == 401:
            return inactive("unauthorized")
        return status_fallback(resp)


class ReplicateVerifier:
    """Replicate API tokens: ``GET https://api.replicate.com/v1/account``, "information about
    the user or organization associated with the provided API token", with the token as a
    bearer; the answer has ``type`` (user or organization), ``username`` and ``name``
    (https://replicate.com/docs/reference/http#account.get,
    https://sdks.replicate.com/resources/account/methods/get). A request without a valid
    token is refused with HTTP 401, whatever the body says."""

    name = "replicate"
    endpoint = "https://api.replicate.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp, body = get_json(http, "/v1/account", bearer_headers(credential.secret))
        log_answer(credential, self.name, resp.status, str(body.get("title") or "") or None,
                   resp.header("x-request-id") or None, str(body.get("detail") or ""))
        if resp.status == 200 and body.get("username"):
            return active({"type": body.get("type"), "username": body.get("username"),
                           "name": body.get("name")})
        if resp.status == 401:
            return inactive("unauthenticated")
        return status_fallback(resp)


# -- OpenAI and Anthropic Admin API keys ------------------------------------------------------

# An Admin key is the organization's own management credential: say so beside every live one.
ADMIN_REACH = Fact("admin_key", "can manage the organization's API keys and members",
                   "critical")


def _members(body: dict[str, Any], page: int) -> tuple[int, Fact | None] | None:
    """How many members a list page of OpenAI's or Anthropic's Admin API holds (``data``),
    and the fact that the organization has more (``has_more``) than the one page read;
    ``None`` when the answer is not such a list. Only the count is kept: the members'
    names and emails never reach the report."""
    data = body.get("data")
    if not isinstance(data, list):
        return None
    more = None
    if body.get("has_more") is True:
        more = Fact("list_cut", f"users: only the first {page} read; the organization has "
                    "more", "info")
    return len(data), more


def _admin_verdict(identity: dict[str, object], counted: tuple[int, Fact | None]) -> Verification:
    count, more = counted
    verdict = active({**identity, "users": count})
    return with_facts(verdict, more) if more else verdict


def _as_admin(verdict: Verification) -> Verification:
    """A live Admin key gets :data:`ADMIN_REACH`, even one its member list refused (a
    restricted Admin key still belongs to the Admin API, which manages keys and members)."""
    return with_facts(verdict, ADMIN_REACH) if verdict.status == "active" else verdict


# OpenAI documents 1 to 100 users a page for GET /organization/users.
OPENAI_USERS_PAGE = 100


class OpenaiAdminVerifier:
    """OpenAI Admin API keys (``sk-admin-``): ``GET https://api.openai.com/v1/organization/
    users?limit=100``, "Lists all of the users in the organization", with the key as a bearer
    (the spec's ``AdminApiKeyAuth``): ``{"object": "list", "data": [organization.user...],
    "first_id", "last_id", "has_more"}``, ``limit`` 1 to 100
    (https://developers.openai.com/api/reference/go/resources/admin/subresources/organization/
    subresources/users, and ``list-users`` in https://github.com/openai/openai-openapi
    openapi.yaml). Only Admin keys may call the
    Administration API, and Admin keys nothing else, so ``/v1/models`` would refuse one
    (https://developers.openai.com/api/reference/administration/overview). The owner comes
    from the ``openai-organization`` header; the answers to a bad key, a key without the
    call's scope and throttling are the ones :func:`openai_refusal` reads for API keys."""

    name = "openai-admin"
    endpoint = "https://api.openai.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp = http.request("GET", "/v1/organization/users", query=f"limit={OPENAI_USERS_PAGE}",
                            headers=bearer_headers(credential.secret))
        body = resp.json_object()
        code, message = error_fields(body)
        _log(credential, self.name, resp, body)
        owner: dict[str, object] = {"organization": openai_owner(resp)["organization"]}
        counted = _members(body, OPENAI_USERS_PAGE) if resp.status == 200 else None
        if counted is not None:
            return _as_admin(_admin_verdict(owner, counted))
        return _as_admin(openai_refusal(credential, resp, code, message, owner,
                                        "organization/users"))


# Anthropic documents 1 to 1000 users a page for GET /v1/organizations/users.
ANTHROPIC_USERS_PAGE = 1000


class AnthropicAdminVerifier:
    """Anthropic Admin API keys (``sk-ant-admin01-``, and Claude Enterprise's
    ``sk-ant-api01-``): ``GET https://api.anthropic.com/v1/organizations/users?limit=1000``,
    the organization's members, with ``x-api-key`` and ``anthropic-version``; the answer is
    ``{"data": [user...], "first_id", "last_id", "has_more"}``, ``limit`` 1 to 1000
    (https://platform.claude.com/docs/en/api/admin/users/list). The Admin API "requires a
    special Admin API key (starting with sk-ant-admin...) that differs from standard API
    keys" (https://docs.anthropic.com/en/docs/administration/administration-api). The
    organization is the ``anthropic-organization-id`` header, as for API keys; a bad key,
    a key not allowed the call and throttling get the answers :func:`anthropic_refusal`
    reads (https://docs.anthropic.com/en/api/errors)."""

    name = "anthropic-admin"
    endpoint = "https://api.anthropic.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        resp = http.request("GET", "/v1/organizations/users",
                            query=f"limit={ANTHROPIC_USERS_PAGE}",
                            headers=anthropic_headers(credential.secret))
        body = resp.json_object()
        code, _ = error_fields(body)
        _log(credential, self.name, resp, body, request_id_header="request-id")
        org: dict[str, object] = {"organization": resp.header("anthropic-organization-id")
                                  or None}
        counted = _members(body, ANTHROPIC_USERS_PAGE) if resp.status == 200 else None
        if counted is not None:
            return _as_admin(_admin_verdict(org, counted))
        return _as_admin(anthropic_refusal(credential, resp, code, "organizations/users",
                                           org))


# -- Twilio, Mailchimp: HTTP Basic ------------------------------------------------------------

TWILIO_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
TWILIO_AUTHENTICATE = 20003  # https://www.twilio.com/docs/api/errors/20003


class TwilioVerifier:
    """A Twilio Account SID with its Auth Token: ``GET
    https://api.twilio.com/2010-04-01/Accounts/{AccountSid}.json``, the account fetching
    itself, with the SID and token as HTTP Basic username and password
    (https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource,
    https://www.twilio.com/docs/usage/requests-to-twilio#authenticate-with-http). The answer
    has ``friendly_name``, ``status`` (active, suspended or closed) and ``type`` (Trial or
    Full); a wrong pair gets 401 with error 20003 "Authenticate". Only the SID, an
    identifier, is in the path; API key pairs (SK...) are not verified here."""

    name = "twilio"
    endpoint = "https://api.twilio.com"
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        sid = credential.key_id
        if not TWILIO_ACCOUNT_SID.fullmatch(sid):
            return skipped("not_verifiable")  # never put anything else in the URL path
        resp, body = get_json(http, f"/2010-04-01/Accounts/{sid}.json",
                          _basic(sid, credential.secret))
        log_answer(credential, self.name, resp.status, str(body.get("code") or "") or None,
                   resp.header("twilio-request-id") or None, str(body.get("message") or ""))
        if resp.status == 200 and body.get("sid") == sid:
            status = str(body.get("status") or "")
            if status == "closed":
                return inactive("account_closed")
            verdict = active({"friendly_name": body.get("friendly_name"), "status": status,
                              "type": body.get("type")})
            owner = body.get("owner_account_sid")
            if owner and owner != sid:
                verdict = with_facts(verdict, Fact("subaccount_of", str(owner), "info"))
            if status == "suspended":
                verdict = with_facts(verdict, Fact("status", "suspended", "low"))
            return verdict
        if resp.status == 401:
            code = body.get("code")
            return inactive("authenticate" if code in (None, TWILIO_AUTHENTICATE)
                            or not isinstance(code, int) else f"code_{code}")
        return status_fallback(resp)


MAILCHIMP_DC = re.compile(r"[0-9a-f]{32}-(us[0-9]{1,2})")


class MailchimpVerifier:
    """Mailchimp Marketing API keys: ``GET https://{dc}.api.mailchimp.com/3.0/``, the API
    root, which returns the account's details (https://mailchimp.com/developer/marketing/api/
    root/list-api-root-resources/). The data center is the key's suffix after the hyphen,
    and the key is the HTTP Basic password with any username
    (https://mailchimp.com/developer/marketing/docs/fundamentals/). Errors are problem
    documents (``type``, ``title``, ``status``, ``detail``, ``instance``): 401 for a key
    that is invalid or of another data center; 429 and 5xx are transient
    (https://mailchimp.com/developer/marketing/docs/errors/). Any other answer, a 403
    included, stays unknown."""

    name = "mailchimp"
    endpoint = "https://us1.api.mailchimp.com"  # replaced by the key's own data center
    rate = 3.0

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        m = MAILCHIMP_DC.fullmatch(credential.secret)
        if m is None:
            return skipped("not_verifiable")
        dc = m.group(1)
        client = http if http.overridden else http.sibling(f"https://{dc}.api.mailchimp.com")
        resp, body = get_json(client, "/3.0/", _basic("keysweep", credential.secret))
        title = str(body.get("title") or "")
        log_answer(credential, self.name, resp.status, title or None,
                   str(body.get("instance") or "") or None, str(body.get("detail") or ""),
                   dc=dc)
        if resp.status == 200 and body.get("account_id"):
            return active({"data_center": dc, "account_id": body.get("account_id"),
                           "account_name": body.get("account_name"),
                           "role": body.get("role"),
                           "plan": body.get("pricing_plan_type")})
        if resp.status == 401:
            return inactive("api_key_invalid")
        return status_fallback(resp)

