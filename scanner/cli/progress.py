"""Progress bars on stderr (tqdm lives only in the CLI): bytes for scans, repositories for
sweeps. Each appears only if the work takes a while."""

from __future__ import annotations

import sys
from typing import Any


class TqdmProgress:
    """A byte-counting progress bar."""

    unit, desc = "B", "scanning"

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def start(self, total: int) -> None:
        if self.bar is not None:  # the total, now known
            self.bar.total = total or None
            self.bar.refresh()
            return
        if self.enabled:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked
            self.bar = tqdm(total=total or None, unit=self.unit, unit_scale=self.unit == "B",
                            file=sys.stderr, delay=1.0, desc=self.desc, leave=False)

    def advance(self, nbytes: int, files: int) -> None:
        if self.bar is not None:
            self.bar.update(nbytes)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()


class CountProgress(TqdmProgress):
    """Progress over repositories (a sweep), with bytes as a postfix."""

    unit, desc = "repo", "sweeping"

    def __init__(self, enabled: bool) -> None:
        super().__init__(enabled)
        self.bytes = 0

    def advance(self, nbytes: int, files: int) -> None:
        self.bytes += nbytes
        if self.bar is not None:
            self.bar.update(files)
            self.bar.set_postfix_str(f"{self.bytes / 1e6:.0f} MB", refresh=False)
