"""Allowlists from the project configuration: a finding is allowed by its path (gitignore-style
globs), or by its secret (a regex match, or a stopword in it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.matching.paths import PathMatcher
from scanner.models import Finding


@dataclass(frozen=True)
class Allowlist:
    paths: tuple[str, ...] = ()  # gitignore-style globs, relative to the scan root
    regexes: tuple[str, ...] = ()  # a secret matching any of these is allowed
    stopwords: tuple[str, ...] = ()  # a secret containing any of these (any case) is allowed
    matcher: PathMatcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Compiled once per run, not once per finding.
        object.__setattr__(self, "matcher", PathMatcher(self.paths))

    def allows(self, f: Finding) -> bool:
        if self.matcher.matches(f.location.path):
            return True
        if self.regexes:
            import regex  # imported by the first allowlist with regexes, not by every start

            if any(regex.search(p, f.secret) for p in self.regexes):
                return True
        lowered = f.secret.lower()
        return any(w in lowered for w in self.stopwords)
