"""A fake of the four identity endpoints keysweep verifies against, on 127.0.0.1.

It checks signatures the way the providers do: it takes the request as received, recomputes
the signature with the secret it knows for the key ID, and compares. (Its signing code is
written out here on purpose, independently of ``scanner.verifiers.signing``, so a shared
canonicalization bug cannot make both sides agree.) It answers like the provider: success
body, not found, disabled, signature mismatch (Alibaba echoes its string-to-sign), throttled,
503, or it hangs. Every raw request is recorded so tests can check no secret was sent.

One server serves all providers; the request's shape tells which one is addressed:
``GET /user`` is GitHub, an ``AWS4-HMAC-SHA256`` or ``TC3-HMAC-SHA256`` Authorization header is
AWS or Tencent, query parameters with ``Signature`` are Alibaba (STS GetCallerIdentity, and the
read-only RAM actions in ``RAM_ACTIONS``, routed by ``Action``; the identity each Alibaba key
stands for, and what RAM knows of it, is configured by ``Account.identity_type`` and
``Account.ram``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, quote, urlsplit

from tests.helpers.loopback import LoopbackServer

BEHAVIOURS = ("active", "disabled", "throttled", "unavailable", "hang", "throttled_once",
              "unavailable_once", "nonce_once", "bad_echo", "no_permission", "redirect", "xml_bomb",
              "expired")

# Alibaba RAM API 2015-05-01 actions the fake answers (all read-only).
RAM_ACTIONS = ("ListPoliciesForUser", "ListGroupsForUser", "ListPoliciesForGroup",
               "GetLoginProfile", "GetUserMFAInfo", "ListAccessKeys", "GetAccessKeyLastUsed")

# IAM Query API actions the fake answers (read-only, about the caller's own user).
IAM_ACTIONS = frozenset({"ListAttachedUserPolicies", "ListUserPolicies", "ListGroupsForUser",
                         "ListAttachedGroupPolicies", "GetLoginProfile", "ListMFADevices",
                         "ListAccessKeys", "GetAccessKeyLastUsed"})
# CAM API (2019-01-16) actions the fake answers.
CAM_ACTIONS = frozenset({"DescribeSubAccounts", "GetUser", "DescribeSafeAuthFlagColl",
                         "ListAttachedUserAllPolicies", "ListAccessKeys"})

# Nested entities: a few hundred bytes on the wire, about 3 MB once expanded (small enough
# that expat's own amplification guard lets it through, so only refusing DTDs stops it).
XML_BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY l0 "lol">\n'
            + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">\n' for i in range(1, 7))
            + ']>\n<GetCallerIdentityResponse><GetCallerIdentityResult>'
              '<Arn>arn:aws:iam::123456789012:user/x</Arn><Account>&l6;</Account>'
              '</GetCallerIdentityResult></GetCallerIdentityResponse>')


@dataclass
class RamUser:
    """What Alibaba RAM knows of a RAM user. ``denied``: the key may call no RAM action (each
    answers 403 NoPermission), as a least-privilege key's would."""

    policies: list[tuple[str, str]] = field(default_factory=list)  # (PolicyName, PolicyType)
    groups: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    console: bool = False
    mfa: bool = False
    access_keys: int = 1  # this key and as many others
    last_used: str = "2024-05-01T08:00:00Z"
    denied: bool = False


@dataclass
class Reach:
    """What a user key may see of itself through IAM (AWS) or CAM (Tencent) read-only calls,
    and what those calls answer. ``denied`` lists actions answered as not authorized."""

    policies: tuple[str, ...] = ()  # attached directly (Tencent: directly associated)
    inline: tuple[str, ...] = ()  # AWS inline policy names
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group -> its policies
    console: bool = False  # AWS: a login profile; Tencent: ConsoleLogin = 1
    mfa_devices: int = 0  # AWS: MFA devices; Tencent: login protection by token
    keys: tuple[str, ...] = ("Active",)  # statuses of the user's access keys
    last_used: tuple[str, str, str] | None = None  # date, service, region (AWS)
    denied: frozenset[str] = frozenset()
    # Actions whose pages after the first are answered as throttled (the first page is not).
    throttled_later: frozenset[str] = frozenset()


