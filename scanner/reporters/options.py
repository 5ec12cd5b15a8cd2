"""What a reporter needs to know besides the result."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.rules.schema import Provider, Rule


@dataclass(frozen=True)
class ReportOptions:
    show_secrets: bool = False
    color: bool = False
    verbose: bool = False  # list every skipped input, not only a count
    show_suppressed: bool = False  # list triaged findings too, not only their counts
    providers: dict[str, Provider] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()  # every rule that ran (SARIF describes each)
    tool_version: str = ""


def printable(text: str) -> str:
    """Text any report can be written with: undecodable bytes of a file name (kept as lone
    surrogates since the scan) become ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
