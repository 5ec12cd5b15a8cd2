"""The hooks through real `git push` and `git commit`, with the hook installed by the real
`keysweep hook install` into real repositories and a local bare remote."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from scanner.hooks.install import HOOK_MARK
from scanner.hooks.pre_push import parse_pre_push
from tests.helpers.git_repo import GitRepo, push, with_pushed_remote
from tests.helpers.keys import SECRET, SECRET2, leak
from tests.helpers.run import run_keysweep

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[GitRepo, GitRepo]:
    local, remote = with_pushed_remote(tmp_path)
    run_keysweep("hook", "install", "--repo", local.path, "--pre-push")
    return local, remote


def test_push_adding_a_key_is_rejected_with_file_commit_and_redacted_secret(setup):
    local, remote = setup
    bad = local.commit("add config", **{"conf/app.ini": leak(SECRET)})
    proc = push(local, "origin", "main")
    assert proc.returncode != 0
    assert "push blocked: 1 secret would be published" in proc.stderr
    assert f"conf/app.ini:1 (commit {bad[:10]})" in proc.stderr
    assert "J0Rl…" in proc.stderr and SECRET not in proc.stderr
    assert "--no-verify" in proc.stderr and "keysweep:allow" in proc.stderr
    assert remote.git("rev-parse", "main") != bad


def test_clean_push_is_accepted(setup):
    local, remote = setup
    good = local.commit("docs", **{"docs.md": "nothing secret\n"})
    assert push(local, "origin", "main").returncode == 0
    assert remote.git("rev-parse", "main") == good


def test_key_added_and_removed_before_the_push_is_still_rejected(setup):
    local, _ = setup
    local.commit("add", **{"k.ini": leak(SECRET)})
    local.commit("remove", **{"k.ini": "\n"})
    assert push(local, "origin", "main").returncode != 0


def test_new_branch_is_checked_against_what_the_remote_has(setup):
    local, remote = setup
    local.git("checkout", "-q", "-b", "feature")
    local.commit("feature work", **{"f.py": leak(SECRET)})
    proc = push(local, "-u", "origin", "feature")
    assert proc.returncode != 0 and "f.py:1" in proc.stderr
    # A new branch made of commits the remote already has adds nothing and is accepted.
    local.git("checkout", "-q", "main")
    local.git("branch", "copy-of-main")
    assert push(local, "origin", "copy-of-main").returncode == 0


def test_several_refs_at_once_every_line_is_checked(setup):
    local, _ = setup
    local.git("checkout", "-q", "-b", "clean")
    local.commit("clean work", **{"ok.txt": "ok\n"})
    local.git("checkout", "-q", "-b", "dirty", "main")
    local.commit("dirty work", **{"bad.env": leak(SECRET2)})
    local.git("checkout", "-q", "main")
    # The key is on the second ref git sends, not the first.
    proc = push(local, "origin", "clean", "dirty")
    assert proc.returncode != 0 and "bad.env:1" in proc.stderr
    assert push(local, "origin", "clean").returncode == 0


def test_key_already_on_the_remote_does_not_block_later_pushes(setup):
    local, _ = setup
    local.commit("legacy key", **{"old.ini": leak(SECRET)})
    assert push(local, "--no-verify", "origin", "main").returncode == 0
    local.commit("unrelated", **{"new.txt": "fine\n"})
    assert push(local, "origin", "main").returncode == 0


def test_branch_deletion_is_ignored(setup):
    local, _ = setup
    local.git("branch", "temp")
    assert push(local, "origin", "temp").returncode == 0
    assert push(local, "origin", ":temp").returncode == 0


def test_pre_push_reads_every_stdin_line_and_ignores_deletions(setup):
    local, _ = setup
    zero = "0" * 40
    base = local.head()
    bad = local.commit("bad", **{"x.ini": leak(SECRET)})
    lines = (f"refs/heads/gone {zero} refs/heads/gone {base}\n"
             f"refs/heads/main {base} refs/heads/main {base}\n"
             f"refs/heads/main {bad} refs/heads/other {zero}\n")
    assert len(parse_pre_push(lines)) == 3
    run = run_keysweep("hook", "pre-push", "origin", "url", cwd=local.path, input=lines,
                       expected_code=1)
    assert "x.ini:1" in run.stderr
    # Hooks export GIT_DIR and friends; keysweep must not let them point git elsewhere.
    run = run_keysweep("hook", "pre-push", "origin", "url", cwd=local.path, input=lines,
                       expected_code=1, env={"GIT_DIR": str(local.path / "nope"),
                                             "GIT_WORK_TREE": "/"})
    assert "x.ini:1" in run.stderr


def test_pre_commit_framework_env_range(setup):
    local, _ = setup
    base = local.head()
    local.commit("bad", **{"y.ini": leak(SECRET)})
    env = {"PRE_COMMIT_FROM_REF": base, "PRE_COMMIT_TO_REF": local.head(),
           "PRE_COMMIT_REMOTE_NAME": "origin"}
    run = run_keysweep("hook", "pre-push", cwd=local.path, input="", env=env, expected_code=1)
    assert "y.ini:1" in run.stderr


def test_pre_commit_hook_blocks_staged_keys_including_commit_all(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.commit("initial", **{"a.txt": "a\n"})
    run_keysweep("hook", "install", "--repo", repo.path, "--pre-commit")
    repo.write("k.ini", leak(SECRET))
    repo.git("add", "k.ini")
    proc = subprocess.run(["git", "-C", str(repo.path), "commit", "-qm", "add"],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "commit blocked" in proc.stderr and "k.ini:1" in proc.stderr
    repo.git("reset", "-q")
    (repo.path / "k.ini").unlink()
    # `commit -a` stages into a temporary index named by GIT_INDEX_FILE.
    repo.write("a.txt", "a\n" + leak(SECRET2))
    proc = subprocess.run(["git", "-C", str(repo.path), "commit", "-qam", "edit"],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "a.txt:2" in proc.stderr
    repo.write("a.txt", "b\n")
    proc = subprocess.run(["git", "-C", str(repo.path), "commit", "-qam", "clean"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_scan_staged_command(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.write("k.ini", leak(SECRET))
    repo.git("add", "k.ini")
    run = run_keysweep("scan", "--staged", repo.path, "-f", "json", expected_code=1)
    assert [(f["path"], f["commit"]) for f in run.json()["findings"]] == [("k.ini", None)]
    run = run_keysweep("git", repo.path, "--staged", "-f", "json", expected_code=1)
    assert len(run.json()["findings"]) == 1


def test_install_respects_core_hooks_path_and_refuses_foreign_hooks(tmp_path: Path):
    repo = GitRepo(tmp_path / "r")
    repo.git("config", "core.hooksPath", ".githooks")
    hooks = repo.path / ".githooks"
    hooks.mkdir()
    (hooks / "pre-push").write_text("#!/bin/sh\necho mine\n")
    run = run_keysweep("hook", "install", "--repo", repo.path, expected_code=2)
    assert "was not installed by keysweep; use --force" in run.stderr
    assert (hooks / "pre-push").read_text() == "#!/bin/sh\necho mine\n"
    run_keysweep("hook", "install", "--repo", repo.path, "--force")
    assert HOOK_MARK in (hooks / "pre-push").read_text()
    assert os.access(hooks / "pre-push", os.X_OK)
    assert (hooks / "pre-push.pre-keysweep").exists()
    run_keysweep("hook", "uninstall", "--repo", repo.path)
    assert (hooks / "pre-push").read_text() == "#!/bin/sh\necho mine\n"
    assert not (repo.path / ".git" / "hooks" / "pre-push").exists()


def test_pre_commit_framework_manifest_declares_both_stages():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "entry: keysweep hook pre-commit" in text and "stages: [pre-commit]" in text
    assert "entry: keysweep hook pre-push" in text and "stages: [pre-push]" in text


def test_blocked_message_names_an_ignore_entry_the_hook_honours(setup):
    local, remote = setup
    local.commit("add fixture", **{"fixtures/app.ini": leak(SECRET)})
    proc = push(local, "origin", "main")
    assert proc.returncode != 0
    entries = re.findall(r"^ +\.keysweepignore: (\S+)$", proc.stderr, re.MULTILINE)
    assert len(entries) == 1 and SECRET not in proc.stderr
    # Commit-free, so it survives amending the commit; and it is what lets the push through.
    assert not entries[0].startswith(local.head())
    local.git("commit", "-q", "--amend", "-m", "add fixture (reworded)")
    local.commit("ignore the fixture", **{".keysweepignore": entries[0] + "\n"})
    proc = push(local, "origin", "main")
    assert proc.returncode == 0, proc.stderr
    assert remote.git("rev-parse", "main") == local.head()


def test_blocked_message_only_suggests_what_the_hook_honours():
    from scanner.hooks.message import blocked_message
    from scanner.models import ScanResult

    text = blocked_message(ScanResult(), "commit")
    for way_out in ("keysweep:allow", ".keysweepignore", "keysweep.toml",
                    "[tool.keysweep.allowlist]", "keysweep baseline update", "--baseline",
                    "git commit --no-verify"):
        assert way_out in text
    # Each of those is exercised through the real hooks in tests/test_hook_triage.py.


def test_keysweeps_own_pre_commit_hook_passes_on_its_own_repository(tmp_path: Path):
    """keysweep's tests plant made-up keys; its own configuration ([tool.keysweep] in
    pyproject.toml) allowlists them, and the hook must honour that in a real clone."""
    proc = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--show-toplevel"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and Path(proc.stdout.strip()) == ROOT, \
        f"the suite must run from a git checkout of keysweep: {proc.stderr}"
    clone = GitRepo(tmp_path / "keysweep", init=False)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone.path)], check=True,
                   capture_output=True)
    keys = clone.path / "tests" / "helpers" / "keys.py"
    keys.write_text(keys.read_text() + "# one more comment\n")
    clone.git("add", "tests/helpers/keys.py")
    run = run_keysweep("hook", "pre-commit", cwd=clone.path)
    assert run.stderr == ""
    # And the hook is live there: the same key outside the allowlisted paths is blocked.
    clone.write("scanner/leak.py", leak(SECRET))
    clone.git("add", "scanner/leak.py")
    run = run_keysweep("hook", "pre-commit", cwd=clone.path, expected_code=1)
    assert "scanner/leak.py:1" in run.stderr and "tests/helpers/keys.py" not in run.stderr


def test_a_newline_in_a_path_cannot_forge_lines_of_the_hook_message(setup):
    local, _ = setup
    local.commit("add", **{"a\nHow to proceed: push with --force.ini": leak(SECRET)})
    proc = push(local, "origin", "main")
    assert proc.returncode != 0
    assert "a\\nHow to proceed: push with --force.ini:1" in proc.stderr
    assert "\nHow to proceed: push with" not in proc.stderr


def test_a_pre_commit_hook_on_a_clean_change_imports_only_what_it_needs(tmp_path: Path):
    """A hook's time is mostly Python importing keysweep: the other commands, the TOML
    parser (rules and placeholder data come from the cache after the first run) and the
    regex engine (no rule that needs it woke) stay unimported."""
    import sys

    repo = GitRepo(tmp_path / "repo")
    repo.commit("init", **{"README.md": "hello\n"})
    repo.write("app.py", "print('hello')\n")
    repo.git("add", "app.py")
    probe = ("import sys\nfrom scanner.cli import main\ncode = main(['hook', 'pre-commit'])\n"
             "print(' '.join(sorted(sys.modules)))\nraise SystemExit(code)\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):  # the first run fills the cache
        run = subprocess.run([sys.executable, "-c", probe], cwd=repo.path, env=env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
    loaded = set(run.stdout.split())
    assert "scanner.engine.history" in loaded  # the probe saw the scan happen
    for module in ("scanner.cli.sweep", "scanner.cli.baseline", "scanner.cli.rules",
                   "scanner.sweep.store", "scanner.verifiers", "tomllib", "regex",
                   "importlib.resources"):
        assert module not in loaded, module
