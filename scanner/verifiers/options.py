"""Settings of the verification stage (``--verify`` and friends)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_JOBS = 8
DEFAULT_TIMEOUT = 10.0
DEFAULT_CACHE_TTL = 24 * 3600.0


@dataclass(frozen=True)
class VerifyOptions:
    # provider -> base URL replacing its identity endpoint (private/VPC endpoints, other
    # partitions, tests); plain http is accepted only for loopback addresses
    endpoints: dict[str, str] = field(default_factory=dict)
    jobs: int = DEFAULT_JOBS  # concurrent calls
    timeout: float = DEFAULT_TIMEOUT  # seconds per call
    retries: int = 2  # extra attempts on throttling, 5xx and network errors
    cache: Path | None = None  # results cache (hashes and statuses only), None = no cache
    cache_ttl: float = DEFAULT_CACHE_TTL
