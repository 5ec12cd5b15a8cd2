"""Verification for sweeps: each unique ID/secret pair once per run, results stored with a
time so later runs re-check only what is stale (``--reverify-after``)."""

from __future__ import annotations

from datetime import timedelta

from scanner.app.service import Service
from scanner.models import Finding, ScanResult
from scanner.sweep.coordinator import now
from scanner.sweep.findings import fresh_pairs, pair_key, record_verifications, stale_findings
from scanner.sweep.store import Store


def verify_sweep(store: Store, run: Service, new: list[Finding],
                 max_age: timedelta | None) -> int:
    verifier_of = {r.id: r.verify for r in run.config.rules.rules if r.verify}
    fresh = fresh_pairs(store, max_age)
    candidates = []
    for f in new:
        verifier = verifier_of.get(f.rule_id)
        key = pair_key(verifier, f) if verifier else None
        if key is not None and key not in fresh:
            candidates.append(f)
    if max_age is not None:
        candidates += stale_findings(store, run.config, verifier_of, fresh, new)
    if not candidates:
        return 0
    verified = run.verify(ScanResult(findings=candidates)).findings
    return record_verifications(store, verified, verifier_of, now())
