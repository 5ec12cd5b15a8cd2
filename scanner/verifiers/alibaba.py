"""Alibaba Cloud: STS GetCallerIdentity, RPC style, signature v1 (HMAC-SHA1). It needs no
permission, so any working key passes whatever its RAM policy (credentials.md §2.1).

A live key then says who it is and what it can reach (its blast radius), as ``Fact``s: the
identity type (an Alibaba Cloud account's own AccessKey is ``root``), a role's name and
session, and for a RAM user a few read-only RAM calls (RAM API 2015-05-01, RPC style, the same
signature): attached policies (direct and through groups), console access and MFA, how many
AccessKeys the user has, and when this key was last used. A RAM call the key may not make is
the fact "not permitted" (a good sign: least privilege), never an error.

None of the RAM 2015-05-01 list calls used here is paged: ListPoliciesForUser and ListAccessKeys
take only ``UserName``, ListGroupsForUser ``UserName``, ListPoliciesForGroup ``GroupName``, and
their answers carry no ``IsTruncated``/``Marker`` (the API reference pages cited below; RAM
documents ``Marker``/``MaxItems`` only for the account-wide lists such as ListUsers, not called
here), so each answer is the whole list and no paging is invented for them. What is capped is
this module's own fan-out, the groups whose policies are looked up (``MAX_GROUPS``), and that
cap is said as a fact, never silent."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from scanner.models import Fact, Verification
from scanner.verifiers import signing
from scanner.verifiers.base import (
    Credential,
    active,
    http_failure,
    inactive,
    log_answer,
    skipped,
    unknown,
)
from scanner.verifiers.http import HttpClient, HttpError
from scanner.verifiers.redaction import clean_code

ECHO_MARKER = "string to sign is:"

NOT_FOUND = {"InvalidAccessKeyId.NotFound", "InvalidAccessKeyId"}
DISABLED = {"InvalidAccessKeyId.Inactive", "Forbidden.AccessKeyDisabled"}
SIGNATURE = {"SignatureDoesNotMatch", "IncompleteSignature"}
# An expired temporary credential is InvalidSecurityToken.Expired ("Specified SecurityToken is
# expired."), a common error code of Alibaba's API gateway, not of one API (credentials.md
# §2.1.4; Alibaba's own SDKs and tools test for this code to spot an expired STS token).
TOKEN = {"InvalidSecurityToken.Expired", "InvalidSecurityToken.Malformed",
         "InvalidSecurityToken.MismatchWithAccessKey"}
AUTHENTICATED = {"NoPermission", "Forbidden.RAM", "Forbidden"}
CLOCK = {"InvalidTimeStamp.Expired": "clock_skew", "IllegalTimestamp": "clock_skew",
         "SignatureNonceUsed": "nonce_rejected"}
SERVER = {"ServiceUnavailable", "InternalError", "InternalFailure"}

# -- RAM (blast radius) ----------------------------------------------------------------------
# RAM API 2015-05-01, RPC style, signed like STS; its one (central) endpoint is ram.aliyuncs.com
# (official SDK: aliyun-openapi-python-sdk, aliyun-python-sdk-ram/aliyunsdkram/request/v20150501,
# endpoint_regional "central"). API reference:
# https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-dir
RAM_ENDPOINT = "https://ram.aliyuncs.com/"
RAM_VERSION = "2015-05-01"
# An access denied answer: "NoPermission, Forbidden.RAM, and NotAuthorized" (How do I troubleshoot
# an access denied error? https://www.alibabacloud.com/help/en/ram/support/how-to-troubleshoot-an-access-denied-error);
# NoPermission is 403 "You are not authorized to do this action." (RAM error codes,
# https://www.alibabacloud.com/help/doc-detail/28754.htm). Other Forbidden.* codes are denials
# too, except a disabled key (which STS would have refused already).
DENIED = {"NoPermission", "NotAuthorized", "Forbidden"}
# "The user login profile does not exist." / "The user has not bound any MFA device." (404,
# same RAM error-code page): answers, not failures.
NO_LOGIN_PROFILE = "EntityNotExist.User.LoginProfile"
NO_MFA_DEVICE = "EntityNotExist.User.MFADevice"
ADMIN_POLICY = "AdministratorAccess"  # the system policy that allows every action
MAX_GROUPS = 10  # policies of at most this many groups are looked up (one call each)
NOT_PERMITTED = "not permitted"

# Alibaba's guidance for an account's own AccessKey: "Do not use the AccessKey pair of your
# Alibaba Cloud account ... We recommend that you use the AccessKey pair of a RAM user"
# (Create an AccessKey pair, https://www.alibabacloud.com/help/en/ram/obtain-an-accesskey-pair-1).
ROOT_GUIDANCE = ("Alibaba Cloud account (root) AccessKey: it can do everything in the account. "
                 "Create a RAM user with only the permissions the program needs, use its "
                 "AccessKey instead, and delete this AccessKey of the account.")


@dataclass(frozen=True)
class Answer:
    """One RPC call's answer: HTTP status, error code (None on success), parsed body."""

    status: int
    code: str | None
    body: dict[str, Any] = field(repr=False)
    string_to_sign: str = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.code is None

    @property
    def denied(self) -> bool:
        code = self.code or ""
        return code in DENIED or (code.startswith("Forbidden.") and code not in DISABLED)


