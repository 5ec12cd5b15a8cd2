"""``triage.apply`` returns a new result and leaves the scan's result as it was, so the same
scan can be reported untriaged (a new baseline) and triaged. The room stands alone: triage
imports nothing from the application layer."""

from __future__ import annotations

import ast
from pathlib import Path

from scanner import triage
from scanner.engine.config import ScanConfig
from scanner.engine.scanner import Scanner
from scanner.models import Suppressed
from scanner.rules.loader import load_rules
from scanner.triage.allowlist import Allowlist
from scanner.triage.ignore_file import IgnoreFile
from tests.helpers.keys import SECRET, SECRET2, leak


def test_apply_returns_a_new_result_and_leaves_its_input_alone(tmp_path: Path):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "a.ini").write_text(leak(SECRET))
    (tmp_path / "real.ini").write_text(leak(SECRET2))
    result = Scanner(ScanConfig(rules=load_rules(), jobs=1)).scan_paths([str(tmp_path)])
    before = (list(result.findings), list(result.suppressed))
    assert len(before[0]) == 2 and before[1] == []

    out = triage.apply(result, Allowlist(paths=("fixtures/",)), {}, IgnoreFile(), None)

    assert (list(result.findings), list(result.suppressed)) == before
    assert [f.location.path for f in out.findings] == ["real.ini"]
    assert [(s.finding.location.path, s.reason) for s in out.suppressed] == [
        ("fixtures/a.ini", "allowlist")]
    assert isinstance(out.suppressed[0], Suppressed) and out is not result


def test_triage_imports_nothing_from_the_app_layer():
    room = Path(triage.__file__).parent
    imported = set()
    for module in room.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
    assert imported and not {m for m in imported if m.startswith(("scanner.app", "scanner.cli"))}
