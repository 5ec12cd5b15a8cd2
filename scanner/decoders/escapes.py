"""String escapes (JSON/notebook/source ``\\/``, ``\\u002F``, ``\\"``) and URL percent-escapes
(presigned URLs, logged query strings), which split or hide secret characters."""

from __future__ import annotations

import re

_STRING_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|[nrt\"/\\])")
_SIMPLE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "/": "/", "\\": "\\"}
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


class StringEscapeDecoder:
    name = "unescape"

    def replacements(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        if "\\" not in text[start:end]:
            return []
        out = []
        for m in _STRING_ESCAPE.finditer(text, start, end):
            esc = m.group()
            if esc[1] == "u":
                new = chr(int(esc[2:], 16)).encode("utf-8", "surrogatepass").decode("latin-1")
            else:
                new = _SIMPLE[esc[1]]
            out.append((m.start(), m.end(), new))
        return out


class UrlDecoder:
    name = "url"

    def replacements(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        if "%" not in text[start:end]:
            return []
        return [(m.start(), m.end(), chr(int(m.group()[1:], 16)))
                for m in _PERCENT.finditer(text, start, end)]