class AlibabaVerifier:
    name = "alibaba"
    endpoint = "https://sts.aliyuncs.com/"
    rate = 10.0  # no documented quota for this call: stay polite

    def verify(self, credential: Credential, http: HttpClient) -> Verification:
        if credential.key_id.startswith("STS.") and not credential.token:
            return skipped("needs_session_token")
        verdict = unknown("clock_skew")
        body: dict[str, Any] = {}
        for _ in range(2):  # a nonce or clock complaint gets one fresh try
            verdict, body, again = self._call(credential, http)
            if not again:
                break
        if verdict.status == "active" and body:
            verdict = self._blast_radius(credential, http, body, verdict)
        return verdict

    def _rpc(self, cred: Credential, http: HttpClient, action: str, version: str,
             extra: dict[str, str] | None = None) -> Answer:
        """One signed RPC v1 GET (credentials.md §2.1.3) and its answer."""
        params = {
            "Action": action,
            "Version": version,
            "Format": "JSON",
            "AccessKeyId": cred.key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **(extra or {}),
        }
        if cred.token:
            params["SecurityToken"] = cred.token
        string_to_sign = signing.rpc_string_to_sign("GET", params)
        signature = signing.hmac_sha1_base64(cred.secret + "&", string_to_sign)
        query = (signing.rpc_canonical_query(params) + "&Signature="
                 + signing.percent_encode(signature))
        resp = http.request("GET", query=query, headers={"Accept": "application/json"})
        body = resp.json_object()
        code = str(body.get("Code") or "") or None
        return Answer(resp.status, code, body, string_to_sign)

    def _call(self, cred: Credential,
              http: HttpClient) -> tuple[Verification, dict[str, Any], bool]:
        answer = self._rpc(cred, http, "GetCallerIdentity", "2015-04-01")
        code, body = answer.code, answer.body
        message = str(body.get("Message") or "")
        echo_match: bool | None = None
        if code in SIGNATURE:
            echo_match = _echoed(message) == answer.string_to_sign
        log_answer(cred, self.name, answer.status, code, body.get("RequestId"), message,
                   echo_match=echo_match)
        if code in CLOCK:
            return unknown(CLOCK[code]), {}, True
        verdict = _classify(answer.status, code, body, echo_match, cred)
        return verdict, (body if answer.ok else {}), False

    # -- blast radius ------------------------------------------------------------------------

    def _blast_radius(self, cred: Credential, http: HttpClient, body: dict[str, Any],
                      verdict: Verification) -> Verification:
        """The facts GetCallerIdentity gives, then (for a RAM user) what RAM tells the key.
        IdentityType is Account, RAMUser or AssumedRoleUser (GetCallerIdentity,
        https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-getcalleridentity)."""
        kind = str(body.get("IdentityType") or "")
        arn = str(body.get("Arn") or "")
        facts: list[Fact] = []
        if kind == "Account" or arn.endswith(":root"):  # acs:ram::<uid>:root
            facts.append(Fact("identity_type", "Alibaba Cloud account (root)", "critical"))
            facts.append(Fact("root", ROOT_GUIDANCE, "critical"))
            return replace(verdict, facts=tuple(facts), root=True)
        if kind == "AssumedRoleUser":
            role, session = _role_and_session(arn, str(body.get("PrincipalId") or ""))
            facts.append(Fact("identity_type", "RAM role session (STS)", "info"))
            if role:
                facts.append(Fact("role", role, "info"))
            if session:
                facts.append(Fact("session", session, "info"))
            if cred.key_id.startswith("STS."):
                facts.append(Fact("credential", "temporary (STS token; it expires)", "low"))
            return replace(verdict, facts=tuple(facts))
        user = arn.split(":user/", 1)[1] if ":user/" in arn else ""
        if kind != "RAMUser" or not user:
            if kind:
                facts.append(Fact("identity_type", kind, "info"))
            return replace(verdict, facts=tuple(facts))
        facts.append(Fact("identity_type", "RAM user", "info"))
        facts.append(Fact("user", user, "info"))
        ram = http if http.overridden else http.sibling(RAM_ENDPOINT)
        facts.extend(self._ram_facts(cred, ram, user))
        return replace(verdict, facts=tuple(facts))

    def _ram(self, cred: Credential, http: HttpClient, action: str,
             **params: str) -> Answer | str:
        """A RAM call's answer, or why there is none (a short reason, never raised)."""
        try:
            answer = self._rpc(cred, http, action, RAM_VERSION, params)
        except HttpError as exc:
            return exc.reason
        log_answer(cred, self.name, answer.status, answer.code, answer.body.get("RequestId"),
                   str(answer.body.get("Message") or ""), action=action)
        return answer

    def _ram_facts(self, cred: Credential, http: HttpClient, user: str) -> list[Fact]:
        facts: list[Fact] = []

        def failed(name: str, got: Answer | str) -> bool:
            """Record a call that gave no data: not permitted (good) or unknown."""
            if isinstance(got, Answer) and got.ok:
                return False
            if isinstance(got, Answer) and got.denied:
                facts.append(Fact(name, NOT_PERMITTED, "good"))
            else:
                why = got if isinstance(got, str) else _reason_for(got.code, got.status)
                facts.append(Fact(name, f"unknown ({why})", "info"))
            return True

        # ListPoliciesForUser: Policies.Policy[] of PolicyName, PolicyType (System | Custom)
        # https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listpoliciesforuser
        got = self._ram(cred, http, "ListPoliciesForUser", UserName=user)
        if not failed("policies", got):
            assert isinstance(got, Answer)
            facts.extend(_policy_facts(got.body, None))
        # ListGroupsForUser: Groups.Group[] of GroupName; then ListPoliciesForGroup(GroupName)
        # https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listgroupsforuser
        # https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listpoliciesforgroup
        got = self._ram(cred, http, "ListGroupsForUser", UserName=user)
        if not failed("groups", got):
            assert isinstance(got, Answer)
            groups = [str(g.get("GroupName")) for g in _items(got.body, "Groups", "Group")
                      if g.get("GroupName")]
            facts.append(Fact("groups", ", ".join(groups) if groups else "none", "info"))
            if len(groups) > MAX_GROUPS:
                facts.append(Fact("group_policies", f"listed for the first {MAX_GROUPS} of "
                                  f"{len(groups)} groups only", "info"))
            for group in groups[:MAX_GROUPS]:
                got = self._ram(cred, http, "ListPoliciesForGroup", GroupName=group)
                if not failed("group_policies", got):
                    assert isinstance(got, Answer)
                    facts.extend(_policy_facts(got.body, group))
        # GetLoginProfile: a LoginProfile means console (password) logon; 404
        # EntityNotExist.User.LoginProfile means none.
        # https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-getloginprofile
        got = self._ram(cred, http, "GetLoginProfile", UserName=user)
        if isinstance(got, Answer) and got.code == NO_LOGIN_PROFILE:
            facts.append(Fact("console_access", "no", "good"))
        elif not failed("console_access", got):
            assert isinstance(got, Answer)
            profile = got.body.get("LoginProfile")
            mfa_required = isinstance(profile, dict) and profile.get("MFABindRequired") is True
            facts.append(Fact("console_access", "yes (password logon)"
                              + ("; MFA required at logon" if mfa_required else ""), "medium"))
            # GetUserMFAInfo: MFADevice{SerialNumber, Type}; 404 EntityNotExist.User.MFADevice
            # when none is bound.
            # https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-getusermfainfo
            got = self._ram(cred, http, "GetUserMFAInfo", UserName=user)
            if isinstance(got, Answer) and got.code == NO_MFA_DEVICE:
                facts.append(Fact("mfa", "not bound: console logon with a password alone",
                                  "high"))
            elif not failed("mfa", got):
                assert isinstance(got, Answer)
                device = got.body.get("MFADevice")
                kind = device.get("Type") if isinstance(device, dict) else None
                facts.append(Fact("mfa", f"bound ({kind})" if kind else "bound", "good"))
        # ListAccessKeys: AccessKeys.AccessKey[] of AccessKeyId, Status (Active | Inactive)
        # https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-listaccesskeys
        got = self._ram(cred, http, "ListAccessKeys", UserName=user)
        if not failed("access_keys", got):
            assert isinstance(got, Answer)
            keys = _items(got.body, "AccessKeys", "AccessKey")
            live = sum(1 for k in keys if k.get("Status") == "Active")
            facts.append(Fact("access_keys", f"{len(keys)} ({live} active)",
                              "low" if live > 1 else "info"))
        # GetAccessKeyLastUsed(UserName, UserAccessKeyId): AccessKeyLastUsed.LastUsedDate
        # (and ServiceName in the newer reference)
        # https://www.alibabacloud.com/help/en/ram/developer-reference/api-ram-2015-05-01-getaccesskeylastused
        got = self._ram(cred, http, "GetAccessKeyLastUsed", UserName=user,
                        UserAccessKeyId=cred.key_id)
        if not failed("last_used", got):
            assert isinstance(got, Answer)
            used = got.body.get("AccessKeyLastUsed")
            used = used if isinstance(used, dict) else {}
            when = str(used.get("LastUsedDate") or "") or "never"
            service = used.get("ServiceName")
            facts.append(Fact("last_used", f"{when} ({service})" if service else when, "info"))
        return facts


