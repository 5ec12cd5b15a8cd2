"""SARIF 2.1.0, the format GitHub code scanning (and most security dashboards) ingest.

Choices that matter to code scanning:

* One ``reportingDescriptor`` per rule that ran, so the rule's help (how to revoke and rotate
  that provider's key) is shown next to every alert, and ``security-severity`` ranks it.
* ``partialFingerprints["keysweep/v1"]`` is a hash of rule id, secret SHA-256 and path: no
  line numbers, so moving code does not reopen a dismissed alert, and no commit, so the same
  key at the same path is one alert whether a file scan or a history scan found it (and
  however often history added it). The raw secret is never part of it.
* History findings (``location.commit`` set) are located at their path in the commit that
  introduced them. SARIF has no per-result commit field, and ``versionControlProvenance``
  needs a repository URI keysweep does not know, so the commit, author, date and whether
  HEAD still has the key go into ``result.properties`` and the message text.
* Suppressed findings (inline ``keysweep:allow``, ignore file, baseline, allowlist) are
  reported with an accepted ``suppressions`` entry (``inSource`` for the inline comment,
  ``external`` otherwise), so SARIF viewers hide them and code scanning can treat them as
  dismissed rather than new (GitHub's advanced-security/dismiss-alerts action reads them).
* Paths become URI references: percent-encoded (UTF-8, undecodable bytes kept as their byte
  value) except ``/`` and ``!``, so an archive member stays ``a.zip!inner/x``; absolute paths
  become ``file://`` URIs.
* Columns count Unicode code points (``columnKind``), as keysweep's locations do.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from scanner.models import Finding, ScanResult
from scanner.reporters.options import ReportOptions, printable
from scanner.reporters.text import BENIGN_SKIPS
from scanner.rules.schema import Provider, Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
INFORMATION_URI = "https://pypi.org/project/keysweep/"
FINGERPRINT_KEY = "keysweep/v1"

# GitHub code scanning reads security-severity (0.0-10.0) to rank security alerts.
SECURITY_SEVERITY = {"root": "10.0", "critical": "9.5", "high": "8.0", "medium": "5.5",
                     "low": "3.0", "info": "1.0"}
LEVELS = {"root": "error", "critical": "error", "high": "error", "medium": "warning", "low": "note",
          "info": "note"}
CWE_TAG = "external/cwe/cwe-798"  # Use of Hard-coded Credentials; code scanning shows CWEs
IN_SOURCE_REASONS = ("inline allow",)  # suppressed by a comment in the scanned file itself

_WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")
_WEB_URI = re.compile(r"^https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")


def render_sarif(result: ScanResult, options: ReportOptions) -> str:
    """One run: the tool with every rule, the findings, the suppressed findings, and one
    invocation that notes what was skipped."""
    rules = RuleTable(options.rules)
    partners = PartnerIndex(result.findings)
    results = [_result(f, rules, options, partners) for f in result.findings]
    for item in result.suppressed:
        entry = _result(item.finding, rules, options, partners)
        entry["suppressions"] = [_suppression(item.reason)]
        results.append(entry)
    run = {
        # After the results: they may have added rules the options did not list.
        "tool": {"driver": _driver(rules, options)},
        "invocations": [_invocation(result, options)],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    doc = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    # Compact: uploads are size-limited, and only the C encoder (no indent) is fast enough
    # for tens of thousands of results. ``jq .`` pretty-prints it.
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- rules ----------------------------------------------------------------------------------


class RuleTable:
    """The driver's rules in order, with each id's index. Rules a finding names but that are
    not in the options (a library caller passing no rules) are added from the finding, so
    every ``ruleIndex`` points at its own rule."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules: list[Rule] = []
        self.index: dict[str, int] = {}
        for rule in rules:
            self._add(rule)

    def _add(self, rule: Rule) -> int:
        if rule.id not in self.index:
            self.index[rule.id] = len(self.rules)
            self.rules.append(rule)
        return self.index[rule.id]

    def index_of(self, f: Finding) -> int:
        if f.rule_id in self.index:
            return self.index[f.rule_id]
        return self._add(Rule(id=f.rule_id, name=f.rule_name, provider=f.provider, kind=f.kind,
                              severity=f.severity, keywords=(), regex="", source=""))


def _driver(rules: RuleTable, options: ReportOptions) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "keysweep", "informationUri": INFORMATION_URI}
    if options.tool_version:
        driver["version"] = options.tool_version
        driver["semanticVersion"] = options.tool_version
    driver["rules"] = [_descriptor(r, options.providers.get(r.provider)) for r in rules.rules]
    return driver


