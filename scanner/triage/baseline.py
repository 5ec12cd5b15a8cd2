"""Baselines: the findings a team has already triaged, recorded so a scan reports and fails
only on new ones. Entries are keyed by rule and secret hash, so moving code, renaming a file
or adding lines above an old finding does not make it new; paths are kept as context only.
No raw secret is stored. The file is stable-sorted so two branches' updates merge cleanly."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.models import Finding

BASELINE_FILE = ".keysweep-baseline.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    keys: frozenset[tuple[str, str]]
    source: str = ""

    def __contains__(self, f: object) -> bool:
        return isinstance(f, Finding) and key(f) in self.keys


def key(f: Finding) -> tuple[str, str]:
    return (f.rule_id, f.secret_sha256)


def build(findings: Iterable[Finding]) -> dict[str, Any]:
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for f in findings:
        entry = entries.setdefault(key(f), {"rule_id": f.rule_id,
                                            "secret_sha256": f.secret_sha256,
                                            "redacted": f.redacted, "paths": set()})
        entry["paths"].add(f.location.path)
    return {
        "version": FORMAT_VERSION,
        "tool": "keysweep",
        "entries": [dict(e, paths=sorted(e["paths"])) for _, e in sorted(entries.items())],
    }


def render(doc: dict[str, Any]) -> str:
    import json  # here: a run without a baseline (most hooks) never needs it

    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write(path: str | Path, doc: dict[str, Any]) -> None:
    """Atomically, and 0600 whatever the umask: entries name secrets (redacted) and where
    they are. (git records no read bits, so a committed baseline is unaffected.)"""
    tmp = f"{path}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a stale .tmp may have been wider
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(render(doc))
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write baseline {path}: {exc.strerror}") from exc


def load(path: str | Path) -> Baseline:
    import json

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not a keysweep baseline (invalid JSON: {exc})") from exc
    if not isinstance(doc, dict) or doc.get("tool") != "keysweep" or \
            not isinstance(doc.get("entries"), list):
        raise ConfigError(f"{path}: not a keysweep baseline")
    try:
        keys = frozenset((e["rule_id"], e["secret_sha256"]) for e in doc["entries"])
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: baseline entry without rule_id/secret_sha256") from exc
    return Baseline(keys, str(path))


def changes(old: Baseline | None, doc: dict[str, Any]) -> tuple[int, int]:
    """How many entries an update adds and drops."""
    new = {(e["rule_id"], e["secret_sha256"]) for e in doc["entries"]}
    before = old.keys if old else frozenset()
    return len(new - before), len(before - new)
