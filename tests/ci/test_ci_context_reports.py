"""The CI context in every report (Markdown, HTML, PDF header and provenance; the verdict JSON),
links only for plain https URLs from the CI environment; and trusted text from the criteria
file and flags keeps its issue references while input text stays neutralised."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import jsonschema
import lxml.html as lhtml
import pytest
from markdown_it import MarkdownIt

from reportgen.evaluation import Evaluation
from reportgen.render.markdown import escape_inline
from reportgen.render.view import Trusted
from reportgen.schemagen import SCHEMA_DIR
from tests.conftest import run_cli

ZWJ = "\u200d"
SHA = "3f2c9a1e7b5d4c6a8e0f1b2c3d4e5f6a7b8c9d0e"
RUN_URL = "https://github.com/octo/widgets/actions/runs/4242"
PR_URL = "https://github.com/octo/widgets/pull/88"
SAMPLE = ("samples/phase4-websocket/results", "--baseline", "samples/phase4-websocket/baseline")
CRITERIA = "samples/phase4-websocket/criteria.yaml"


def github_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A pull_request run on GitHub Actions (publishing off: this is about the reports)."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 88}}), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_SHA": SHA,
        "GITHUB_REF": "refs/pull/88/merge",
        "GITHUB_REF_NAME": "88/merge",
        "GITHUB_HEAD_REF": "fix-ws-race",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "octo/widgets",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_JOB": "gate",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "SOURCE_DATE_EPOCH": "1767225600",
        **extra,
    }


def _report(tmp_path: Path, env: dict[str, str], *names: str, extra: tuple[str, ...] = ()) -> None:
    outputs = [arg for name in names for arg in ("-o", str(tmp_path / name))]
    result = run_cli("report", "-c", CRITERIA, *SAMPLE, *outputs, "--ci", "github", *extra, env=env)
    assert result.returncode == 1, result.stderr


def test_every_report_shows_the_ci_context(tmp_path: Path) -> None:
    _report(tmp_path, github_env(tmp_path), "r.md", "r.html", "r.json", "r.pdf")

    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    header = md.split("## ", 1)[0]
    assert (
        f"**CI:** GitHub Actions job gate · [run]({RUN_URL}) · commit {SHA[:12]} · branch "
        f"fix-ws-race · pull request [#88]({PR_URL})"
    ) in header
    provenance = md.split("## Provenance", 1)[1]
    for line in (
        "- CI: GitHub Actions, job gate",
        f"- Run: <{RUN_URL}>",
        f"- Commit: {SHA}",
        "- Branch: fix-ws-race",
        f"- Pull request: [#88]({PR_URL})",
    ):
        assert line in provenance
    links = [
        t.attrGet("href")
        for block in MarkdownIt("commonmark").enable("table").parse(md)
        for t in (block.children or [])
        if t.type == "link_open"
    ]
    assert RUN_URL in links and PR_URL in links

    page = lhtml.fromstring((tmp_path / "r.html").read_text(encoding="utf-8"))
    header_links = {a.get("href"): a.text_content() for a in page.find(".//header").iter("a")}
    assert header_links == {RUN_URL: "run", PR_URL: "#88"}
    provenance_text = page.get_element_by_id("provenance").text_content()
    assert SHA in provenance_text and "fix-ws-race" in provenance_text

    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    schema = json.loads((SCHEMA_DIR / "verdict.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    assert document["ci"] == {
        "system": "github-actions",
        "commit": SHA,
        "branch": "fix-ws-race",
        "pr": "88",
        "pr_url": PR_URL,
        "run_url": RUN_URL,
        "job": "gate",
    }
    assert Evaluation.model_validate(document).ci is not None

    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO((tmp_path / "r.pdf").read_bytes()))
    first = reader.pages[0]
    assert "GitHub Actions" in first.extract_text()
    uris = {
        annot.get_object()["/A"].get("/URI")
        for annot in first.get("/Annots", [])
        if "/A" in annot.get_object()
    }
    assert {RUN_URL, PR_URL} <= uris


def test_outside_ci_and_with_ci_none_nothing_is_added(tmp_path: Path) -> None:
    # `.ci/run` sets CI=true: that alone is no CI system.
    _report(tmp_path, {"CI": "true", "SOURCE_DATE_EPOCH": "1767225600"}, "plain.md", "plain.json")
    _report(tmp_path, github_env(tmp_path), "none.md", "none.json", extra=("--ci", "none"))
    for name in ("plain", "none"):
        assert "ci" not in json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        md = (tmp_path / f"{name}.md").read_text(encoding="utf-8")
        assert "**CI:**" not in md and "- CI:" not in md
    # Apart from the command line in the provenance, the same report.
    strip = lambda text: "\n".join(x for x in text.splitlines() if not x.startswith("- Command"))  # noqa: E731
    assert strip((tmp_path / "plain.md").read_text(encoding="utf-8")) == strip(
        (tmp_path / "none.md").read_text(encoding="utf-8")
    )


def test_untrusted_ci_values_are_text_not_links(tmp_path: Path) -> None:
    env = github_env(
        tmp_path,
        GITHUB_SERVER_URL="javascript:alert(1)//",
        GITHUB_HEAD_REF="<img src=x>@everyone #1",
        GITHUB_JOB="gate](https://evil.example)",
    )
    _report(tmp_path, env, "r.md", "r.html")
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    header = md.split("## ", 1)[0]
    assert not re.search(r"\]\(javascript|(?<!\\)<img", md)
    assert escape_inline("<img src=x>@everyone #1") in header
    assert "@" + ZWJ + "everyone" in header and "#" + ZWJ + "1" in header
    assert "[run](" not in header and "run javascript:" in header.replace("\\", "")
    page = lhtml.fromstring((tmp_path / "r.html").read_text(encoding="utf-8"))
    # No link left the page: the run and PR URLs were not https, the job is text.
    assert all(a.get("href", "#").startswith("#") for a in page.iter("a"))
    assert not page.findall(".//img")


def test_trusted_text_keeps_issue_references(tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\n"
        "phases:\n"
        "  - name: 'Release #7'\n"
        "    criteria:\n"
        "      - id: no-failures\n"
        "        title: 'No failures (GH-12, !34, octo/widgets#56)'\n"
        "        impact: 'Users of #99'\n"
        "        tests: {select: '**', max_failed: 0}\n",
        encoding="utf-8",
    )
    results = tmp_path / "junit.xml"
    results.write_text(
        '<testsuite name="s" tests="1" failures="1"><testcase classname="t" name="test_#77 @bob '
        'GH-78"><failure message="see #79 and !80">out #81</failure></testcase></testsuite>',
        encoding="utf-8",
    )
    result = run_cli(
        "report",
        "-c",
        str(criteria),
        str(results),
        "--subject",
        "Fixes #88",
        "--title",
        "Gate for GH-88",
        "-o",
        str(tmp_path / "r.md"),
        "-o",
        str(tmp_path / "c.txt"),
        "--to",
        "github-comment",
    )
    assert result.returncode == 1, result.stderr
    for name in ("r.md", "c.txt"):
        md = (tmp_path / name).read_text(encoding="utf-8")
        # From the flags and the criteria file: references as written, no joiner.
        for ref in ("Gate for GH-88", "Fixes #88", "No failures (GH-12, !34, octo/widgets#56)"):
            assert ref in md, (name, ref)
        # From the input: every reference broken.
        assert "#77" not in md and "#79" not in md and "!80" not in md and "GH-78" not in md
        assert "#" + ZWJ + "77" in md and "GH" + ZWJ + "-78" in md and "@" + ZWJ + "bob" in md
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "### Release #7: NOT READY" in md and "**Users of #99**" in md


@pytest.mark.parametrize(
    ("raw", "trusted", "untrusted"),
    [
        ("fixes #12", "fixes #12", "fixes #" + ZWJ + "12"),
        ("GH-88", "GH-88", "GH" + ZWJ + "-88"),
        ("merge !12", "merge !12", "merge \\!" + ZWJ + "12"),
        ("octo/widgets#5", "octo/widgets#5", "octo/widgets#" + ZWJ + "5"),
        ("![x](y)", "\\!\\[x\\](y)", "\\!\\[x\\](y)"),
        ("ping @alice", "ping @" + ZWJ + "alice", "ping @" + ZWJ + "alice"),
        ("<b>*x*</b>", "\\<b\\>\\*x\\*\\</b\\>", "\\<b\\>\\*x\\*\\</b\\>"),
    ],
)
def test_escape_trusted_and_untrusted(raw: str, trusted: str, untrusted: str) -> None:
    assert escape_inline(Trusted(raw)) == trusted
    assert escape_inline(raw) == untrusted
    # Anything made from trusted text is untrusted again.
    assert escape_inline(Trusted(raw) + "") == untrusted


def test_verdict_json_names_the_gitlab_merge_request(tmp_path: Path) -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_COMMIT_SHA": SHA,
        "CI_MERGE_REQUEST_IID": "12",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "fix-ws-race",
        "CI_MERGE_REQUEST_PROJECT_URL": "https://gitlab.example/g/p",
        "CI_JOB_URL": "https://gitlab.example/g/p/-/jobs/9",
        "CI_JOB_NAME": "reportgen",
    }
    result = run_cli("verdict", "-c", CRITERIA, *SAMPLE, "--json", "-", env=env)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["ci"] == {
        "system": "gitlab-ci",
        "commit": SHA,
        "branch": "fix-ws-race",
        "pr": "12",
        "pr_url": "https://gitlab.example/g/p/-/merge_requests/12",
        "run_url": "https://gitlab.example/g/p/-/jobs/9",
        "job": "reportgen",
    }
    result = run_cli("report", "-c", CRITERIA, *SAMPLE, "-o", str(tmp_path / "r.md"), env=env)
    header = (tmp_path / "r.md").read_text(encoding="utf-8").split("## ", 1)[0]
    assert (
        "**CI:** GitLab CI job reportgen · [run](https://gitlab.example/g/p/-/jobs/9) · commit "
        f"{SHA[:12]} · branch fix-ws-race · merge request "
        "[!12](https://gitlab.example/g/p/-/merge_requests/12)"
    ) in header