def _descriptor(rule: Rule, provider: Provider | None) -> dict[str, Any]:
    what = rule.description or f"A {_kind_words(rule.kind)} for {_provider_name(rule, provider)}."
    text, markdown = _help(rule, provider, what)
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _pascal(rule.id),
        "shortDescription": {"text": rule.name},
        "fullDescription": {"text": what},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {
            "provider": rule.provider,
            "kind": rule.kind,
            "severity": rule.severity,
            "tags": ["security", "secret", rule.provider, CWE_TAG],
            "security-severity": SECURITY_SEVERITY.get(rule.severity, "5.5"),
        },
    }
    if provider and provider.references and _is_web_uri(provider.references[0]):
        descriptor["helpUri"] = provider.references[0]
    return descriptor


def _help(rule: Rule, provider: Provider | None, what: str) -> tuple[str, str]:
    """The rule's help in plain text and Markdown: what it finds, then how to revoke and
    rotate the key, then the provider's references."""
    remediation = provider.remediation if provider else (
        "Revoke the credential with its issuer, then rotate it everywhere it is used.")
    references = provider.references if provider else ()
    text = [f"{rule.name}: {what}", "", f"How to fix: {remediation}",
            "Removing the key from the code is not enough: it stays in the git history and in "
            "every clone, so revoke it first."]
    markdown = [f"**{rule.name}**: {what}", "", f"**How to fix:** {remediation}", "",
                "Removing the key from the code is not enough: it stays in the git history and "
                "in every clone, so revoke it first."]
    if references:
        text += ["", "References:"] + [f"- {ref}" for ref in references]
        markdown += ["", "**References:**", ""] + [
            f"- [{ref}]({ref})" if _is_web_uri(ref) else f"- {ref}" for ref in references]
    return "\n".join(text), "\n".join(markdown)


def _kind_words(kind: str) -> str:
    return {"id": "access key ID", "secret": "secret access key", "token": "token",
            "private_key": "private key"}.get(kind, kind)


def _provider_name(rule: Rule, provider: Provider | None) -> str:
    return provider.name if provider else rule.provider


def _pascal(rule_id: str) -> str:
    """SARIF's ``name`` is meant to be an identifier-like word: ``AlibabaAccessKeySecret``."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def _is_web_uri(value: str) -> bool:
    """Only a reference that is already a valid http(s) URI can be ``helpUri`` or a link."""
    return bool(_WEB_URI.match(value))


# -- results --------------------------------------------------------------------------------


def _result(f: Finding, rules: RuleTable, options: ReportOptions,
            partners: PartnerIndex) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rules.index_of(f),
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": _message(f, options)},
        "locations": [_location(f)],
        "partialFingerprints": {FINGERPRINT_KEY: partial_fingerprint(f)},
        "properties": _properties(f, options),
    }
    related = partners.related_locations(f)
    if related:
        entry["relatedLocations"] = related
    return entry


def partial_fingerprint(f: Finding) -> str:
    """Stable across line moves and commits; never derived from anything but the secret's
    hash, so it cannot leak the secret."""
    key = "\0".join((f.rule_id, f.secret_sha256, f.location.path))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def _message(f: Finding, options: ReportOptions) -> str:
    shown = f.secret if options.show_secrets else f.redacted
    parts = [f"{f.rule_name} {printable(shown)} (sha256 {f.secret_sha256[:12]}) "
             f"in {printable(f.location.path)}."]
    if f.paired_with:
        partner = f.paired_with.secret if options.show_secrets else f.paired_with.redacted
        parts.append(f"Paired with {f.paired_with.rule_id} {printable(partner)}.")
    if f.verification:
        reason = f" ({f.verification.reason})" if f.verification.reason else ""
        parts.append(f"Verification: {f.verification.status}{reason}.")
        if f.verification.root:
            parts.append("This is the cloud account's own key (account root key): it can do "
                         "everything in the account.")
    loc = f.location
    if loc.commit:
        by = f" by {loc.author}" if loc.author else ""
        on = f" on {loc.date[:10]}" if loc.date else ""
        parts.append(f"Introduced in commit {loc.commit[:12]}{by}{on}.")
        if loc.in_head is not None:
            parts.append("Still in HEAD." if loc.in_head else "No longer in HEAD, but still in "
                                                              "the history.")
    if f.decoded:
        parts.append(f"Found after decoding {' > '.join(f.decoded)}.")
    parts.append("Revoke and rotate it (see the rule's help).")
    return " ".join(parts)


def _location(f: Finding, message: str | None = None) -> dict[str, Any]:
    loc = f.location
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": path_uri(loc.path)},
            "region": {"startLine": loc.line, "startColumn": loc.column,
                       "endLine": loc.end_line, "endColumn": loc.end_column},
        },
    }
    if message:
        location["message"] = {"text": message}
    return location


class PartnerIndex:
    """The reported findings by rule, secret, path and commit, to find where a finding's
    paired credential sits in the same file without a quadratic search."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.places: dict[tuple[str, str, str, str | None], list[Finding]] = {}
        for f in findings:
            key = (f.rule_id, f.secret_sha256, f.location.path, f.location.commit)
            self.places.setdefault(key, []).append(f)

    def related_locations(self, f: Finding) -> list[dict[str, Any]]:
        """Where the paired credential is in the same file (at the same commit), so the
        alert shows both halves of the key pair."""
        p = f.paired_with
        if p is None:
            return []
        others = self.places.get((p.rule_id, p.secret_sha256, f.location.path,
                                  f.location.commit), [])
        related = []
        for i, other in enumerate(others):
            entry = _location(other, f"paired {other.rule_name}")
            entry["id"] = i
            related.append(entry)
        return related


