"""Positional SDK calls as rules: each ``[[calls]]`` entry of a provider file (a client
constructor that takes credentials positionally, such as Huawei's
``BasicCredentials("AK", "SK")``) becomes one derived rule per argument. The derived rule
keeps its source rule's id, filters and pairing, matches a string literal at that argument
position whose content is the source rule's whole ``value``, and counts the call itself as
its context."""

from __future__ import annotations

import dataclasses
import re

from scanner.rules.schema import Call, Context, Rule

CALL_WINDOW = 512  # a call may span lines, but its arguments are near its name
# One argument before the one we want: a short string literal, or an expression with at
# most one nested call (``os.getenv("AK")``), on any number of lines.
# ``ak="..."`` (Python keywords), ``ak: "..."`` (C# named arguments), ``@"..."``, ``r"..."``.
_NAMED = r"(?:[A-Za-z_][A-Za-z0-9_]*\s*[:=]\s*)?(?:@|[rRuU])?"
_OTHER_ARG = (rf"""(?:{_NAMED}(?:"[^"\n]{{0,256}}"|'[^'\n]{{0,256}}'|`[^`\n]{{0,256}}`)|"""
              r"""[^,()"'`\n]{0,128}(?:\([^()\n]{0,128}\))?)""")


def call_rules(rules: tuple[Rule, ...], calls: dict[str, tuple[Call, ...]]) -> tuple[Rule, ...]:
    """The derived rules for every provider's calls (``calls`` by provider id)."""
    by_id = {r.id: r for r in rules}
    out = []
    for provider_calls in calls.values():
        for call in provider_calls:
            for position, rule_id in enumerate(call.args):
                # A rule the configuration disabled has no derived call rule either.
                if rule_id in by_id and by_id[rule_id].value is not None:
                    out.append(_derived(by_id[rule_id], call, position))
    return tuple(out)


def call_regex(name: str, position: int, value: str) -> str:
    """A string literal holding exactly ``value`` as argument ``position`` of ``name(...)``;
    group 1 is the value (branch reset over the three quote characters)."""
    before = "".join(rf"{_OTHER_ARG}\s*,\s*" for _ in range(position))
    literal = rf"""(?|"({value})"|'({value})'|`({value})`)"""
    return rf"(?<![\w.$]){re.escape(name)}\(\s*{before}{_NAMED}{literal}"


def _derived(rule: Rule, call: Call, position: int) -> Rule:
    ids = rule.context.ids if rule.context else ()
    context: Context | None
    if call.file_context:  # the call counts only where the file is about the provider
        context, skip = Context(ids=ids, require="words", file=True), rule.skip_filters
    else:
        context = rule.context
        skip = tuple(dict.fromkeys(rule.skip_filters + ("context",)))
    return dataclasses.replace(
        rule,
        keywords=(),
        exact_keywords=(call.name + "(",),  # a call, not every mention of the name
        regex=call_regex(call.name, position, rule.value or ""),
        secret_group=1,
        source=f"{rule.source} (call {call.name}, argument {position + 1})",
        skip_filters=skip,
        context=context,
        window=CALL_WINDOW,
        multiline=True,
        token_for=rule.token_for,
        examples=(),
        counterexamples=(),
        shape="call",
    )
