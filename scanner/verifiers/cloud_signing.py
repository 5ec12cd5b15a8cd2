"""Request signing for the Volcengine, Baidu AI Cloud, Azure Storage, Google service-account,
Qiniu, UCloud, QingCloud, Naver Cloud, Exoscale and OVHcloud identity calls, as pure functions
(no clock, no I/O), so each provider's published example can be reproduced offline.
Kingsoft Cloud and Yandex Object Storage sign with AWS SigV4 unchanged
(``scanner.verifiers.signing``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

from scanner.verifiers.signing import _hmac, canonical_query, sha256_hex


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


# -- Qiniu: management credential, "Qiniu" scheme ------------------------------------------------
# https://developer.qiniu.com/kodo/1201/access-token (管理凭证): the signed string is
# "<Method> <Path>[?<RawQuery>]\nHost: <Host>[\nContent-Type: <type>][\n<X-Qiniu-* headers>]
# \n\n[<Body>]", the X-Qiniu-* headers canonically cased and sorted by name; the token is
# "<AccessKey>:" + urlsafe_base64(HMAC-SHA1(SecretKey, signed string)).


def qiniu_signing_string(method: str, path: str, query: str, host: str,
                         content_type: str | None, qiniu_headers: Mapping[str, str],
                         body: str = "") -> str:
    data = f"{method} {path}" + (f"?{query}" if query else "") + f"\nHost: {host}"
    if content_type:
        data += f"\nContent-Type: {content_type}"
    # Names as Go's CanonicalMIMEHeaderKey: first letter and each letter after "-" upper case.
    canonical = {"-".join(p.capitalize() for p in k.split("-")): v
                 for k, v in qiniu_headers.items()}
    lines = [f"{k}: {canonical[k]}" for k in sorted(canonical)]
    if lines:
        data += "\n" + "\n".join(lines)
    data += "\n\n"
    # The body is signed only for a typed, non-binary body.
    if body and content_type and content_type != "application/octet-stream":
        data += body
    return data


def qiniu_sign(secret: str, data: str) -> str:
    """urlsafe_base64(HMAC-SHA1(SecretKey, data)), the encodedSign of every Qiniu credential."""
    return base64.urlsafe_b64encode(_hmac(secret.encode("utf-8"), data, "sha1")).decode("ascii")


def qiniu_authorization(key_id: str, secret: str, data: str) -> str:
    return f"Qiniu {key_id}:{qiniu_sign(secret, data)}"


# -- UCloud: SHA1 over the sorted parameters ---------------------------------------------------
# https://docs.ucloud.cn/api/summary/signature (签名算法): sort the parameters by name, join
# each name with its value (no separators, no URL encoding), append the PrivateKey, SHA1 hex.


def ucloud_signature(params: Mapping[str, str], private_key: str) -> str:
    text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "Signature")
    return hashlib.sha1((text + private_key).encode("utf-8")).hexdigest()


# -- QingCloud: HMAC-SHA256 over the sorted, encoded query -------------------------------------
# https://docsv3.qingcloud.com/development_docs/api/signature/ (签名方法): the parameters sorted
# by name, names and values URL-encoded (space as %20, upper-case hex), joined with = and &;
# string to sign "<METHOD>\n<uri>\n<query>"; base64(HMAC-SHA256(secret_access_key, ...)).


def qingcloud_string_to_sign(method: str, path: str, params: Mapping[str, str]) -> str:
    query = canonical_query((k, v) for k, v in params.items() if k != "signature")
    return f"{method.upper()}\n{path}\n{query}"


def qingcloud_signature(secret: str, method: str, path: str, params: Mapping[str, str]) -> str:
    digest = _hmac(secret.encode("utf-8"), qingcloud_string_to_sign(method, path, params))
    return base64.b64encode(digest).decode("ascii")


# -- Naver Cloud Platform: API Gateway signature v2 ---------------------------------------------
# https://api.ncloud-docs.com/docs/common-ncpapi (시그니처 생성), as NAVER Cloud's own SDK
# signs (NaverCloudPlatform/ncloud-sdk-python, api_client.make_signature): the message is
# "<METHOD> <path>[?<query>]\n<timestamp in ms>\n<access key>", the signature
# base64(HMAC-SHA256(secret key, message)); the timestamp is sent as x-ncp-apigw-timestamp.


def ncloud_string_to_sign(method: str, uri: str, timestamp: str, access_key: str) -> str:
    return f"{method.upper()} {uri}\n{timestamp}\n{access_key}"


def ncloud_signature(secret: str, method: str, uri: str, timestamp: str, access_key: str) -> str:
    digest = _hmac(secret.encode("utf-8"), ncloud_string_to_sign(method, uri, timestamp,
                                                                   access_key))
    return base64.b64encode(digest).decode("ascii")


# -- Exoscale: API v2 request signature, EXO2-HMAC-SHA256 --------------------------------------
# https://openapi-v2.exoscale.com/topic/topic-api-request-signature: the message is five lines
# joined with "\n" (an empty line for an absent part): "<METHOD> <path>", the body, the values
# of the signed query parameters concatenated in the order their names are listed in
# signed-query-args, the signed header values (none yet), the expiry as a UNIX timestamp;
# the signature is base64(HMAC-SHA256(API secret, message)).


def exoscale_message(method: str, path: str, body: str, query: Sequence[tuple[str, str]],
                     expires: int) -> str:
    return "\n".join([f"{method.upper()} {path}", body, "".join(v for _, v in query), "",
                      str(expires)])


def exoscale_signature(secret: str, message: str) -> str:
    return base64.b64encode(_hmac256(secret.encode("utf-8"), message)).decode("ascii")


def exoscale_authorization(key: str, secret: str, method: str, path: str, expires: int,
                           body: str = "", query: Sequence[tuple[str, str]] = ()) -> str:
    """The ``Authorization`` value; ``query`` pairs in the order they are signed (by name)."""
    parts = [f"EXO2-HMAC-SHA256 credential={key}"]
    if query:
        parts.append("signed-query-args=" + ";".join(k for k, _ in query))
    message = exoscale_message(method, path, body, query, expires)
    parts += [f"expires={expires}", f"signature={exoscale_signature(secret, message)}"]
    return ",".join(parts)


# -- OVHcloud: "$1$" + SHA1 -------------------------------------------------------------------
# https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api?id=kb_article_view&sysparm_article=KB0042784
# ("First API usage"): X-Ovh-Signature = "$1$" + SHA1_HEX(AS+"+"+CK+"+"+METHOD+"+"+QUERY+"+"+
# BODY+"+"+TSTAMP), QUERY the full URL called, as OVHcloud's SDKs sign (ovh/python-ovh
# ovh/client.py, ovh/go-ovh ovh/ovh.go).


def ovh_signature(secret: str, consumer_key: str, method: str, url: str, body: str,
                  timestamp: str) -> str:
    text = "+".join([secret, consumer_key, method.upper(), url, body, timestamp])
    return "$1$" + hashlib.sha1(text.encode("utf-8")).hexdigest()


# -- RS256 (RSASSA-PKCS1-v1_5 with SHA-256) for Google service-account JWTs --------------------
# RFC 8017 §8.2.1 / §9.2 and RFC 7518 §3.3. Signing is one modular exponentiation, which the
# standard library does: no third-party crypto package is needed (none is a dependency).
# Not constant-time; it signs one short-lived assertion locally, never secret-dependent data
# an attacker can time remotely.

# DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _der_read(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at ``at``."""
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[at:at + n], "big")
        at += n
    if at + length > len(data):
        raise ValueError("truncated DER")
    return tag, at, at + length


