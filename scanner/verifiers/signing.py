"""Request signing for the identity calls, as pure functions (no clock, no I/O), so every
published test vector can be reproduced offline. Algorithms and vectors:
shared/reference/credentials.md §2.1.3 (Alibaba RPC v1), §2.2.2 (AWS SigV4), §2.3.2 (TC3),
§1.2 (AWS account decode) and §1.10 (GitHub checksum)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _hmac(key: bytes, msg: str, digest: str = "sha256") -> bytes:
    return hmac.new(key, msg.encode("utf-8"), digest).digest()


# -- Alibaba Cloud RPC style, signature v1 (HMAC-SHA1) ----------------------------------------


def percent_encode(value: str) -> str:
    """RFC 3986 encoding of UTF-8 bytes: only ``A-Z a-z 0-9 - _ . ~`` stay literal, so a space is
    ``%20`` (never ``+``), ``*`` is ``%2A`` and ``~`` stays ``~``."""
    return quote(value, safe="-_.~", encoding="utf-8")


def rpc_canonical_query(params: Mapping[str, str]) -> str:
    """Encoded ``name=value`` pairs sorted by encoded name in byte order, joined with ``&``.
    ``Signature`` itself is never part of it."""
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items()
                   if k != "Signature")
    return "&".join(f"{k}={v}" for k, v in pairs)


def rpc_string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """``METHOD&%2F&`` + the canonical query encoded a second time."""
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(rpc_canonical_query(params))}"


def hmac_sha1_base64(key: str, message: str) -> str:
    """Raw base64(HMAC-SHA1) with the key exactly as given (vector A4)."""
    return base64.b64encode(_hmac(key.encode("utf-8"), message, "sha1")).decode("ascii")


def rpc_signature(secret: str, method: str, params: Mapping[str, str]) -> str:
    """The v1 signature: the HMAC key is the secret followed by ``&``."""
    return hmac_sha1_base64(secret + "&", rpc_string_to_sign(method, params))


# -- AWS Signature Version 4 -------------------------------------------------------------------


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """RFC 3986-encoded pairs sorted by name then value (SigV4 and TC3)."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_headers(headers: Mapping[str, str], signed: Sequence[str],
                      lower_values: bool = False) -> str:
    """``name:value\\n`` for each signed header, names lower-cased, values trimmed with inner
    runs of spaces collapsed, sorted by name. ``headers`` may use any case for its names."""
    by_name = {k.lower(): v for k, v in headers.items()}
    lines = []
    for name in sorted(h.lower() for h in signed):
        value = " ".join(by_name[name].split())
        lines.append(f"{name}:{value.lower() if lower_values else value}\n")
    return "".join(lines)


def signed_header_list(signed: Sequence[str]) -> str:
    return ";".join(sorted(h.lower() for h in signed))


def sigv4_canonical_request(method: str, path: str, query: Iterable[tuple[str, str]],
                            headers: Mapping[str, str], signed: Sequence[str],
                            payload_hash: str) -> str:
    return "\n".join([method.upper(), path or "/", canonical_query(query),
                      canonical_headers(headers, signed), signed_header_list(signed),
                      payload_hash])


def sigv4_scope(date: str, region: str, service: str) -> str:
    return f"{date}/{region}/{service}/aws4_request"


def sigv4_string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    return "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, sha256_hex(canonical_request)])


def sigv4_signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    k_date = _hmac(("AWS4" + secret).encode("utf-8"), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


def hmac_sha256_hex(key: bytes, message: str) -> str:
    return _hmac(key, message).hex()


def sigv4_authorization(key_id: str, secret: str, amz_date: str, region: str, service: str,
                        canonical_request: str, signed: Sequence[str]) -> str:
    """The ``Authorization`` header value for a canonical request signed at ``amz_date``
    (``YYYYMMDDTHHMMSSZ``)."""
    scope = sigv4_scope(amz_date[:8], region, service)
    signature = hmac_sha256_hex(sigv4_signing_key(secret, amz_date[:8], region, service),
                                sigv4_string_to_sign(amz_date, scope, canonical_request))
    return (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
            f"SignedHeaders={signed_header_list(signed)}, Signature={signature}")


# -- Tencent Cloud TC3-HMAC-SHA256 ---------------------------------------------------------


def tc3_canonical_request(method: str, path: str, query: Iterable[tuple[str, str]],
                          headers: Mapping[str, str], signed: Sequence[str],
                          payload: bytes) -> str:
    """Like SigV4's, but Tencent lower-cases the canonical header values too."""
    return "\n".join([method.upper(), path or "/", canonical_query(query),
                      canonical_headers(headers, signed, lower_values=True),
                      signed_header_list(signed), sha256_hex(payload)])


def tc3_date(timestamp: int) -> str:
    """The UTC date of a unix timestamp, ``YYYY-MM-DD``."""
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))


def tc3_string_to_sign(timestamp: int, service: str, canonical_request: str) -> str:
    scope = f"{tc3_date(timestamp)}/{service}/tc3_request"
    return "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, sha256_hex(canonical_request)])


def tc3_signing_key(secret: str, date: str, service: str) -> bytes:
    k_date = _hmac(("TC3" + secret).encode("utf-8"), date)
    k_service = _hmac(k_date, service)
    return _hmac(k_service, "tc3_request")


def tc3_signature(secret: str, timestamp: int, service: str, canonical_request: str) -> str:
    key = tc3_signing_key(secret, tc3_date(timestamp), service)
    return hmac_sha256_hex(key, tc3_string_to_sign(timestamp, service, canonical_request))


def tc3_authorization(secret_id: str, secret: str, timestamp: int, service: str,
                      canonical_request: str, signed: Sequence[str]) -> str:
    signature = tc3_signature(secret, timestamp, service, canonical_request)
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{tc3_date(timestamp)}/{service}/tc3_request, "
            f"SignedHeaders={signed_header_list(signed)}, Signature={signature}")


# -- Offline checks --------------------------------------------------------------------------

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def aws_account_id(key_id: str) -> str | None:
    """The 12-digit account an AWS key ID encodes (§1.2 offline check 2), or None when the ID
    cannot be decoded (not 20 characters, not base32, or an old ``AKIAI``/``AKIAJ`` key)."""
    body = key_id[4:]
    if len(key_id) != 20 or key_id[4] in "IJ" or any(ch not in _BASE32 for ch in body):
        return None
    raw = base64.b32decode(body)
    x = int.from_bytes(raw[:6], "big")
    return f"{(x & 0x7FFFFFFFFF80) >> 7:012d}"


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_checksum(body: str) -> str:
    """Base62 of the unsigned CRC32 of ``body``, left-padded with ``0`` to 6 characters."""
    n = zlib.crc32(body.encode("utf-8"))
    digits = ""
    while n:
        n, r = divmod(n, 62)
        digits = _BASE62[r] + digits
    return digits.rjust(6, "0")


def github_checksum_ok(token: str) -> bool:
    """Classic tokens (``ghp_`` and friends, 40 characters) end with the checksum of the 30
    random characters before it (G1)."""
    return len(token) == 40 and github_checksum(token[4:-6]) == token[-6:]
