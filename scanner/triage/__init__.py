"""Triage that sticks: configuration allowlists, ``.keysweepignore`` entries and a baseline
move matching findings out of the report into ``suppressed``, where they are counted (and
listed with --show-suppressed) instead of failing the build again."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import regex

from scanner.app.settings import Allowlist, Settings
from scanner.models import Finding, ScanResult, Suppressed
from scanner.sources.files import is_excluded
from scanner.triage.baseline import Baseline

IGNORE_FILE = ".keysweepignore"
# rule:path:hash-prefix, optionally after a commit: the ``fingerprint`` of a finding
_FINGERPRINT = re.compile(r"(?:[0-9a-f]{40}:)?[a-z0-9]+(?:-[a-z0-9]+)*:.+:[0-9a-f]{16}")


@dataclass(frozen=True)
class IgnoreFile:
    fingerprints: frozenset[str] = frozenset()
    paths: tuple[str, ...] = ()
    source: str = ""


def find_ignore_file(start: Path) -> Path | None:
    here = (start if start.is_dir() else start.parent).resolve()
    for directory in (here, *here.parents):
        if (directory / IGNORE_FILE).is_file():
            return directory / IGNORE_FILE
        if (directory / ".git").exists():
            return None
    return None


def load_ignore_file(path: Path) -> IgnoreFile:
    """One entry a line: a finding's fingerprint, or a path glob; ``#`` starts a comment."""
    fingerprints, paths = set(), []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        entry = raw.split(" #", 1)[0].strip()
        if not entry or entry.startswith("#"):
            continue
        if _FINGERPRINT.fullmatch(entry):
            fingerprints.add(entry)
        else:
            paths.append(entry)
    return IgnoreFile(frozenset(fingerprints), tuple(paths), str(path))


def apply(result: ScanResult, settings: Settings, ignore: IgnoreFile | None,
          baseline: Baseline | None) -> ScanResult:
    kept: list[Finding] = []
    for f in result.findings:
        reason = (_allowlisted(f, settings) and "allowlist") or \
                 (ignore is not None and _ignored(f, ignore) and "ignore file") or \
                 (baseline is not None and f in baseline and "baseline") or None
        if reason:
            result.suppressed.append(Suppressed(f, reason))
        else:
            kept.append(f)
    return replace(result, findings=kept)


def _allowlisted(f: Finding, settings: Settings) -> bool:
    lists = [settings.allowlist]
    if f.rule_id in settings.rule_allowlists:
        lists.append(settings.rule_allowlists[f.rule_id])
    return any(_matches(f, allow) for allow in lists)


def _matches(f: Finding, allow: Allowlist) -> bool:
    path = f.location.path
    if allow.paths and (is_excluded(path, allow.paths)
                        or is_excluded(path.split("!", 1)[0], allow.paths)):
        return True
    if any(regex.search(p, f.secret) for p in allow.regexes):
        return True
    lowered = f.secret.lower()
    return any(w in lowered for w in allow.stopwords)


def _ignored(f: Finding, ignore: IgnoreFile) -> bool:
    fingerprint = f.fingerprint
    bare = fingerprint.split(":", 1)[1] if f.location.commit else fingerprint
    if fingerprint in ignore.fingerprints or bare in ignore.fingerprints:
        return True
    path = f.location.path
    return bool(ignore.paths) and (is_excluded(path, ignore.paths)
                                   or is_excluded(path.split("!", 1)[0], ignore.paths))
