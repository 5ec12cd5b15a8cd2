"""What a reporter needs to know besides the result."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.rules.schema import Provider, Rule


@dataclass(frozen=True)
class RepoInfo:
    """One repository of a sweep, as a report lists it."""

    name: str
    web_url: str | None = None  # its code-host page (``codehost.web_base``), if known
    last_scanned: str | None = None  # ISO time the latest successful scan finished


@dataclass(frozen=True)
class ReportScope:
    """What was scanned, for a report's header and links."""

    target: str = ""  # for people: "git history of ./app (all refs)", "3 paths", "sweep.db"
    repository: str | None = None  # the one repository a git/ci scan read (a name for people)
    # code-host web address per repository name; "" is a git/ci scan's own repository
    web_urls: dict[str, str] = field(default_factory=dict)
    repositories: tuple[RepoInfo, ...] = ()  # a sweep's repositories (report --db)


@dataclass(frozen=True)
class ReportOptions:
    show_secrets: bool = False
    color: bool = False
    verbose: bool = False  # list every skipped input, not only a count
    show_suppressed: bool = False  # list triaged findings too, not only their counts
    providers: dict[str, Provider] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()  # every rule that ran (SARIF describes each)
    tool_version: str = ""
    scope: ReportScope = ReportScope()
    generated_at: str = ""  # ISO time the report was made


def printable(text: str) -> str:
    """Text any report can be written with: undecodable bytes of a file name (kept as lone
    surrogates since the scan) become ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# Characters that would let a file name forge lines or reorder text on a terminal: C0 and
# C1 controls, DEL, line/paragraph separators and the bidirectional overrides.
_HIDDEN = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7f, 0xa0))}
_HIDDEN.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_HIDDEN.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, *range(0x202a, 0x202f),
                                             *range(0x2066, 0x206a))})


def shown_path(path: str) -> str:
    """A path for a line of human-facing text: printable, with every control character
    escaped, so a name holding a newline cannot split or forge a report line."""
    return printable(path).translate(_HIDDEN)