def _properties(f: Finding, options: ReportOptions) -> dict[str, Any]:
    loc = f.location
    props: dict[str, Any] = {
        "provider": f.provider,
        "kind": f.kind,
        "severity": f.severity,
        "secret_sha256": f.secret_sha256,
        "redacted": f.redacted,
        "fingerprint": printable(f.fingerprint),  # what .keysweepignore takes
    }
    optional = {"commit": loc.commit, "author": loc.author, "date": loc.date,
                "in_head": loc.in_head,
                # set only on findings read back from a sweep's store
                "repository": getattr(loc, "repository", None),
                "owner": getattr(loc, "owner", None)}
    props.update({k: v for k, v in optional.items() if v is not None})
    if f.decoded:
        props["decoded"] = list(f.decoded)
    if f.tags:
        props["tags"] = list(f.tags)
    if f.context:
        props["context"] = list(f.context)
        props["confidence"] = f.confidence
    if f.paired_with:
        props["paired_with"] = {"rule_id": f.paired_with.rule_id,
                                "secret_sha256": f.paired_with.secret_sha256}
    if f.verification:
        props["verification"] = {k: v for k, v in (
            ("status", f.verification.status), ("reason", f.verification.reason),
            ("identity", f.verification.identity)) if v is not None}
        props["verification"]["facts"] = [
            {"name": x.name, "value": x.value, "risk": x.risk} for x in f.verification.facts]
        props["verification"]["root"] = f.verification.root
    if options.show_secrets:
        props["secret"] = f.secret
    return props


def _suppression(reason: str) -> dict[str, Any]:
    kind = "inSource" if reason in IN_SOURCE_REASONS else "external"
    return {"kind": kind, "status": "accepted", "justification": reason}


# -- invocation -----------------------------------------------------------------------------


def _invocation(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    """Skipped inputs as notifications: warnings for what the user would want to know about
    (unreadable, too large, an archive bomb), notes for binaries only with ``verbose``. The
    run failed if a path the user named does not exist."""
    notes = [_notification("error", f"path does not exist: {printable(path)}", path)
             for path in result.missing]
    for skip in result.skipped:
        if skip.path in result.missing:
            continue  # already an error above
        benign = skip.reason in BENIGN_SKIPS
        if benign and not options.verbose:
            continue
        notes.append(_notification("note" if benign else "warning",
                                   f"skipped {printable(skip.path)}: {skip.reason}", skip.path))
    invocation: dict[str, Any] = {"executionSuccessful": not result.missing}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    return invocation


def _notification(level: str, text: str, path: str) -> dict[str, Any]:
    note: dict[str, Any] = {"level": level, "message": {"text": text}}
    if path:
        note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": path_uri(path)}}}]
    return note


# -- URIs and text --------------------------------------------------------------------------


def path_uri(path: str) -> str:
    """A valid URI reference for a reported path: relative paths stay relative (code
    scanning resolves them against the repository), absolute ones become ``file://`` URIs,
    ``<stdin>`` and other reserved characters are percent-encoded, and ``!`` stays, so
    ``a.zip!inner/x`` is still recognisable."""
    if os.sep == "\\":
        path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    raw = path.encode("utf-8", "surrogateescape")
    if path.startswith("/"):
        return "file://" + quote(raw, safe="/!")
    if _WINDOWS_ABSOLUTE.match(path):
        return "file:///" + path[:2] + quote(raw[2:], safe="/!")
    return quote(raw, safe="/!")  # a colon is encoded too, so no path reads as a scheme
