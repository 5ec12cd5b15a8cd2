"""Structured text flattened: a value whose name sits on another line (a Kubernetes env
item's ``- name:``, a JSON key on the line above, an XML ``<name>``/``<key>`` element) or
whose provider is named by an enclosing INI section, Terraform/HCL block, JSON object or YAML
mapping is put on one line after its full dotted name (``huawei.ak = ...``,
``baiducloud.access_key = "..."``). The rules, unchanged, then see the name and its context
words on the value's own line; the value itself is left in place, so a finding maps back to
its original line and column.

One pass over the lines of a region, with a stack of the enclosing names (indentation closes
a YAML/JSON/HCL block, the next section header an INI section). A block opened in the region
is followed past the region's end, up to a bound, so a header's keyword hit covers the values
far below it."""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_VALUE = 16  # shorter values are no key of any rule: no line is rewritten for them
MAX_EXTRA_LINES = 400  # how far past the region a block it opened is followed
MAX_EXTRA_BYTES = 32 * 1024
MAX_DEPTH = 8
MAX_NAME = 100
MAX_LINE = 4096

_NAME = rf"""[A-Za-z0-9_.-]{{1,{MAX_NAME}}}|"[^"\n]{{1,{MAX_NAME}}}"|'[^'\n]{{1,{MAX_NAME}}}'"""
_VALUE = rf"[A-Za-z0-9+/=_.~-]{{{MIN_VALUE},}}"
# The decoder's own fixed patterns, matched per line: re, linear.
_INI = re.compile(r"[ \t]*\[([^\[\]\n=]{1,100})\][ \t]*(?:[#;].*)?\r?")
_HEADER = re.compile(
    rf"""[ \t]*(?:(?P<yk>{_NAME})[ \t]*:[ \t]*[{{\[]?[ \t]*(?:\#.*)?"""
    rf"""|(?P<hk>[A-Za-z_][\w-]{{0,60}})(?P<labels>(?:[ \t]+"[^"\n]{{1,{MAX_NAME}}}")*)"""
    r"""[ \t]*=?[ \t]*\{[ \t]*)\r?""")
_DASH_NAME = re.compile(
    r"""[ \t]*-[ \t]+name[ \t]*:[ \t]*(["']?)([^"'\s#]{1,200})\1[ \t]*(?:#.*)?\r?""")
_DASH = re.compile(r"[ \t]*-[ \t]+")
_KV = re.compile(rf"""(?P<key>{_NAME})(?P<sep>[ \t]*[:=][ \t]*)(?P<q>["']?)(?={_VALUE})""")
_SCALAR = re.compile(rf"""[ \t]*(?P<q>["']?)(?={_VALUE}(?P=q)[ \t]*,?[ \t]*\r?$)""")
_XML_NAME = re.compile(r"[ \t]*<(name|key)>[ \t]*([^<\n]{1,200}?)[ \t]*</\1>[ \t]*\r?")
_XML_VALUE = re.compile(rf"[ \t]*<(?:value|string)>[ \t]*(?={_VALUE})")
_TOKEN = re.compile(_VALUE)
# Code's own block openers (Python's ``else:``, C++'s ``public:``) look like a YAML key with
# a block under it, and open one in nearly every region of code: they alone never open one.
_CODE_WORDS = r"(?:else|try|finally|except|public|private|protected)\b"
# Nor do docstring section headers (``Args:``, ``Returns:``) or a list literal on a line of
# its own (``[('key', 'val')]``): no INI section name holds a quote, a comma or a bracket.
_DOC_WORDS = r"(?:Args|Arguments|Returns|Raises|Yields|Examples?|Notes?|Attributes|Usage)\b"
# What a key line opening a block is followed by (past blank and comment lines): an indented
# ``key:`` or a list item (YAML, JSON), or the value itself alone on its line (a JSON key
# above its value). A C or shell label (``default:``, ``out:``) is followed by a statement.
# Checked where a key line matched the gate (it may lie past the region's end).
_CHILD = re.compile(r"""\n(?:[ \t]*(?:\#[^\n]*)?\r?\n){0,3}"""
                    r"""(?:[ \t]*-[ \t]|[ \t]+[\w."'-]{1,100}+[ \t]*+:"""
                    r"""|[ \t]+["']?[A-Za-z0-9+/=_.~-]{16,}+["']?[ \t]*,?[ \t]*\r?$)""",
                    re.M)
