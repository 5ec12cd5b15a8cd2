"""The Progress protocol: the core reports events, a UI (tqdm, in cli.py) renders them."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, total_bytes: int) -> None:
        """Work begins; 0 when its size is not known yet, in which case ``start`` may be
        called again with it (a history's blob listing read while the scan runs)."""
        ...

    def advance(self, nbytes: int, files: int) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    def start(self, total_bytes: int) -> None:
        pass

    def advance(self, nbytes: int, files: int) -> None:
        pass

    def finish(self) -> None:
        pass
