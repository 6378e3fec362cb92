"""Where and when a run happened: the CI context read from the environment.

GitHub Actions and GitLab CI say it in documented variables; elsewhere nothing is assumed and
the caller may give `--branch` and `--commit` (or ask git).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from reportgen.model import Frozen

_PR_REF = re.compile(r"^refs/pull/(\d+)/")


class RunContext(Frozen):
    """What is stored about a run besides its results."""

    commit: str | None = None
    branch: str | None = None
    pr: str | None = Field(default=None, description="Pull or merge request number.")
    run_url: str | None = None
    job: str | None = None
    recorded_at: datetime
    labels: dict[str, str] = Field(default_factory=dict)


def ci_context(env: Mapping[str, str]) -> dict[str, str]:
    """commit, branch, pr, run_url and job from GitHub Actions or GitLab CI variables.

    Keys whose value the environment does not give are left out.
    """
    found: dict[str, str | None] = {}
    if env.get("GITHUB_ACTIONS") == "true":
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        repo, run_id = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
        pr = _PR_REF.match(env.get("GITHUB_REF", ""))
        found = {
            "commit": env.get("GITHUB_SHA"),
            # On a pull request GITHUB_REF_NAME is "123/merge"; the branch is the head ref.
            "branch": env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME"),
            "pr": pr.group(1) if pr else None,
            "run_url": f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None,
            "job": env.get("GITHUB_JOB"),
        }
    elif env.get("GITLAB_CI") == "true":
        found = {
            "commit": env.get("CI_COMMIT_SHA"),
            "branch": env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
            or env.get("CI_COMMIT_BRANCH")
            or env.get("CI_COMMIT_REF_NAME"),
            "pr": env.get("CI_MERGE_REQUEST_IID"),
            "run_url": env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL"),
            "job": env.get("CI_JOB_NAME"),
        }
    return {key: value for key, value in found.items() if value}
