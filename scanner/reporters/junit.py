"""JUnit XML, which Jenkins and GitLab merge-request widgets show as test results: one
failing test case per finding, named after the rule and the place, whose failure text says
what was found and how to revoke and rotate it. A clean scan is one passing test case, so the
report is never empty (an empty suite reads as "no tests ran"); a named path that does not
exist is an errored test case. With ``--show-suppressed``,
suppressed findings are skipped test cases carrying the reason."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from scanner.models import Finding, ScanResult
from scanner.reporters.options import ReportOptions

SUITE = "keysweep"
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_junit(result: ScanResult, options: ReportOptions) -> str:
    cases = [_failing_case(f, options) for f in result.findings]
    errors = [_missing_case(path) for path in result.missing]
    skipped = [_skipped_case(x.finding, x.reason) for x in result.suppressed] \
        if options.show_suppressed else []
    if not cases and not errors:
        cases.append(_passing_case(result))
    seconds = f"{result.stats.seconds:.3f}"
    counts = {"tests": str(len(cases) + len(errors) + len(skipped)),
              "failures": str(len(result.findings)), "errors": str(len(errors)),
              "skipped": str(len(skipped)), "time": seconds}
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    suite.extend(cases + errors + skipped)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"


def _failing_case(f: Finding, options: ReportOptions) -> ET.Element:
    case = _case(f)
    shown = f.secret if options.show_secrets else f.redacted
    failure = ET.SubElement(case, "failure", {
        "message": xml_text(f"{f.rule_name} {shown} in {_where(f)}"),
        "type": f.rule_id,
    })
    failure.text = xml_text(_details(f, options, shown))
    return case


def _skipped_case(f: Finding, reason: str) -> ET.Element:
    case = _case(f)
    ET.SubElement(case, "skipped", {"message": xml_text(f"suppressed by {reason}")})
    return case


def _missing_case(path: str) -> ET.Element:
    """A path the user named that does not exist is an error, not a pass: the scan did not
    cover what it was asked to."""
    case = ET.Element("testcase", {"classname": SUITE, "name": xml_text(f"scan {path}"),
                                   "time": "0"})
    ET.SubElement(case, "error", {"message": xml_text(f"path does not exist: {path}"),
                                  "type": "missing"})
    return case


def _passing_case(result: ScanResult) -> ET.Element:
    files = result.stats.files
    return ET.Element("testcase", {
        "classname": SUITE, "name": f"no secrets found in {files} file{'s' if files != 1 else ''}",
        "time": "0"})


def _case(f: Finding) -> ET.Element:
    """``classname`` is the path, so CI groups a file's findings together; ``name`` is
    unique per location."""
    return ET.Element("testcase", {"classname": xml_text(f.location.path),
                                   "name": xml_text(f"{f.rule_id} at {_where(f)}"),
                                   "file": xml_text(f.location.path), "time": "0"})


def _where(f: Finding) -> str:
    loc = f.location
    where = f"{loc.path}:{loc.line}:{loc.column}"
    return f"{where} (commit {loc.commit[:12]})" if loc.commit else where


def _details(f: Finding, options: ReportOptions, shown: str) -> str:
    lines = [f"rule:        {f.rule_id} ({f.rule_name}, {f.severity})",
             f"secret:      {shown} (sha256 {f.secret_sha256})",
             f"location:    {_where(f)}",
             f"fingerprint: {f.fingerprint}"]
    loc = f.location
    if loc.commit:
        lines.append(f"commit:      {loc.commit} by {loc.author or '?'} on {loc.date or '?'}"
                     + ("" if loc.in_head is None else
                        ", still in HEAD" if loc.in_head else ", no longer in HEAD"))
    if f.paired_with:
        partner = f.paired_with.secret if options.show_secrets else f.paired_with.redacted
        lines.append(f"paired with: {f.paired_with.rule_id} {partner}")
    if f.decoded:
        lines.append(f"decoded:     {' > '.join(f.decoded)}")
    if f.verification:
        reason = f" ({f.verification.reason})" if f.verification.reason else ""
        lines.append(f"verified:    {f.verification.status}{reason}")
    provider = options.providers.get(f.provider)
    if provider:
        lines += ["", f"How to fix: {provider.remediation}"]
        lines += [f"  {ref}" for ref in provider.references]
    return "\n".join(lines)


def xml_text(text: str) -> str:
    """Text XML can carry: undecodable path bytes (lone surrogates) become ``\\xNN`` and
    control characters XML 1.0 forbids become ``\\xNN`` too, so the report always parses."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
