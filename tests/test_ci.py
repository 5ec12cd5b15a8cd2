"""The CI templates: the GitHub Action's scan step, run as a plain shell script against a
local repository with GitHub's variables, and `keysweep ci` under GitLab's variables. A pull
request scan covers the request's commits, not every branch the runner fetched."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.helpers.git_repo import GitRepo
from tests.helpers.keys import SECRET, SECRET2, SECRET3, leak
from tests.helpers.run import keysweep_command, run_keysweep

ROOT = Path(__file__).resolve().parents[1]


def action_scan_step() -> str:
    """The `run:` script of the action's step with id `scan`."""
    text = (ROOT / "action.yml").read_text()
    step = text.split("id: scan", 1)[1]
    body = step.split("run: |\n", 1)[1]
    lines = []
    for line in body.splitlines():
        if line.strip() and not line.startswith("        "):
            break
        lines.append(line[8:])
    return "\n".join(lines) + "\n"


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


def run_step(repo: GitRepo, tmp_path: Path, event_name: str, event: dict) -> tuple[int, str]:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event))
    output = tmp_path / "github_output"
    output.write_text("")
    script = action_scan_step()
    script = script.replace("${{ inputs.sarif-file }}", str(tmp_path / "keysweep.sarif"))
    script = script.replace("${{ inputs.args }}", "--no-progress")
    assert "${{" not in script
    bindir = Path(keysweep_command()[0]).parent
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_ACTIONS": "true",
           "GITHUB_EVENT_NAME": event_name, "GITHUB_EVENT_PATH": str(event_file),
           "GITHUB_SHA": repo.head(), "GITHUB_OUTPUT": str(output), "NO_COLOR": "1"}
    proc = subprocess.run(["bash", "-e", "-c", script], cwd=repo.path, env=env,
                          capture_output=True, text=True, timeout=120)
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
