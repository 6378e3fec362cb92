"""CI context from each system's documented variables; nothing outside a known CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.ci.context import CiContext, detect, link_url

CASES = [
    (
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_SHA": "abc123",
            "GITHUB_REF": "refs/pull/88/merge",
            "GITHUB_REF_NAME": "88/merge",
            "GITHUB_HEAD_REF": "fix-race",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "octo/widgets",
            "GITHUB_RUN_ID": "42",
            "GITHUB_JOB": "gate",
        },
        CiContext(
            system="github-actions",
            commit="abc123",
            branch="fix-race",
            pr="88",
            pr_url="https://github.com/octo/widgets/pull/88",
            run_url="https://github.com/octo/widgets/actions/runs/42",
            job="gate",
        ),
    ),
    (
        {
            "GITLAB_CI": "true",
            "CI_COMMIT_SHA": "def456",
            "CI_COMMIT_REF_NAME": "main",
            "CI_MERGE_REQUEST_IID": "7",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
            "CI_JOB_URL": "https://gitlab.example/g/p/-/jobs/9",
            "CI_JOB_NAME": "reportgen",
            "CI_PROJECT_URL": "https://gitlab.example/g/p",
        },
        CiContext(
            system="gitlab-ci",
            commit="def456",
            branch="feature",
            pr="7",
            pr_url="https://gitlab.example/g/p/-/merge_requests/7",
            run_url="https://gitlab.example/g/p/-/jobs/9",
            job="reportgen",
        ),
    ),
    (
        {
            "JENKINS_URL": "https://ci.example/",
            "BUILD_URL": "https://ci.example/job/app/5/",
            "GIT_COMMIT": "0a1b",
            "GIT_BRANCH": "origin/main",
            "JOB_NAME": "app",
        },
        CiContext(
            system="jenkins",
            commit="0a1b",
            branch="main",
            run_url="https://ci.example/job/app/5/",
            job="app",
        ),
    ),
    (
        {
            "BUILDKITE": "true",
            "BUILDKITE_COMMIT": "c0ffee",
            "BUILDKITE_BRANCH": "dev",
            "BUILDKITE_PULL_REQUEST": "false",
            "BUILDKITE_BUILD_URL": "https://buildkite.com/o/p/builds/3",
            "BUILDKITE_LABEL": ":pytest: tests",
        },
        CiContext(
            system="buildkite",
            commit="c0ffee",
            branch="dev",
            run_url="https://buildkite.com/o/p/builds/3",
            job=":pytest: tests",
        ),
    ),
    (
        {
            "CIRCLECI": "true",
            "CIRCLE_SHA1": "feed",
            "CIRCLE_BRANCH": "pr-branch",
            "CIRCLE_PULL_REQUEST": "https://github.com/o/r/pull/12",
            "CIRCLE_BUILD_URL": "https://circleci.com/gh/o/r/77",
            "CIRCLE_JOB": "test",
        },
        CiContext(
            system="circleci",
            commit="feed",
            branch="pr-branch",
            pr="12",
            pr_url="https://github.com/o/r/pull/12",
            run_url="https://circleci.com/gh/o/r/77",
            job="test",
        ),
    ),
    (
        {
            "TF_BUILD": "True",
            "BUILD_SOURCEVERSION": "beef",
            "BUILD_SOURCEBRANCH": "refs/heads/release",
            "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER": "31",
            "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/org/",
            "SYSTEM_TEAMPROJECT": "proj",
            "BUILD_BUILDID": "1001",
            "SYSTEM_JOBDISPLAYNAME": "Gate",
        },
        CiContext(
            system="azure-pipelines",
            commit="beef",
            branch="release",
            pr="31",
            run_url="https://dev.azure.com/org/proj/_build/results?buildId=1001",
            job="Gate",
        ),
    ),
]


@pytest.mark.parametrize(("env", "expected"), CASES, ids=[c[1].system for c in CASES])
def test_detect(env: dict[str, str], expected: CiContext) -> None:
    assert detect(env) == expected


def test_no_ci() -> None:
    assert detect({"CI": "true", "HOME": "/root"}) is None
    # A Jenkins URL alone (e.g. a developer's shell profile) is not a Jenkins build.
    assert detect({"JENKINS_URL": "https://ci.example/"}) is None


def test_pull_request_target_reads_the_event_file(tmp_path: Path) -> None:
    # pull_request_target runs on the base branch: only the event file names the PR.
    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"number": 314, "title": "x"}}', encoding="utf-8")
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo/widgets",
    }
    found = detect(env)
    assert found is not None
    assert (found.pr, found.pr_url) == ("314", "https://github.com/octo/widgets/pull/314")
    # A push event's file is not read for a PR; a broken file gives none.
    assert detect({**env, "GITHUB_EVENT_NAME": "push"}).pr is None  # type: ignore[union-attr]
    event.write_text("{not json", encoding="utf-8")
    assert detect(env).pr is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("url", "linkable"),
    [
        ("https://github.com/octo/widgets/actions/runs/42", True),
        ("https://dev.azure.com/org/proj/_build/results?buildId=1001", True),
        ("https://gitlab.example:8443/g/p/-/jobs/9", True),
        ("http://ci.example/job/1", False),
        ("javascript:alert(1)", False),
        ("https://ci.example/job/1) [x](https://evil.example", False),
        ('https://ci.example/"><script>', False),
        ("https://ci.example/a b", False),
        ("https://ci.example/?a=1&copy=2", False),
        ("https:///no-host", False),
        ("", False),
        (None, False),
    ],
)
def test_link_url(url: str | None, linkable: bool) -> None:
    assert link_url(url) == (url if linkable else None)
