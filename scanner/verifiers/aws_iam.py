"""AWS blast radius: once STS GetCallerIdentity says a key is live, who it is (root user, IAM
user, assumed role) and what it can reach, from read-only IAM Query API calls (version
2010-05-08) made with the key itself. Each call the key may not make is a fact "not
permitted" (least privilege shows), never an error.

Sources (AWS IAM API Reference, https://docs.aws.amazon.com/IAM/latest/APIReference/):
API_ListAttachedUserPolicies.html, API_ListUserPolicies.html, API_ListGroupsForUser.html,
API_ListAttachedGroupPolicies.html, API_GetLoginProfile.html (``NoSuchEntity``: the user has
no console password), API_ListMFADevices.html, API_ListAccessKeys.html,
API_GetAccessKeyLastUsed.html; requests: CommonParameters.html, errors: CommonErrors.html
(``AccessDenied``); endpoints: https://docs.aws.amazon.com/general/latest/gr/iam-service.html
(global ``iam.amazonaws.com``, signed for ``us-east-1``). The six List calls page alike (each
action's page, "Request Parameters" / "Response Elements"): the answer's ``IsTruncated`` is
``true`` when more items remain, and then its ``Marker`` is sent back as the request's
``Marker`` for the next page; "IAM might return fewer than the MaxItems number of results even
when there are more results available", so every answer's ``IsTruncated`` is checked (at most
``paging.MAX_PAGES`` pages per list; MaxItems is left at its default, 100). Root user guidance:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from scanner.models import Fact
from scanner.verifiers import signing
from scanner.verifiers.base import Credential, log_answer
from scanner.verifiers.http import HttpClient, HttpError
from scanner.verifiers.paging import Pages, cut_fact, read_pages

VERSION = "2010-05-08"
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
# IAM has one endpoint per partition, signed for that partition's IAM region.
IAM_ENDPOINTS = {"aws": ("https://iam.amazonaws.com/", "us-east-1"),
                 "aws-cn": ("https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1"),
                 "aws-us-gov": ("https://iam.us-gov.amazonaws.com/", "us-gov-west-1")}
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
MAX_GROUPS = 10  # groups whose policies are listed, one call each
ROOT_GUIDANCE = ("AWS: do not use root user access keys; delete them and use IAM users or "
                 "roles with least privilege")
NOT_PERMITTED = "not permitted"

_ARN = re.compile(r"^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$")


@dataclass(frozen=True)
class Principal:
    partition: str
    kind: str  # root | user | assumed-role | federated-user | other
    name: str = ""
    session: str = ""


def parse_arn(arn: str) -> Principal | None:
    """What a GetCallerIdentity ARN names: ``…:root``, ``…:user/[path/]NAME``,
    ``…:assumed-role/ROLE/SESSION``, ``…:federated-user/NAME``."""
    m = _ARN.match(arn)
    if not m:
        return None
    partition, service, _, resource = m.groups()
    if service == "iam" and resource == "root":
        return Principal(partition, "root")
    if service == "iam" and resource.startswith("user/"):
        return Principal(partition, "user", resource.rsplit("/", 1)[-1])
    if service == "sts" and resource.startswith("assumed-role/"):
        parts = resource.split("/")
        if len(parts) >= 3:
            return Principal(partition, "assumed-role", parts[1], "/".join(parts[2:]))
    if service == "sts" and resource.startswith("federated-user/"):
        return Principal(partition, "federated-user", resource.split("/", 1)[1])
    return Principal(partition, "other", resource)


def policy_risk(name: str) -> str:
    if name == "AdministratorAccess":
        return "critical"
    if name.endswith("FullAccess"):
        return "high"
    return "info"


@dataclass(frozen=True)
class Answer:
    """One IAM answer: the XML root (None when the call failed) and the error code."""

    root: ET.Element | None
    code: str | None

    @property
    def ok(self) -> bool:
        return self.root is not None and self.code is None

    def texts(self, *path: str) -> list[str]:
        """Text of every element reached by following local names ``path`` (``member`` lists
        included) anywhere under the root."""
        if self.root is None:
            return []
        nodes = [self.root]
        for name in path:
            nodes = [c for n in nodes for c in n.iter() if _local(c.tag) == name and c is not n]
        return [(n.text or "").strip() for n in nodes]

    def first(self, *path: str) -> str:
        found = self.texts(*path)
        return found[0] if found else ""


def signed_headers(cred: Credential, host: str, amz_date: str, region: str, method: str = "POST",
                   query: tuple[tuple[str, str], ...] = (), body: bytes = b"") -> dict[str, str]:
    """The headers of an IAM Query API request to ``/`` signed with SigV4 for service ``iam``
    (content type, host, date and any session token signed). Pure: the published IAM
    ListUsers example (credentials.md W3) is reproduced through it."""
    headers = {"Content-Type": CONTENT_TYPE, "Host": host, "X-Amz-Date": amz_date}
    if cred.token:
        headers["X-Amz-Security-Token"] = cred.token
    signed = [h.lower() for h in headers]
    canonical = signing.sigv4_canonical_request(method, "/", query, headers, signed,
                                                signing.sha256_hex(body))
    headers["Authorization"] = signing.sigv4_authorization(
        cred.key_id, cred.secret, amz_date, region, "iam", canonical, signed)
    return headers


class IamClient:
    """Signed IAM Query API calls (POST, form body, SigV4 for service ``iam``)."""

    def __init__(self, cred: Credential, http: HttpClient, partition: str) -> None:
        url, self.region = IAM_ENDPOINTS.get(partition, IAM_ENDPOINTS["aws"])
        # With --verify-endpoint every call goes to that URL (the loopback routes by Action).
        self.http = http if http.overridden else http.sibling(url)
        self.cred = cred

    def call(self, action: str, **params: str) -> Answer:
        body = signing.canonical_query([("Action", action), ("Version", VERSION),
                                        *params.items()]).encode()
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = signed_headers(self.cred, self.http.host, amz_date, self.region, body=body)
        headers["Accept"] = "text/xml"
        try:
            resp = self.http.request("POST", "/", headers=headers, body=body)
        except HttpError as exc:
            return Answer(None, exc.reason)
        try:
            root = SafeET.fromstring(resp.body, forbid_dtd=True)
        except (ET.ParseError, DefusedXmlException, ValueError):
            return Answer(None, f"http_{resp.status}")
        answer = Answer(root, None)
        code = answer.first("Error", "Code") or None
        if code is None and resp.status != 200:
            code = f"http_{resp.status}"
        log_answer(self.cred, "aws", resp.status, code, answer.first("RequestId"),
                   answer.first("Error", "Message"), action=action)
        return Answer(root, code)

    def pages(self, action: str, **params: str) -> Pages[Answer]:
        """Every page of a List call: ``Marker`` from one answer asks for the next."""
        def fetch(marker: str | None) -> Answer:
            return self.call(action, **params, **({"Marker": marker} if marker else {}))
        return read_pages(fetch, lambda a: a.ok, _next_marker)


def _next_marker(read: Sequence[Answer]) -> str | None:
    last = read[-1]
    if last.first("IsTruncated") != "true":
        return None
    return last.first("Marker") or None  # truncated without a Marker: nothing to ask with


def _texts(pages: Pages[Answer], *path: str) -> list[str]:
    return [t for answer in pages.read for t in answer.texts(*path)]


def _cut(name: str, pages: Pages[Answer]) -> list[Fact]:
    return cut_fact(name, pages, lambda a: a.code or "no answer")


def blast_radius(cred: Credential, http: HttpClient, arn: str) -> tuple[tuple[Fact, ...], bool]:
    """The facts a live key's identity and read-only IAM calls give, and whether it is the
    account's root user. Never raises for a provider or network answer."""
    who = parse_arn(arn)
    if who is None:
        return (), False
    iam = IamClient(cred, http, who.partition)
    if who.kind == "root":
        facts = [Fact("identity_type", "root user (the account's own access key)", "critical"),
                 Fact("guidance", ROOT_GUIDANCE, "critical")]
        facts += _keys(iam, cred, {})
        return tuple(facts), True
    if who.kind == "assumed-role":
        return (Fact("identity_type", "assumed role", "info"),
                Fact("role", who.name, "info"), Fact("session", who.session, "info")), False
    if who.kind == "federated-user":
        return (Fact("identity_type", "federated user", "info"),
                Fact("federated_user", who.name, "info")), False
    if who.kind != "user":
        return (Fact("identity_type", who.name, "info"),), False
    return (Fact("identity_type", "IAM user", "info"), Fact("user", who.name, "info"),
            *_policies(iam, who.name), *_console(iam, who.name),
            *_keys(iam, cred, {"UserName": who.name})), False


