"""The CI templates: the GitHub Action's scan step, run as a plain shell script against a
local repository with GitHub's variables, and `keysweep ci` under GitLab's variables. A pull
request scan covers the request's commits, not every branch the runner fetched."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import SECRET, SECRET2, SECRET3, leak
from tests.helpers.run import keysweep_command, run_keysweep

ROOT = Path(__file__).resolve().parents[1]


ACTION = ROOT / "action.yml"
_INPUT = re.compile(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}")


def action_steps() -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    return steps


def expand(text: str, inputs: dict[str, str]) -> str:
    """What GitHub does to a step's `run:` and `env:` values before the shell sees them:
    paste each `${{ inputs.NAME }}` in, as text."""
    defaults = {k: str(v.get("default", ""))
                for k, v in yaml.safe_load(ACTION.read_text())["inputs"].items()}
    text = _INPUT.sub(lambda m: {**defaults, **inputs}[m.group(1)], text)
    assert "${{" not in text, f"an expression this emulation does not know: {text}"
    return text


def run_action_step(step_id: str, inputs: dict[str, str], env: dict[str, str],
                    cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The step with id ``step_id``, run as GitHub runs a `shell: bash` step."""
    (step,) = [s for s in action_steps() if s.get("id") == step_id]
    assert step["shell"] == "bash"
    script = tmp_path / f"{step_id}.sh"
    script.write_text(expand(step["run"], inputs))
    step_env = {k: expand(str(v), inputs) for k, v in step.get("env", {}).items()}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          cwd=cwd, env={**env, **step_env}, capture_output=True, text=True,
                          timeout=120)


def history(tmp_path: Path) -> tuple[GitRepo, dict[str, str]]:
    repo = GitRepo(tmp_path / "repo")
    shas = {"base0": repo.commit("old key on main", **{"old.ini": leak(SECRET)})}
    shas["base"] = repo.commit("main work", **{"main.txt": "x\n"})
    repo.git("checkout", "-q", "-b", "other")
    shas["other"] = repo.commit("unrelated branch", **{"other.ini": leak(SECRET2)})
    repo.git("checkout", "-q", "-b", "pr", shas["base"])
    shas["pr1"] = repo.commit("pr work", **{"pr.env": leak(SECRET3)})
    shas["head"] = repo.commit("pr more", **{"pr.txt": "y\n"})
    return repo, shas


def run_step(repo: GitRepo, tmp_path: Path, event_name: str, event: dict[str, Any],
             args: str = "--no-progress") -> tuple[int, str]:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event))
    output = tmp_path / "github_output"
    output.write_text("")
    bindir = Path(keysweep_command()[0]).parent
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_ACTIONS": "true",
           "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_file),
           "GITHUB_SHA": repo.head(), "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"}
    inputs = {"args": args, "sarif-file": str(tmp_path / "keysweep.sarif")}
    proc = run_action_step("scan", inputs, env, repo.path, tmp_path)
    assert proc.returncode == 0, proc.stderr
    code = int(re.search(r"exit-code=(\d+)", output.read_text()).group(1))
    return code, proc.stdout + proc.stderr


def test_action_scan_step_on_a_pull_request_scans_only_its_commits(tmp_path: Path):
    repo, shas = history(tmp_path)
    event = {"pull_request": {"base": {"sha": shas["base"]}, "head": {"sha": shas["head"]}}}
    code, out = run_step(repo, tmp_path, "pull_request", event)
    assert code == 1
    sarif = json.loads((tmp_path / "keysweep.sarif").read_text())
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results
            if "suppressions" not in r}
    assert uris == {"pr.env"}  # not old.ini on main, not other.ini on the fetched branch
    assert "the pull request's commits" in out


def test_action_scan_step_on_a_clean_push_passes(tmp_path: Path):
    repo, shas = history(tmp_path)
    event = {"before": shas["pr1"], "after": shas["head"]}
    code, out = run_step(repo, tmp_path, "push", event)
    assert code == 0, out


def test_action_scan_step_on_a_push_of_a_new_branch(tmp_path: Path):
    repo, shas = history(tmp_path)
    repo.git("update-ref", "refs/remotes/origin/main", shas["base"])
    event = {"before": "0" * 40, "after": shas["head"], "repository": {"default_branch": "main"}}
    code, out = run_step(repo, tmp_path, "push", event)
    assert code == 1 and "not on origin/main" in out


def test_gitlab_merge_request_pipeline(tmp_path: Path):
    repo, shas = history(tmp_path)
    env = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": shas["base"],
           "CI_COMMIT_SHA": shas["head"]}
    run = run_keysweep("ci", repo.path, "-f", "json", env=env, expected_code=1,
                       cwd=repo.path)
    assert {f["path"] for f in run.json()["findings"]} == {"pr.env"}
    env = {"GITLAB_CI": "true", "CI_COMMIT_BEFORE_SHA": shas["pr1"],
           "CI_COMMIT_SHA": shas["head"]}
    run_keysweep("ci", repo.path, "-f", "json", env=env, expected_code=0)


def test_readme_documents_the_action_and_a_gitlab_job():
    readme = (ROOT / "README.md").read_text()
    assert "uses: " in readme and "fetch-depth: 0" in readme
    assert "GIT_DEPTH: 0" in readme and "keysweep ci" in readme


def test_action_args_are_options_split_on_whitespace(tmp_path: Path):
    repo, shas = history(tmp_path)
    run_keysweep("baseline", "create", "--git", repo.path, "-o", tmp_path / "known.json")
    event = {"pull_request": {"base": {"sha": shas["base"]}, "head": {"sha": shas["head"]}}}
    code, out = run_step(repo, tmp_path, "pull_request", event,
                         args=f"--baseline {tmp_path / 'known.json'}\n  --no-progress")
    assert code == 0, out  # two options, each taking effect: pr.env's key is in the baseline


def test_action_args_cannot_inject_shell_commands(tmp_path: Path):
    repo, shas = history(tmp_path)
    pwned = [tmp_path / f"pwned-{n}" for n in ("semicolon", "subst", "backtick", "newline")]
    args = (f"--no-progress; touch {pwned[0]} $(touch {pwned[1]}) `touch {pwned[2]}`"
            f"\ntouch {pwned[3]}")
    event = {"before": shas["pr1"], "after": shas["head"]}
    code, out = run_step(repo, tmp_path, "push", event, args=args)
    assert [p for p in pwned if p.exists()] == []
    assert code == 2 and "--no-progress;" in out  # passed to keysweep literally, and refused


def test_action_pastes_no_expression_into_a_shell_and_pins_actions_by_commit():
    for step in action_steps():
        assert "${{" not in step.get("run", ""), step
    uses = [line.strip() for line in ACTION.read_text().splitlines()
            if line.strip().startswith(("uses:", "- uses:"))]
    assert len(uses) == 2
    for line in uses:
        assert re.fullmatch(r"(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+",
                            line), line
