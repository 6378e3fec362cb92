"""The report view: what it takes from the evaluation, how it formats and caps, and provenance."""

from __future__ import annotations

import dataclasses

import pytest

from reportgen.evaluation import Evaluation, Status, Verdict
from reportgen.model import Outcome, Run
from reportgen.render.view import (
    MAX_FAILURES,
    SHA_PREFIX,
    ReportView,
    anchors,
    build_view,
    for_print,
    format_measured,
    format_threshold,
    generated_time,
)
from tests.render.helpers import (
    BASE_SHA,
    JUNIT_SHA,
    METRICS_SHA,
    make_baseline,
    make_evaluation,
    make_run,
)


@pytest.fixture
def view() -> ReportView:
    return build_view(
        make_run(),
        make_evaluation(),
        baseline=make_baseline(),
        command="reportgen report -c c.yaml r",
        source_date_epoch="",
    )


def test_verdict_and_summary_come_from_the_evaluation(view: ReportView) -> None:
    assert view.verdict == "NOT READY"
    assert view.verdict_class == "not-ready"
    assert view.exit_code == 1
    assert dict((k, n) for k, _, n in view.summary.counts) == {
        "fail": 1,
        "insufficient": 2,
        "waived": 1,
        "pass": 1,
    }
    # Blocking: one link per blocker that fails or lacks evidence, failures first; the why
    # stays in the criterion's own place.
    assert [line.anchor for line in view.summary.blocking] == [
        "c-connect-no-regression",
        "c-reliability",
        "c-init-time",
    ]
    assert [line.id for line in view.summary.blocking] == [
        "connect-no-regression",
        "reliability",
        "init-time",
    ]
    assert view.summary.advisory == ()
    assert "of 5 criteria, 1 fail, 2 insufficient, 1 waived, 1 pass" in view.summary.sentence


def test_phases_keep_the_evaluations_grouping_and_verdicts(view: ReportView) -> None:
    assert [(p.name, p.verdict) for p in view.phases] == [
        ("Performance", "NOT READY"),
        ("Regression", "INSUFFICIENT EVIDENCE"),
    ]
    assert [r.id for r in view.phases[0].rows] == [
        "connect-no-regression",
        "init-time",
        "latency-cv",
    ]


def test_without_phases_all_criteria_form_one_group() -> None:
    ev = make_evaluation().model_copy(update={"phases": ()})
    v = build_view(make_run(), ev, source_date_epoch="")
    assert len(v.phases) == 1
    assert len(v.phases[0].rows) == len(ev.criteria)


def test_criteria_outside_every_phase_are_still_shown() -> None:
    ev = make_evaluation()
    ev = ev.model_copy(update={"phases": ev.phases[:1]})
    v = build_view(make_run(), ev, source_date_epoch="")
    assert [p.name for p in v.phases] == ["Performance", "Other criteria"]
    assert {r.id for r in v.phases[1].rows} == {"reliability", "critical-imports"}


def test_figures_are_formatted_with_ci_threshold_and_direction(view: ReportView) -> None:
    row = view.phases[0].rows[0]
    assert row.measured == "median 1.2 s → 1.5 s, +25.0% (regression), 95% CI +23.0% to +27.0%"
    assert row.threshold == "≤ +5.0%"
    assert row.n == "10, baseline 10"
    rate = view.phases[1].rows[0]
    assert rate.measured == "pass rate 100.0%, 95% CI 74.1% to 100.0%"
    assert rate.threshold == "≥ 99.0%"


def test_evidence_names_path_and_sha_prefix(view: ReportView) -> None:
    row = view.phases[0].rows[0]
    assert [(e.path, e.sha, e.baseline) for e in row.evidence] == [
        ("results/metrics.json", METRICS_SHA[:SHA_PREFIX], False),
        ("baseline/metrics.json", BASE_SHA[:SHA_PREFIX], True),
    ]
    assert SHA_PREFIX >= 12
    # The compact reference names the record; the sha256 is left to the provenance.
    assert row.evidence[0].text == "results/metrics.json#ws_connect_time"
    assert row.evidence[1].text == "baseline baseline/metrics.json#ws_connect_time"
    assert view.phases[1].rows[0].evidence[0].text.startswith("results/junit.xml (")
    assert all(JUNIT_SHA[:SHA_PREFIX] not in e.text for e in view.phases[1].rows[0].evidence)


