"""One gitignore-style matcher decides what is not scanned (--exclude, ``exclude =``) and what
is suppressed (``[allowlist] paths``, global and per rule, and the path lines of
.keysweepignore): ``src/*.py`` is one level, ``**/fixtures/`` any depth and directories only,
``/docs`` anchored to the root, ``!`` negates. Through the real ``keysweep scan``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.keys import SECRET, leak
from tests.helpers.run import run_keysweep

PATTERNS = ("src/*.py", "**/fixtures/", "/docs", "*.cfg", "!keep.cfg")
FILES = ("src/a.py", "src/deep/a.py", "fixtures/g.ini", "x/fixtures/f.ini", "other/fixtures",
         "docs/d.md", "sub/docs/e.md", "drop.cfg", "keep.cfg", "pkg.zip")
# What no pattern matches: a deeper src file, a *file* named fixtures, an unanchored docs,
# the negated keep.cfg, and the archive (its member's name is not its path on disk).
NOT_MATCHED = {"src/deep/a.py", "other/fixtures", "sub/docs/e.md", "keep.cfg",
               "pkg.zip!inner/docs/x.py"}
MATCHED = {"src/a.py", "fixtures/g.ini", "x/fixtures/f.ini", "docs/d.md", "drop.cfg"}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    import zipfile

    root = tmp_path / "project"
    for rel in FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".zip"):
            with zipfile.ZipFile(path, "w") as z:
                z.writestr("inner/docs/x.py", leak(SECRET))
        else:
            path.write_text(leak(SECRET))
    return root


def found(root: Path, *args: str) -> tuple[set[str], set[str]]:
    report = run_keysweep("scan", root, "-f", "json", "--show-suppressed", *args,
                          expected_code=1, cwd=root).json()
    return ({f["path"] for f in report["findings"]},
            {f["path"] for f in report.get("suppressed", [])})


def toml_list(patterns: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{p}'" for p in patterns) + "]"


def test_exclude_on_the_command_line(tree: Path):
    assert found(tree) == (NOT_MATCHED | MATCHED, set())
    args = [arg for p in PATTERNS for arg in ("--exclude", p)]
    assert found(tree, *args) == (NOT_MATCHED, set())


def test_exclude_in_the_config_file(tree: Path):
    (tree / "keysweep.toml").write_text(f"exclude = {toml_list(PATTERNS)}\n")
    assert found(tree) == (NOT_MATCHED, set())


def test_allowlist_paths_suppress_exactly_the_matched_paths(tree: Path):
    (tree / "keysweep.toml").write_text(f"[allowlist]\npaths = {toml_list(PATTERNS)}\n")
    assert found(tree) == (NOT_MATCHED, MATCHED)


def test_per_rule_allowlist_paths(tree: Path):
    (tree / "keysweep.toml").write_text(
        f"[allowlist.rules.alibaba-access-key-secret]\npaths = {toml_list(PATTERNS)}\n")
    assert found(tree) == (NOT_MATCHED, MATCHED)
    (tree / "keysweep.toml").write_text(
        f"[allowlist.rules.aws-access-key-id]\npaths = {toml_list(PATTERNS)}\n")
    assert found(tree) == (NOT_MATCHED | MATCHED, set())  # another rule's list: no effect


def test_keysweepignore_path_lines(tree: Path):
    (tree / ".keysweepignore").write_text("# triaged\n" + "\n".join(PATTERNS) + "\n")
    assert found(tree) == (NOT_MATCHED, MATCHED)


def test_an_archive_member_matches_on_its_outer_path_only(tree: Path):
    member = "pkg.zip!inner/docs/x.py"
    (tree / ".keysweepignore").write_text("x.py\ndocs/\n")  # names inside the archive
    assert member in found(tree)[0]
    (tree / ".keysweepignore").write_text("*.zip\n")
    assert found(tree)[1] == {member}
    assert member not in found(tree, "--exclude", "/pkg.zip")[0]
