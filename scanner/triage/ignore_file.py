"""``.keysweepignore``: one entry a line, a finding's fingerprint or a gitignore-style path
glob; ``#`` starts a comment. Found at or above the scanned path, up to a repository root."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scanner.matching.paths import PathMatcher
from scanner.models import Finding

IGNORE_FILE = ".keysweepignore"
# rule:path:hash-prefix, optionally after a commit: the ``fingerprint`` of a finding
_FINGERPRINT = re.compile(
    r"(?:(?:[0-9a-f]{40}|[0-9a-f]{64}):)?[a-z0-9]+(?:-[a-z0-9]+)*:.+:[0-9a-f]{16}")


@dataclass(frozen=True)
class IgnoreFile:
    fingerprints: frozenset[str] = frozenset()
    paths: tuple[str, ...] = ()
    source: str = ""
    matcher: PathMatcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", PathMatcher(self.paths))

    def ignores(self, f: Finding) -> bool:
        fingerprint = f.fingerprint
        bare = fingerprint.split(":", 1)[1] if f.location.commit else fingerprint
        if fingerprint in self.fingerprints or bare in self.fingerprints:
            return True
        return self.matcher.matches(f.location.path)


def find_ignore_file(start: Path) -> Path | None:
    here = (start if start.is_dir() else start.parent).resolve()
    for directory in (here, *here.parents):
        if (directory / IGNORE_FILE).is_file():
            return directory / IGNORE_FILE
        if (directory / ".git").exists():
            return None
    return None


def load_ignore_file(path: Path) -> IgnoreFile:
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
