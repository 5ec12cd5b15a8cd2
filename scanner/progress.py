"""The Progress protocol: the core reports events, a UI (tqdm, in cli.py) renders them."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, total_bytes: int) -> None: ...

    def advance(self, nbytes: int, files: int) -> None: ...

    def finish(self) -> None: ...


class NullProgress:
    def start(self, total_bytes: int) -> None:
        pass

    def advance(self, nbytes: int, files: int) -> None:
        pass

    def finish(self) -> None:
        pass