def _failed(name: str, answer: Answer) -> Fact:
    if answer.code in DENIED:
        return Fact(name, NOT_PERMITTED, "good")
    return Fact(name, f"not checked ({answer.code})", "info")


def _policies(iam: IamClient, user: str) -> list[Fact]:
    facts: list[Fact] = []
    attached = iam.pages("ListAttachedUserPolicies", UserName=user)
    if attached.ok:
        facts += [Fact("policy", f"{p} (attached)", policy_risk(p))
                  for p in _texts(attached, "AttachedPolicies", "member", "PolicyName")]
        facts += _cut("attached_policies", attached)
    else:
        facts.append(_failed("attached_policies", attached.first))
    inline = iam.pages("ListUserPolicies", UserName=user)
    if inline.ok:
        facts += [Fact("policy", f"{p} (inline)", policy_risk(p))
                  for p in _texts(inline, "PolicyNames", "member")]
        facts += _cut("inline_policies", inline)
    else:
        facts.append(_failed("inline_policies", inline.first))
    groups = iam.pages("ListGroupsForUser", UserName=user)
    if not groups.ok:
        facts.append(_failed("groups", groups.first))
    else:
        names = _texts(groups, "Groups", "member", "GroupName")
        facts += [Fact("group", g, "info") for g in names]
        facts += _cut("groups", groups)
        if len(names) > MAX_GROUPS:  # said, not silently dropped
            facts.append(Fact("group_policies", f"listed for the first {MAX_GROUPS} of "
                              f"{len(names)} groups only", "info"))
        for group in names[:MAX_GROUPS]:
            listed = iam.pages("ListAttachedGroupPolicies", GroupName=group)
            if listed.ok:
                facts += [Fact("policy", f"{p} (via group {group})", policy_risk(p))
                          for p in _texts(listed, "AttachedPolicies", "member", "PolicyName")]
                facts += _cut(f"group_policies of {group}", listed)
            else:
                facts.append(_failed("group_policies", listed.first))
    if attached.ok and inline.ok and groups.ok and not any(f.name == "policy" for f in facts):
        facts.append(Fact("policy", "none", "good"))
    return facts


