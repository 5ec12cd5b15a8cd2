"""``keysweep rules list|check``: show the rules, and run their examples through the scanner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from scanner.engine.config import ScanConfig
from scanner.errors import ExitCode
from scanner.rules.loader import load_rules


@click.group()
def rules() -> None:
    """List and check rules."""


@rules.command("list")
@click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules_list(rule_files: tuple[str, ...], fmt: str) -> int:
    """Show every rule."""
    import json

    ruleset = load_rules(rule_files)
    if fmt == "json":
        rows = [{"id": r.id, "provider": r.provider,
                 "provider_name": ruleset.providers[r.provider].name, "kind": r.kind,
                 "severity": r.severity, "name": r.name, "verify": r.verify,
                 "keywords": list(r.keywords), "exact_keywords": list(r.exact_keywords),
                 "source": r.source}
                for r in ruleset.rules]
        click.echo(json.dumps(rows, indent=2))
        return ExitCode.OK
    from scanner.verifiers import VERIFIERS

    # A verifier marked never_verify (Huawei: key lockout) reports "skipped", never asks.
    never = {name for name, v in VERIFIERS.items() if getattr(v, "never_verify", None)}

    def verify_column(verify: str | None) -> str:
        return "never" if verify in never else "yes" if verify else "-"

    width = max(len(r.id) for r in ruleset.rules)
    pwidth = max(len(r.provider) for r in ruleset.rules)
    click.echo(f"{'RULE':<{width}}  {'PROVIDER':<{pwidth}}  {'KIND':<11} {'SEVERITY':<8} "
               f"{'VERIFY':<8} NAME")
    for r in sorted(ruleset.rules, key=lambda r: r.provider):  # stable: file order within
        click.echo(f"{r.id:<{width}}  {r.provider:<{pwidth}}  {r.kind:<11} {r.severity:<8} "
                   f"{verify_column(r.verify):<8} {r.name}")
    providers = {r.provider for r in ruleset.rules}
    checked = [r for r in ruleset.rules if r.verify and r.verify not in never]
    verifiable = {r.provider for r in checked}
    click.echo(f"{len(ruleset.rules)} rules from {len(providers)} providers; "
               f"{len(checked)} rules of {len(verifiable)} "
               f"providers can be verified (--verify): {', '.join(sorted(verifiable))}")
    return ExitCode.OK


@rules.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True))
def rules_check(files: tuple[str, ...]) -> int:
    """Validate rule files and run each rule's examples and counterexamples through the
    scanner (default: the built-in rules). Exit 1 if any fails."""
    from scanner.engine.scanner import Scanner
    from scanner.rules.schema import load_rule_file
    from scanner.rules.validate import check_rules

    ruleset = load_rules(files, strict=True)
    mine = {r.id for f in files for r in load_rule_file_rules(f, load_rule_file)} if files \
        else {r.id for r in ruleset.rules}
    scanner = Scanner(ScanConfig(rules=ruleset, jobs=1))
    checked = [r for r in ruleset.rules if r.id in mine]
    problems = list(check_rules(checked, scanner))
    for problem in problems:
        click.echo(f"FAIL {problem}")
    examples = sum(len(r.examples) + len(r.counterexamples) for r in checked)
    click.echo(f"{len(checked)} rules, {examples} examples checked, {len(problems)} problems")
    return ExitCode.FINDINGS if problems else ExitCode.OK


def load_rule_file_rules(path: str, loader: Callable[..., Any]) -> list[Any]:
    from pathlib import Path

    p = Path(path)
    files = sorted(p.glob("*.toml")) if p.is_dir() else [p]
    return [rule for f in files for rule in loader(f)[1]]
