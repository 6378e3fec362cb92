"""Which CI system a command runs in, and the commit, branch, PR/MR, run URL and job it names.

Read only from each system's documented environment variables (GitHub Actions, GitLab CI,
Jenkins, Buildkite, CircleCI, Azure Pipelines); nothing is guessed, and a value the environment
does not give is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from pydantic import Field

from reportgen.model import Frozen

_PR_REF = re.compile(r"^refs/pull/(\d+)/")
_PR_URL = re.compile(r"/pull/(\d+)/?$")


class CiContext(Frozen):
    """Where a run happened, as its CI system names it."""

    system: str = Field(description="github-actions, gitlab-ci, jenkins, buildkite, ...")
    commit: str | None = None
    branch: str | None = None
    pr: str | None = Field(default=None, description="Pull or merge request number.")
    run_url: str | None = None
    job: str | None = None


def _github(env: Mapping[str, str]) -> dict[str, str | None]:
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo, run_id = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    pr = _PR_REF.match(env.get("GITHUB_REF", ""))
    return {
        "commit": env.get("GITHUB_SHA"),
        # On a pull request GITHUB_REF_NAME is "123/merge"; the branch is the head ref.
        "branch": env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME"),
        "pr": pr.group(1) if pr else None,
        "run_url": f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None,
        "job": env.get("GITHUB_JOB"),
    }


def _gitlab(env: Mapping[str, str]) -> dict[str, str | None]:
    return {
        "commit": env.get("CI_COMMIT_SHA"),
        "branch": env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
        or env.get("CI_COMMIT_BRANCH")
        or env.get("CI_COMMIT_REF_NAME"),
        "pr": env.get("CI_MERGE_REQUEST_IID"),
        "run_url": env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL"),
        "job": env.get("CI_JOB_NAME"),
    }


def _jenkins(env: Mapping[str, str]) -> dict[str, str | None]:
    branch = env.get("CHANGE_BRANCH") or env.get("BRANCH_NAME") or env.get("GIT_BRANCH")
    return {
        "commit": env.get("GIT_COMMIT"),
        "branch": branch.removeprefix("origin/") if branch else None,
        "pr": env.get("CHANGE_ID"),
        "run_url": env.get("BUILD_URL"),
        "job": env.get("JOB_NAME"),
    }


def _buildkite(env: Mapping[str, str]) -> dict[str, str | None]:
    pr = env.get("BUILDKITE_PULL_REQUEST")
    return {
        "commit": env.get("BUILDKITE_COMMIT"),
        "branch": env.get("BUILDKITE_BRANCH"),
        "pr": pr if pr and pr != "false" else None,
        "run_url": env.get("BUILDKITE_BUILD_URL"),
        "job": env.get("BUILDKITE_LABEL") or env.get("BUILDKITE_STEP_KEY"),
    }


def _circleci(env: Mapping[str, str]) -> dict[str, str | None]:
    pr = _PR_URL.search(env.get("CIRCLE_PULL_REQUEST", ""))
    return {
        "commit": env.get("CIRCLE_SHA1"),
        "branch": env.get("CIRCLE_BRANCH"),
        "pr": env.get("CIRCLE_PR_NUMBER") or (pr.group(1) if pr else None),
        "run_url": env.get("CIRCLE_BUILD_URL"),
        "job": env.get("CIRCLE_JOB"),
    }


def _azure(env: Mapping[str, str]) -> dict[str, str | None]:
    server = env.get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI", "").rstrip("/")
    project, build = env.get("SYSTEM_TEAMPROJECT"), env.get("BUILD_BUILDID")
    branch = env.get("SYSTEM_PULLREQUEST_SOURCEBRANCH") or env.get("BUILD_SOURCEBRANCH")
    return {
        "commit": env.get("BUILD_SOURCEVERSION"),
        "branch": branch.removeprefix("refs/heads/") if branch else None,
        "pr": env.get("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER")
        or env.get("SYSTEM_PULLREQUEST_PULLREQUESTID"),
        "run_url": f"{server}/{project}/_build/results?buildId={build}"
        if server and project and build
        else None,
        "job": env.get("SYSTEM_JOBDISPLAYNAME") or env.get("AGENT_JOBNAME"),
    }


#: (system, how it announces itself, reader), checked in this order.
_SYSTEMS: tuple[
    tuple[str, Callable[[Mapping[str, str]], bool], Callable[..., dict[str, str | None]]], ...
] = (
    ("github-actions", lambda env: env.get("GITHUB_ACTIONS") == "true", _github),
    ("gitlab-ci", lambda env: env.get("GITLAB_CI") == "true", _gitlab),
    ("buildkite", lambda env: env.get("BUILDKITE") == "true", _buildkite),
    ("circleci", lambda env: env.get("CIRCLECI") == "true", _circleci),
    ("azure-pipelines", lambda env: env.get("TF_BUILD", "").lower() == "true", _azure),
    ("jenkins", lambda env: bool(env.get("JENKINS_URL") and env.get("BUILD_URL")), _jenkins),
)


def detect(env: Mapping[str, str]) -> CiContext | None:
    """The CI context the environment describes, or None outside a known CI system."""
    for system, announced, read in _SYSTEMS:
        if announced(env):
            values = {key: value for key, value in read(env).items() if value}
            return CiContext(system=system, **values)
    return None
