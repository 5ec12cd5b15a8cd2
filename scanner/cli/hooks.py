"""``keysweep hook``: the pre-push and pre-commit checks (through the application service,
so configuration, allowlists, the ignore file, inline allows and the baseline apply exactly
as they do for ``scan --staged``), and installing or removing the hook scripts."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from scanner.app.options import RunOptions
from scanner.app.service import Service
from scanner.errors import ExitCode
from scanner.models import ScanResult


def triage_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--rules", "rule_files", multiple=True, type=click.Path(exists=True)),
        click.option("--config", type=click.Path(dir_okay=False),
                     help="Configuration file [default: found upward from the repository]."),
        click.option("--no-config", is_flag=True, help="Ignore configuration files."),
        click.option("--baseline", type=click.Path(dir_okay=False),
                     help="Block only on findings not in this baseline file."),
    ]):
        f = option(f)
    return f


def _service(rule_files: tuple[str, ...], config: str | None, no_config: bool,
             baseline: str | None) -> Service:
    # One process: a hook's change is small, and forking workers would cost more than it saves.
    return Service(RunOptions(rule_files=rule_files, config=config, no_config=no_config,
                              baseline=baseline, jobs=1, progress=False), ".")


def _verdict(run: Service, result: ScanResult, action: str) -> int:
    from scanner.hooks.message import blocked_message

    result = run.triaged(result)
    code = run.exit_code(result)
    if code == ExitCode.FINDINGS:
        click.echo(blocked_message(result, action), err=True, nl=False)
    return code


@click.group()
def hook() -> None:
    """Run, install or remove the git hooks."""


@hook.command("pre-push")
@click.argument("remote", required=False)
@click.argument("url", required=False)
@triage_options
def hook_pre_push(remote: str | None, url: str | None, rule_files: tuple[str, ...],
                  config: str | None, no_config: bool, baseline: str | None) -> int:
    """The pre-push check: reads git's ref lines on stdin and scans exactly the commits the
    push would add to the remote. Exits 1, listing them, if they add a secret."""
    from scanner.hooks.pre_push import parse_pre_push, pre_commit_env_updates, push_scope
    from scanner.sources.git.command import open_repo

    git = open_repo(".")
    updates = parse_pre_push("" if sys.stdin.isatty() else sys.stdin.read())
    if not updates:
        updates = pre_commit_env_updates(dict(os.environ))
        remote = remote or os.environ.get("PRE_COMMIT_REMOTE_NAME")
    scope = push_scope(git, updates, remote)
    if scope is None:
        return ExitCode.OK
    run = _service(rule_files, config, no_config, baseline)
    return _verdict(run, run.scan_history(git, scope), "push")


@hook.command("pre-commit")
@triage_options
def hook_pre_commit(rule_files: tuple[str, ...], config: str | None, no_config: bool,
                    baseline: str | None) -> int:
    """The pre-commit check: scans what is staged. Exits 1, listing them, on secrets."""
    run = _service(rule_files, config, no_config, baseline)
    return _verdict(run, run.scan_staged("."), "commit")


def _hook_names(pre_push: bool, pre_commit: bool) -> list[str]:
    return [n for n, on in (("pre-push", pre_push), ("pre-commit", pre_commit)) if on] \
        or ["pre-push"]


@hook.command("install")
@click.option("--pre-push", is_flag=True, help="Install the pre-push hook (default).")
@click.option("--pre-commit", is_flag=True, help="Install the pre-commit hook.")
@click.option("--repo", default=".", show_default=True, help="The repository.")
@click.option("--force", is_flag=True, help="Replace a hook keysweep did not install.")
def hook_install(pre_push: bool, pre_commit: bool, repo: str, force: bool) -> int:
    """Install keysweep hooks (into core.hooksPath if it is set)."""
    from scanner.hooks.install import install
    from scanner.sources.git.command import open_repo

    for message in install(open_repo(repo), _hook_names(pre_push, pre_commit), force):
        click.echo(message)
    return ExitCode.OK


@hook.command("uninstall")
@click.option("--pre-push", is_flag=True)
@click.option("--pre-commit", is_flag=True)
@click.option("--repo", default=".", show_default=True)
def hook_uninstall(pre_push: bool, pre_commit: bool, repo: str) -> int:
    """Remove keysweep hooks (leaves hooks it did not install alone)."""
    from scanner.hooks.install import uninstall
    from scanner.sources.git.command import open_repo

    names = _hook_names(pre_push, pre_commit) if pre_push or pre_commit else [
        "pre-push", "pre-commit"]
    for message in uninstall(open_repo(repo), names):
        click.echo(message)
    return ExitCode.OK