# A region is read line by line only if a line in it opens a section or block, names the
# value on the next line, or is a named list item: the stack of enclosing names starts empty
# at the region's first line, so a region of plain assignments has nothing to rename (most
# code, config and prose never reach the line loop).
# Its repeats are possessive (``*+``, ``++``): each is followed by what it cannot match, so
# giving characters back never helps, and not trying it halves the gate's time on code.
_GATE = re.compile(
    r"""^[ \t]*+(?:\[[^\[\]\n=',()]{1,100}\][ \t]*(?:[#;].*)?\r?$"""
    r"""|[A-Za-z_][\w-]*+(?:[ \t]++"[^"\n]*+")++[ \t]*=?[ \t]*\{"""
    rf"""|(?P<key>(?:-[ \t]+)?(?!(?:{_CODE_WORDS}|{_DOC_WORDS})[ \t]*:)[\w."'-]{{1,100}}+"""
    r"""[ \t]*+:[ \t]*[{\[]?[ \t]*(?:\#.*)?\r?$)"""
    r"""|-[ \t]+name[ \t]*:|<(?:name|key)>)""", re.M)
_COMMENT = ("#", "//", ";", "<!--", "*", "/*")


@dataclass(frozen=True, slots=True)
class _Open:
    indent: int  # -1: an INI section, closed only by the next section header
    name: str
    item: bool = False  # a YAML list item (``- name: X`` names it X)


@dataclass(frozen=True, slots=True)
class _Pending:
    """A line that may be the name of a value on the next line (JSON/YAML ``"key":``, XML
    ``<name>``): where it starts, the dotted name, its indent."""

    start: int
    name: str
    indent: int
    xml: bool


def _worth(line: str, at: int) -> bool:
    """Whether the value at ``line[at:]`` could be a key: letters and digits, and not a
    lower-case host name, path or version (``registry.example.com/app``), the common long
    values of manifests that need no view."""
    m = _TOKEN.match(line, at)
    if m is None:
        return False
    value = m.group()
    if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    return not (("." in value or "/" in value) and not any(c.isupper() for c in value))


def _unquote(name: str) -> str:
    return name[1:-1] if name[:1] in "\"'" else name


def _dotted(stack: list[_Open], *more: str) -> str:
    return ".".join([o.name for o in stack if o.name] + [m for m in more if m])


def _emit(out: list[tuple[int, int, str]], text: str, start: int, end: int, new: str,
          line_end: int) -> None:
    """The name put before a value, and the line break after it rewritten as itself: the
    view must reach past the value even when the region ends before it (a block followed
    beyond the region), and a view ends at its last replacement."""
    out.append((start, end, new))
    if line_end < len(text):
        out.append((line_end, line_end + 1, text[line_end]))


def _opens(text: str, start: int, end: int) -> bool:
    """Whether a line in the region passes the gate (a key line only with a child under it)."""
    return any(m["key"] is None or _CHILD.match(text, m.end())
               for m in _GATE.finditer(text, start, end))