def _console(iam: IamClient, user: str) -> list[Fact]:
    profile = iam.call("GetLoginProfile", UserName=user)
    console: bool | None = None
    if profile.ok:
        console = True
        facts = [Fact("console_access", "yes (console password set)", "medium")]
    elif profile.code == "NoSuchEntity":
        console = False
        facts = [Fact("console_access", "no", "good")]
    else:
        facts = [_failed("console_access", profile)]
    mfa = iam.pages("ListMFADevices", UserName=user)
    if not mfa.ok:
        return [*facts, _failed("mfa", mfa.first)]
    facts += _cut("mfa_devices", mfa)
    devices = len(_texts(mfa, "MFADevices", "member", "SerialNumber"))
    if devices:
        facts.append(Fact("mfa", f"{devices} device(s)", "good"))
    elif console:
        facts.append(Fact("mfa", "none: console access without MFA", "high"))
    else:
        facts.append(Fact("mfa", "none", "info"))
    return facts


def _keys(iam: IamClient, cred: Credential, user: dict[str, str]) -> list[Fact]:
    facts: list[Fact] = []
    keys = iam.pages("ListAccessKeys", **user)
    if keys.ok:
        statuses = _texts(keys, "AccessKeyMetadata", "member", "Status")
        active = sum(1 for s in statuses if s == "Active")
        facts.append(Fact("access_keys", f"{len(statuses)} ({active} active)",
                          "low" if active > 1 else "info"))
        facts += _cut("access_keys", keys)
    else:
        facts.append(_failed("access_keys", keys.first))
    used = iam.call("GetAccessKeyLastUsed", AccessKeyId=cred.key_id)
    if used.ok:
        date = used.first("AccessKeyLastUsed", "LastUsedDate")
        service = used.first("AccessKeyLastUsed", "ServiceName")
        region = used.first("AccessKeyLastUsed", "Region")
        facts.append(Fact("last_used", f"{date} ({service}, {region})" if date else "never",
                          "info"))
    else:
        facts.append(_failed("last_used", used))
    return facts


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