def test_anchors_are_unique_and_safe() -> None:
    assert anchors(["a b", "a-b", "A/B", "", "x"]) == {
        "a b": "c-a-b",
        "a-b": "c-a-b-2",
        "A/B": "c-a-b-3",
        "": "c-criterion",
        "x": "c-x",
    }


def test_what_would_change_it_only_for_non_passing_criteria(view: ReportView) -> None:
    rows = [r for phase in view.phases for r in phase.rows]
    assert sorted(r.id for r in rows if r.to_change) == sorted(
        ["connect-no-regression", "reliability", "init-time", "latency-cv"]
    )
    by_id = {r.id: r for r in rows}
    # Insufficient: what would decide it comes from the evaluation, word for word.
    assert by_id["reliability"].to_change == "299 consecutive passes would show at least 99%."
    # Fail: what would change it is stated in the evaluation's own threshold.
    assert "≤ +5.0%" in by_id["connect-no-regression"].to_change
    assert by_id["latency-cv"].waiver == "noisy runners, #512 (active, expires 2026-12-31)"


def test_impact_groups_only_declared_impacts(view: ReportView) -> None:
    assert [(g.impact, g.worst, [r.id for r in g.rows]) for g in view.impacts] == [
        ("User-visible latency", "fail", ["connect-no-regression"])
    ]


def test_tests_overview_counts_and_lists(view: ReportView) -> None:
    t = view.tests
    assert (t.total, t.passed, t.failed, t.errors, t.skipped) == (4, 2, 1, 0, 1)
    assert [s.name for s in t.suites] == ["staging", "tests"]  # failing suites first
    assert t.failures[0].id == "staging.WebSocket::test_connect"
    assert t.failures[0].message == "HTTP 500"
    assert t.failures[0].output == "GET /ws -> 500"
    assert t.failures[0].source == "results/junit.xml"
    assert [x.id for x in t.skipped_tests] == ["tests.test_imports::test_skip_me"]
    assert [x.detail for x in t.slowest] == ["400 ms", "300 ms", "200 ms", "100 ms"]


def test_metrics_describe_current_and_baseline(view: ReportView) -> None:
    rows = {m.name: m for m in view.metrics}
    connect = rows["ws_connect_time"]
    assert (connect.n, connect.median, connect.baseline_n, connect.baseline_median) == (
        "10",
        "1.5 s",
        "10",
        "1.2 s",
    )
    # The comparison is told by the criteria that judge the metric; the table links to them.
    assert [c[:2] for c in connect.criteria] == [
        ("connect-no-regression", "c-connect-no-regression"),
        ("latency-cv", "c-latency-cv"),
    ]
    assert connect.sources == ("results/metrics.json", "baseline baseline/metrics.json")
    assert [c[0] for c in rows["ws_manager_init"].criteria] == ["init-time"]
    assert view.metric_sources == ("results/metrics.json", "baseline baseline/metrics.json")


def test_every_failure_is_kept_and_print_caps_and_counts() -> None:
    names = [("suite.T", f"test_{i}", Outcome.FAILED, f"boom {i}", "x\n" * 100) for i in range(120)]
    v = build_view(make_run(names=names), make_evaluation(), source_date_epoch="")
    assert v.tests is not None
    assert len(v.tests.failures) == 120 and v.tests.failures_more == 0
    assert v.tests.failures[0].output_cut == "75 more lines"
    printed = for_print(v, output_lines=10).tests
    assert printed is not None
    assert len(printed.failures) == MAX_FAILURES
    assert printed.failures_more == 120 - MAX_FAILURES
    assert printed.failures[0].output == "\n".join(["x"] * 10)
    assert printed.failures[0].output_cut == "90 more lines"


