"""Which CI system a command runs in, and the commit, branch, PR/MR, run URL and job it names.

Read only from each system's documented environment variables (GitHub Actions, GitLab CI,
Jenkins, Buildkite, CircleCI, Azure Pipelines) and, for a GitHub pull request event, the event
file GitHub names; nothing is guessed, and a value the environment does not give is left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from pydantic import Field

from reportgen.model import Frozen
from reportgen.regex import lazy_regex

_pr_ref = lazy_regex(r"^refs/pull/(\d+)/")
_pr_url = lazy_regex(r"/pull/(\d+)/?$")
# What a link target may hold: no space, quote, bracket, backslash or `&` (an entity in
# Markdown), so the URL can sit in a Markdown link or an HTML attribute as it is.
_linkable = lazy_regex(r"https://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~:/?#@!$+,;=%-]*)?")
#: Each system as people name it, for report headers.
SYSTEM_NAMES = {
    "github-actions": "GitHub Actions",
    "gitlab-ci": "GitLab CI",
    "jenkins": "Jenkins",
    "buildkite": "Buildkite",
    "circleci": "CircleCI",
    "azure-pipelines": "Azure Pipelines",
}
#: The variables by which each system announces itself; without them `detect` finds no CI.
ANNOUNCING = ("GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "TF_BUILD", "JENKINS_URL")


class CiContext(Frozen):
    """Where a run happened, as its CI system names it."""

    system: str = Field(description="github-actions, gitlab-ci, jenkins, buildkite, ...")
    commit: str | None = None
    branch: str | None = None
    pr: str | None = Field(default=None, description="Pull or merge request number.")
    pr_url: str | None = Field(default=None, description="Web page of the pull or merge request.")
    run_url: str | None = None
    job: str | None = None

    @property
    def system_name(self) -> str:
        """The CI system as people name it (`GitHub Actions`)."""
        return SYSTEM_NAMES.get(self.system, self.system)


def link_url(url: str | None) -> str | None:
    """`url` when it is a well-formed https URL safe to use as a link target as it is, else
    None (a report then shows the value as text)."""
    if not url or not _linkable().fullmatch(url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme == "https" and parts.hostname else None


def _github_event_pr(env: Mapping[str, str]) -> str | None:
    """The PR number of a `pull_request*` event from GitHub's event file (`pull_request_target`
    runs on the base branch, so the ref does not name the PR)."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path or not env.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            number = json.load(handle).get("pull_request", {}).get("number")
    except (OSError, ValueError, AttributeError):
        return None
    return str(number) if isinstance(number, int) and not isinstance(number, bool) else None


def _github(env: Mapping[str, str]) -> dict[str, str | None]:
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo, run_id = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    ref = _pr_ref().match(env.get("GITHUB_REF", ""))
    pr = ref.group(1) if ref else _github_event_pr(env)
    return {
        "commit": env.get("GITHUB_SHA"),
        # On a pull request GITHUB_REF_NAME is "123/merge"; the branch is the head ref.
        "branch": env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME"),
        "pr": pr,
        "pr_url": f"{server}/{repo}/pull/{pr}" if repo and pr else None,
        "run_url": f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None,
        "job": env.get("GITHUB_JOB"),
    }


def _gitlab(env: Mapping[str, str]) -> dict[str, str | None]:
    mr = env.get("CI_MERGE_REQUEST_IID")
    project = env.get("CI_MERGE_REQUEST_PROJECT_URL") or env.get("CI_PROJECT_URL")
    return {
        "commit": env.get("CI_COMMIT_SHA"),
        "branch": env.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
        or env.get("CI_COMMIT_BRANCH")
        or env.get("CI_COMMIT_REF_NAME"),
        "pr": mr,
        "pr_url": f"{project.rstrip('/')}/-/merge_requests/{mr}" if project and mr else None,
        "run_url": env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL"),
        "job": env.get("CI_JOB_NAME"),
    }


def _jenkins(env: Mapping[str, str]) -> dict[str, str | None]:
    branch = env.get("CHANGE_BRANCH") or env.get("BRANCH_NAME") or env.get("GIT_BRANCH")
    return {
        "commit": env.get("GIT_COMMIT"),
        "branch": branch.removeprefix("origin/") if branch else None,
        "pr": env.get("CHANGE_ID"),
        "pr_url": env.get("CHANGE_URL"),
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
    pr = _pr_url().search(env.get("CIRCLE_PULL_REQUEST", ""))
    return {
        "commit": env.get("CIRCLE_SHA1"),
        "branch": env.get("CIRCLE_BRANCH"),
        "pr": env.get("CIRCLE_PR_NUMBER") or (pr.group(1) if pr else None),
        "pr_url": env.get("CIRCLE_PULL_REQUEST"),
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
