"""Fixtures every verifier test file shares."""

from __future__ import annotations

import random

import pytest

from benchmarks.corpus import Values


@pytest.fixture
def values(request: pytest.FixtureRequest) -> Values:
    # Seeded by the test's id: other keys in every test, the same keys on every run.
    return Values(random.Random(request.node.nodeid), rsa_budget=0)
