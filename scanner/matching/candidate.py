"""A regex match that filters have not yet judged."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.rules.schema import Rule


@dataclass(frozen=True, slots=True)
class Candidate:
    rule: Rule = field(repr=False)
    value: str  # the captured secret; Latin-1 text, so non-ASCII bytes are one char each
    start: int  # offsets of the secret in ``text``
    end: int
    text: str = field(default="", repr=False)  # the text the offsets refer to (shared, not copied)
    decoded: tuple[str, ...] = ()  # decoders applied to reach the value, outermost first
    partner: tuple[str, str] | None = None  # (rule id, value) of the paired ID or secret
    # (kind, rule id, value) of every other part of its credential: ID, secret, session token
    credential: tuple[tuple[str, str, str], ...] = ()
    # What admitted it, for a rule with context: "id", "line", "nearby", "file", "path",
    # "call" (an SDK call's argument); empty when the pattern alone is the evidence.
    context: tuple[str, ...] = ()

    def char_after(self) -> str:
        return self.text[self.end : self.end + 1]

    def char_before(self) -> str:
        return self.text[self.start - 1 : self.start] if self.start else ""