def _der_children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    while start < end:
        tag, c_start, c_end = _der_read(data, start)
        out.append((tag, c_start, c_end))
        start = c_end
    return out


def rsa_private_numbers(pem: str) -> tuple[int, int, int]:
    """(n, e, d) of a PKCS#8 ``BEGIN PRIVATE KEY`` or PKCS#1 ``BEGIN RSA PRIVATE KEY`` PEM, as
    found (a JSON key file's ``\\n`` escapes are accepted). ValueError for anything else."""
    text = pem.replace("\\n", "\n").replace("\\r", "")
    body = "".join(line.strip() for line in text.splitlines()
                   if line.strip() and not line.startswith("-----"))
    der = base64.b64decode(body, validate=False)
    tag, start, end = _der_read(der, 0)
    items = _der_children(der, start, end)
    if tag != 0x30 or len(items) < 3:
        raise ValueError("not a private key")
    if items[1][0] == 0x30:  # PKCS#8: version, AlgorithmIdentifier, OCTET STRING(RSAPrivateKey)
        if items[2][0] != 0x04:
            raise ValueError("not a PKCS#8 key")
        inner = der[items[2][1]:items[2][2]]
        tag, start, end = _der_read(inner, 0)
        der, items = inner, _der_children(inner, start, end)
    if len(items) < 4 or any(t != 0x02 for t, _, _ in items[:4]):
        raise ValueError("not an RSA private key")
    n, e, d = (int.from_bytes(der[s:t], "big") for _, s, t in items[1:4])
    return n, e, d


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(size))) + size + content


def _der_uint(x: int) -> bytes:
    return _der(0x02, x.to_bytes(x.bit_length() // 8 + 1, "big"))  # a leading 0 when needed


# AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters.
_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")


def rsa_spki(n: int, e: int) -> bytes:
    """The DER SubjectPublicKeyInfo of an RSA public key (RFC 5280 §4.1, RFC 8017 A.1.1):
    what key fingerprints (OCI's, ``openssl pkey -pubout -outform DER | md5sum``) hash."""
    public = _der(0x30, _der_uint(n) + _der_uint(e))
    return _der(0x30, _RSA_ALGORITHM + _der(0x03, b"\x00" + public))


def rs256_sign(pem: str, message: bytes) -> bytes:
    n, _, d = rsa_private_numbers(pem)
    k = (n.bit_length() + 7) // 8
    t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    if k < len(t) + 11:
        raise ValueError("RSA key too short")
    em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return pow(int.from_bytes(em, "big"), d, n).to_bytes(k, "big")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_rs256(pem: str, header: Mapping[str, object], claims: Mapping[str, object]) -> str:
    signing_input = (_b64url(json.dumps(dict(header), separators=(",", ":")).encode()) + "."
                     + _b64url(json.dumps(dict(claims), separators=(",", ":")).encode()))
    return signing_input + "." + _b64url(rs256_sign(pem, signing_input.encode("ascii")))
