"""Values that flow between the stages: frozen dataclasses, no behaviour beyond derived fields."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NewType, TypeVar

from scanner.redact import redact

RuleId = NewType("RuleId", str)


def sha256_hex(value: str) -> str:
    """Hex SHA-256 of the exact secret string (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()


T = TypeVar("T")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Pickled as its class and its field values in order: a frozen dataclass with slots
    is otherwise pickled through a state that looks its fields up for every object, and
    findings cross from worker processes by the thousand (2.4x faster to unpickle), as
    the parsed rules come back from their cache at every start."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def reduce(self: Any) -> tuple[Callable[..., T], tuple[Any, ...]]:
        return cls, tuple([getattr(self, name) for name in names])

    setattr(cls, "__reduce__", reduce)  # noqa: B010 - a slots class: set after it is made
    return cls


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a chunk of text comes from: a file path (``a.zip!inner/x`` inside archives), or a
    git blob seen at a path in a commit."""

    path: str
    commit: str | None = None
    author: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of one input. ``text`` is the input's bytes decoded as Latin-1, so one character
    is one byte and offsets are byte offsets (UTF-16 input is transcoded to UTF-8 first).

    Consecutive chunks of a large input overlap; a chunk owns the candidates that start in
    ``[own_from, own_to)`` so each one is reported exactly once."""

    origin: Origin
    text: str
    first_line: int = 0  # number of line breaks in the input before text[0]
    first_column: int = 0  # characters of text[0]'s line that precede the chunk
    own_from: int = 0
    own_to: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Location:
    path: str
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int  # 1-based, exclusive
    commit: str | None = None
    author: str | None = None
    date: str | None = None
    in_head: bool | None = None
    repository: str | None = None  # set by sweeps: which repository
    owner: str | None = None  # set by sweeps: the last committer of the path


class _KeptSecret:
    """The hash and the redacted form of a raw secret, or what a store kept of them when
    the raw value is gone (``secret`` empty, ``digest``/``shown`` set)."""

    __slots__ = ()
    secret: str
    digest: str | None
    shown: str | None

    @property
    def secret_sha256(self) -> str:
        return self.digest or sha256_hex(self.secret)

    @property
    def redacted(self) -> str:
        return self.shown or redact(self.secret)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Pairing(_KeptSecret):
    """Another part of a finding's credential: the ID for a secret, the secret for an ID, the
    session token of a temporary credential, or another named part of it (``kind`` says
    which: id, secret, private_key, token, or the rule's ``part`` name: tenancy, region).
    ``digest`` is the value's hash, taken where it is found; read back from a store,
    ``secret`` is empty and ``digest``/``shown`` hold what was kept."""

    rule_id: str
    secret: str = field(repr=False)
    digest: str | None = None
    shown: str | None = None
    kind: str = ""


# Severities, worst first. "root" is above critical: a cloud account's own (root) key, which
# can do everything; only verification says so (``Verification.root``).
SEVERITY_ORDER = ("root", "critical", "high", "medium", "low", "info")


@dataclass(frozen=True, slots=True)
class Fact:
    """One thing verification learned about what a live key is and can reach (its blast
    radius), from read-only calls made with the key itself."""

    name: str  # stable id: identity_type, policy, console_access, mfa, access_keys, ...
    value: str  # for people: "AdministratorAccess (via group admins)", "not permitted"
    # How bad it is: critical | high | medium | low | info, or "good" (least privilege shows:
    # a call the key may not make is "not permitted", a good sign, never an error)
    risk: str = "info"


@dataclass(frozen=True, slots=True)
class Verification:
    status: str  # active | inactive | unknown | skipped
    reason: str | None = None
    identity: dict[str, str] | None = None
    facts: tuple[Fact, ...] = ()
    root: bool = False  # the account's own key: the finding's severity becomes "root"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Finding(_KeptSecret):
    rule_id: str
    rule_name: str
    provider: str
    kind: str
    severity: str
    secret: str = field(repr=False)
    location: Location
    paired_with: Pairing | None = None
    # Every other part of the credential this finding is one part of (ID, secret, session
    # token), with their kinds: what verification needs for a temporary credential.
    credential: tuple[Pairing, ...] = ()
    decoded: tuple[str, ...] = ()  # encodings peeled off to reach the secret, outermost first
    tags: tuple[str, ...] = ()
    # What admitted a rule that needs context: "id", "line", "nearby", "file", "path",
    # "call"; empty when the pattern alone is the evidence.
    context: tuple[str, ...] = ()
    verification: Verification | None = None
    # The secret's SHA-256, taken once where the finding is made. Read back from a store
    # the raw secret is gone (``secret`` is empty): these hold what was kept of it.
    digest: str | None = None
    shown: str | None = None

    @property
    def confidence(self) -> str:
        """"medium" when only the file (an SDK import, a path) vouched for the value."""
        return "medium" if self.context and set(self.context) <= {"file", "path"} else "high"

    @property
    def fingerprint(self) -> str:
        """Identifies one location of one secret, without line numbers, so it survives code
        moving within a file: ``rule:path:sha256-prefix`` (the commit is added for history)."""
        parts = [self.rule_id, self.location.path, self.secret_sha256[:16]]
        if self.location.commit:
            parts.insert(0, self.location.commit)
        return ":".join(parts)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Skipped:
    """An input, or part of one, that was not scanned, and why."""

    path: str
    reason: str

    @property
    def counted_only(self) -> bool:
        """Skipped by design (a binary, a default exclude): counted in reports, listed only
        with --verbose; anything else is a read error the user may have to act on."""
        return self.reason in BINARY_SKIPS or self.reason == DEFAULT_EXCLUDED


BINARY_FILE_TYPE = "binary file type"
BINARY_CONTENT = "binary content"
BINARY_SKIPS = (BINARY_CONTENT, BINARY_FILE_TYPE)
DEFAULT_EXCLUDED = "default exclude"


UNEXPECTED = "unexpected error"  # the reason's prefix for a failure nobody anticipated


def unexpected(exc: BaseException) -> str:
    """The skip reason for an error no code path expected: contained at its input (the scan
    goes on) and counted, with the exception's type to report it by. Not its message: that
    may quote the input, and a report must not carry a secret it did not mean to."""
    return f"{UNEXPECTED} ({type(exc).__name__}); please report it"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Suppressed:
    """A real finding the user has triaged away: ``reason`` is one of SUPPRESSION_REASONS."""

    finding: Finding
    reason: str


SUPPRESSION_REASONS = ("inline allow", "ignore file", "baseline", "allowlist")


@dataclass(frozen=True, slots=True)
class Dropped:
    """A candidate a filter rejected; shown by ``--explain``."""

    rule_id: str
    path: str
    line: int
    column: int
    redacted: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanStats:
    files: int = 0  # files, or git objects (blobs and commit messages), or repositories
    unit: str = "file"  # what ``files`` counts, for human-facing summaries
    bytes: int = 0
    skipped: int = 0
    dropped: int = 0
    seconds: float = 0.0
    engine: str = ""


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan found: a frozen value, passed from stage to stage; a stage that changes
    it (triage, verification) returns a new one (``dataclasses.replace``)."""

    # Any sequence may be given; a tuple is kept (see __post_init__).
    findings: Sequence[Finding] = ()
    skipped: Sequence[Skipped] = ()
    dropped: Sequence[Dropped] = ()
    stats: ScanStats = ScanStats()
    missing: Sequence[str] = ()  # paths the user named that do not exist
    suppressed: Sequence[Suppressed] = ()

    def __post_init__(self) -> None:
        # Any sequence in, a tuple kept: nothing downstream can change what a stage produced.
        for name in ("findings", "skipped", "dropped", "missing", "suppressed"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))


@dataclass(slots=True)
class ResultBuilder:
    """A result while one stage builds it (the engine appends as it scans); ``build`` makes
    the frozen value it hands on."""

    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0

    def add(self, result: ScanResult) -> None:
        self.findings.extend(result.findings)
        self.suppressed.extend(result.suppressed)
        self.skipped.extend(result.skipped)
        self.dropped.extend(result.dropped)
        self.files += result.stats.files
        self.bytes += result.stats.bytes

    def build(self, unit: str = "file", engine: str = "", seconds: float = 0.0) -> ScanResult:
        return ScanResult(tuple(self.findings), tuple(self.skipped), tuple(self.dropped),
                          ScanStats(files=self.files, unit=unit, bytes=self.bytes,
                                    skipped=len(self.skipped), dropped=len(self.dropped),
                                    seconds=seconds, engine=engine),
                          tuple(self.missing), tuple(self.suppressed))
