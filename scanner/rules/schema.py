"""The rule file format: parse and validate one TOML file into Provider and Rule values.

Every error names the file and, where there is one, the rule id."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import RuleError
from scanner.models import pickled_by_fields

KINDS = ("id", "secret", "token", "private_key")
SEVERITIES = ("critical", "high", "medium", "low", "info")
REQUIREMENTS = ("id-or-words", "id", "words", "id-and-words")
PART_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
RESERVED_PARTS = ("id", "secret", "private_key")  # the ID and the secret are not joining parts
RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DEFAULT_WINDOW = 1024


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Example:
    text: str
    secret: str | None = None  # None for counterexamples
    paired_with: str | None = None  # the partner value the example's finding must carry
    token: str | None = None  # the session token the example's finding must carry
    why: str = ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Context:
    """A secret (or ID) that only counts near an ID of the listed rules and/or near one of
    the context words, within ``within_lines`` lines."""

    ids: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    within_lines: int = 5
    require: str = "id-or-words"
    # Whether the provider's file context (an SDK import, a path) may stand in for the
    # words: not when the words are a companion the key needs (the email beside a key).
    file: bool = True


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FileContext:
    """What makes a whole file about a provider: an SDK import or package name, an endpoint
    domain, a Terraform provider name anywhere in it (``words``), or a path segment naming
    the provider (``paths``). A rule whose context words are not near a value is still
    admitted in such a file, at lower confidence."""

    words: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Call:
    """A client constructor or function that takes credentials positionally: its string
    arguments, in order, are values of the ``args`` rules (an empty id skips one)."""

    name: str
    args: tuple[str, ...]
    # Only in a file that is about the provider (its ``[file_context]``): for a name other
    # SDKs use too (``Client``, ``Auth``, ``Credential``).
    file_context: bool = False


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    remediation: str
    references: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # The provider's own documentation examples: dropped wherever they appear.
    known_values: tuple[str, ...] = ()
    file_context: FileContext = FileContext()
    calls: tuple[Call, ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    provider: str
    kind: str
    severity: str
    keywords: tuple[str, ...]  # lower-case; matched in any case
    regex: str
    source: str  # the file the rule came from, for messages
    description: str = ""
    secret_group: int = 1
    min_entropy: float | None = None
    checks: tuple[str, ...] = ()
    skip_filters: tuple[str, ...] = ()
    context: Context | None = None
    overrides: tuple[str, ...] = ()
    window: int = DEFAULT_WINDOW
    multiline: bool = False  # the match may span lines: the regex runs +-window bytes
    # Keywords that count only as written: ``STS.``, not the ``sts.`` in every ``requests.``.
    exact_keywords: tuple[str, ...] = ()
    verify: str | None = None
    # The value alone, without what surrounds it (``[0-9a-f]{32}``): how a value found by
    # shape (an SDK call's argument) is recognised as this rule's.
    value: str | None = None
    # Set on rules derived from the provider's data rather than written (``calls``): the
    # shape that found the value, which is then its context.
    shape: str = ""
    # A session-token rule: the ID rules whose temporary IDs this token completes, so an ID,
    # its secret and a token within ``within_lines`` of the ID are one credential.
    token_for: tuple[str, ...] = ()
    # With ``token_for``: the name of the part of the ID's credential this value is ("token",
    # the session token, unless the rule says otherwise: "tenancy", "region", ...). Several
    # parts with different names can join one ID.
    part: str = "token"
    # False for a value that completes a credential but is no secret by itself: a part (a
    # tenancy OCID, a region) joins its ID's credential, an ID (a storage account name, a
    # service account's e-mail) is its secret's ``paired_with``; neither is reported alone.
    report: bool = True
    examples: tuple[Example, ...] = ()
    counterexamples: tuple[Example, ...] = ()

    def mentions_keyword(self, text: str) -> bool:
        """Whether ``text`` holds one of the rule's keywords, as the prefilter sees them."""
        lowered = text.lower()
        return (any(k in lowered for k in self.keywords)
                or any(k in text for k in self.exact_keywords))


