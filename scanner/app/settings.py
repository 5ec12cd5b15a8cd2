"""The project configuration file: ``keysweep.toml`` / ``.keysweep.toml`` at the repository
root, or ``[tool.keysweep]`` in ``pyproject.toml``, found upward from the scanned path.
Every key is checked: an unknown key or a bad value is a one-line error naming key and file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.redact import quoted
from scanner.triage.allowlist import Allowlist

__all__ = ["Allowlist", "ConfigError", "Settings", "find_config", "load_settings"]

CONFIG_NAMES = ("keysweep.toml", ".keysweep.toml")
FORMATS = ("text", "json", "jsonl", "sarif", "csv", "junit")


@dataclass(frozen=True)
class Settings:
    source: str | None = None  # the file these came from, None for defaults
    root: Path | None = None  # its directory: relative paths in it are relative to this
    rule_files: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    format: str | None = None
    fail_on: str | None = None
    exit_zero: bool | None = None
    baseline: str | None = None
    allowlist: Allowlist = Allowlist()
    rule_allowlists: dict[str, Allowlist] = field(default_factory=dict)


_TOP = {"extend_rules", "enable", "disable", "exclude", "format", "fail_on", "exit_zero",
        "baseline", "allowlist"}
_ALLOW = {"paths", "regexes", "stopwords", "rules"}


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start``; stops at a repository root."""
    here = (start if start.is_dir() else start.parent).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "tool" in _read(pyproject) and \
                "keysweep" in _read(pyproject)["tool"]:
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def load_settings(path: Path) -> Settings:
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("keysweep", {})
        where = f"{path} [tool.keysweep]"
    else:
        where = str(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a table")
    _unknown(data, _TOP, where)
    allow = data.get("allowlist", {})
    if not isinstance(allow, dict):
        raise ConfigError(f"{where}: 'allowlist' must be a table")
    _unknown(allow, _ALLOW, f"{where} [allowlist]")
    per_rule = allow.get("rules", {})
    if not isinstance(per_rule, dict):
        raise ConfigError(f"{where}: 'allowlist.rules' must be a table of rule ids")
    fmt = _opt(data, "format", str, where)
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"{where}: 'format' must be one of {', '.join(FORMATS)}, "
                          f"not {quoted(fmt)}")
    fail_on = _opt(data, "fail_on", str, where)
    if fail_on is not None and fail_on not in ("any", "active"):
        raise ConfigError(f"{where}: 'fail_on' must be 'any' or 'active', not {quoted(fail_on)}")
    return Settings(
        source=where,
        root=path.parent,
        rule_files=tuple(str(path.parent / f) for f in _strings(data, "extend_rules", where)),
        enable=_strings(data, "enable", where),
        disable=_strings(data, "disable", where),
        exclude=_strings(data, "exclude", where),
        format=fmt,
        fail_on=fail_on,
        exit_zero=_opt(data, "exit_zero", bool, where),
        baseline=_opt(data, "baseline", str, where),
        allowlist=_allowlist({k: v for k, v in allow.items() if k != "rules"},
                             f"{where} [allowlist]"),
        rule_allowlists={rule: _allowlist(table, f"{where} [allowlist.rules.{rule}]")
                         for rule, table in per_rule.items()},
    )


def _allowlist(table: Any, where: str) -> Allowlist:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    _unknown(table, _ALLOW - {"rules"}, where)
    regexes = _strings(table, "regexes", where)
    if regexes:
        import regex  # only a configuration with allowlist regexes pays for it
    for pattern in regexes:
        try:
            regex.compile(pattern)
        except regex.error as exc:
            raise ConfigError(f"{where}: bad regex {quoted(pattern)}: {exc.msg}") from exc
    return Allowlist(paths=_strings(table, "paths", where), regexes=regexes,
                     stopwords=tuple(w.lower() for w in _strings(table, "stopwords", where)))


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # only a run with a configuration file pays for it

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {key!r}")


def _opt(data: dict[str, Any], key: str, typ: type, where: str) -> Any:
    value = data.get(key)
    if value is not None and (not isinstance(value, typ) or
                              (typ is not bool and isinstance(value, bool))):
        raise ConfigError(f"{where}: {key!r} must be a {typ.__name__}, not {quoted(value)}")
    return value


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)
