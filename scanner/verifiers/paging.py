"""Reading every page of a provider's list call, with a cap, for the blast-radius calls.

Each provider pages its own way (AWS IAM: ``IsTruncated`` and an opaque ``Marker`` to send
back; Tencent CAM: ``Page``/``Rp`` and a ``TotalNum``), so the caller supplies two small
functions: one that fetches a page given a cursor (None for the first page) and one that reads
the next cursor from the answers so far (None: that was the last page). The loop, the cap and
the "this list was cut" fact live here once.

A list is never silently shortened: when the cap is reached while the provider says more
remain, or a later page fails (throttled, timeout), the caller reports :func:`cut_fact` next
to what the pages it did read say. A failing *first* page is the call's own failure (not
permitted, unknown), reported by the caller as before."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from scanner.models import Fact

MAX_PAGES = 20  # pages read per list: enough for any real user's policies, groups and keys

A = TypeVar("A")  # one page's answer, as the provider module represents it
C = TypeVar("C")  # the cursor that asks for the next page (a Marker string, a page number)


@dataclass(frozen=True)
class Pages(Generic[A]):
    """What reading a list gave: ``first`` is the first page's answer (its failure is the
    list's failure); ``read`` every page that answered well, in order; ``failed`` a later page
    that did not (reading stopped there); ``capped``: the cap was reached with more to read."""

    first: A
    read: tuple[A, ...]
    failed: A | None = None
    capped: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.read)

    @property
    def cut(self) -> bool:
        """Whether items the provider has were left unread."""
        return self.capped or self.failed is not None


def read_pages(fetch: Callable[[C | None], A], ok: Callable[[A], bool],
               next_cursor: Callable[[Sequence[A]], C | None],
               max_pages: int = MAX_PAGES) -> Pages[A]:
    """Fetch pages until ``next_cursor`` says there are no more, a page fails, or
    ``max_pages`` pages were read. Never raises on its own; ``fetch`` must not either."""
    first = fetch(None)
    if not ok(first):
        return Pages(first, ())
    read = [first]
    while (cursor := next_cursor(read)) is not None:
        if len(read) >= max_pages:
            return Pages(first, tuple(read), capped=True)
        answer = fetch(cursor)
        if not ok(answer):
            return Pages(first, tuple(read), failed=answer)
        read.append(answer)
    return Pages(first, tuple(read))


def cut_fact(name: str, pages: Pages[A], why: Callable[[A], str],
             max_pages: int = MAX_PAGES) -> list[Fact]:
    """The fact that list ``name`` was not read to its end (empty when it was): what is
    reported from it is what the pages read say, and there is more."""
    if pages.capped:
        return [Fact("list_cut", f"{name}: only the first {max_pages} pages read; the "
                     "provider has more", "info")]
    if pages.failed is not None:
        return [Fact("list_cut", f"{name}: page {len(pages.read) + 1} not read "
                     f"({why(pages.failed)}); the provider has more", "info")]
    return []
