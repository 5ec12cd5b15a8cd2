"""keysweep must not become a leak itself: a value written in the wrong place of a
configuration file, or a dropped candidate shown by --explain, never appears in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.run import run_keysweep

TOKEN = "ghp_Q1w2E3r4T5y6U7i8O9p0AaSsDdFfGgHhJjKk"


@pytest.mark.parametrize("line", [f'format = "{TOKEN}"', f'fail_on = "{TOKEN}"',
                                  f'exit_zero = "{TOKEN}"',
                                  f'[allowlist]\nregexes = ["({TOKEN}"]'])
def test_a_config_error_shows_only_the_redacted_prefix(tmp_path: Path, line: str):
    (tmp_path / "keysweep.toml").write_text(line + "\n")
    run = run_keysweep("scan", tmp_path, expected_code=2)
    assert TOKEN not in run.stderr and TOKEN[4:12] not in run.stderr
    assert "…'" in run.stderr and run.stderr.count("\n") == 1


def test_explain_shows_no_more_of_a_dropped_value_than_redaction(tmp_path: Path):
    value = "Kp9x12345Wq7ZmR3tY6uB8vN2cL4jH"  # an Alibaba-secret shape with a run in it
    (tmp_path / "a.ini").write_text(f"aliyun_access_key_secret = '{value}'\n")
    run = run_keysweep("scan", tmp_path, "--explain", "-f", "json")
    dropped = [ln for ln in run.stderr.splitlines() if ln.startswith("dropped ")]
    assert dropped and "sequential" in dropped[0]
    assert "12345" not in run.stderr and value[:5] not in run.stderr
