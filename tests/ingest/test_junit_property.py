"""Property: any generated JUnit document reads back with the counts it was built with."""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.ingest import load
from reportgen.model import Outcome

OUTCOMES = ("passed", "failure", "error", "skipped", "disabled", "flaky")
# Printable text including markup characters and non-ASCII, never XML-forbidden characters.
TEXT = st.text(
    alphabet=st.characters(
        min_codepoint=0x20, max_codepoint=0x2FFF, blacklist_categories=("Cs", "Cc")
    ),
    max_size=12,
)


def _case(index: int, outcome: str, message: str, time: float | None) -> str:
    attrs = f'classname="pkg.C" name="t{index}"'
    if time is not None:
        attrs += f' time="{time:.6f}"'
    msg = quoteattr(message)
    body = {
        "passed": "",
        "failure": f"<failure message={msg}>trace</failure>",
        "error": f"<error message={msg}/>",
        "skipped": f"<skipped message={msg}/>",
        "disabled": "",
        "flaky": f"<flakyFailure message={msg}><stackTrace>x</stackTrace></flakyFailure>",
    }[outcome]
    if outcome == "disabled":
        attrs += ' status="disabled"'
    return f"<testcase {attrs}>{body}</testcase>" if body else f"<testcase {attrs}/>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suites=st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(OUTCOMES),
                TEXT,
                st.one_of(st.none(), st.floats(min_value=0, max_value=1e5)),
            ),
            max_size=8,
        ),
        min_size=1,
        max_size=4,
    ),
    nested=st.booleans(),
    bom=st.booleans(),
)
def test_generated_documents_keep_their_counts(
    suites: list[list[tuple[str, str, float | None]]], nested: bool, bom: bool
) -> None:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"]
    index = 0
    expected = dict.fromkeys(Outcome, 0)
    flaky = 0
    known_time = 0.0
    for s, cases in enumerate(suites):
        parts.append(f'<testsuite name="suite {s}" tests="{len(cases)}">')
        if nested:
            parts.append(f'<testsuite name="inner {s}">')
        for outcome, message, time in cases:
            parts.append(_case(index, outcome, message, time))
            index += 1
            kind = {
                "passed": Outcome.PASSED,
                "failure": Outcome.FAILED,
                "error": Outcome.ERROR,
                "skipped": Outcome.SKIPPED,
                "disabled": Outcome.SKIPPED,
                "flaky": Outcome.PASSED,
            }[outcome]
            expected[kind] += 1
            flaky += outcome == "flaky"
            known_time += round(time, 6) if time is not None else 0.0
        if nested:
            parts.append("</testsuite>")
        parts.append("</testsuite>")
    parts.append("</testsuites>")
    data = "\n".join(parts).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.xml"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        run = load([str(path)])
    assert len(run.tests) == index
    assert run.tests.outcome_counts() == expected
    assert run.tests.flaky_count() == flaky
    assert run.tests.total_duration() == pytest.approx(known_time, rel=1e-6, abs=1e-3)
    # A document of no testcase at all says so (it is no evidence); any other says nothing.
    said = tuple(w.message.split(": ")[0] for w in run.warnings)
    assert said == (("this junit file holds no test, metric or error",) if index == 0 else ())