def _items(body: dict[str, Any], outer: str, inner: str) -> list[dict[str, Any]]:
    """``body[outer][inner]`` as a list of objects (RPC JSON wraps lists this way)."""
    wrapper = body.get(outer)
    items = wrapper.get(inner) if isinstance(wrapper, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _policy_facts(body: dict[str, Any], group: str | None) -> list[Fact]:
    facts = []
    for p in _items(body, "Policies", "Policy"):
        name = str(p.get("PolicyName") or "")
        if not name:
            continue
        system = p.get("PolicyType") == "System"
        if system and name == ADMIN_POLICY:
            risk = "critical"
        elif system and name.endswith("FullAccess"):
            risk = "high"
        else:
            risk = "info"
        kind = "" if system else " (custom)"
        via = f" (via group {group})" if group else ""
        facts.append(Fact("policy", f"{name}{kind}{via}", risk))
    return facts


def _role_and_session(arn: str, principal_id: str) -> tuple[str, str]:
    """Role name and session name of an assumed role. Its ARN reads
    ``acs:ram::<uid>:assumed-role/<role>/<session>`` (``role/<role>/<session>`` in AssumeRole
    answers); PrincipalId is ``<role id>:<session>``."""
    for marker in (":assumed-role/", ":role/"):
        if marker in arn:
            role, _, session = arn.split(marker, 1)[1].partition("/")
            return role, session
    return "", principal_id.partition(":")[2]


def _classify(status: int, code: str | None, body: dict[str, Any], echo_match: bool | None,
              cred: Credential) -> Verification:
    if status == 200 and code is None:
        if not body.get("AccountId"):
            return unknown("unexpected_response")
        return active({"account_id": body.get("AccountId"), "arn": body.get("Arn"),
                       "identity_type": body.get("IdentityType")})
    if code in NOT_FOUND:
        return inactive("id_not_found")
    if code in DISABLED:
        return inactive("key_disabled")
    if code in SIGNATURE:
        # Only a byte-identical echo proves the server saw the request we signed: then the
        # secret is wrong. Anything else is our canonicalization bug, not the key's fault.
        return inactive("wrong_secret") if echo_match else unknown("signing_error")
    if code in TOKEN:
        return inactive("expired")
    if code == "MissingSecurityToken":
        return skipped("needs_session_token") if not cred.token else unknown("signing_error")
    if code in AUTHENTICATED:
        return active()
    if code and code.startswith("Throttling"):
        return unknown("throttled")
    if code in SERVER:
        return unknown("server_error")
    return http_failure(status) or unknown(_reason_for(code, status))


def _reason_for(code: str | None, status: int) -> str:
    return clean_code(code) if code else f"http_{status}"


def _echoed(message: str) -> str | None:
    """The server's string-to-sign from a signature error message, if it echoed one."""
    at = message.lower().find(ECHO_MARKER)
    return message[at + len(ECHO_MARKER):].strip() if at >= 0 else None
