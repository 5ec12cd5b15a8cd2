"""Verification for sweeps: each unique ID/secret pair once per run, results stored with a
time so later runs re-check only what is stale (``--reverify-after``). The store keeps no
raw secret, so a stale one is read again from a blob that holds it and rescanned here."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Sequence
from datetime import timedelta

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.models import Finding, ScanResult
from scanner.sources.git.command import Git, GitError
from scanner.sources.git.objects import iter_objects
from scanner.sweep.coordinator import now
from scanner.sweep.findings import fresh_pairs, pair_key, record_verifications
from scanner.sweep.store import Store


def verify_sweep(store: Store, config: ScanConfig, verify: Callable[[ScanResult], ScanResult],
                 new: list[Finding], max_age: timedelta | None) -> int:
    """Verify (with ``verify``, the application's verification stage) each pair this run
    found that has no fresh result, and, with a ``max_age``, every stale one; store them."""
    verifier_of = {r.id: r.verify for r in config.rules.rules if r.verify}
    fresh = fresh_pairs(store, max_age)
    candidates = []
    for f in new:
        verifier = verifier_of.get(f.rule_id)
        key = pair_key(verifier, f) if verifier else None
        if key is not None and key not in fresh:
            candidates.append(f)
    if max_age is not None:
        candidates += stale_findings(store, config, verifier_of, fresh, new)
    if not candidates:
        return 0
    verified = verify(ScanResult(findings=candidates)).findings
    return record_verifications(store, verified, verifier_of, now())


def stale_findings(store: Store, config: ScanConfig, verifier_of: dict[str, str],
                   fresh: set[str], known: Sequence[Finding]) -> list[Finding]:
    """Raw findings for verifiable secrets whose verification is missing or stale and that
    this run did not find again: read back from one blob that holds each."""
    have = {(f.rule_id, f.secret_sha256) for f in known}
    wanted: dict[tuple[str, str], tuple[str, str]] = {}
    for holder in store.blob_holders(sorted(verifier_of)):
        key = (holder.rule_id, holder.secret_sha256)
        if key not in have:
            wanted.setdefault(key, (holder.blob, holder.repo_path))
    if not wanted:
        return []
    scanner = Scanner(dataclasses.replace(config, jobs=1))
    by_repo: dict[str, list[tuple[str, tuple[str, str]]]] = {}
    for key, (blob, repo_path) in wanted.items():
        by_repo.setdefault(repo_path, []).append((blob, key))
    out = []
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
