"""Reporters: pure functions from a ScanResult to text. Writing files and choosing the exit
code belong to the CLI."""

from __future__ import annotations

from collections.abc import Callable

from scanner.models import ScanResult
from scanner.reporters.csv import render_csv
from scanner.reporters.html import render_html
from scanner.reporters.json import render_json, render_jsonl
from scanner.reporters.junit import render_junit
from scanner.reporters.options import ReportOptions
from scanner.reporters.sarif import render_sarif
from scanner.reporters.text import render_text

Reporter = Callable[[ScanResult, ReportOptions], str]

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "jsonl": render_jsonl,
    "sarif": render_sarif,
    "csv": render_csv,
    "junit": render_junit,
    "html": render_html,
}

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]
