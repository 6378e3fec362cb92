"""The PR comment keeps its parts in order of value within 65,536 characters: the verdict, the
failing and insufficient criteria with their why, failures with their output, then counts of
what was left out."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from reportgen.ci import github
from reportgen.model import Outcome
from reportgen.render.github_comment import build_comment
from reportgen.render.markdown import escape_inline
from reportgen.render.view import build_view
from tests.conftest import run_cli
from tests.render.helpers import make_baseline, make_evaluation, make_run

CRITERIA = """\
version: 1
report: {title: "Gate for #88"}
criteria:
  - id: no-failures
    title: No failing tests (see GH-12)
    tests: {select: "**", max_failed: 0}
  - id: imports-required
    title: Import checks ran
    tests: {require: ["tests/imports/**"]}
  - id: enough-tests
    title: At least 10 tests
    tests: {select: "**", min_total: 10}
"""

FAILURES = 5000


def _junit(path: Path) -> None:
    cases = []
    for i in range(FAILURES):
        output = "".join(f"frame {k} of failure {i}: Traceback ✗\n" for k in range(30))
        cases.append(
            f'<testcase classname="pkg.mod" name="test_{i:04d}">'
            f"<failure message={quoteattr(f'boom {i}')}>{escape(output)}</failure></testcase>"
        )
    cases.append('<testcase classname="pkg.mod" name="ok"/>')
    path.write_text(
        f'<?xml version="1.0"?><testsuite name="s" tests="{FAILURES + 1}" '
        f'failures="{FAILURES}">{"".join(cases)}</testsuite>',
        encoding="utf-8",
    )


def test_5000_failures_in_order_of_value(tmp_path: Path) -> None:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(CRITERIA, encoding="utf-8")
    _junit(tmp_path / "junit.xml")
    result = run_cli(
        "report",
        "-c",
        str(criteria),
        str(tmp_path / "junit.xml"),
        "-o",
        str(tmp_path / "comment.txt"),
        "--to",
        "github-comment",
        "-o",
        str(tmp_path / "full.html"),
        timeout=600,
    )
    assert result.returncode == 1, result.stderr
    body = (tmp_path / "comment.txt").read_text(encoding="utf-8")

    # Within the limit, and using it: failures fill what the criteria leave.
    assert len(body) <= github.COMMENT_CHARS
    assert len(body) > github.COMMENT_CHARS - 2000
    first, rest = body.split("\n", 1)
    assert first == github.comment_marker(str(criteria))

    # In order of value: verdict, failing criterion, insufficient criterion, failures, counts.
    verdict = rest.index(": NOT READY")
    failing = rest.index("FAIL no-failures: No failing tests (see GH-12)")
    insufficient = rest.index("INSUFFICIENT imports-required")
    tests_heading = rest.index(f"### Failing tests ({FAILURES:,})")
    closing = rest.index("**Not shown**")
    assert verdict < failing < insufficient < tests_heading < closing
    assert "**Why:**" in rest[failing:insufficient]
    assert "enough-tests" not in rest  # a passing criterion is counted, not listed

    # As many failures as fit, in input order, each with its output.
    shown = re.findall(r"^- \*\*failed\*\* pkg\.mod::test\\_(\d{4})\b", rest, re.MULTILINE)
    assert len(shown) > 20
    assert [int(n) for n in shown] == list(range(len(shown)))
    assert rest.count("<details><summary>output") == len(shown)
    assert rest.count("frame 0 of failure") == len(shown)

    # Counts of what was left out, right.
    note = rest[closing:]
    assert f"{FAILURES - len(shown):,} more failing tests" in note
    assert "1 passing criterion" in note
    assert escape_inline(str(tmp_path / "full.html")) in note
    # Trusted text keeps its issue references; nothing of ours is broken by a joiner.
    assert "Gate for #88" in rest and "GH-12" in rest


def _failures(n: int, lines: int) -> list[tuple[str, str, Outcome, str | None, str | None]]:
    return [
        (
            "pkg.T",
            f"t{i}",
            Outcome.FAILED,
            f"m{i}",
            "".join(f"line {k}\n" for k in range(lines)),
        )
        for i in range(n)
    ]


def test_the_last_failure_that_fits_keeps_a_trimmed_output() -> None:
    view = build_view(
        make_run(names=_failures(40, 20)),
        make_evaluation(),
        baseline=make_baseline(),
        source_date_epoch="",
    )
    cut_short = 0
    for limit in range(6000, 8000, 50):
        body = build_comment(view, marker="<!-- m -->", limit=limit)
        assert len(body) <= limit
        shown = re.findall(r"^- \*\*failed\*\* pkg\.T::t(\d+)\b", body, re.MULTILINE)
        assert shown == [str(i) for i in range(len(shown))]
        note = body[body.index("**Not shown**") :]
        assert f"{40 - len(shown)} more failing tests" in note
        # The failure that filled the room shows part of its output and says so.
        if "cut short" in note:
            cut_short += 1
            assert "the output of 1 failing test cut short" in note
            last = body[body.rindex("- **failed**") :]
            assert re.search(r"trimmed: \d+ more lines", last), last
            assert last.count("line ") >= 3
    assert cut_short  # the limits above include ones where only part of an output fits


def test_no_room_for_failures_still_counts_them() -> None:
    view = build_view(
        make_run(names=_failures(3, 5)),
        make_evaluation(),
        baseline=make_baseline(),
        source_date_epoch="",
    )
    full = build_comment(view, marker="<!-- m -->", limit=github.COMMENT_CHARS)
    assert "3 more failing tests" not in full and "pkg.T::t2" in full
    # A limit that holds the head and the criteria but not the failures.
    cut = full.index("### Failing tests")
    body = build_comment(view, marker="<!-- m -->", limit=cut + 200)
    assert len(body) <= cut + 200
    assert "pkg.T::t0" not in body
    assert "3 more failing tests" in body