@dataclass
class Account:
    """A key the fake provider knows. ``secret`` is the AccessKey secret (unused for GitHub,
    where the key is the token itself)."""

    secret: str = field(repr=False)
    behaviour: str = "active"
    account_id: str = "1234567890123456"
    name: str = "deployer"
    # A temporary credential's session token: answered active only when the request carries
    # exactly this token inside what was signed; another token is answered as expired.
    token: str | None = field(default=None, repr=False)
    # Alibaba: who GetCallerIdentity says the key is (Account, RAMUser, AssumedRoleUser; for a
    # role, ``name`` is the role's and ``session`` the session's), and what RAM knows of it.
    identity_type: str = "RAMUser"
    session: str = "keysweep-session"
    ram: RamUser = field(default_factory=RamUser)
    # Who GetCallerIdentity says the key is: "user" (IAM / CAM user), "root" (the account's
    # own key), "role" (an assumed role's session); empty: a role with a token, else a user.
    identity: str = ""
    # What IAM / CAM calls answer for a user; None: every one is denied (least privilege).
    reach: Reach | None = None
    sub_uin: str = "100023456789"  # Tencent: the CAM user's own UIN

    def __post_init__(self) -> None:
        assert self.behaviour in BEHAVIOURS, self.behaviour
        assert self.identity in ("", "user", "root", "role"), self.identity

    @property
    def kind(self) -> str:
        return self.identity or ("role" if self.token is not None else "user")


@dataclass(frozen=True)
class Recorded:
    provider: str
    method: str
    path: str  # with the raw query string
    headers: str  # as received, one "Name: value" per line
    body: bytes

    @property
    def raw(self) -> str:
        return (f"{self.method} {self.path}\n{self.headers}\n"
                + self.body.decode("utf-8", "replace"))


def _enc(s: str) -> str:
    return quote(s, safe="-_.~")


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class FakeProvider(LoopbackServer):
    """``with FakeProvider({key_id: Account(...)}) as fake:`` then point keysweep at
    ``fake.url``."""

    def __init__(self, accounts: dict[str, Account] | None = None,
                 hang_seconds: float = 30.0, page_size: int = 100) -> None:
        self.accounts: dict[str, Account] = dict(accounts or {})
        self.hang_seconds = hang_seconds
        # IAM: items per page at most, below the request's MaxItems (default 100): "IAM might
        # return fewer than the MaxItems number of results even when there are more".
        self.page_size = page_size
        self.calls: Counter[str] = Counter()  # per key ID / token (identity calls only)
        self.ram_calls: Counter[tuple[str, str]] = Counter()  # Alibaba RAM: (key ID, Action)
        self.nonces: set[str] = set()
        self._stop = threading.Event()
        self._listen(_handler_for(self))


    def close(self) -> None:
        self._stop.set()  # wakes hanging handlers
        super().close()

    def log_text(self) -> str:
        with self._lock:
            return "\n".join(r.raw for r in self.requests)

    def count(self, key: str) -> int:
        with self._lock:
            return self.calls[key]

    # -- bookkeeping used by the handler ----------------------------------------------------

    def attempt(self, key: str) -> int:
        with self._lock:
            self.calls[key] += 1
            return self.calls[key]

    def ram_call(self, key_id: str, action: str) -> None:
        with self._lock:
            self.ram_calls[key_id, action] += 1

    def ram_actions(self, key_id: str) -> set[str]:
        """The RAM actions called with this key ID."""
        with self._lock:
            return {a for k, a in self.ram_calls if k == key_id}

    def hang(self) -> None:
        self._stop.wait(self.hang_seconds)

    def new_nonce(self, nonce: str) -> bool:
        with self._lock:
            fresh = nonce not in self.nonces
            self.nonces.add(nonce)
            return fresh

    def outcome(self, key: str) -> tuple[Account | None, str]:
        """The account and what it does on this attempt: a behaviour, or ``missing``."""
        account = self.accounts.get(key)
        n = self.attempt(key)
        if account is None:
            return None, "missing"
        b = account.behaviour
        if b.endswith("_once"):
            b = b[: -len("_once")] if n == 1 else "active"
        return account, b


def _ram_policies(policies: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"PolicyName": name, "PolicyType": kind, "DefaultVersion": "v1", "Description": "",
             "AttachDate": "2023-01-23T12:33:18Z"} for name, kind in policies]


