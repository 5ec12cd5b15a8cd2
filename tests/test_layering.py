"""The house rules, checked from the source: data flows one way through the layers, only the
CLI knows click and tqdm, and no module keeps mutable state at module level."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scanner"

# Each room and its layer: a module may import from its own layer or below, never above.
LAYERS: dict[str, int] = {
    "cli": 5,
    "app": 4, "sweep": 4, "hooks": 4,
    "engine": 3, "sources": 3, "triage": 3, "verifiers": 3, "reporters": 3,
    "rules": 2, "matching": 2, "filters": 2, "decoders": 2,
    "models": 1, "errors": 1, "redact": 1, "progress": 1, "cachedir": 1,
}
FACADES = {"scanner/__init__.py", "scanner/__main__.py"}  # the public API re-exports
UI_LIBRARIES = {"click", "tqdm"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _room(dotted: str) -> str:
    """``scanner.sources.git.log`` -> ``sources``."""
    return dotted.split(".")[1]


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "scanner":  # ``from scanner import x``: x is the room
                found.extend((node.lineno, f"scanner.{a.name}") for a in node.names
                             if a.name != "__version__")
            else:
                found.append((node.lineno, node.module))
    return found


def test_every_room_has_a_layer() -> None:
    rooms = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in _modules()}
    rooms -= {"__init__", "__main__", "schemas"}
    assert rooms - LAYERS.keys() == set(), "add new rooms to LAYERS"


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_imports_flow_downward(path: Path) -> None:
    if _rel(path) in FACADES:
        return
    here = LAYERS[path.relative_to(PACKAGE).parts[0].removesuffix(".py")]
    upward = []
    for line, name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if name.startswith("scanner.") and LAYERS[_room(name)] > here:
            upward.append(f"line {line}: {name}")
        if name.split(".")[0] in UI_LIBRARIES and not _rel(path).startswith("scanner/cli/"):
            upward.append(f"line {line}: {name} (only scanner/cli may use it)")
    assert upward == [], f"{_rel(path)} imports upward"


def _mutable(value: ast.expr | None) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp |
                  ast.SetComp):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and \
        value.func.id in {"list", "dict", "set", "defaultdict", "OrderedDict", "deque"}


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_no_module_level_mutable_state(path: Path) -> None:
    """Dask runs scans in threads: state shared through a module is a race. Registries are
    UPPER_CASE and never written after import; anything else is passed as a value."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = [f"line {n.lineno}: global statement" for n in ast.walk(tree)
                if isinstance(n, ast.Global)]
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        else:
            continue
        slot = _mutable(value) or (isinstance(value, ast.Constant) and value.value is None)
        problems.extend(f"line {node.lineno}: {t.id}" for t in targets
                        if slot and isinstance(t, ast.Name) and not t.id.isupper()
                        and t.id != "__all__")
    assert problems == [], f"{_rel(path)} keeps module-level mutable state"
