"""Reading the sweep store back: findings as the reporters know them (with ``repository``
and ``owner``), and the verification bookkeeping that lets later runs re-check only stale
results. Raw secrets are never in the store (re-reading them is verify.py's job)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from scanner.models import Finding, Location, Pairing, Verification
from scanner.sweep.store import LocationRow, PairResult, Store

_STATUS_RANK = {"active": 0, "inactive": 1, "unknown": 2, "skipped": 3}


def pair_key(verifier: str, f: Finding) -> str | None:
    """The hash identifying the credential a finding belongs to (ID and secret together)."""
    if f.paired_with is None:
        parts = [verifier, f.secret]
    elif f.kind == "id":
        parts = [verifier, f.secret, f.paired_with.secret]
    else:
        parts = [verifier, f.paired_with.secret, f.secret]
    if not all(parts):
        return None
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def load_findings(store: Store, repository: str | None = None) -> list[Finding]:
    verdicts = _verdicts(store)
    return [_finding(row, verdicts.get(row.secret_id)) for row in store.locations(repository)]


def _finding(row: LocationRow, verdict: Verification | None) -> Finding:
    return Finding(
        rule_id=row.rule_id, rule_name=row.rule_name, provider=row.provider, kind=row.kind,
        severity="root" if verdict is not None and verdict.root else row.severity,
        secret="", digest=row.secret_sha256, shown=row.redacted,
        location=Location(path=row.path, line=row.line, column=row.col, end_line=row.end_line,
                          end_column=row.end_col, commit=row.commit, author=row.author,
                          date=row.date, in_head=row.in_head, repository=row.repository,
                          owner=row.owner),
        paired_with=(Pairing(row.paired_rule, "", row.paired_sha256, row.paired_redacted)
                     if row.paired_rule else None),
        decoded=row.decoded, tags=row.tags, verification=verdict)


def _verdicts(store: Store) -> dict[int, Verification]:
    """The verdict to show per secret: the most alarming of its pairs' latest results."""
    best: dict[int, tuple[int, str, Verification]] = {}
    for row in store.verifications():
        rank = _STATUS_RANK.get(row.verification.status, 9)
        current = best.get(row.secret_id)
        if current is None or rank < current[0] or (rank == current[0] and
                                                    row.checked_at > current[1]):
            best[row.secret_id] = (rank, row.checked_at, row.verification)
    return {k: v for k, (_, _, v) in best.items()}


def fresh_pairs(store: Store, max_age: timedelta | None) -> set[str]:
    """Pairs verified recently enough not to ask again (all verified pairs if no max age)."""
    rows = store.verifications()
    if max_age is None:
        return {r.pair_sha256 for r in rows}
    cutoff = datetime.now(UTC) - max_age
    return {r.pair_sha256 for r in rows if datetime.fromisoformat(r.checked_at) >= cutoff}


def record_verifications(store: Store, findings: Iterable[Finding],
                         verifier_of: dict[str, str], when: str) -> int:
    results = []
    for f in findings:
        verifier = verifier_of.get(f.rule_id)
        if f.verification is None or verifier is None:
            continue
        key = pair_key(verifier, f)
        if key is not None:
            results.append(PairResult(key, f.rule_id, f.secret_sha256, f.verification))
    return store.record_verifications(results, when)
