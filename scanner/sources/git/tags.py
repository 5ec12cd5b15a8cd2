"""Annotated tags' messages: text a person wrote and git publishes with the tag, so it is
scanned like a commit message. Tag objects are read length-prefixed (``cat-file --batch``),
so nothing in a message or a tagger's name can confuse the parsing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from scanner.sources.git.command import Git, GitError


@dataclass(frozen=True, slots=True)
class TagMessage:
    sha: str  # the tag object
    name: str  # refs/tags/<name> as the tag object names itself
    target: str  # the object it tags (usually a commit)
    tagger: str
    email: str
    date: str  # ISO 8601, or "" when the tag has no tagger line
    message: str


def tag_messages(git: Git, tips: Sequence[str] | None = None) -> list[TagMessage]:
    """The annotated tags every ref points at (``tips`` None), or those among ``tips`` (the
    objects a push sends)."""
    if tips is None:
        try:
            out = git.run(["for-each-ref", "--format=%(objecttype) %(objectname)"])
            ids = sorted({line.split()[1] for line in out.decode().splitlines()
                          if line.startswith("tag ")})
        except GitError:  # a ref's object is missing: %(objecttype) then lists no ref at all
            out = git.run(["for-each-ref", "--format=%(objectname)"], check=False)
            ids = sorted(set(out.decode().split()))  # the tags are told by their type below
    else:
        ids = sorted(set(tips))
    if not ids:
        return []
    out = git.run(["cat-file", "--batch"], input="".join(i + "\n" for i in ids).encode())
    tags = []
    pos = 0
    while pos < len(out):
        eol = out.index(b"\n", pos)
        header = out[pos:eol].split()
        pos = eol + 1
        if len(header) != 3:  # "<id> missing"
            continue
        size = int(header[2])
        body = out[pos:pos + size]
        pos += size + 1
        if header[1] == b"tag":
            tags.append(_parse(header[0].decode(), body))
    return tags


def _parse(sha: str, body: bytes) -> TagMessage:
    head, _, message = body.partition(b"\n\n")
    fields: dict[bytes, bytes] = {}
    for line in head.split(b"\n"):
        key, _, value = line.partition(b" ")
        fields.setdefault(key, value)
    tagger, email, date = _person(fields.get(b"tagger", b""))
    return TagMessage(sha, fields.get(b"tag", b"").decode("utf-8", "replace"),
                      fields.get(b"object", b"").decode("ascii", "replace"), tagger, email, date,
                      message.decode("utf-8", "replace"))


def _person(raw: bytes) -> tuple[str, str, str]:
    """``Name <email> 1700000000 +0100`` -> name, email, ISO date."""
    name, _, rest = raw.partition(b" <")
    email, _, when = rest.partition(b"> ")
    date = ""
    parts = when.split()
    if len(parts) == 2 and parts[0].isdigit() and len(parts[1]) == 5:
        sign = -1 if parts[1][:1] == b"-" else 1
        offset = timedelta(hours=int(parts[1][1:3]), minutes=int(parts[1][3:5])) * sign
        date = datetime.fromtimestamp(int(parts[0]), UTC).astimezone(timezone(offset)) \
            .isoformat()
    return name.decode("utf-8", "replace"), email.decode("utf-8", "replace"), date
