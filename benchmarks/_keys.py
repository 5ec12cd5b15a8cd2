"""Private and public key material for the corpus, in pure Python and driven by a seeded
``random.Random``: DER (PKCS#1, PKCS#8, SEC1), OpenSSH and OpenPGP containers around keys that
are mathematically real (RSA primes, P-256 and Ed25519 public points derived from the private
scalar), so that any parser, not only keysweep's structure check, accepts them.

Nothing here is meant for cryptographic use: the randomness is a seeded PRNG."""

from __future__ import annotations

import base64
import hashlib
import random
import struct
import zlib
from dataclasses import dataclass

# -- DER -----------------------------------------------------------------------------------


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _len(len(content)) + content


def der_int(x: int) -> bytes:
    raw = x.to_bytes(max(1, (x.bit_length() + 8) // 8), "big")  # room for the sign bit
    return tlv(0x02, raw)


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def octets(b: bytes) -> bytes:
    return tlv(0x04, b)


def bitstring(b: bytes) -> bytes:
    return tlv(0x03, b"\0" + b)


def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


NULL = b"\x05\x00"
OID_RSA = oid("1.2.840.113549.1.1.1")
OID_EC = oid("1.2.840.10045.2.1")
OID_P256 = oid("1.2.840.10045.3.1.7")
OID_ED25519 = oid("1.3.101.112")


def pem(label: str, der: bytes, width: int = 64) -> str:
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + width] for i in range(0, len(b64), width)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


# -- RSA -----------------------------------------------------------------------------------

_SMALL_PRIMES = [p for p in range(3, 4000) if all(p % q for q in range(2, int(p**0.5) + 1))]
_PRIMORIAL = 1
for _p in _SMALL_PRIMES:
    _PRIMORIAL *= _p


def _probable_prime(n: int, rng: random.Random, rounds: int = 4) -> bool:
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for i in range(rounds):
        a = 2 if i == 0 else rng.randrange(3, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    import math

    while True:
        n = rng.getrandbits(bits) | (3 << (bits - 2)) | 1  # top two bits: n is 2*bits long
        # walk odd numbers from n: cheap gcd sieve, then Miller-Rabin
        for candidate in range(n, n + 2 * 2000, 2):
            if math.gcd(candidate, _PRIMORIAL) == 1 and _probable_prime(candidate, rng):
                return candidate


@dataclass(frozen=True)
class RsaKey:
    n: int
    e: int
    d: int
    p: int
    q: int

    def pkcs1(self) -> bytes:
        p, q, d = self.p, self.q, self.d
        return seq(der_int(0), der_int(self.n), der_int(self.e), der_int(d), der_int(p),
                   der_int(q), der_int(d % (p - 1)), der_int(d % (q - 1)),
                   der_int(pow(q, -1, p)))

    def pkcs8(self) -> bytes:
        return seq(der_int(0), seq(OID_RSA, NULL), octets(self.pkcs1()))

    def spki(self) -> bytes:
        return seq(seq(OID_RSA, NULL), bitstring(seq(der_int(self.n), der_int(self.e))))


def rsa_key(rng: random.Random, bits: int = 2048) -> RsaKey:
    e = 65537
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        if p == q:
            continue
        if p < q:
            p, q = q, p
        lam = (p - 1) * (q - 1)
        try:
            d = pow(e, -1, lam)
        except ValueError:
            continue
        return RsaKey(p * q, e, d, p, q)


# -- P-256 -----------------------------------------------------------------------------------

_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_A = _P - 3
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
      0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def _ec_add(p1: tuple[int, int] | None, p2: tuple[int, int] | None) -> tuple[int, int] | None:
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % _P == 0:
            return None
        lam = (3 * x1 * x1 + _A) * pow(2 * y1, -1, _P) % _P
    else:
        lam = (y2 - y1) * pow(x2 - x1, -1, _P) % _P
    x3 = (lam * lam - x1 - x2) % _P
    return x3, (lam * (x1 - x3) - y1) % _P


def _ec_mul(k: int, point: tuple[int, int]) -> tuple[int, int]:
    result = None
    addend: tuple[int, int] | None = point
    while k:
        if k & 1:
            result = _ec_add(result, addend)
        addend = _ec_add(addend, addend)
        k >>= 1
    assert result is not None
    return result


@dataclass(frozen=True)
class EcKey:
    d: int
    x: int
    y: int

    @property
    def point(self) -> bytes:
        return b"\x04" + self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big")

    def sec1(self, with_params: bool = True) -> bytes:
        parts = [der_int(1), octets(self.d.to_bytes(32, "big"))]
        if with_params:
            parts.append(tlv(0xA0, OID_P256))
        parts.append(tlv(0xA1, bitstring(self.point)))
        return seq(*parts)

    def pkcs8(self) -> bytes:
        return seq(der_int(0), seq(OID_EC, OID_P256), octets(self.sec1(with_params=False)))

    def spki(self) -> bytes:
        return seq(seq(OID_EC, OID_P256), bitstring(self.point))


def ec_key(rng: random.Random) -> EcKey:
    d = rng.randrange(1, _N)
    x, y = _ec_mul(d, _G)
    return EcKey(d, x, y)


# -- Ed25519 ---------------------------------------------------------------------------------

_EP = 2**255 - 19
_ED = -121665 * pow(121666, -1, _EP) % _EP
_EB = (15112221349535400772501151409588531511454012693041857206046113283949847762202,
       46316835694926478169428394003475163141307993866256225615783033603165251855960)


def _ed_add(p1: tuple[int, int], p2: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = p1, p2
    t = _ED * x1 * x2 * y1 * y2 % _EP
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, _EP) % _EP
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, -1, _EP) % _EP
    return x3, y3


def _ed_mul(k: int, point: tuple[int, int]) -> tuple[int, int]:
    result = (0, 1)
    while k:
        if k & 1:
            result = _ed_add(result, point)
        point = _ed_add(point, point)
        k >>= 1
    return result


def ed25519_public(seed: bytes) -> bytes:
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    x, y = _ed_mul(a, _EB)
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


@dataclass(frozen=True)
class Ed25519Key:
    seed: bytes
    public: bytes

    def pkcs8(self) -> bytes:
        return seq(der_int(0), seq(OID_ED25519), octets(octets(self.seed)))

    def spki(self) -> bytes:
        return seq(seq(OID_ED25519), bitstring(self.public))


def ed25519_key(rng: random.Random) -> Ed25519Key:
    seed = rng.randbytes(32)
    return Ed25519Key(seed, ed25519_public(seed))


# -- passphrase-protected PEM ------------------------------------------------------------------

OID_PBES2 = oid("1.2.840.113549.1.5.13")
OID_PBKDF2 = oid("1.2.840.113549.1.5.12")
OID_HMAC_SHA256 = oid("1.2.840.113549.2.9")
OID_AES256_CBC = oid("2.16.840.1.101.3.4.1.42")


def _padded(n: int, block: int = 16) -> int:
    return n + block - n % block


def encrypted_pkcs8(plain_der: bytes, rng: random.Random) -> bytes:
    """PKCS#8 EncryptedPrivateKeyInfo (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), as
    ``openssl pkcs8 -topk8 -v2 aes256`` writes it; random bytes stand in for the ciphertext."""
    params = seq(seq(OID_PBKDF2, seq(octets(rng.randbytes(16)), der_int(2048),
                                      seq(OID_HMAC_SHA256, NULL))),
                 seq(OID_AES256_CBC, octets(rng.randbytes(16))))
    return seq(seq(OID_PBES2, params), octets(rng.randbytes(_padded(len(plain_der)))))


def encrypted_legacy_pem(label: str, plain_der: bytes, rng: random.Random) -> str:
    """A traditional OpenSSL encrypted key: Proc-Type and DEK-Info headers, then the
    AES-128-CBC ciphertext (random bytes standing in) of the DER."""
    iv = rng.randbytes(16).hex().upper()
    b64 = base64.b64encode(rng.randbytes(_padded(len(plain_der)))).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return (f"-----BEGIN {label}-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{iv}\n\n"
            + "\n".join(lines) + f"\n-----END {label}-----\n")


# -- OpenSSH ---------------------------------------------------------------------------------


def _ssh_string(b: bytes | str) -> bytes:
    if isinstance(b, str):
        b = b.encode()
    return struct.pack(">I", len(b)) + b


def _ssh_mpint(x: int) -> bytes:
    raw = x.to_bytes((x.bit_length() + 8) // 8, "big") if x else b""
    return _ssh_string(raw)


def ssh_public_blob(key: Ed25519Key | EcKey) -> bytes:
    if isinstance(key, Ed25519Key):
        return _ssh_string("ssh-ed25519") + _ssh_string(key.public)
    return _ssh_string("ecdsa-sha2-nistp256") + _ssh_string("nistp256") + _ssh_string(key.point)


def ssh_public_line(key: Ed25519Key | EcKey, comment: str) -> str:
    kind = "ssh-ed25519" if isinstance(key, Ed25519Key) else "ecdsa-sha2-nistp256"
    return f"{kind} {base64.b64encode(ssh_public_blob(key)).decode()} {comment}"


def openssh_private(key: Ed25519Key | EcKey, comment: str, rng: random.Random,
                    encrypted: bool = False) -> str:
    check = rng.getrandbits(32)
    private = struct.pack(">II", check, check)
    if isinstance(key, Ed25519Key):
        private += (_ssh_string("ssh-ed25519") + _ssh_string(key.public)
                    + _ssh_string(key.seed + key.public))
    else:
        private += (_ssh_string("ecdsa-sha2-nistp256") + _ssh_string("nistp256")
                    + _ssh_string(key.point) + _ssh_mpint(key.d))
    private += _ssh_string(comment)
    block = 16 if encrypted else 8
    pad = 1
    while len(private) % block:
        private += bytes([pad])
        pad += 1
    if encrypted:
        cipher, kdf = "aes256-ctr", "bcrypt"
        kdf_options = _ssh_string(rng.randbytes(16)) + struct.pack(">I", 16)
        private = rng.randbytes(len(private))  # stands in for the AES-CTR ciphertext
    else:
        cipher, kdf, kdf_options = "none", "none", b""
    blob = (b"openssh-key-v1\0" + _ssh_string(cipher) + _ssh_string(kdf)
            + _ssh_string(kdf_options) + struct.pack(">I", 1)
            + _ssh_string(ssh_public_blob(key)) + _ssh_string(private))
    return pem("OPENSSH PRIVATE KEY", blob, width=70)


# -- OpenPGP ---------------------------------------------------------------------------------


def _crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def _mpi(x: int) -> bytes:
    return struct.pack(">H", x.bit_length()) + x.to_bytes((x.bit_length() + 7) // 8, "big")


def pgp_private(key: Ed25519Key, user: str, rng: random.Random) -> str:
    """An unprotected v4 EdDSA secret-key packet plus a user ID packet, ASCII-armoured."""
    created = rng.randrange(1_500_000_000, 1_700_000_000)
    curve = bytes.fromhex("2b06010401da470f01")  # OID of Ed25519 for OpenPGP
    public = (b"\x04" + struct.pack(">I", created) + b"\x16" + bytes([len(curve)]) + curve
              + _mpi(int.from_bytes(b"\x40" + key.public, "big")))
    secret_mpi = _mpi(int.from_bytes(key.seed, "big"))
    body = public + b"\x00" + secret_mpi + struct.pack(">H", sum(secret_mpi) & 0xFFFF)
    packet = bytes([0xC5, len(body)]) + body  # new-format tag 5: secret key
    uid = user.encode()
    packet += bytes([0xCD, len(uid)]) + uid  # tag 13: user ID
    b64 = base64.b64encode(packet).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    checksum = base64.b64encode(_crc24(packet).to_bytes(3, "big")).decode()
    return ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + "\n".join(lines) + f"\n={checksum}\n"
            "-----END PGP PRIVATE KEY BLOCK-----\n")


# -- certificates (decoys: public material) ----------------------------------------------------


def fake_certificate(spki: bytes, subject: str, rng: random.Random) -> str:
    """A structurally plausible X.509 certificate (the signature is random bytes)."""
    name = seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, subject.encode()))))
    validity = seq(tlv(0x17, b"230101000000Z"), tlv(0x17, b"330101000000Z"))
    sig_alg = seq(oid("1.2.840.10045.4.3.2"))
    tbs = seq(tlv(0xA0, der_int(2)), der_int(rng.getrandbits(63)), sig_alg, name, validity,
              name, spki)
    cert = seq(tbs, sig_alg, bitstring(seq(der_int(rng.getrandbits(255)),
                                           der_int(rng.getrandbits(255)))))
    return pem("CERTIFICATE", cert)


def crc32_base62(body: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    n = zlib.crc32(body.encode())
    digits = []
    while n:
        n, r = divmod(n, 62)
        digits.append(alphabet[r])
    return "".join(reversed(digits)).rjust(6, "0")