_PROVIDER_KEYS = {"provider", "name", "remediation", "references", "rules", "data",
                  "known_values", "file_context", "calls"}
_FILE_CONTEXT_KEYS = {"words", "paths"}
_CALL_KEYS = {"name", "args", "file_context"}
GENERIC_CALL = re.compile(r"[A-Za-z_]\w{0,9}")  # short and unqualified: many SDKs' name
_RULE_KEYS = {
    "id", "name", "kind", "severity", "keywords", "regex", "description", "secret_group",
    "min_entropy", "checks", "skip_filters", "context", "overrides", "window", "multiline",
    "verify", "exact_keywords", "token_for", "part", "report", "value",
    "examples", "counterexamples",
}
_CONTEXT_KEYS = {"ids", "words", "within_lines", "require", "file"}
_EXAMPLE_KEYS = {"text", "secret", "paired_with", "token"}
_COUNTEREXAMPLE_KEYS = {"text", "why"}


def load_rule_file(path: Path, check_regex: bool = True) -> tuple[Provider, list[Rule]]:
    """``check_regex=False`` skips compiling the regexes (the built-in rules, which the test
    suite compiles and runs, load faster: a pre-push hook has half a second)."""
    import tomllib  # here, as regex below: a start whose rules come from the cache needs neither

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleError(f"cannot read rule file {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from exc
    return parse_rule_file(data, str(path), check_regex)


def parse_rule_file(data: dict[str, Any], source: str,
                    check_regex: bool = True) -> tuple[Provider, list[Rule]]:
    _no_unknown_keys(data, _PROVIDER_KEYS, source, "file")
    provider_id = _require(data, "provider", str, source, "file")
    provider = Provider(
        id=provider_id,
        name=_optional(data, "name", str, source, "file") or provider_id,
        remediation=_optional(data, "remediation", str, source, "file")
        or "Revoke the credential with its issuer, then rotate it everywhere it is used.",
        references=tuple(_optional(data, "references", list, source, "file") or ()),
        data=_optional(data, "data", dict, source, "file") or {},
        known_values=_strings(data, "known_values", source, "file"),
        file_context=_parse_file_context(data.get("file_context"), source),
        calls=_parse_calls(data.get("calls"), source),
    )
    raw_rules = _optional(data, "rules", list, source, "file") or []
    rules = [_parse_rule(raw, provider_id, source, check_regex) for raw in raw_rules]
    return provider, rules


def _parse_rule(raw: Any, provider: str, source: str, check_regex: bool) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: every [[rules]] entry must be a table")
    rule_id = _require(raw, "id", str, source, "rule")
    where = f"rule {rule_id}"
    if not RULE_ID.match(rule_id):
        raise RuleError(f"{source}: {where}: id must be kebab-case (a-z, 0-9 and '-')")
    _no_unknown_keys(raw, _RULE_KEYS, source, where)
    kind = _require(raw, "kind", str, source, where)
    if kind not in KINDS:
        raise RuleError(f"{source}: {where}: kind must be one of {', '.join(KINDS)}")
    severity = _optional(raw, "severity", str, source, where) or "high"
    if severity not in SEVERITIES:
        raise RuleError(f"{source}: {where}: severity must be one of {', '.join(SEVERITIES)}")
    keywords = tuple(_optional(raw, "keywords", list, source, where) or ())
    exact = tuple(_optional(raw, "exact_keywords", list, source, where) or ())
    if any(not isinstance(k, str) or not k or k != k.lower() for k in keywords):
        raise RuleError(f"{source}: {where}: keywords must be non-empty lower-case strings "
                        "(exact_keywords takes ones to match as written)")
    if any(not isinstance(k, str) or not k for k in exact):
        raise RuleError(f"{source}: {where}: exact_keywords must be non-empty strings")
    if not keywords and not exact:
        raise RuleError(f"{source}: {where}: needs keywords or exact_keywords")
    if {k.lower() for k in exact} & set(keywords):
        raise RuleError(f"{source}: {where}: a keyword is in both keywords and exact_keywords")
    pattern = _require(raw, "regex", str, source, where)
    secret_group = _optional(raw, "secret_group", int, source, where) or 1
    if check_regex:
        import regex

        try:
            compiled = regex.compile(pattern)
        except regex.error as exc:
            raise RuleError(f"{source}: {where}: regex does not compile: {exc}") from exc
        if not 1 <= secret_group <= compiled.groups:
            raise RuleError(f"{source}: {where}: regex needs a capture group {secret_group}")
    value = _optional(raw, "value", str, source, where)
    if value is not None and check_regex:
        import regex

        try:
            groups = regex.compile(value).groups
        except regex.error as exc:
            raise RuleError(f"{source}: {where}: value does not compile: {exc}") from exc
        if groups:
            raise RuleError(f"{source}: {where}: value must not capture; use (?:...)")
    min_entropy = _optional(raw, "min_entropy", (int, float), source, where)
    window = _optional(raw, "window", int, source, where) or DEFAULT_WINDOW
    token_for = tuple(_optional(raw, "token_for", list, source, where) or ())
    if token_for and kind != "token":
        raise RuleError(f"{source}: {where}: token_for is only for rules of kind token")
    part = _optional(raw, "part", str, source, where)
    report = _optional(raw, "report", bool, source, where)
    if part is not None and not token_for:
        raise RuleError(f"{source}: {where}: part needs token_for (the ID rules whose "
                        "credential this value is a part of)")
    if report is False and not token_for and kind != "id":
        raise RuleError(f"{source}: {where}: report = false is for a part (with token_for) "
                        "or an ID that is no secret (kind id), which its secret carries")
    if part is not None and (not PART_NAME.match(part) or part in RESERVED_PARTS):
        raise RuleError(f"{source}: {where}: part must be a lower-case name (a-z, 0-9, _) "
                        f"other than {', '.join(RESERVED_PARTS)}")
    if not 16 <= window <= 65536:
        raise RuleError(f"{source}: {where}: window must be between 16 and 65536 bytes")
    return Rule(
        id=rule_id,
        name=_optional(raw, "name", str, source, where) or rule_id,
        provider=provider,
        kind=kind,
        severity=severity,
        keywords=keywords,
        regex=pattern,
        source=source,
        description=_optional(raw, "description", str, source, where) or "",
        secret_group=secret_group,
        min_entropy=float(min_entropy) if min_entropy is not None else None,
        checks=tuple(_optional(raw, "checks", list, source, where) or ()),
        skip_filters=tuple(_optional(raw, "skip_filters", list, source, where) or ()),
        context=_parse_context(raw.get("context"), source, where),
        overrides=tuple(_optional(raw, "overrides", list, source, where) or ()),
        window=window,
        multiline=bool(_optional(raw, "multiline", bool, source, where)),
        exact_keywords=exact,
        verify=_optional(raw, "verify", str, source, where),
        value=value,
        token_for=token_for,
        part=part or "token",
        report=True if report is None else report,
        examples=_parse_examples(raw, "examples", source, where),
        counterexamples=_parse_examples(raw, "counterexamples", source, where),
    )


def _parse_file_context(raw: Any, source: str) -> FileContext:
    if raw is None:
        return FileContext()
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: file_context must be a table")
    _no_unknown_keys(raw, _FILE_CONTEXT_KEYS, source, "file_context")
    words = _strings(raw, "words", source, "file_context")
    paths = _strings(raw, "paths", source, "file_context")
    if any(w != w.lower() for w in words + paths):
        raise RuleError(f"{source}: file_context: words and paths must be lower-case")
    return FileContext(words, paths)


def _parse_calls(raw: Any, source: str) -> tuple[Call, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or any(not isinstance(c, dict) for c in raw):
        raise RuleError(f"{source}: every [[calls]] entry must be a table")
    calls = []
    for i, item in enumerate(raw):
        where = f"calls[{i}]"
        _no_unknown_keys(item, _CALL_KEYS, source, where)
        name = _require(item, "name", str, source, where)
        args = tuple(_optional(item, "args", list, source, where) or ())
        if not name or not args or any(not isinstance(a, str) for a in args):
            raise RuleError(f"{source}: {where}: needs a name and args (rule ids, '' to skip)")
        in_file = bool(_optional(item, "file_context", bool, source, where))
        if GENERIC_CALL.fullmatch(name) and not in_file:
            raise RuleError(f"{source}: {where}: {name!r} is a name many SDKs use; qualify it "
                            "(pkg.Name) or set file_context = true")
        calls.append(Call(name, args, in_file))
    return tuple(calls)


def _parse_context(raw: Any, source: str, where: str) -> Context | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: {where}: context must be a table")
    _no_unknown_keys(raw, _CONTEXT_KEYS, source, f"{where} context")
    words = tuple(_optional(raw, "words", list, source, where) or ())
    if any(not isinstance(w, str) or w != w.lower() for w in words):
        raise RuleError(f"{source}: {where}: context words must be lower-case strings")
    ids = tuple(_optional(raw, "ids", list, source, where) or ())
    default = "id-or-words" if ids and words else ("id" if ids else "words")
    require = _optional(raw, "require", str, source, where) or default
    if require not in REQUIREMENTS:
        raise RuleError(f"{source}: {where}: context.require must be one of {REQUIREMENTS}")
    if ("id" in require and not ids) or ("words" in require and not words):
        raise RuleError(f"{source}: {where}: context.require={require} needs ids/words")
    within = _optional(raw, "within_lines", int, source, where)
    file = _optional(raw, "file", bool, source, where)
    return Context(ids=ids, words=words, within_lines=5 if within is None else within,
                   require=require, file=True if file is None else file)


def _parse_examples(raw: dict[str, Any], key: str, source: str, where: str) -> tuple[Example, ...]:
    items = _optional(raw, key, list, source, where) or []
    allowed = _EXAMPLE_KEYS if key == "examples" else _COUNTEREXAMPLE_KEYS
    out = []
    for i, item in enumerate(items):
        label = f"{where} {key}[{i}]"
        if not isinstance(item, dict):
            raise RuleError(f"{source}: {label} must be a table")
        _no_unknown_keys(item, allowed, source, label)
        text = _require(item, "text", str, source, label)
        if key == "examples":
            out.append(Example(text=text, secret=_require(item, "secret", str, source, label),
                               paired_with=_optional(item, "paired_with", str, source, label),
                               token=_optional(item, "token", str, source, label)))
        else:
            out.append(Example(text=text, why=_optional(item, "why", str, source, label) or ""))
    return tuple(out)


def _no_unknown_keys(raw: dict[str, Any], allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise RuleError(f"{source}: {where}: unknown key {unknown[0]!r}")


def _require(raw: dict[str, Any], key: str, typ: Any, source: str, where: str) -> Any:
    if key not in raw:
        raise RuleError(f"{source}: {where}: missing required key {key!r}")
    return _optional(raw, key, typ, source, where)


def _strings(raw: dict[str, Any], key: str, source: str, where: str) -> tuple[str, ...]:
    values = _optional(raw, key, list, source, where) or []
    if any(not isinstance(v, str) or not v for v in values):
        raise RuleError(f"{source}: {where}: {key!r} must be a list of non-empty strings")
    return tuple(values)


def _optional(raw: dict[str, Any], key: str, typ: Any, source: str, where: str) -> Any:
    value = raw.get(key)
    if value is not None and (not isinstance(value, typ) or
                              (isinstance(value, bool) and typ is not bool)):
        names = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
        raise RuleError(f"{source}: {where}: {key!r} must be a {names}")
    return value
