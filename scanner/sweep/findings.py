"""Reading the sweep store back: findings as the reporters know them (with ``repository``
and ``owner``), and the verification bookkeeping that lets later runs re-check only stale
results. Raw secrets are never in the store; re-verification reads them again from the
repositories."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.models import Finding, Location, Pairing, Verification
from scanner.sources.git.command import Git, GitError
from scanner.sources.git.objects import iter_objects
from scanner.sweep.store import Store

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
    sql = (
        "SELECT s.id, s.rule_id, s.rule_name, s.provider, s.kind, s.severity, s.secret_sha256, "
        "s.redacted, l.path, l.line, l.col, l.end_line, l.end_col, l.commit_sha, l.author, "
        "l.date, l.in_head, l.owner, l.paired_rule, l.paired_sha256, p.redacted, l.decoded, "
        "l.tags, r.name "
        "FROM locations l JOIN secrets s ON s.id = l.secret_id "
        "JOIN repositories r ON r.id = l.repository_id "
        "LEFT JOIN secrets p ON p.rule_id = l.paired_rule AND p.secret_sha256 = l.paired_sha256 "
        + ("WHERE r.name = ? " if repository else "")
        + "ORDER BY r.name, l.path, l.line, l.col, s.rule_id")
    verdicts = _verdicts(store)
    out = []
    for row in store.query(sql, (repository,) if repository else ()):
        (secret_id, rule_id, rule_name, provider, kind, severity, digest, shown, path, line, col,
         end_line, end_col, commit, author, date, in_head, owner, p_rule, p_sha, p_shown,
         decoded, tags, repo) = row
        out.append(Finding(
            rule_id=rule_id, rule_name=rule_name, provider=provider, kind=kind,
            severity=severity, secret="", digest=digest, shown=shown,
            location=Location(path=path, line=line, column=col, end_line=end_line,
                              end_column=end_col, commit=commit, author=author, date=date,
                              in_head=None if in_head is None else bool(in_head),
                              repository=repo, owner=owner),
            paired_with=Pairing(p_rule, "", p_sha, p_shown) if p_rule else None,
            decoded=tuple(d for d in decoded.split(",") if d),
            tags=tuple(t for t in tags.split(",") if t),
            verification=verdicts.get(secret_id)))
    return out


def _verdicts(store: Store) -> dict[int, Verification]:
    """The verdict to show per secret: the most alarming of its pairs' latest results."""
    best: dict[int, tuple[int, str, Verification]] = {}
    for secret_id, status, reason, identity, checked in store.query(
            "SELECT secret_id, status, reason, identity, checked_at FROM verifications"):
        v = Verification(status, reason, json.loads(identity) if identity else None)
        rank = (_STATUS_RANK.get(status, 9), "")
        current = best.get(secret_id)
        if current is None or rank[0] < current[0] or (rank[0] == current[0] and
                                                       checked > current[1]):
            best[secret_id] = (rank[0], checked, v)
    return {k: v for k, (_, _, v) in best.items()}


def fresh_pairs(store: Store, max_age: timedelta | None) -> set[str]:
    """Pairs verified recently enough not to ask again (all verified pairs if no max age)."""
    rows = store.query("SELECT pair_sha256, checked_at FROM verifications")
    if max_age is None:
        return {pair for pair, _ in rows}
    cutoff = datetime.now(UTC) - max_age
    return {pair for pair, checked in rows if datetime.fromisoformat(checked) >= cutoff}


def record_verifications(store: Store, findings: Iterable[Finding],
                         verifier_of: dict[str, str], when: str) -> int:
    count = 0
    with store.transaction() as db:
        for f in findings:
            verifier = verifier_of.get(f.rule_id)
            if f.verification is None or verifier is None:
                continue
            key = pair_key(verifier, f)
            row = db.execute("SELECT id FROM secrets WHERE rule_id = ? AND secret_sha256 = ?",
                             (f.rule_id, f.secret_sha256)).fetchone()
            if key is None or row is None:
                continue
            v = f.verification
            db.execute("INSERT INTO verifications (pair_sha256, secret_id, status, reason, "
                       "identity, checked_at) VALUES (?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT(pair_sha256, secret_id) DO UPDATE SET status = "
                       "excluded.status, reason = excluded.reason, identity = excluded.identity,"
                       " checked_at = excluded.checked_at",
                       (key, row[0], v.status, v.reason,
                        json.dumps(v.identity) if v.identity else None, when))
            count += 1
    return count


def stale_findings(store: Store, config: ScanConfig, verifier_of: dict[str, str],
                   fresh: set[str], known: Sequence[Finding]) -> list[Finding]:
    """Raw findings for verifiable secrets whose verification is missing or stale and that
    this run did not find again: read back from one blob that holds each."""
    have = {(f.rule_id, f.secret_sha256) for f in known}
    verifiable = [rule for rule, verifier in verifier_of.items()]
    if not verifiable:
        return []
    marks = ",".join("?" * len(verifiable))
    rows = store.query(
        "SELECT s.rule_id, s.secret_sha256, b.blob, r.path FROM secrets s "
        "JOIN blob_findings b ON b.secret_id = s.id JOIN repositories r "
        f"ON r.id = b.repository_id WHERE s.rule_id IN ({marks})", verifiable)
    wanted: dict[tuple[str, str], tuple[str, str]] = {}
    for rule_id, digest, blob, repo_path in rows:
        if (rule_id, digest) not in have and repo_path:
            wanted.setdefault((rule_id, digest), (blob, repo_path))
    scanner = Scanner(dataclasses.replace(config, jobs=1))
    out = []
    by_repo: dict[str, list[tuple[str, tuple[str, str]]]] = {}
    for key, (blob, repo_path) in wanted.items():
        by_repo.setdefault(repo_path, []).append((blob, key))
    for repo_path, items in by_repo.items():
        try:
            blobs = {o.sha: o.content.read() for o in
                     iter_objects(Git(repo_path), sorted({b for b, _ in items}))
                     if o.type == "blob"}
        except GitError:
            continue
        for blob, key in items:
            if blob not in blobs:
                continue
            for f in scanner.scan_blob(io.BytesIO(blobs[blob])).findings:
                if (f.rule_id, f.secret_sha256) == key:
                    pk = pair_key(verifier_of[f.rule_id], f)
                    if pk is not None and pk not in fresh:
                        out.append(f)
                    break
    return out
