"""What a CI job should scan, from the CI system's own variables: a pull or merge request's
commits, a push's new commits, or (elsewhere) the whole history. Not every branch the runner
happened to fetch."""

from __future__ import annotations

import json
from collections.abc import Mapping

from scanner.errors import UsageError
from scanner.sources.git.command import Git, is_null_id
from scanner.sources.git.scope import GitScope


def ci_scope(env: Mapping[str, str], git: Git) -> tuple[GitScope, str]:
    """The scope and a one-line description of it."""
    if env.get("GITHUB_ACTIONS") == "true":
        return _github(env, git)
    if env.get("GITLAB_CI") == "true":
        return _gitlab(env, git)
    return GitScope(), "the whole history (no CI system detected)"


def _github(env: Mapping[str, str], git: Git) -> tuple[GitScope, str]:
    event = _event(env.get("GITHUB_EVENT_PATH"))
    name = env.get("GITHUB_EVENT_NAME", "")
    if name in ("pull_request", "pull_request_target") and "pull_request" in event:
        base = event["pull_request"]["base"]["sha"]
        head = event["pull_request"]["head"]["sha"]
        return (GitScope(range=f"{base}..{head}"),
                f"the pull request's commits {base[:10]}..{head[:10]}")
    if name == "push":
        after = event.get("after") or env.get("GITHUB_SHA", "HEAD")
        default = (event.get("repository") or {}).get("default_branch")
        return _pushed(git, event.get("before"), after, default)
    return GitScope(), f"the whole history ({name or 'unknown'} event)"


def _gitlab(env: Mapping[str, str], git: Git) -> tuple[GitScope, str]:
    head = env.get("CI_COMMIT_SHA", "HEAD")
    base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA")
    if base:
        return (GitScope(range=f"{base}..{head}"),
                f"the merge request's commits {base[:10]}..{head[:10]}")
    return _pushed(git, env.get("CI_COMMIT_BEFORE_SHA"), head, env.get("CI_DEFAULT_BRANCH"))


def _pushed(git: Git, before: str | None, after: str,
            default_branch: str | None) -> tuple[GitScope, str]:
    if before and not is_null_id(before) and _exists(git, before):
        return (GitScope(range=f"{before}..{after}"),
                f"the pushed commits {before[:10]}..{after[:10]}")
    # A new branch: what it has that the default branch does not.
    if default_branch and _exists(git, f"origin/{default_branch}"):
        base = f"origin/{default_branch}"
        return GitScope(revs=(after, "--not", base)), f"the new branch's commits (not on {base})"
    return GitScope(revs=(after,)), f"the whole history of {after[:10]}"


def _exists(git: Git, rev: str) -> bool:
    return bool(git.run(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                        check=False).strip())


def _event(path: str | None) -> dict:  # type: ignore[type-arg]
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read the CI event file {path}: {exc}") from exc
    return data if isinstance(data, dict) else {}
