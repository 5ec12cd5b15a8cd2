"""Redaction of anything a provider says before it is logged or kept: error messages can echo
the signed string, which carries the ID and (for temporary credentials) the security token,
percent-encoded once or twice (credentials.md §2.0, §2.1.5)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus

from scanner.redact import redact

# Everything after one of these markers is the server's string-to-sign (or similar): cut it.
_ECHO = re.compile(r"(string\s*to\s*sign\s*(?:is)?\s*[:=]?|canonical\s*request\s*(?:is)?\s*[:=]?)"
                   r".*", re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"[^A-Za-z0-9._:-]")


def _encoders() -> tuple[Callable[[str], str], ...]:
    def rfc3986(s: str) -> str:
        return quote(s, safe="-_.~")

    def form(s: str) -> str:
        return quote_plus(s, safe="-_.~")

    def everything(s: str) -> str:
        return quote(s, safe="")

    return rfc3986, form, everything


def encoded_forms(value: str) -> set[str]:
    """The raw value and its once- and twice-percent-encoded forms (RFC 3986 and form style)."""
    forms = {value}
    for encode in _encoders():
        once = encode(value)
        forms.update((once, encode(once)))
    return {f for f in forms if f}


def redact_text(text: str, values: Iterable[str | None]) -> str:
    """``text`` with any echoed string-to-sign cut off and every form of each value replaced
    by its redacted form."""
    text = _ECHO.sub(lambda m: m.group(1) + " <redacted>", text)
    pairs = sorted(((form, redact(v)) for v in values if v for form in encoded_forms(v)),
                   key=lambda p: len(p[0]), reverse=True)
    for form, shown in pairs:
        text = text.replace(form, shown)
    return text


def clean_code(code: object) -> str:
    """A provider's error code as a short, safe token for a ``reason``."""
    return _CODE.sub("", str(code))[:64] or "unrecognised"
