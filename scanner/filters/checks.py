"""Structural checks a rule can name in ``checks``: offline proofs that a value has the shape
of a real credential (class mix, checksums, decodable structure)."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Callable

from scanner.decoders.base64 import b64decode_lenient
from scanner.matching.candidate import Candidate

Check = Callable[[Candidate], str | None]

_HEX = re.compile(r"^[0-9a-fA-F]+$")
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


_UPPER, _LOWER = re.compile("[A-Z]"), re.compile("[a-z]")
_DIGIT, _ALPHA = re.compile("[0-9]"), re.compile("[A-Za-z]")


def mixed_case(c: Candidate) -> str | None:
    v = c.value
    if v.isascii():  # one C-level search each instead of a Python step per character
        if _UPPER.search(v) and _LOWER.search(v):
            return None
    elif any(ch.isupper() for ch in v) and any(ch.islower() for ch in v):
        return None
    return "needs both upper- and lower-case letters"


def not_hex(c: Candidate) -> str | None:
    return "only hex digits (a hash or UUID)" if _HEX.match(c.value) else None


def letters_and_digits(c: Candidate) -> str | None:
    v = c.value
    if v.isascii():
        if _DIGIT.search(v) and _ALPHA.search(v):
            return None
    elif any(ch.isdigit() for ch in v) and any(ch.isalpha() for ch in v):
        return None
    return "needs both letters and digits"


def not_a_number(c: Candidate) -> str | None:
    """A number written out (``1.7976931348623157E308``'s digits, a long decimal with an
    exponent or a unit letter) is not a key: a random key of letters and digits has many
    letters, not one or two."""
    if sum(ch.isalpha() for ch in c.value) < 3:
        return "a number, not a key (fewer than 3 letters)"
    return None


_CAMEL_WORDS = re.compile(r"[A-Za-z][a-z]+(?:[A-Z][a-z]+)+")
# The pieces of a PascalCase name with acronyms and versions (ModifyDBClusterAccessWhiteList,
# DescribeIPv6TranslatorAclLists, VSwitches, InstanceV2), and its real words: capitalised,
# with a vowel, without five consonants in a row, as English words are and random runs of
# letters mostly are not (about 7 in 100,000 random 30-character base62 strings pass, none of 40).
_NAME_PIECE = re.compile(
    r"[A-Z]*[a-z]{2,}|[A-Z]\d{1,3}|[A-Z]{2,}(?![a-z])|[A-Z]+[a-z](?![a-z])|\d{1,3}[a-z]?(?![a-z])"
    r"|[A-Z]$")
_WORD = re.compile(r"[A-Z][a-z]{2,}")
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvwxz]{5}", re.I)


def not_identifier(c: Candidate) -> str | None:
    """A code identifier (``getAccessKeySecretFromProvider(``, ``obj.someLongName``,
    ``componentDisplayProductService.find``) is not a secret: one followed by ``(`` or
    ``.``, after a ``.``, or made of camelCase words (a random 30-character secret almost
    never is: it has digits, and capitals side by side)."""
    if c.char_after() in ("(", ".") or c.char_before() == ".":
        return "in an identifier position"
    if _CAMEL_WORDS.fullmatch(c.value) or _pascal_name(c.value):
        return "camelCase words, an identifier"
    return None


def _pascal_name(value: str) -> bool:
    pos = 0
    for m in _NAME_PIECE.finditer(value):
        if m.start() != pos:
            return False
        pos = m.end()
    if pos != len(value) or sum(ch.isdigit() for ch in value) > 2:
        return False
    words = [w for w in _WORD.findall(value)
             if any(v in w[1:] for v in "aeiouy") and not _CONSONANTS.search(w)]
    return len(words) >= 3 and sum(map(len, words)) >= 0.7 * len(value)


def github_crc32(c: Candidate) -> str | None:
    """Classic GitHub tokens end with a base62 CRC32 of their 30 random characters."""
    token = c.value
    body, checksum = token[4:-6], token[-6:]
    n = zlib.crc32(body.encode("latin-1"))
    digits = []
    while n:
        n, r = divmod(n, 62)
        digits.append(_BASE62[r])
    expected = "".join(reversed(digits)).rjust(6, "0")
    return None if checksum == expected else "checksum does not match"


def _b64decode(value: str) -> bytes | None:
    return None if "-" in value or "_" in value else b64decode_lenient(value)


def _is_hex32(raw: bytes | None) -> bool:
    return raw is not None and len(raw) == 32 and _HEX.match(raw.decode("latin-1")) is not None


def volcengine_access_key(c: Candidate) -> str | None:
    """AKLT + unpadded base64 of 32 hex characters."""
    return None if _is_hex32(_b64decode(c.value[4:])) else "body is not base64 of 32 hex chars"


def volcengine_secret_key(c: Candidate) -> str | None:
    """base64 of (unpadded base64 of 32 hex characters)."""
    inner = _b64decode(c.value)
    if inner is not None and _is_hex32(_b64decode(inner.decode("latin-1"))):
        return None
    return "not double base64 of 32 hex chars"


def alibaba_sts_token(c: Candidate) -> str | None:
    """An STS SecurityToken is a protobuf message: field 1 (08 01 or 08 02), then field 2
    (12) with a length of hundreds of bytes, so its varint takes two bytes. Other CAES...
    blobs (a KMS ciphertext naming a 36-byte key id) have a one-byte length there."""
    head = base64.b64decode(c.value[:8] + "=" * (-len(c.value[:8]) % 4))
    if len(head) >= 5 and head[0] == 0x08 and head[2] == 0x12 and head[3] & 0x80:
        return None
    return "not an STS token's structure (its length field is too short)"


def base64_64_bytes(c: Candidate) -> str | None:
    raw = _b64decode(c.value)
    return None if raw is not None and len(raw) == 64 else "does not decode to 64 bytes"


_PEM_BODY = re.compile(r"-----BEGIN[^-]*-----(.*?)-----END", re.S)
_OPENSSH_MAGIC = b"openssh-key-v1\x00"


_QUOTE = re.compile(r"""["'`]""")
_B64_PIECE = re.compile(r"[A-Za-z0-9+/=]+")


def private_key_structure(c: Candidate) -> str | None:
    """The block's body must decode to a DER SEQUENCE of plausible length, an OpenSSH key, or
    an OpenPGP packet (or, for a PEM key with a Proc-Type ENCRYPTED header, to whole cipher
    blocks); truncated or elided examples fail."""
    m = _PEM_BODY.search(c.value)
    if not m:
        return "no PEM body"
    lines, encrypted_pem = [], False
    for line in re.split(r"\\r\\n|\\n|\r?\n", m.group(1)):
        if ":" in line:  # armour headers: Proc-Type, DEK-Info, Version, Comment
            header = _QUOTE.sub("", line).replace(" ", "").lstrip("+")
            encrypted_pem |= header.startswith("Proc-Type:4,ENCRYPTED")
            continue
        if _QUOTE.search(line):  # source code: '"MIIE..." +' - the base64 between the quotes
            line = "".join(p for p in (q.strip() for q in _QUOTE.split(line))
                           if p != "+" and _B64_PIECE.fullmatch(p))
        else:
            line = line.strip().rstrip(",\\").strip()
        if not line or (len(line) == 5 and line.startswith("=")):  # blank; PGP checksum line
            continue
        lines.append(line)
    raw = b64decode_lenient("".join(lines).replace("\\/", "/"))
    if raw is None or len(raw) < 32:  # an Ed25519 PKCS#8 key is 48 bytes
        return "body does not decode to a key"
    if encrypted_pem:  # the body is ciphertext: whole blocks of a block cipher
        return None if len(raw) % 8 == 0 else "encrypted body is not whole cipher blocks"
    if raw.startswith(_OPENSSH_MAGIC):
        return None
    if raw[0] == 0x30:
        return None if _der_length_fits(raw) else "truncated DER body"
    if raw[0] & 0x80:  # an OpenPGP packet tag
        return None
    return "body is not a key structure"


def _der_length_fits(raw: bytes) -> bool:
    if len(raw) < 2:
        return False
    first = raw[1]
    if first < 0x80:
        length, header = first, 2
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or len(raw) < 2 + n:
            return False
        length, header = int.from_bytes(raw[2 : 2 + n], "big"), 2 + n
    return header + length <= len(raw) + 2  # tolerate a stray padding byte


CHECKS: dict[str, Check] = {
    "mixed-case": mixed_case,
    "not-hex": not_hex,
    "letters-and-digits": letters_and_digits,
    "not-a-number": not_a_number,
    "not-identifier": not_identifier,
    "github-crc32": github_crc32,
    "volcengine-access-key": volcengine_access_key,
    "volcengine-secret-key": volcengine_secret_key,
    "base64-64-bytes": base64_64_bytes,
    "alibaba-sts-token": alibaba_sts_token,
    "private-key-structure": private_key_structure,
}


_OPENSSH_UNENCRYPTED = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"


def key_is_encrypted(block: str) -> bool:
    """A passphrase-protected private key: PKCS#8 ENCRYPTED, PEM Proc-Type, or an OpenSSH key
    whose cipher is not 'none'."""
    if "ENCRYPTED" in block:
        return True
    if "OPENSSH PRIVATE KEY" in block:
        body = block.split("-----", 4)[2].replace("\\n", "").replace("\n", "").lstrip()
        return not body.startswith(_OPENSSH_UNENCRYPTED)
    return False