def test_provenance_lists_every_input_and_the_criteria(view: ReportView) -> None:
    p = view.provenance
    assert [(i.path, i.baseline) for i in p.inputs] == [
        ("results/junit.xml", False),
        ("results/metrics.json", False),
        ("baseline/metrics.json", True),
    ]
    assert p.inputs[0].sha256 == JUNIT_SHA
    assert p.inputs[0].warnings == ("results/junit.xml:3: odd count",)
    assert p.criteria_file == "criteria.yaml"
    assert p.criteria_sha256 and len(p.criteria_sha256) == 64
    assert p.command == "reportgen report -c c.yaml r"
    assert p.generated is None


def test_time_comes_only_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    assert generated_time("1700000000") == "2023-11-14T22:13:20Z"
    assert generated_time(None) is None
    assert generated_time("not a number") is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert build_view(make_run(), make_evaluation()).provenance.generated == "1970-01-01T00:00:00Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert build_view(make_run(), make_evaluation()).provenance.generated is None


def test_view_is_immutable(view: ReportView) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.verdict = "READY"


def test_equal_inputs_give_equal_views() -> None:
    a = build_view(make_run(), make_evaluation(), baseline=make_baseline(), source_date_epoch="1")
    b = build_view(make_run(), make_evaluation(), baseline=make_baseline(), source_date_epoch="1")
    assert a == b


def test_empty_run_says_there_is_no_evidence() -> None:
    ev = Evaluation(verdict=Verdict.INSUFFICIENT)
    v = build_view(Run(), ev, source_date_epoch="")
    assert v.tests is None
    assert v.metrics == ()
    assert v.summary.sentence == "INSUFFICIENT EVIDENCE: no criteria were evaluated."
    assert v.notes and "No result files" in v.notes[0]


def test_untrusted_text_loses_control_characters() -> None:
    names = [("s.T", "test_\x1b[31mred\x1b[0m", Outcome.FAILED, "bad\x07 bell", "out\x1b]0;t\x07")]
    v = build_view(make_run(names=names), make_evaluation(), source_date_epoch="")
    assert v.tests is not None
    f = v.tests.failures[0]
    assert (f.id, f.message, f.output) == ("s.T::test_red", "bad bell", "out")


@pytest.mark.parametrize(
    ("stat", "value", "unit", "expected"),
    [
        ("p95", 0.0123, "s", "p95 12.3 ms"),
        ("cv", 0.042, "ratio", "CV 4.2%"),
        ("count", 7.0, "", "count 7"),
        ("required_failed", 0.0, "", "required failed 0"),
    ],
)
def test_format_measured_simple(stat: str, value: float, unit: str, expected: str) -> None:
    from reportgen.evaluation import Figures

    assert format_measured(Figures(stat=stat, value=value, unit=unit)) == expected
    assert format_threshold(Figures(stat=stat, value=value, unit=unit)) == "—"


def test_ratio_stat_is_a_multiplier() -> None:
    from reportgen.evaluation import Figures

    f = Figures(stat="ratio", value=1.25, ci_low=1.2, ci_high=1.3, threshold=1.05, comparison="<=")
    assert format_measured(f) == "ratio to baseline 1.25×, CI 1.2× to 1.3×"
    assert format_threshold(f) == "≤ 1.05×"


def test_no_value_is_no_measurement() -> None:
    from reportgen.evaluation import Figures

    assert format_measured(Figures(stat="p95")) == "no measurement"


def test_statuses_survive_unchanged() -> None:
    ev = make_evaluation()
    v = build_view(make_run(), ev, source_date_epoch="")
    shown = {r.id: r.status for p in v.phases for r in p.rows}
    assert shown == {c.id: c.status.value for c in ev.criteria}
    assert shown["latency-cv"] == Status.WAIVED.value
