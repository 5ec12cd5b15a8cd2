"""Request signing for the Volcengine, Baidu AI Cloud and Azure Storage identity calls, as pure
functions (no clock, no I/O), so each provider's published example can be reproduced offline.
Kingsoft Cloud signs with AWS SigV4 unchanged (``scanner.verifiers.signing``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

from scanner.verifiers.signing import canonical_query, sha256_hex


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


# -- Volcengine: HMAC-SHA256, V4 style ---------------------------------------------------------
# https://www.volcengine.com/docs/6369/67269 (签名方法), as in the official Python SDK
# (volcengine/volcengine-python-sdk volcenginesdkcore/signv4.py): the scope ends in "request",
# the first HMAC key is the secret itself (the base64 string as is, no prefix).


def volc_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    k_date = _hmac256(secret.encode("utf-8"), date)
    return _hmac256(_hmac256(_hmac256(k_date, region), service), "request")


def volc_canonical_request(method: str, path: str, query: Iterable[tuple[str, str]],
                           headers: Mapping[str, str], payload_hash: str) -> tuple[str, str]:
    """The canonical request and the signed-header list: every header given is signed (the
    SDK signs Host, Content-Type and every X- header), names lower-cased and sorted, values
    as they are sent."""
    by_name = {k.lower(): v for k, v in headers.items()}
    names = sorted(by_name)
    lines = "".join(f"{n}:{by_name[n]}\n" for n in names)
    signed = ";".join(names)
    return "\n".join([method.upper(), path or "/", canonical_query(query), lines, signed,
                      payload_hash]), signed


def volc_authorization(key_id: str, secret: str, x_date: str, region: str, service: str,
                       canonical_request: str, signed: str) -> str:
    scope = f"{x_date[:8]}/{region}/{service}/request"
    to_sign = "\n".join(["HMAC-SHA256", x_date, scope, sha256_hex(canonical_request)])
    signature = hmac.new(volc_signing_key(secret, x_date[:8], region, service),
                         to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return (f"HMAC-SHA256 Credential={key_id}/{scope}, SignedHeaders={signed}, "
            f"Signature={signature}")


# -- Baidu AI Cloud: bce-auth-v1 ---------------------------------------------------------------
# https://cloud.baidu.com/doc/Reference/s/njwvz1yfu (生成认证字符串): SigningKey =
# HMAC-SHA256-HEX(SK, authStringPrefix), Signature = HMAC-SHA256-HEX(SigningKey,
# CanonicalRequest); UriEncode keeps only A-Z a-z 0-9 - . _ ~ (upper-case hex escapes).


def bce_uri_encode(value: str, encode_slash: bool = True) -> str:
    return quote(value, safe="-_.~" if encode_slash else "-_.~/", encoding="utf-8")


def bce_canonical_request(method: str, path: str, params: Mapping[str, str],
                          headers: Mapping[str, str], signed: Sequence[str]) -> str:
    """``METHOD\\nCanonicalURI\\nCanonicalQueryString\\nCanonicalHeaders``: the query without
    ``authorization``, ``key=`` for an empty value, pairs sorted; each signed header as
    ``UriEncode(lower(name)):UriEncode(trim(value))``, lines sorted, joined with ``\\n``."""
    query = "&".join(sorted(f"{bce_uri_encode(k)}={bce_uri_encode(v)}"
                            for k, v in params.items() if k.lower() != "authorization"))
    by_name = {k.lower(): v for k, v in headers.items()}
    lines = sorted(f"{bce_uri_encode(n.lower())}:{bce_uri_encode(by_name[n.lower()].strip())}"
                   for n in signed if by_name.get(n.lower(), "").strip())
    return "\n".join([method.upper(), bce_uri_encode(path or "/", encode_slash=False), query,
                      "\n".join(lines)])


def bce_signing_key(secret: str, auth_prefix: str) -> str:
    return hmac.new(secret.encode("utf-8"), auth_prefix.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def bce_authorization(key_id: str, secret: str, timestamp: str, expiration: int,
                      canonical_request: str, signed: Sequence[str],
                      list_signed: bool = True) -> str:
    """``bce-auth-v1/{ak}/{timestamp}/{expiration}/{signedHeaders}/{signature}``; with
    ``list_signed`` False the header list is left empty (the server then signs its defaults:
    host, content-length, content-type, content-md5 and x-bce-*), as in the docs' example."""
    prefix = f"bce-auth-v1/{key_id}/{timestamp}/{expiration}"
    signing_key = bce_signing_key(secret, prefix)
    signature = hmac.new(signing_key.encode("utf-8"), canonical_request.encode("utf-8"),
                         hashlib.sha256).hexdigest()
    names = ";".join(sorted(h.lower() for h in signed)) if list_signed else ""
    return f"{prefix}/{names}/{signature}"


# -- Azure Storage: Shared Key -----------------------------------------------------------------
# https://learn.microsoft.com/en-us/rest/api/storageservices/authorize-with-shared-key


AZURE_STANDARD_HEADERS = ("content-encoding", "content-language", "content-length",
                          "content-md5", "content-type", "date", "if-modified-since",
                          "if-match", "if-none-match", "if-unmodified-since", "range")


def azure_string_to_sign(method: str, account: str, path: str,
                         query: Iterable[tuple[str, str]], headers: Mapping[str, str]) -> str:
    """VERB, the eleven standard headers (Content-Length empty when 0), the canonicalized
    x-ms- headers, then ``/account/path`` and each query parameter as ``\\nname:value``
    (names lower-cased, sorted; values of one name sorted and joined with ``,``)."""
    by_name = {k.lower(): v for k, v in headers.items()}
    standard = []
    for name in AZURE_STANDARD_HEADERS:
        value = by_name.get(name, "")
        standard.append("" if name == "content-length" and value == "0" else value)
    ms = "".join(f"{n}:{' '.join(by_name[n].split())}\n"
                 for n in sorted(n for n in by_name if n.startswith("x-ms-")))
    resource = f"/{account}{path or '/'}"
    grouped: dict[str, list[str]] = {}
    for k, v in query:
        grouped.setdefault(k.lower(), []).append(v)
    for name in sorted(grouped):
        resource += f"\n{name}:{','.join(sorted(grouped[name]))}"
    return "\n".join([method.upper(), *standard, ms + resource])


def azure_shared_key(account: str, key_b64: str, string_to_sign: str) -> str:
    """``SharedKey account:base64(HMAC-SHA256(base64-decoded key, string-to-sign))``."""
    key = base64.b64decode(key_b64)
    digest = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return f"SharedKey {account}:{base64.b64encode(digest).decode('ascii')}"