class StructureDecoder:
    name = "structure"

    def replacements(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        if not _opens(text, start, end):
            return []
        out: list[tuple[int, int, str]] = []
        stack: list[_Open] = []
        pending: _Pending | None = None
        # A line longer than MAX_LINE (minified JSON, a bundle) is no structured config: it
        # is passed over unread, so a region costs its own length, not its lines' lengths.
        nl = text.rfind("\n", max(0, start - MAX_LINE), start)
        if nl < 0 and start > MAX_LINE:  # inside a long line: from the next one on
            nl = text.find("\n", start, end)
            if nl < 0:
                return []
        pos = nl + 1
        extra_lines = 0
        limit = min(len(text), end + MAX_EXTRA_BYTES)
        while pos < limit:
            if pos >= end:
                # Past the region: only to finish a block opened in it.
                if not stack or extra_lines >= MAX_EXTRA_LINES:
                    break
                extra_lines += 1
            nl = text.find("\n", pos, min(limit, pos + MAX_LINE))
            if nl < 0 and pos + MAX_LINE < limit:
                nl = text.find("\n", pos + MAX_LINE, limit)
                pos = limit if nl < 0 else nl + 1
                continue
            line_end = limit if nl < 0 else nl
            line = text[pos:line_end]
            body = line.lstrip(" \t")
            if body and not body.startswith(_COMMENT):
                pending = self._line(text, pos, line, len(line) - len(body), stack, pending, out)
            pos = line_end + 1
        return out

    def _line(self, text: str, pos: int, line: str, indent: int, stack: list[_Open],
              pending: _Pending | None, out: list[tuple[int, int, str]]) -> _Pending | None:
        first = line[indent]
        if pending is not None:
            m = (_XML_VALUE.match(line) if pending.xml else
                 _SCALAR.match(line) if indent > pending.indent else None)
            if m and _worth(line, m.end()):
                if pending.xml:
                    _emit(out, text, pending.start, pos + m.end(), pending.name + " = ",
                          pos + len(line))
                    return None
                # ``"key":`` then the value alone on the next line: join them.
                if stack and stack[-1].indent == pending.indent and not stack[-1].item:
                    stack.pop()  # it was taken for a block header
                _emit(out, text, pending.start, pos + m.end(), pending.name + ": " + m["q"],
                      pos + len(line))
                return None
        if first == "<":  # XML: a name element may name the value on the next line
            m = _XML_NAME.fullmatch(line)
            return _Pending(pos, _dotted(stack, m[2]), indent, xml=True) if m else None
        if first == "[":
            m = _INI.fullmatch(line)
            if m:
                stack[:] = [_Open(-1, m[1].strip())]
                return None
        dash = _DASH.match(line) if first == "-" else None
        while stack and (stack[-1].indent > indent or stack[-1].indent == indent and
                         (stack[-1].item or dash is None)):
            stack.pop()
        at = indent
        if dash is not None:
            named = _DASH_NAME.fullmatch(line)
            if len(stack) < MAX_DEPTH:
                stack.append(_Open(indent, named[2] if named else "", item=True))
            if named:
                return None
            indent = at = dash.end()
        last = line.rstrip(" \t\r")[-1:]
        m = _HEADER.fullmatch(line, at) if last in (":", "{", "[") or "#" in line else None
        if m:
            if m["yk"]:
                name = _unquote(m["yk"])
                pend = _Pending(pos, _dotted(stack, name), indent, xml=False)
            else:
                labels = re.findall(r'"([^"\n]*)"', m["labels"] or "")
                name = ".".join(labels) if labels else m["hk"]
                pend = None
            if len(stack) < MAX_DEPTH:
                stack.append(_Open(indent, name))
            return pend
        if not stack:
            return None  # nothing encloses it: the raw scan sees what the view would
        m = _KV.match(line, at)
        if m and _worth(line, m.end()):
            key = _unquote(m["key"])
            top = stack[-1]
            prefix = _dotted(stack)
            if top.item and top.name and key == "value":
                name = prefix  # ``- name: X`` / ``value: ...``: the value of X
            elif prefix and not key.startswith(prefix + "."):  # not a view's own line again
                name = prefix + "." + key
            else:
                return None
            sep, quote = m["sep"].strip(" \t"), m["q"]
            joint = f" {sep} " if sep == "=" else f"{sep} "
            _emit(out, text, pos, pos + m.end(), name + joint + quote, pos + len(line))
        return None
