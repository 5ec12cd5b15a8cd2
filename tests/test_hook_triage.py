"""Every triage mechanism, through the hooks exactly as git runs them: `git commit` with the
pre-commit hook and `git push` to a bare remote with the pre-push hook, both installed by
`keysweep hook install`. Each case plants a suppressed key and, in the same change, an
unsuppressed one: the change is blocked naming only the unsuppressed key (so the hook is not
passing by doing nothing), and goes through once the unsuppressed key is taken out."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.git_repo import GitRepo, with_pushed_remote
from tests.helpers.keys import ID, SECRET, SECRET2, leak
from tests.helpers.run import run_keysweep

UNSUPPRESSED = "src/settings.ini"  # leaks SECRET2, which no case suppresses


def git_proc(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    """git as a developer runs it (hooks and all); the hook's output is on stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_DIR")}
    return subprocess.run(["git", "-C", str(repo.path), *args], capture_output=True,
                          text=True, env=env, timeout=120)


def fingerprints(run_args: list[str], cwd: Path) -> list[str]:
    """The `fingerprint` of every finding in keysweep's JSON report."""
    run = run_keysweep(*run_args, "-f", "json", cwd=cwd, expected_code=1)
    return [f["fingerprint"] for f in run.json()["findings"]]


@dataclass(frozen=True)
class Case:
    """How one mechanism suppresses the key in ``path``: ``files`` are written (and staged or
    committed) with it; ``after`` runs once the suppressed key is staged (pre-commit) or
    committed (pre-push), for material made from the scan itself (fingerprints)."""

    path: str
    text: str
    files: dict[str, str]
    after: Callable[[GitRepo, str], None] | None = None


def _ignore_fingerprint(repo: GitRepo, hook: str) -> None:
    # The fingerprint as the JSON report gives it: of the staged file for a commit, of the
    # commit that added the key (commit-qualified) for a push.
    args = ["scan", "--staged", "."] if hook == "pre-commit" else [
        "git", ".", "--range", "origin/main..HEAD"]
    found = fingerprints(args, repo.path)
    assert len(found) == 1 and "legacy/creds.ini" in found[0]
    if hook == "pre-push":
        assert found[0].startswith(repo.head() + ":")
    repo.write(".keysweepignore", f"# a revoked test key\n{found[0]}\n")


def _baseline(repo: GitRepo, hook: str) -> None:
    # Recorded from the tree with only the known key in it.
    run_keysweep("baseline", "create", cwd=repo.path)
    assert SECRET2 not in (repo.path / ".keysweep-baseline.json").read_text()


CASES = {
    "toml-allowlist-paths": Case(
        "fixtures/keys.ini", leak(SECRET),
        {"keysweep.toml": '[allowlist]\npaths = ["fixtures/**"]\n'}),
    "toml-allowlist-regexes": Case(
        "conf/known.ini", leak(SECRET),
        {"keysweep.toml": f'[allowlist]\nregexes = ["^{SECRET[:6]}"]\n'}),
    "toml-allowlist-stopwords": Case(
        "conf/known.ini", leak(SECRET),
        {"keysweep.toml": f'[allowlist]\nstopwords = ["{SECRET[10:18].lower()}"]\n'}),
    "toml-rule-allowlist": Case(
        "docs/example.md", f"access_key_id = {ID}\n",
        {"keysweep.toml": '[allowlist.rules.alibaba-access-key-id]\npaths = ["docs/**"]\n'}),
    "pyproject-tool-keysweep": Case(
        "tests/data/keys.ini", leak(SECRET),
        {"pyproject.toml": '[project]\nname = "app"\n\n'
                           '[tool.keysweep.allowlist]\npaths = ["tests/**"]\n'}),
    "keysweepignore-fingerprint": Case(
        "legacy/creds.ini", leak(SECRET), {}, after=_ignore_fingerprint),
    "keysweepignore-path": Case(
        "vendor/sdk/sample.ini", leak(SECRET),
        {".keysweepignore": "# vendored samples\nvendor/**\n"}),
    "inline-allow": Case(
        "conf/known.ini", leak(SECRET).rstrip("\n") + "  # keysweep:allow revoked\n", {}),
    "configured-baseline": Case(
        "conf/known.ini", leak(SECRET),
        {"keysweep.toml": 'baseline = ".keysweep-baseline.json"\n'}, after=_baseline),
}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


def write_case(repo: GitRepo, case: Case) -> None:
    for name, text in case.files.items():
        repo.write(name, text)
    repo.write(case.path, case.text)


def test_pre_commit_hook_honours_triage(tmp_path: Path, case: Case):
    repo = GitRepo(tmp_path / "r")
    repo.commit("initial", **{"README.md": "# app\n"})
    run_keysweep("hook", "install", "--repo", repo.path, "--pre-commit")
    write_case(repo, case)
    repo.git("add", "-A")
    if case.after:
        case.after(repo, "pre-commit")
        repo.git("add", "-A")
    repo.write(UNSUPPRESSED, leak(SECRET2))
    repo.git("add", UNSUPPRESSED)

    proc = git_proc(repo, "commit", "-qm", "add keys")
    assert proc.returncode != 0, proc.stderr
    assert "commit blocked: 1 secret would be published" in proc.stderr
    assert f"{UNSUPPRESSED}:1" in proc.stderr and case.path not in proc.stderr

    repo.git("rm", "-q", "--cached", UNSUPPRESSED)
    proc = git_proc(repo, "commit", "-qm", "add the suppressed key")
    assert proc.returncode == 0, proc.stderr
    assert case.path in repo.git("show", "--name-only", "--format=", "HEAD").splitlines()


def test_pre_push_hook_honours_triage(tmp_path: Path, case: Case):
    repo, remote = with_pushed_remote(tmp_path)
    run_keysweep("hook", "install", "--repo", repo.path, "--pre-push")
    write_case(repo, case)
    repo.commit("the suppressed key")
    if case.after:
        case.after(repo, "pre-push")
        repo.commit("triage")
    suppressed_head = repo.head()
    repo.commit("the unsuppressed key", **{UNSUPPRESSED: leak(SECRET2)})

    proc = git_proc(repo, "push", "-q", "origin", "main")
    assert proc.returncode != 0, proc.stderr
    assert "push blocked: 1 secret would be published" in proc.stderr
    assert f"{UNSUPPRESSED}:1" in proc.stderr and case.path not in proc.stderr
    assert remote.git("rev-parse", "main") != repo.head()

    repo.git("reset", "-q", "--hard", suppressed_head)
    proc = git_proc(repo, "push", "-q", "origin", "main")
    assert proc.returncode == 0, proc.stderr
    assert remote.git("rev-parse", "main") == suppressed_head
