"""Tencent Cloud blast radius: once STS GetCallerIdentity says a key is live, who it is (the
root account's own key, a CAM user, an assumed role, a federated user) and, for a CAM user,
what it can reach, from read-only CAM API calls (version 2019-01-16, TC3-HMAC-SHA256, service
``cam``, ``cam.tencentcloudapi.com``; Region is not required by these APIs). A call the key may
not make (``AuthFailure.UnauthorizedOperation`` / ``UnauthorizedOperation``) is a fact "not
permitted", never an error.

Sources: STS GetCallerIdentity https://www.tencentcloud.com/document/api/598/45494 (UserId is
the account's own UIN for a Tencent Cloud account, ``roleId:roleSessionName`` for a role,
``uin:federatedUserName`` for a federated user; AccountId is the root account's UIN); CAM APIs
(https://www.tencentcloud.com/document/api/598/, and the official SDK models,
tencentcloud-sdk-python ``tencentcloud/cam/v20190116/models.py``): DescribeSubAccounts
(``FilterSubAccountUin``), GetUser (``Name``; ``ConsoleLogin`` 0/1), DescribeSafeAuthFlagColl
(``SubUin``; ``LoginFlag``), ListAttachedUserAllPolicies (``TargetUin``, ``Rp``, ``Page``,
``AttachType`` 0 = direct and via group), ListAccessKeys (``TargetUin``); error codes:
``tencentcloud/cam/v20190116/errorcodes.py``. Root key guidance:
https://www.tencentcloud.com/document/product/598/34228.

Paging: of these calls only ListAttachedUserAllPolicies is paged
(https://www.tencentcloud.com/document/api/598/44834: ``Rp`` "The number of policies displayed
on each page. Value range: 1-200", ``Page`` "Page number. Value range: 1-200", answer
``TotalNum``); pages are read from 1 until ``TotalNum`` policies were seen or a page is empty,
at most ``paging.MAX_PAGES``. DescribeSubAccounts takes the UINs to describe
(``FilterSubAccountUin``, up to 50; https://www.tencentcloud.com/document/api/598/39986) and
ListAccessKeys only ``TargetUin`` (https://www.tencentcloud.com/document/api/598/37088): neither
has paging parameters, so each answer is the whole list."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from scanner.models import Fact
from scanner.verifiers import signing
from scanner.verifiers.base import Credential, log_answer
from scanner.verifiers.http import HttpClient, HttpError
from scanner.verifiers.paging import Pages, cut_fact, read_pages

CAM_URL = "https://cam.tencentcloudapi.com/"
CAM_VERSION = "2019-01-16"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED = ("content-type", "host", "x-tc-action")
DENIED = {"AuthFailure.UnauthorizedOperation", "UnauthorizedOperation"}
NOT_PERMITTED = "not permitted"
ROOT_GUIDANCE = ("Tencent Cloud: the root account has full control of its resources; do not "
                 "use root account API keys for routine work: delete this key and use CAM "
                 "sub-users or roles with least privilege")
# LoginFlag fields that are a second factor at console login (SDK model LoginActionFlag).
POLICY_PAGE_SIZE = 200  # Rp: the documented maximum, so few users need a second page
SECOND_FACTORS = ("Phone", "Token", "Stoken", "Wechat", "Custom", "Mail", "U2FToken", "Passkey")


def policy_risk(name: str) -> str:
    if name == "AdministratorAccess":
        return "critical"
    if name.endswith("FullAccess"):
        return "high"
    return "info"


class CamClient:
    def __init__(self, cred: Credential, http: HttpClient) -> None:
        # With --verify-endpoint every call goes to that URL (the loopback routes by action).
        self.http = http if http.overridden else http.sibling(CAM_URL)
        self.cred = cred

    def call(self, action: str, params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """The ``Response`` object and its error code (None on success; a transport failure
        or a non-200 answer is a pseudo-code such as ``timeout`` or ``http_503``)."""
        body = json.dumps(params, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {"Content-Type": CONTENT_TYPE, "Host": self.http.host, "X-TC-Action": action,
                   "X-TC-Version": CAM_VERSION, "X-TC-Timestamp": str(timestamp)}
        signed: tuple[str, ...] = SIGNED
        if self.cred.token:
            headers["X-TC-Token"] = self.cred.token
            signed = (*SIGNED, "x-tc-token")
        canonical = signing.tc3_canonical_request("POST", "/", [], headers, signed, body)
        headers["Authorization"] = signing.tc3_authorization(
            self.cred.key_id, self.cred.secret, timestamp, "cam", canonical, signed)
        try:
            resp = self.http.request("POST", "/", headers=headers, body=body)
        except HttpError as exc:
            return {}, exc.reason
        answer = resp.json_object().get("Response")
        answer = answer if isinstance(answer, dict) else {}
        error = answer.get("Error") if isinstance(answer.get("Error"), dict) else None
        code = str(error.get("Code") or "") if error else None
        log_answer(self.cred, "tencent", resp.status, code, answer.get("RequestId"),
                   str(error.get("Message") or "") if error else None, action=action)
        if resp.status != 200:
            return {}, f"http_{resp.status}"
        return answer, code


def blast_radius(cred: Credential, http: HttpClient,
                 answer: dict[str, Any]) -> tuple[tuple[Fact, ...], bool]:
    """Facts from a GetCallerIdentity answer and, for a CAM user, read-only CAM calls; and
    whether the key is the root account's own."""
    account = str(answer.get("AccountId") or "")
    user_id = str(answer.get("UserId") or "")
    arn = str(answer.get("Arn") or "")
    kind = str(answer.get("Type") or "")
    if ":assumed-role/" in arn or kind == "CAMRole":
        role, _, session = user_id.partition(":")
        return (Fact("identity_type", "assumed role", "info"), Fact("role", role, "info"),
                Fact("session", session, "info")), False
    if ":federated-user/" in arn:
        return (Fact("identity_type", "federated user", "info"),
                Fact("federated_user", user_id.partition(":")[2], "info")), False
    if user_id and user_id == account:
        return (Fact("identity_type", "root account (the account's own API key)", "critical"),
                Fact("guidance", ROOT_GUIDANCE, "critical")), True
    if not user_id.isdigit():
        return (Fact("identity_type", kind or "unknown", "info"),), False
    cam = CamClient(cred, http)
    uin = int(user_id)
    facts = [Fact("identity_type", "CAM user", "info")]
    facts += _user(cam, uin)
    facts += _policies(cam, uin)
    facts += _keys(cam, uin)
    return tuple(facts), False