def _handler_for(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            self._dispatch()

        def do_POST(self) -> None:  # noqa: N802
            self._dispatch()

        # -- plumbing ------------------------------------------------------------------------

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            auth = self.headers.get("Authorization", "")
            parts = urlsplit(self.path)
            if self.command == "GET" and parts.path.rstrip("/").endswith("/user"):
                provider = "github"
            elif auth.startswith("AWS4-HMAC-SHA256"):
                provider = "aws"
            elif auth.startswith("TC3-HMAC-SHA256"):
                provider = "tencent"
            elif "Signature=" in parts.query or b"Signature=" in body:
                provider = "alibaba"
            else:
                provider = "unknown"
            fake.record(Recorded(provider, self.command, self.path, str(self.headers), body))
            handler = getattr(self, f"_{provider}")
            handler(parts.path, parts.query, body)

        def _send(self, status: int, body: bytes | str, content_type: str,
                  headers: dict[str, str] | None = None) -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _json(self, status: int, doc: object, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(doc), "application/json;charset=utf-8", headers)

        def _redirect(self) -> None:
            self._send(302, "", "text/plain", {"Location": "http://192.0.2.1/elsewhere"})

        def _hang(self) -> None:
            fake.hang()
            self.close_connection = True  # never answer

        def _unknown(self, path: str, query: str, body: bytes) -> None:
            self._json(400, {"message": "not an identity call"})

        # -- Alibaba Cloud: RPC v1 --------------------------------------------------------------

        def _alibaba(self, path: str, query: str, body: bytes) -> None:
            raw = query if self.command == "GET" else body.decode()
            params = dict(parse_qsl(raw, keep_blank_values=True))
            rid = str(uuid.uuid4()).upper()

            def error(status: int, code: str, message: str) -> None:
                self._json(status, {"RequestId": rid, "HostId": "sts.aliyuncs.com",
                                    "Code": code, "Message": message,
                                    "Recommend": "https://api.aliyun.com/troubleshoot"})

            action = params.get("Action", "")
            ram = action in RAM_ACTIONS
            if (action, params.get("Version")) != ((action, "2015-05-01") if ram else
                                                   ("GetCallerIdentity", "2015-04-01")):
                return error(400, "InvalidAction.NotFound", "Specified api is not found.")
            key_id = params.get("AccessKeyId", "")
            if ram:  # counted apart: tests count identity calls per key
                fake.ram_call(key_id, action)
                account, behaviour = fake.accounts.get(key_id), "active"
                if account is None:
                    behaviour = "missing"
            else:
                account, behaviour = fake.outcome(key_id)
            if behaviour == "missing":
                return error(404, "InvalidAccessKeyId.NotFound",
                             "Specified access key is not found.")
            assert account is not None
            if behaviour == "hang":
                return self._hang()
            if behaviour == "redirect":
                return self._redirect()
            if behaviour == "throttled":
                return error(429, "Throttling.User", "Request was denied due to user flow control.")
            if behaviour == "unavailable":
                return error(503, "ServiceUnavailable",
                             "The request has failed due to a temporary failure of the server.")
            if behaviour == "disabled":
                return error(400, "InvalidAccessKeyId.Inactive",
                             "Specified access key is disabled.")
            signature = params.pop("Signature", "")
            canonical = "&".join(f"{k}={v}" for k, v in sorted(
                (_enc(k), _enc(v)) for k, v in params.items()))
            string_to_sign = f"{self.command}&%2F&{_enc(canonical)}"
            if behaviour == "bad_echo":
                string_to_sign = string_to_sign.replace("%26", "&")  # a different server view
                signature = ""
            expected = base64.b64encode(hmac.new((account.secret + "&").encode(),
                                                 string_to_sign.encode(),
                                                 hashlib.sha1).digest()).decode()
            if not hmac.compare_digest(expected, signature):
                return error(400, "SignatureDoesNotMatch",
                             "Specified signature is not matched with our calculation. "
                             f"server string to sign is:{string_to_sign}")
            # Every parameter but Signature is signed, so a SecurityToken here was signed in.
            if account.token is not None and "SecurityToken" not in params:
                return error(400, "MissingSecurityToken", "SecurityToken is mandatory.")
            if account.token is not None and (params["SecurityToken"] != account.token
                                              or behaviour == "expired"):
                return error(400, "InvalidSecurityToken.Expired",
                             "Specified SecurityToken is expired.")
            if not fake.new_nonce(params.get("SignatureNonce", "")) or behaviour == "nonce":
                return error(400, "SignatureNonceUsed", "Specified signature nonce was used "
                             "already.")
            if behaviour == "no_permission":
                return error(403, "NoPermission", "You are not authorized to do this action.")
            if ram:
                return self._alibaba_ram(account, key_id, action, params, rid, error)
            uid = account.account_id
            if account.identity_type == "Account":
                return self._json(200, {"RequestId": rid, "IdentityType": "Account",
                                        "AccountId": uid, "UserId": uid, "PrincipalId": uid,
                                        "Arn": f"acs:ram::{uid}:root"})
            if account.identity_type == "AssumedRoleUser":
                role_id = "3" + "4" * 16
                return self._json(200, {
                    "RequestId": rid, "IdentityType": "AssumedRoleUser", "AccountId": uid,
                    "PrincipalId": f"{role_id}:{account.session}", "RoleId": role_id,
                    "Arn": f"acs:ram::{uid}:assumed-role/{account.name}/{account.session}"})
            self._json(200, {"RequestId": rid, "IdentityType": "RAMUser",
                             "AccountId": uid, "UserId": "2" + "3" * 15,
                             "PrincipalId": "2" + "3" * 15,
                             "Arn": f"acs:ram::{uid}:user/{account.name}"})

        def _alibaba_ram(self, account: Account, key_id: str, action: str,
                         params: dict[str, str], rid: str,
                         error: Callable[[int, str, str], None]) -> None:
            """A signed, authenticated RAM call: answered from ``account.ram`` as RAM does
            (error codes from Alibaba's RAM error-code reference)."""
            user = account.ram
            if user.denied or account.identity_type != "RAMUser":
                return error(403, "NoPermission", "You are not authorized to do this action.")
            if action == "ListPoliciesForGroup":
                group = params.get("GroupName", "")
                if group not in user.groups:
                    return error(404, "EntityNotExist.Group", "The group does not exist.")
                return self._json(200, {"RequestId": rid,
                                        "Policies": {"Policy": _ram_policies(user.groups[group])}})
            if params.get("UserName") != account.name:
                return error(404, "EntityNotExist.User", "The user does not exist.")
            date = "2023-01-23T12:33:18Z"
            doc: dict[str, object]
            if action == "ListPoliciesForUser":
                doc = {"Policies": {"Policy": _ram_policies(user.policies)}}
            elif action == "ListGroupsForUser":
                doc = {"Groups": {"Group": [{"GroupName": g, "Comments": "", "JoinDate": date}
                                            for g in user.groups]}}
            elif action == "GetLoginProfile":
                if not user.console:
                    return error(404, "EntityNotExist.User.LoginProfile",
                                 "The user login profile does not exist.")
                doc = {"LoginProfile": {"UserName": account.name, "PasswordResetRequired": False,
                                        "MFABindRequired": False, "CreateDate": date}}
            elif action == "GetUserMFAInfo":
                if not user.mfa:
                    return error(404, "EntityNotExist.User.MFADevice",
                                 "The user has not bound any MFA device.")
                doc = {"MFADevice": {"Type": "VMFA", "SerialNumber":
                                     f"acs:ram::{account.account_id}:mfa/{account.name}"}}
            elif action == "ListAccessKeys":
                keys = [key_id] + [f"LTAI5tOTHERKEY{i:010d}" for i in range(user.access_keys - 1)]
                doc = {"AccessKeys": {"AccessKey": [
                    {"AccessKeyId": k, "Status": "Active", "CreateDate": date} for k in keys]}}
            else:  # GetAccessKeyLastUsed
                if params.get("UserAccessKeyId") != key_id:
                    return error(404, "EntityNotExist.User.AccessKey",
                                 "The user access key does not exist.")
                doc = {"AccessKeyLastUsed": {"LastUsedDate": user.last_used,
                                             "ServiceName": "Ecs"}}
            self._json(200, {"RequestId": rid, **doc})

        # -- AWS: SigV4 ---------------------------------------------------------------------

        def _aws(self, path: str, query: str, body: bytes) -> None:
            rid = str(uuid.uuid4())
            params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            action = params.get("Action", "")
            iam = action in IAM_ACTIONS

            def error(status: int, code: str, message: str) -> None:
                ns = "https://iam.amazonaws.com/doc/2010-05-08/" if iam \
                    else "https://sts.amazonaws.com/doc/2011-06-15/"
                self._send(status, (
                    f'<ErrorResponse xmlns="{ns}">'
                    f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                    f"</Error><RequestId>{rid}</RequestId></ErrorResponse>"), "text/xml")

            m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/"
                             r"aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?"
                             r"Signature=([0-9a-f]{64})", self.headers.get("Authorization", ""))
            if not m:
                return error(400, "IncompleteSignature", "Authorization header malformed")
            key_id, date, region, service, signed, signature = m.groups()
            if iam:
                # IAM: the global endpoint, signed for us-east-1 and service iam.
                if params.get("Version") != "2010-05-08" or (region, service) != ("us-east-1",
                                                                                   "iam"):
                    return error(400, "InvalidAction", "Could not find operation")
                account = fake.accounts.get(key_id)  # not counted: only identity calls are
                if account is None:
                    return error(403, "InvalidClientTokenId",
                                 "The security token included in the request is invalid.")
                behaviour = "active"
            else:
                if body != b"Action=GetCallerIdentity&Version=2011-06-15" or service != "sts":
                    return error(400, "InvalidAction", "Could not find operation")
                account, behaviour = fake.outcome(key_id)
                if behaviour in ("missing", "disabled"):  # AWS does not tell them apart
                    return error(403, "InvalidClientTokenId",
                                 "The security token included in the request is invalid.")
            assert account is not None
            if behaviour == "hang":
                return self._hang()
            if behaviour == "throttled":
                return error(400, "Throttling", "Rate exceeded")
            if behaviour == "unavailable":
                return error(503, "ServiceUnavailable", "Service is unavailable.")
            amz_date = self.headers.get("X-Amz-Date", "")
            names = signed.split(";")
            if "host" not in names or amz_date[:8] != date:
                return error(400, "IncompleteSignature", "Host and date must be signed")
            canonical_headers = "".join(
                f"{n}:{' '.join((self.headers.get(n) or '').split())}\n" for n in names)
            canonical_query = "&".join(f"{k}={v}" for k, v in sorted(
                (_enc(k), _enc(v)) for k, v in parse_qsl(query, keep_blank_values=True)))
            canonical = "\n".join([self.command, path or "/", canonical_query, canonical_headers,
                                   signed, _sha256(body)])
            scope = f"{date}/{region}/{service}/aws4_request"
            to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{_sha256(canonical)}"
            key = ("AWS4" + account.secret).encode()
            for part in (date, region, service, "aws4_request"):
                key = _hmac256(key, part)
            if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256)
                                       .hexdigest(), signature):
                return error(403, "SignatureDoesNotMatch",
                             "The request signature we calculated does not match the signature "
                             "you provided. Check your AWS Secret Access Key and signing method. "
                             "Consult the service documentation for details.")
            if account.token is not None:
                if "x-amz-security-token" not in names:
                    return error(400, "IncompleteSignature",
                                 "X-Amz-Security-Token must be present and signed")
                if self.headers.get("X-Amz-Security-Token") != account.token:
                    return error(400, "ExpiredToken",
                                 "The security token included in the request is expired")
            if iam:
                return self._aws_iam(account, key_id, action, params, error)
            if behaviour == "no_permission":
                return error(403, "AccessDenied", "not authorized")
            if behaviour == "xml_bomb":
                return self._send(200, XML_BOMB, "text/xml")
            acc = account.account_id
            arn, user_id = {
                "user": (f"arn:aws:iam::{acc}:user/{account.name}", "AIDAEXAMPLEUSERID"),
                "root": (f"arn:aws:iam::{acc}:root", acc),
                "role": (f"arn:aws:sts::{acc}:assumed-role/{account.name}/session-1",
                         "AROAEXAMPLEROLEID:session-1"),
            }[account.kind]
            self._send(200, (
                '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f"<GetCallerIdentityResult><Arn>{arn}</Arn><UserId>{user_id}</UserId>"
                f"<Account>{acc}</Account></GetCallerIdentityResult>"
                f"<ResponseMetadata><RequestId>{rid}</RequestId></ResponseMetadata>"
                "</GetCallerIdentityResponse>"), "text/xml")

        def _aws_iam(self, account: Account, key_id: str, action: str, params: dict[str, str],
                     error: Callable[[int, str, str], None]) -> None:
            """The IAM Query API answers (API reference shapes) for the key's own user."""
            reach = account.reach
            acc = account.account_id
            caller = {"root": f"arn:aws:iam::{acc}:root",
                      "role": f"arn:aws:sts::{acc}:assumed-role/{account.name}/session-1"
                      }.get(account.kind, f"arn:aws:iam::{acc}:user/{account.name}")
            if account.kind == "role" or (reach is None and account.kind != "root") \
                    or (reach is not None and action in reach.denied):
                return error(403, "AccessDenied", f"User: {caller} is not authorized to perform:"
                             f" iam:{action} on resource: user {account.name}")
            reach = reach or Reach()
            user = params.get("UserName", "")
            if account.kind == "user" and user and user != account.name:
                return error(404, "NoSuchEntity", f"The user with name {user} cannot be found.")

            # A List answer's page: from the request's Marker (opaque to the caller; here the
            # action and an offset) at most min(MaxItems, page_size) items, then IsTruncated
            # and, only when it is true, the Marker for the next page.
            marker = params.get("Marker")
            start = 0
            if marker is not None:
                m = re.fullmatch(rf"{action}~(\d+)", marker)
                if not m:
                    return error(400, "InvalidParameterValue", "Invalid Marker.")
                start = int(m.group(1))
                if action in reach.throttled_later:  # IAM API Reference, CommonErrors.html
                    return error(400, "ThrottlingException", "Rate exceeded")
            per_page = min(int(params.get("MaxItems") or 100), fake.page_size)

            def members(items: list[str], wrapper: str) -> str:
                page = items[start:start + per_page]
                more = start + per_page < len(items)
                return (f"<{wrapper}>" + "".join(f"<member>{i}</member>" for i in page)
                        + f"</{wrapper}><IsTruncated>{str(more).lower()}</IsTruncated>"
                        + (f"<Marker>{action}~{start + per_page}</Marker>" if more else ""))

            def attached(names: tuple[str, ...]) -> str:
                return members([
                    f"<PolicyName>{n}</PolicyName><PolicyArn>arn:aws:iam::aws:policy/{n}"
                    "</PolicyArn>" for n in names], "AttachedPolicies")

            if action == "ListAttachedUserPolicies":
                result = attached(reach.policies)
            elif action == "ListUserPolicies":
                result = members(list(reach.inline), "PolicyNames")
            elif action == "ListGroupsForUser":
                result = members([
                    f"<Path>/</Path><GroupName>{g}</GroupName><GroupId>AGPAEXAMPLE{i}</GroupId>"
                    f"<Arn>arn:aws:iam::{acc}:group/{g}</Arn>"
                    "<CreateDate>2024-01-02T03:04:05Z</CreateDate>"
                    for i, g in enumerate(reach.groups)], "Groups")
            elif action == "ListAttachedGroupPolicies":
                group = params.get("GroupName", "")
                if group not in reach.groups:
                    return error(404, "NoSuchEntity", f"The group with name {group} cannot be "
                                 "found.")
                result = attached(reach.groups[group])
            elif action == "GetLoginProfile":
                if not reach.console:
                    return error(404, "NoSuchEntity", f"Login Profile for User {user} cannot "
                                 "be found.")
                result = (f"<LoginProfile><UserName>{user}</UserName><CreateDate>"
                          "2024-01-02T03:04:05Z</CreateDate></LoginProfile>")
            elif action == "ListMFADevices":
                result = members([
                    f"<UserName>{user}</UserName><SerialNumber>arn:aws:iam::{acc}:mfa/{user}-{i}"
                    "</SerialNumber><EnableDate>2024-01-02T03:04:05Z</EnableDate>"
                    for i in range(reach.mfa_devices)], "MFADevices")
            elif action == "ListAccessKeys":
                ids = [key_id] + [f"AKIAEXAMPLEOTHER{i:04d}" for i in range(len(reach.keys))]
                result = members([
                    f"<UserName>{user}</UserName><AccessKeyId>{k}</AccessKeyId>"
                    f"<Status>{s}</Status><CreateDate>2024-01-02T03:04:05Z</CreateDate>"
                    for k, s in zip(ids, reach.keys, strict=False)], "AccessKeyMetadata")
            else:  # GetAccessKeyLastUsed
                if params.get("AccessKeyId") != key_id:
                    return error(404, "NoSuchEntity", "The Access Key cannot be found.")
                used = reach.last_used
                result = (f"<UserName>{user or account.name}</UserName><AccessKeyLastUsed>"
                          + (f"<LastUsedDate>{used[0]}</LastUsedDate><ServiceName>{used[1]}"
                             f"</ServiceName><Region>{used[2]}</Region>" if used else
                             "<ServiceName>N/A</ServiceName><Region>N/A</Region>")
                          + "</AccessKeyLastUsed>")
            self._send(200, (
                f'<{action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                f"<{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>"
                f"{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"), "text/xml")

        # -- Tencent Cloud: TC3 ---------------------------------------------------------------

        def _tencent(self, path: str, query: str, body: bytes) -> None:
            rid = str(uuid.uuid4())

            def error(code: str, message: str) -> None:  # Tencent answers errors with 200
                self._json(200, {"Response": {"Error": {"Code": code, "Message": message},
                                              "RequestId": rid}})

            m = re.fullmatch(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d\d-\d\d)/([^/]+)/"
                             r"tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?"
                             r"Signature=([0-9a-f]{64})", self.headers.get("Authorization", ""))
            if not m:
                return error("AuthFailure.InvalidAuthorization", "Authorization malformed")
            secret_id, date, service, signed, signature = m.groups()
            action = self.headers.get("X-TC-Action", "")
            cam = action in CAM_ACTIONS
            if cam:
                if (service, self.headers.get("X-TC-Version")) != ("cam", "2019-01-16"):
                    return error("InvalidAction", "no such action")
                account = fake.accounts.get(secret_id)  # not counted: only identity calls are
                if account is None:
                    return error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
                behaviour = "active"
            else:
                if action != "GetCallerIdentity" or service != "sts":
                    return error("InvalidAction", "no such action")
                account, behaviour = fake.outcome(secret_id)
                if behaviour in ("missing", "disabled"):  # Tencent does not tell them apart
                    return error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
            assert account is not None
            if behaviour == "hang":
                return self._hang()
            if behaviour == "throttled":
                return error("RequestLimitExceeded", "The request frequency exceeds the limit.")
            if behaviour == "unavailable":
                return self._send(503, "Service Unavailable", "text/plain")
            timestamp = self.headers.get("X-TC-Timestamp", "0")
            names = signed.split(";")
            utc_date = time.strftime("%Y-%m-%d", time.gmtime(int(timestamp)))
            if not {"content-type", "host"} <= set(names) or date != utc_date:
                return error("AuthFailure.SignatureFailure", "content-type and host unsigned")
            canonical_headers = "".join(
                f"{n}:{(self.headers.get(n) or '').strip().lower()}\n" for n in names)
            canonical = "\n".join([self.command, path or "/", query, canonical_headers, signed,
                                   _sha256(body)])
            to_sign = (f"TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n"
                       f"{_sha256(canonical)}")
            key = _hmac256(("TC3" + account.secret).encode(), date)
            key = _hmac256(_hmac256(key, service), "tc3_request")
            if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256)
                                       .hexdigest(), signature):
                return error("AuthFailure.SignatureFailure", "The provided credentials could "
                             "not be validated. Please check your signature is correct.")
            if account.token is not None:
                if "x-tc-token" not in names:
                    return error("AuthFailure.InvalidAuthorization", "X-TC-Token is not signed")
                if self.headers.get("X-TC-Token") != account.token:
                    return error("AuthFailure.TokenFailure", "The token is invalid or expired.")
            if cam:
                return self._tencent_cam(account, action, body, error)
            if behaviour == "nonce":
                return error("AuthFailure.SignatureExpire", "Signature expired.")
            if behaviour == "no_permission":
                return error("UnauthorizedOperation", "not authorized")
            uin, sub = account.account_id, account.sub_uin
            # Shapes of the STS GetCallerIdentity examples (a CAM user's long-term key, an
            # AssumeRole credential); the root account's own key has UserId = AccountId.
            answer = {
                "user": {"Arn": f"qcs::cam::uin/{uin}:uin/{sub}", "UserId": sub,
                         "PrincipalId": sub, "Type": "CAMUser"},
                "root": {"Arn": f"qcs::cam::uin/{uin}:uin/{uin}", "UserId": uin,
                         "PrincipalId": uin, "Type": "CAMUser"},
                "role": {"Arn": f"qcs::sts:{uin}:assumed-role/4611686018427397919",
                         "UserId": "4611686018427397919:session-1", "PrincipalId": sub,
                         "Type": "CAMRole"},
            }[account.kind]
            self._json(200, {"Response": {**answer, "AccountId": uin, "RequestId": rid}})

        def _tencent_cam(self, account: Account, action: str, body: bytes,
                         error: Callable[[str, str], None]) -> None:
            """CAM 2019-01-16 answers (SDK model shapes) about the key's own CAM user."""
            reach = account.reach
            if account.kind != "user" or reach is None or action in reach.denied:
                return error("AuthFailure.UnauthorizedOperation",
                             f"you are not authorized to perform operation (cam:{action})")
            params = json.loads(body or b"{}")
            sub = int(account.sub_uin)
            if action == "DescribeSubAccounts":
                found = [{"Uin": sub, "Name": account.name, "Uid": sub + 7, "Remark": "",
                          "CreateTime": "2024-01-02 03:04:05", "UserType": 2}]
                answer: dict[str, object] = {"SubAccounts": [
                    u for u in found if u["Uin"] in params.get("FilterSubAccountUin", [])]}
            elif action == "GetUser":
                if params.get("Name") != account.name:
                    return error("ResourceNotFound.UserNotExist", "user not exist")
                answer = {"Uin": sub, "Name": account.name, "Uid": sub + 7,
                          "ConsoleLogin": int(reach.console)}
            elif action == "DescribeSafeAuthFlagColl":
                flag = dict.fromkeys(("Phone", "Token", "Stoken", "Wechat", "Custom", "Mail",
                                      "U2FToken"), 0)
                flag["Stoken"] = int(reach.mfa_devices > 0)
                answer = {"LoginFlag": flag, "ActionFlag": flag, "PromptTrust": 0}
            elif action == "ListAttachedUserAllPolicies":
                if params.get("TargetUin") != sub:
                    return error("ResourceNotFound.UserNotExist", "user not exist")
                policies = [{"PolicyId": str(i), "PolicyName": n, "StrategyType": "2",
                             "Groups": []} for i, n in enumerate(reach.policies)]
                policies += [{"PolicyId": str(100 + i), "PolicyName": n, "StrategyType": "2",
                              "Groups": [{"GroupId": 5, "GroupName": g}]}
                             for g, names in reach.groups.items() for i, n in enumerate(names)]
                # Rp policies a page, Page from 1; both required, each 1-200 (API 598/44834).
                rp, page = params.get("Rp"), params.get("Page")
                if not (isinstance(rp, int) and isinstance(page, int)
                        and 1 <= rp <= 200 and 1 <= page <= 200):
                    return error("InvalidParameter", "Rp and Page must be 1-200")
                if page > 1 and action in reach.throttled_later:
                    return error("RequestLimitExceeded",
                                 "The request frequency exceeds the limit.")
                answer = {"PolicyList": policies[(page - 1) * rp:page * rp],
                          "TotalNum": len(policies)}
            else:  # ListAccessKeys
                answer = {"AccessKeys": [{"AccessKeyId": f"AKIDEXAMPLE{i}", "Status": s,
                                          "CreateTime": "2024-01-02 03:04:05"}
                                         for i, s in enumerate(reach.keys)]}
            self._json(200, {"Response": {**answer, "RequestId": str(uuid.uuid4())}})

        # -- GitHub ---------------------------------------------------------------------------

        def _github(self, path: str, query: str, body: bytes) -> None:
            auth = self.headers.get("Authorization", "")
            token = auth.split(" ", 1)[1] if " " in auth else ""
            account, behaviour = fake.outcome(token)
            if behaviour in ("missing", "disabled"):
                return self._json(401, {"message": "Bad credentials",
                                        "documentation_url": "https://docs.github.com/rest"})
            assert account is not None
            if behaviour == "hang":
                return self._hang()
            if behaviour == "redirect":
                return self._redirect()
            if behaviour == "throttled":
                return self._json(403, {"message": "API rate limit exceeded"},
                                  {"x-ratelimit-remaining": "0"})
            if behaviour == "unavailable":
                return self._send(503, "Service Unavailable", "text/plain")
            if behaviour == "no_permission":
                return self._json(403, {"message": "Resource not accessible by integration"})
            self._json(200, {"login": account.name, "id": int(account.account_id),
                             "type": "User"}, {"X-OAuth-Scopes": "repo, read:org"})

    return Handler


def facts_of(finding: dict[str, object]) -> set[tuple[str, str, str]]:
    """A JSON finding's blast-radius facts as (name, value, risk)."""
    verification = finding["verification"]
    assert isinstance(verification, dict)
    return {(f["name"], f["value"], f["risk"]) for f in verification["facts"]}
