"""Exit codes and the exception hierarchy, mapped to exit codes in one place (cli.main)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # scan completed, nothing (new) found
    FINDINGS = 1  # findings that the exit policy counts
    USAGE = 2  # usage, configuration or rule-file error
    SCAN_ERROR = 3  # the scan could not run
    INTERRUPTED = 130  # SIGINT (^C)
    TERMINATED = 143  # SIGTERM


class KeysweepError(Exception):
    """An error with a one-line message meant for the user."""

    exit_code = ExitCode.SCAN_ERROR


class UsageError(KeysweepError):
    exit_code = ExitCode.USAGE


class ConfigError(KeysweepError):
    """The project configuration or a baseline is invalid; the message names the file."""

    exit_code = ExitCode.USAGE


class RuleError(KeysweepError):
    """A rule file is invalid; the message names the file and the rule."""

    exit_code = ExitCode.USAGE


class SourceError(KeysweepError):
    """A source (path, repository) cannot be scanned at all."""

    exit_code = ExitCode.SCAN_ERROR