def _failed(name: str, code: str | None) -> Fact:
    if code in DENIED:
        return Fact(name, NOT_PERMITTED, "good")
    return Fact(name, f"not checked ({code})", "info")


def _user(cam: CamClient, uin: int) -> list[Fact]:
    facts = [Fact("user_uin", str(uin), "info")]
    listed, code = cam.call("DescribeSubAccounts", {"FilterSubAccountUin": [uin]})
    subs = listed.get("SubAccounts") if code is None else None
    name = next((str(s.get("Name") or "") for s in subs or []
                 if isinstance(s, dict) and str(s.get("Uin")) == str(uin)), "")
    console: bool | None = None
    if code is not None:
        # GetUser needs the name: what blocked the lookup blocks the console check too.
        facts += [_failed("user", code), _failed("console_access", code)]
    elif not name:
        facts.append(Fact("user", "not found", "info"))
    else:
        facts.append(Fact("user", name, "info"))
        user, code = cam.call("GetUser", {"Name": name})
        if code is None:
            console = str(user.get("ConsoleLogin")) == "1"
            facts.append(Fact("console_access", "yes" if console else "no",
                              "medium" if console else "good"))
        else:
            facts.append(_failed("console_access", code))
    flags, code = cam.call("DescribeSafeAuthFlagColl", {"SubUin": uin})
    if code is not None:
        return [*facts, _failed("mfa", code)]
    login = flags.get("LoginFlag")
    on = [f for f in SECOND_FACTORS
          if isinstance(login, dict) and str(login.get(f)) == "1"]
    if on:
        facts.append(Fact("mfa", "login protection: " + ", ".join(on), "good"))
    elif console:
        facts.append(Fact("mfa", "none: console access without MFA", "high"))
    else:
        facts.append(Fact("mfa", "none", "info"))
    return facts


Reply = tuple[dict[str, Any], str | None]  # what CamClient.call gives: answer, error code


def _policy_pages(cam: CamClient, uin: int) -> Pages[Reply]:
    def fetch(page: int | None) -> Reply:
        return cam.call("ListAttachedUserAllPolicies", {
            "TargetUin": uin, "Rp": POLICY_PAGE_SIZE, "Page": page or 1, "AttachType": 0})

    def next_page(read: Sequence[Reply]) -> int | None:
        seen = sum(len(answer["PolicyList"]) for answer, _ in read)
        total = read[-1][0].get("TotalNum")
        if not read[-1][0]["PolicyList"] or not isinstance(total, int) or seen >= total:
            return None
        return len(read) + 1

    return read_pages(fetch, lambda r: r[1] is None and isinstance(r[0].get("PolicyList"), list),
                      next_page)


def _policies(cam: CamClient, uin: int) -> list[Fact]:
    pages = _policy_pages(cam, uin)
    if not pages.ok:
        return [_failed("policies", pages.first[1])]
    facts = []
    for p in (p for answer, _ in pages.read for p in answer["PolicyList"]):
        if not isinstance(p, dict):
            continue
        name = str(p.get("PolicyName") or "")
        groups = [str(g.get("GroupName")) for g in p.get("Groups") or []
                  if isinstance(g, dict) and g.get("GroupName")]
        how = f"via group {', '.join(groups)}" if groups else "attached"
        facts.append(Fact("policy", f"{name} ({how})", policy_risk(name)))
    facts += cut_fact("policies", pages, lambda r: str(r[1]))
    return facts or [Fact("policy", "none", "good")]


def _keys(cam: CamClient, uin: int) -> list[Fact]:
    listed, code = cam.call("ListAccessKeys", {"TargetUin": uin})
    if code is not None:
        return [_failed("access_keys", code)]
    keys = [k for k in listed.get("AccessKeys") or [] if isinstance(k, dict)]
    active = sum(1 for k in keys if k.get("Status") == "Active")
    return [Fact("access_keys", f"{len(keys)} ({active} active)",
                 "low" if active > 1 else "info")]
