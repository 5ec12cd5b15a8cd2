"""The front door: ``keysweep scan .`` in a project with a virtual environment reports the
project's own keys, not the rule examples inside keysweep's installed package; what the
default excludes skipped is counted, and --no-default-excludes brings it all back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import scanner
from scanner.rules.loader import builtin_patterns_dir
from tests.helpers.keys import SECRET, SECRET2, leak
from tests.helpers.run import run_keysweep

OWN_KEY = "app/settings.py"


def project_with_venv(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "project"
    (root / "app" / "__pycache__").mkdir(parents=True)
    (root / OWN_KEY).write_text(leak(SECRET))
    (root / "app" / "__pycache__" / "settings.cpython-311.pyc").write_bytes(
        b"\xa7\r\r\n\x00\x00" + leak(SECRET2).encode())
    (root / "yarn.lock").write_text(leak(SECRET2))
    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    [site] = venv.glob("lib/python*/site-packages")
    shutil.copytree(builtin_patterns_dir(), site / "scanner" / "patterns")
    return root, site


def test_a_virtual_environment_and_lockfiles_are_skipped_and_counted(tmp_path: Path):
    root, site = project_with_venv(tmp_path)
    report = run_keysweep("scan", ".", "-f", "json", cwd=root, expected_code=1).json()
    assert {f["path"] for f in report["findings"]} == {OWN_KEY}
    assert report["stats"]["default_excluded"] == 2  # .venv and yarn.lock
    assert report["stats"]["binary"] == 1 and report["skipped"] == []

    text = run_keysweep("scan", ".", "-f", "text", cwd=root, expected_code=1).stdout
    assert "Found 1 secret in 1 location" in text
    assert "Skipped 2 paths by default excludes" in text
    assert "Skipped 1 binary file (by type or content)." in text

    everything = run_keysweep("scan", ".", "-f", "json", "--no-default-excludes", cwd=root,
                              expected_code=1).json()
    paths = {f["path"] for f in everything["findings"]}
    venv_rules = site.relative_to(root).as_posix() + "/scanner/patterns/"
    assert {OWN_KEY, "yarn.lock"} <= paths
    assert any(p.startswith(venv_rules) for p in paths)
    assert everything["stats"]["default_excluded"] == 0


def test_keysweeps_own_installed_package_is_skipped_outside_a_venv(tmp_path: Path):
    """An installed keysweep (a site-packages directory that is no virtual environment, e.g.
    a vendored one): its rule files hold an example of every key type."""
    root = tmp_path / "project"
    site = root / "vendor" / "lib" / "site-packages"
    shutil.copytree(Path(scanner.__file__).parent, site / "scanner",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if not (site / "scanner" / "patterns").exists():  # running from a checkout
        shutil.copytree(builtin_patterns_dir(), site / "scanner" / "patterns")
    (root / "app").mkdir()
    (root / OWN_KEY).write_text(leak(SECRET))
    # PYTHONPATH comes before site-packages, so the copy shadows any installed keysweep.
    env = {**os.environ, "PYTHONPATH": str(site)}

    def keysweep(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scanner", *args], cwd=root,
                              env=env, capture_output=True, text=True, timeout=300)

    where = subprocess.run([sys.executable, "-c", "import scanner; print(scanner.__file__)"],
                           cwd=root, env=env, capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(site)  # the copy is the keysweep that runs

    import json

    run = keysweep("scan", ".", "-f", "json")
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert {f["path"] for f in report["findings"]} == {OWN_KEY}
    assert report["stats"]["default_excluded"] == 1

    run = keysweep("scan", ".", "-f", "json", "--no-default-excludes")
    paths = {f["path"] for f in json.loads(run.stdout)["findings"]}
    assert any(p.startswith("vendor/lib/site-packages/scanner/patterns/") for p in paths)
