"""Base64 (standard and URL-safe) blocks that decode to text: Kubernetes Secret ``data:``
values, ``.npmrc``/docker ``auth`` values, base64-wrapped PEM files and JSON keys."""

from __future__ import annotations

import binascii
import functools
import re
from collections.abc import Iterator

MIN_RUN = 16
MAX_RUN = 256 * 1024
# The standard re module: these fixed, linear patterns run over every decode region, and re
# is four times faster than regex at them (regex stays for rules: it has timeouts).
# A block is a whole maximal run of base64 characters (nothing of the alphabet or "=" on
# either side) of _BLOCK's shape: the runs are found first, then held to the shape, which is
# three times faster than one pattern with look-arounds on both sides. The look-behind in
# front is one check per position and spares re retrying every short run (a word of code)
# from each of its characters; it sees the text before a region too, so a run that began
# before the region is not taken from its middle.
_MAXIMAL = re.compile(rf"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{{{MIN_RUN},}}")
_BLOCK = re.compile(rf"[A-Za-z0-9+/_-]{{{MIN_RUN},{MAX_RUN}}}={{0,2}}")
# A run of lower-case letters and underscores is a snake_case name, half of all runs in
# code: the base64 of text that carries a key has capitals or digits (in requests' history
# none of 562,714 such runs decoded to text), so it is not decoded.
_IDENTIFIER = re.compile(r"[a-z_-]+={0,2}")
# A .env line's unquoted value: ``NAME=`` before it, which a block may not have (an ``=``
# inside a run is no start of a block). The ``=`` is found first (a literal: fast), then the
# few characters before it are checked to be a whole line's name.
_ENV_VALUE = re.compile(
    rf"=([A-Za-z0-9+/_-]{{{MIN_RUN},{MAX_RUN}}}={{0,2}})(?![A-Za-z0-9+/_=-])")
_ENV_NAME = re.compile(r"[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]{0,127}")
# Grow a region to whole runs, so a block that crosses the region's edge is decoded whole:
# to the right a run is matched; to the left the last character outside the alphabet before
# the region is found (greedy ``.*`` backtracks from the region's start: it costs the run's
# length, in C), in a short window first, since runs are short.
_RIGHT = re.compile(rf"[A-Za-z0-9+/_=-]{{0,{MAX_RUN}}}")
_LAST_OUTSIDE = re.compile(r"(?s).*[^A-Za-z0-9+/_=-]")
_NEAR = 64
# How far before a value's ``=`` the line break before its name may be (or the text's
# start): the name's 128 characters and a few of indent and ``export``.
ENV_LOOKBACK = 141
MEMO_ENTRIES = 512
MEMO_REGION = 16 * 1024  # larger regions are rare and would hold the memo's memory


def b64decode_lenient(value: str) -> bytes | None:
    """Standard or URL-safe base64, padding optional; None if it is not base64."""
    if "-" in value or "_" in value:
        if "+" in value or "/" in value:
            return None
        value = value.replace("-", "+").replace("_", "/")
    body = value.rstrip("=")
    try:  # what base64.b64decode(validate=True) runs, without its per-call checks
        return binascii.a2b_base64((body + "=" * (-len(body) % 4)).encode("ascii"),
                                   strict_mode=True)
    except (binascii.Error, ValueError):
        return None


_LINE_BREAKS_AND_TABS = str.maketrans("", "", "\t\r\n")


def decode_text(run: str) -> str | None:
    """The run's decoded bytes as Latin-1 text, if they are printable UTF-8 text."""
    raw = b64decode_lenient(run)
    if raw is None or len(raw) < 8:
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not decoded.translate(_LINE_BREAKS_AND_TABS).isprintable():  # else counted (rare)
        unprintable = sum(1 for ch in decoded if not (ch.isprintable() or ch in "\t\r\n"))
        if unprintable > len(decoded) // 20:
            return None
    return raw.decode("latin-1")


def _runs(text: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
    """The blocks in [start, end): maximal runs that are no part of a longer run outside it
    and have the shape of a block."""
    for m in _MAXIMAL.finditer(text, start, end):
        s, e = m.span()
        if _BLOCK.fullmatch(text, s, e) and not _IDENTIFIER.fullmatch(text, s, e):
            yield s, e, m.group()


class Base64Decoder:
    name = "base64"

    def __init__(self) -> None:
        # A history holds the same block in many versions of a file (requests: 3,721 regions
        # to decode, 1,025 distinct): each is decoded once, looked up by all the text it reads.
        self._decoded = functools.lru_cache(maxsize=MEMO_ENTRIES)(self._decode)

    def replacements(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        start, end = self.region(text, start, end)
        if end - start > MEMO_REGION:
            return self._decode(text, start, end)
        # What a region's blocks depend on: the grown region, and the line before it that
        # an .env name is read from (ENV_LOOKBACK); offsets are relative to that window.
        low = max(0, start - ENV_LOOKBACK)
        return [(s + low, e + low, decoded)
                for s, e, decoded in self._decoded(text[low:end], start - low, end - low)]

    def _decode(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        runs = list(_runs(text, start, end))
        env = list(self._env_values(text, start, end))
        if env:
            runs = sorted(set(runs + env))
        out = []
        for s, e, run in runs:
            decoded = decode_text(run)
            if decoded is not None:
                out.append((s, e, decoded))
        return out

    def _env_values(self, text: str, start: int, end: int) -> Iterator[tuple[int, int, str]]:
        """Unquoted values of ``NAME=value`` lines (.env files, shell exports)."""
        for m in _ENV_VALUE.finditer(text, start, end):
            eq = m.start()
            line = text.rfind("\n", max(0, eq - ENV_LOOKBACK + 1), eq) + 1
            if (line or eq < ENV_LOOKBACK) and _ENV_NAME.fullmatch(text, line, eq):
                yield m.start(1), m.end(1), m[1]

    def region(self, text: str, start: int, end: int) -> tuple[int, int]:
        """Grow [start, end) so that no base64 run is cut at either edge."""
        right = _RIGHT.match(text, end, min(len(text), end + MAX_RUN))
        return run_start(text, start), (right.end() if right else end)


# A plaintext keyword this deep inside one run of the alphabet is chance, not a word or a
# key's prefix: no key or name that a rule reads sits after 256 unbroken base64 characters
# (a notebook's images hit two- and three-letter keywords every few kilobytes).
BURIED = 256
_OUTSIDE = re.compile(r"[^A-Za-z0-9+/_=-]")


def buried(text: str, start: int) -> bool:
    """Whether the BURIED characters before ``start`` are all base64 (inside a blob)."""
    return start >= BURIED and _OUTSIDE.search(text, start - BURIED, start) is None


def run_start(text: str, start: int) -> int:
    """Where the run of base64 characters that ends at ``start`` begins (``start`` itself if
    none does), at most MAX_RUN characters back."""
    for reach in (_NEAR, MAX_RUN):
        low = max(0, start - reach)
        m = _LAST_OUTSIDE.match(text, low, start)
        if m is not None:
            return m.end()
        if low == 0 or reach == MAX_RUN:
            return low
    return start  # not reached: the last reach returns
