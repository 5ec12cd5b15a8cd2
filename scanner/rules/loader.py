"""Find and load rule files (built-in ``patterns/`` plus user files) into one RuleSet, and
check the references between rules."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from scanner.cachedir import remembered
from scanner.errors import RuleError
from scanner.filters import CHECKS, FILTER_NAMES, PlaceholderData
from scanner.filters import placeholders as placeholder_filter
from scanner.rules import schema
from scanner.rules.schema import Provider, Rule, load_rule_file

PLACEHOLDERS_FILE = "placeholders.toml"
CANARIES_FILE = "canaries.toml"  # verification data (scanner/verifiers/aws.py), not rules
DATA_FILES = (PLACEHOLDERS_FILE, CANARIES_FILE)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    providers: dict[str, Provider] = field(hash=False)
    placeholders: PlaceholderData = PlaceholderData()
    # What the rules were made from (the files' bytes, the selection): equal fingerprints,
    # equal rules. Empty for a RuleSet built by hand, which nothing derived is cached for.
    fingerprint: str = field(default="", compare=False)

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def select(self, enabled: Iterable[str] = (), disabled: Iterable[str] = ()) -> RuleSet:
        """A copy with only the enabled rules (all when none are named) minus the disabled."""
        want, drop = set(enabled), set(disabled)
        unknown = (want | drop) - set(self.by_id())
        if unknown:
            raise RuleError(f"unknown rule id {sorted(unknown)[0]!r}")
        rules = tuple(r for r in self.rules if (not want or r.id in want) and r.id not in drop)
        fingerprint = hashlib.sha256(repr((self.fingerprint, sorted(want), sorted(drop)))
                                     .encode()).hexdigest()[:32] if self.fingerprint else ""
        return RuleSet(rules, self.providers, self.placeholders, fingerprint)


def builtin_patterns_dir() -> Path:
    """The rule files shipped in the wheel, or the checkout's ``patterns/`` when running from
    source."""
    here = Path(__file__).resolve().parents[1]  # the installed package (never a zip)
    shipped = here / "patterns"
    return shipped if shipped.is_dir() else here.parent / "patterns"


def load_rules(extra_files: Sequence[str | Path] = (), builtin: bool = True,
               strict: bool = False, cache: Path | None = None) -> RuleSet:
    """The built-in rules plus ``extra_files``. Users' files always have their regexes
    compiled and checked here; the built-in ones only with ``strict`` (the test suite and
    ``keysweep rules check`` do), otherwise each compiles when first needed. ``cache``: a
    private directory where the parsed built-in rules are kept, keyed by the files' bytes
    (parsing 74 TOML files is a third of a hook's start)."""
    files: list[tuple[Path, bool]] = []
    real: dict[Path, Path] = {}  # each file's resolved path: one file named twice loads once
    shipped: Path | None = None
    if builtin:
        directory = builtin_patterns_dir()
        if not directory.is_dir():
            raise RuleError(f"built-in rules not found at {directory}; reinstall keysweep")
        files.extend((p, strict) for p in sorted(directory.glob("*.toml"))
                     if p.name not in DATA_FILES)
        # The directory resolved once, not each of its files (a hook's start pays for each).
        resolved = directory.resolve()
        real.update((p, resolved / p.name) for p, _ in files)
        placeholders = _cached_placeholders(directory / PLACEHOLDERS_FILE, cache)
        shipped = directory
    else:
        placeholders = PlaceholderData()
    for extra in extra_files:
        path = Path(extra)
        if path.is_dir():
            files.extend((p, True) for p in sorted(path.glob("*.toml"))
                         if p.name not in DATA_FILES)
            if not builtin and (path / PLACEHOLDERS_FILE).is_file():
                # A whole rules directory in place of the built-in one brings its own data.
                placeholders = load_placeholders(path / PLACEHOLDERS_FILE)
        elif path.is_file():
            files.append((path, True))
        else:
            raise RuleError(f"rule file not found: {path}")
    providers: dict[str, Provider] = {}
    rules: list[Rule] = []
    # ``rules check patterns/aws.toml`` names a built-in file: load it once, checked.
    unique: dict[Path, tuple[Path, bool]] = {}
    for path, check in files:
        key = real.get(path) or path.resolve()
        first = unique.setdefault(key, (path, check))
        unique[key] = (first[0], first[1] or check)
    contents = {path: path.read_bytes() for path, _ in unique.values()}
    builtin_files = [p for p, check in unique.values() if not check and p.parent == shipped]
    loaded = dict(_cached(builtin_files, contents, cache)) if builtin_files and cache else {}
    for path, check in unique.values():
        provider, file_rules = loaded.get(path) or load_rule_file(path, check_regex=check)
        providers.setdefault(provider.id, provider)
        rules.extend(file_rules)
    documented = {v for p in providers.values() for v in p.known_values}
    if documented:
        placeholders = replace(placeholders,
                               known_values=placeholders.known_values | documented)
    digest = hashlib.sha256(Path(schema.__file__).read_bytes() + repr((
        sorted(placeholders.known_values), placeholders.example_suffixes, placeholders.words,
        placeholders.min_run, placeholders.min_sequence)).encode())
    for path, data in contents.items():
        digest.update(str(path).encode() + b"\0" + data + b"\0")
    ruleset = RuleSet(tuple(rules), providers, placeholders, digest.hexdigest()[:32])
    check_references(ruleset)
    return ruleset


def _cached(files: list[Path], contents: dict[Path, bytes],
            cache: Path) -> list[tuple[Path, tuple[Provider, list[Rule]]]]:
    """The parsed ``files``, from ``cache`` when the same bytes were parsed before (with
    the same schema); else parsed and kept there. Any problem with the cache only means
    parsing."""
    digest = hashlib.sha256(Path(schema.__file__).read_bytes())
    for path in files:
        digest.update(path.name.encode() + b"\0" + contents[path] + b"\0")
    return remembered(cache / f"rules-{digest.hexdigest()[:32]}.pickle",
                      lambda: [(path, load_rule_file(path, check_regex=False)) for path in files],
                      lambda loaded: [p for p, _ in loaded] == files)


def _cached_placeholders(path: Path, cache: Path | None) -> PlaceholderData:
    """The built-in placeholder data, from ``cache`` when the same bytes were read before
    (then a start parses no TOML at all)."""
    if cache is None:
        return load_placeholders(path)
    try:
        data = path.read_bytes()
    except OSError:
        return load_placeholders(path)  # which says what is wrong
    code = Path(placeholder_filter.__file__).read_bytes()
    digest = hashlib.sha256(data + code).hexdigest()[:32]
    return remembered(cache / f"placeholders-{digest}.pickle", lambda: load_placeholders(path))


def load_placeholders(path: Path) -> PlaceholderData:
    import tomllib  # here: a start with its rules and this data cached parses no TOML

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("placeholders", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path}: cannot load placeholder data: {exc}") from exc
    return PlaceholderData(
        known_values=frozenset(data.get("known_values", ())),
        example_suffixes=tuple(data.get("example_suffixes", ())),
        words=tuple(w.lower() for w in data.get("words", ())),
        min_run=int(data.get("min_run", 4)),
        min_sequence=int(data.get("min_sequence", 5)),
    )


def check_references(ruleset: RuleSet) -> None:
    """Ids are unique; context ids, overrides, checks and filters name things that exist."""
    seen: dict[str, Rule] = {}
    for rule in ruleset.rules:
        if rule.id in seen:
            raise RuleError(
                f"{rule.source}: rule {rule.id}: id already defined in {seen[rule.id].source}")
        seen[rule.id] = rule
    for rule in ruleset.rules:
        where = f"{rule.source}: rule {rule.id}"
        refs = (list(rule.overrides) + list(rule.context.ids if rule.context else ())
                + list(rule.token_for))
        for ref in refs:
            if ref not in seen:
                raise RuleError(f"{where}: refers to unknown rule {ref!r}")
        for name in rule.checks:
            if name not in CHECKS:
                raise RuleError(f"{where}: unknown check {name!r} (known: {', '.join(CHECKS)})")
        for name in rule.skip_filters:
            if name not in FILTER_NAMES:
                raise RuleError(f"{where}: unknown filter {name!r} in skip_filters")
    for provider in ruleset.providers.values():
        for call in provider.calls:
            for ref in filter(None, call.args):
                if ref not in seen:
                    raise RuleError(f"provider {provider.id}: call {call.name}: "
                                    f"unknown rule {ref!r}")
                if seen[ref].value is None:
                    raise RuleError(f"provider {provider.id}: call {call.name}: rule {ref} "
                                    "needs a value pattern")
