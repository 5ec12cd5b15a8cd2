"""Reporters: pure functions from a ScanResult to text. Writing files and choosing the exit
code belong to the CLI."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from scanner.models import ScanResult
from scanner.reporters.options import ReportOptions

Reporter = Callable[[ScanResult, ReportOptions], str]

# Each format's module is imported when it is used: a hook writes text only, and the others'
# imports (html, xml, csv) would cost every start.
FORMATS: dict[str, str] = {
    "text": "text:render_text",
    "json": "json:render_json",
    "jsonl": "json:render_jsonl",
    "sarif": "sarif:render_sarif",
    "csv": "csv:render_csv",
    "junit": "junit:render_junit",
    "html": "html:render_html",
}


def reporter(fmt: str) -> Reporter:
    """The reporter for one of FORMATS."""
    module, function = FORMATS[fmt].split(":")
    found: Reporter = getattr(importlib.import_module(f"scanner.reporters.{module}"), function)
    return found


__all__ = ["FORMATS", "ReportOptions", "Reporter", "reporter"]
