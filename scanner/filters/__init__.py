"""Candidate filters. Each has one signature, ``(Candidate) -> str | None``: the reason the
candidate is dropped, or None to keep it. Reasons are shown by ``--explain``."""

from __future__ import annotations

from collections.abc import Callable

from scanner.filters.checks import CHECKS
from scanner.filters.entropy import shannon_entropy
from scanner.filters.placeholders import PlaceholderData, placeholder_reason
from scanner.matching.candidate import Candidate

Filter = Callable[[Candidate], str | None]

# Names a rule may list in ``skip_filters``; the context filter is applied per chunk
# (it needs the other candidates) but is named here so rules can refer to it.
FILTER_NAMES = ("checks", "entropy", "known-value", "placeholder", "context")


def build_filters(data: PlaceholderData) -> list[tuple[str, Filter]]:
    """The per-candidate filters in the order they run (cheapest and most certain first)."""

    def checks(c: Candidate) -> str | None:
        for name in c.rule.checks:
            reason = CHECKS[name](c)
            if reason:
                return f"{name}: {reason}"
        return None

    def entropy(c: Candidate) -> str | None:
        if c.rule.min_entropy is None:
            return None
        value = shannon_entropy(c.value)
        if value < c.rule.min_entropy:
            return f"entropy {value:.2f} below the rule's minimum {c.rule.min_entropy:.2f}"
        return None

    def known_value(c: Candidate) -> str | None:
        if c.value in data.known_values:
            return "documented example value"
        if c.value.endswith(data.example_suffixes):
            return "documented example value (ends with an EXAMPLE marker)"
        return None

    def placeholder(c: Candidate) -> str | None:
        return placeholder_reason(c.value, data)

    return [("checks", checks), ("entropy", entropy), ("known-value", known_value),
            ("placeholder", placeholder)]


__all__ = ["CHECKS", "FILTER_NAMES", "Filter", "PlaceholderData", "build_filters"]
