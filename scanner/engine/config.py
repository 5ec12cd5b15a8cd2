"""ScanConfig: every setting of a scan in one frozen value, passed down explicitly (no
module-level settings)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from scanner.rules.loader import RuleSet, load_rules
from scanner.sources.archives import ArchiveLimits
from scanner.sources.inputs import ReadOptions


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ScanConfig:
    rules: RuleSet = field(default_factory=load_rules)
    jobs: int = field(default_factory=default_jobs)
    excludes: tuple[str, ...] = ()
    default_excludes: bool = True
    engine: str = "auto"  # prefilter: auto | hyperscan | pyahocorasick
    decode_depth: int = 2  # nested encodings (base64 in base64) to peel; 0 disables decoding
    read: ReadOptions = field(default_factory=ReadOptions)
    regex_timeout: float = 2.0
    explain: bool = False  # keep dropped candidates and their reasons
    # Where the compiled prefilter is kept between runs (None: compiled every start).
    prefilter_cache: Path | None = None

    @staticmethod
    def limits(max_depth: int = 3, max_members: int = 10_000, max_total_mb: int = 1024,
               max_ratio: float = 100.0) -> ArchiveLimits:
        return ArchiveLimits(max_depth, max_members, max_total_mb << 20, max_ratio)
