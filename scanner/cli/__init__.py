"""The keysweep command line: a thin layer of click commands over the application service
(``scanner.app``). Only this package knows click and tqdm."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence

import click

from scanner import __version__
from scanner.errors import ExitCode, KeysweepError

# Each command's module, imported only when the command runs (or help lists them): a
# pre-commit hook pays for every module it imports, and it needs one command of eight.
COMMANDS = {"scan": "scan:scan", "git": "scan:git_command", "ci": "scan:ci_command",
            "sweep": "sweep:sweep", "report": "sweep:report", "baseline": "baseline:baseline",
            "hook": "hooks:hook", "rules": "rules:rules"}


class LazyGroup(click.Group):
    """A group whose commands are imported by name when asked for (click's documented
    pattern for lazily loaded subcommands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        from importlib import import_module

        module, _, name = target.partition(":")
        command: click.Command = getattr(import_module(f"scanner.cli.{module}"), name)
        return command


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="keysweep")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
def cli(debug: bool) -> None:
    """Find leaked cloud AccessKeys (Alibaba Cloud, AWS, Tencent, Huawei, Baidu, Volcengine,
    Google Cloud, Azure, GitHub, private keys) in files and git history.

    Exit codes: 0 nothing found, 1 findings, 2 usage or configuration error,
    3 the scan could not run."""


def _print_traceback() -> None:
    import traceback  # only with --debug: every hook would pay for importing it

    traceback.print_exc()


class Terminated(Exception):
    """SIGTERM, raised where the main thread is, so every ``with`` block on the way out stops
    its workers and git processes (the default action would leave them running)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("KEYSWEEP_DEBUG"))
    try:
        code = cli.main(args=args, prog_name="keysweep", standalone_mode=False)
        return int(code or 0)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return int(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("keysweep: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except Terminated:
        click.echo("keysweep: terminated", err=True)
        return ExitCode.TERMINATED
    except KeysweepError as exc:
        if debug:
            _print_traceback()
        click.echo(f"keysweep: error: {exc}", err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (``| head``): nothing left to say
        return ExitCode.OK
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into a message
        if debug:
            _print_traceback()
        click.echo(f"keysweep: error: unexpected {type(exc).__name__}: {exc} "
                   "(run with --debug for a traceback)", err=True)
        return ExitCode.SCAN_ERROR
