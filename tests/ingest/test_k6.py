"""k6 summaries: the corpus handleSummary object, a legacy --summary-export, broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.model import Direction
from tests.conftest import run_cli

SUMMARY_EXPORT = {
    "root_group": {
        "name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e", "groups": {},
        "checks": {"status is 200": {"name": "status is 200", "path": "::status is 200",
                                     "id": "x", "passes": 98, "fails": 2}},
    },
    "metrics": {
        "http_req_duration": {"avg": 120.5, "min": 80, "med": 110, "max": 400,
                              "p(90)": 180, "p(95)": 220, "thresholds": {"p(95)<500": False}},
        "http_reqs": {"count": 100, "rate": 9.5},
        "checks": {"passes": 98, "fails": 2, "value": 0.98},
        "http_req_failed": {"passes": 3, "fails": 97, "value": 0.03,
                            "thresholds": {"rate<0.01": True}},
        "vus": {"value": 5, "min": 1, "max": 10},
        "my_trend": {"avg": 3, "min": 1, "med": 3, "max": 5, "p(90)": 4, "p(95)": 5},
    },
}  # fmt: skip


def test_corpus_handle_summary(corpus: Path) -> None:
    path = corpus / "k6" / "k6reporter-handlesummary-simple.json"
    run = load([str(path)])
    assert run.inputs[0].format == "k6"
    by_name = {m.name: m for m in run.metrics}
    duration = by_name["http_req_duration"]
    assert duration.unit == "s" and duration.samples is None
    assert duration.stats["p95"] == pytest.approx(0.0300256841)
    assert duration.stats["median"] == pytest.approx(0.020090773)
    assert duration.stats["mean"] == pytest.approx(0.02137513127107059)
    assert duration.n == 878 and duration.properties["threshold p(95)<1000"] == "ok"
    tagged = by_name["http_req_duration{expected_response:true}"]
    assert tagged.stats["p99"] == pytest.approx(0.03664458528) and tagged.n is None
    failed = by_name["http_req_failed"]
    # passes counts the FAILED requests here: 349 of 878.
    assert failed.stats["rate"] == pytest.approx(349 / 878) and failed.n == 878
    assert failed.direction is Direction.LOWER_IS_BETTER and failed.hits == 349
    checks = by_name["checks"]
    assert checks.stats["rate"] == pytest.approx(529 / 878)
    assert checks.direction is Direction.HIGHER_IS_BETTER
    assert (checks.hits, checks.n) == (529, 878)
    reqs = by_name["http_reqs"]
    assert reqs.stats == {"count": 878, "rate": pytest.approx(35.94634922417172)}
    # A counter counts what happened: no direction of its own (not "higher" by its name).
    assert reqs.direction is None and by_name["data_received"].direction is None
    assert duration.input_unit == "ms" and duration.direction is Direction.LOWER_IS_BETTER
    assert by_name["data_received"].unit == "B"
    assert by_name["iteration_duration"].n == 439
    ok = by_name["check::Status is ok"]
    assert (ok.stats["rate"], ok.n, ok.hits) == (pytest.approx(90 / 439), 439, 90)
    assert ok.direction is Direction.HIGHER_IS_BETTER
    assert by_name["check::Example group::NOT 500"].stats["rate"] == 1.0
    assert len(run.metrics) == 20


def test_legacy_summary_export(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(SUMMARY_EXPORT))
    ingester = detect(path.read_bytes(), str(path))
    assert ingester is not None and ingester.name == "k6"
    run = load([str(path)])
    by_name = {m.name: m for m in run.metrics}
    duration = by_name["http_req_duration"]
    assert duration.stats == pytest.approx(
        {"mean": 0.1205, "min": 0.08, "median": 0.11, "max": 0.4, "p90": 0.18, "p95": 0.22}
    )
    assert duration.n == 100 and duration.properties["threshold p(95)<500"] == "ok"
    assert by_name["http_req_failed"].properties["threshold rate<0.01"] == "crossed"
    assert by_name["checks"].stats["rate"] == pytest.approx(0.98)
    assert by_name["check::status is 200"].n == 100
    assert by_name["vus"].stats == {"min": 1, "max": 10}
    assert by_name["my_trend"].unit == ""  # a custom trend: unit unknown, and said so
    assert any("my_trend" in w.message for w in run.warnings)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ('{"type": "trend", "contains": "time", "values": {"avg": -1}}', "values.avg: negative"),
        ('{"type": "rate", "values": {"passes": 1.5, "fails": 0}}', "expected a whole number"),
        ('{"type": "counter", "values": {"count": "many"}}', "expected a number"),
        ("[1, 2]", "metrics.http_reqs: expected an object"),
    ],
)
def test_broken_files(tmp_path: Path, metric: str, expected: str) -> None:
    path = tmp_path / "k6.json"
    path.write_text('{"root_group": {}, "metrics": {"http_reqs": ' + metric + "}}")
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert str(path) in str(info.value) and expected in str(info.value)


def test_rate_disagreement_is_warned(tmp_path: Path) -> None:
    path = tmp_path / "k6.json"
    path.write_text(
        '{"metrics": {"checks": {"type": "rate", "values": '
        '{"passes": 1, "fails": 1, "rate": 0.9}}}}'
    )
    run = load([str(path)])
    assert run.metrics[0].stats["rate"] == 0.5
    assert "disagrees" in run.warnings[0].message


def test_truncated(tmp_path: Path, corpus: Path) -> None:
    data = (corpus / "k6" / "k6reporter-handlesummary-simple.json").read_bytes()
    path = tmp_path / "k6.json"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated JSON"):
        load([str(path)])


def test_success_rate_of_http_req_failed_counts_the_requests_that_did_not_fail(
    tmp_path: Path, corpus: Path
) -> None:
    # k6 counts a failed request as a "pass" of http_req_failed (349 of 878 here): its
    # success rate is the other 529. Read as 349/878 a run where most requests failed would
    # pass a min success rate.
    path = corpus / "k6" / "k6reporter-handlesummary-simple.json"
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n"
        "  - id: ok\n    metric: http_req_failed\n    stat: success_rate\n    min: 55%\n"
        "  - id: high\n    metric: http_req_failed\n    stat: success_rate\n    min: 65%\n"
    )
    proc = run_cli("verdict", "-c", str(criteria), "--json", "-", str(path))
    doc = json.loads(proc.stdout)
    status = {c["id"]: c["status"] for c in doc["criteria"]}
    assert status == {"ok": "pass", "high": "fail"}, proc.stdout
    assert "(529/878)" in proc.stdout


LATENCY_CRITERIA = (
    "version: 1\ncriteria:\n"
    "  - id: p95\n    metric: http_req_duration\n    stat: p95\n    max: 500ms\n"
    "    allow_point_estimates: true\n"
    "  - id: ok-latency\n    metric: 'http_req_duration{expected_response:true}'\n"
    "    stat: p95\n    max: 500ms\n    allow_point_estimates: true\n"
    "  - id: failed\n    metric: http_req_failed\n    stat: success_rate\n    min: 55%\n"
)


def test_latency_of_a_run_with_failed_requests_is_no_evidence(tmp_path: Path, corpus: Path) -> None:
    # 349 of 878 requests failed: http_req_duration holds their (fast) times, and the
    # expected_response sub-metric leaves them out; neither shows the service's latency.
    path = corpus / "k6" / "k6reporter-handlesummary-simple.json"
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(LATENCY_CRITERIA)
    proc = run_cli("verdict", "-c", str(criteria), "--json", "-", str(path))
    doc = json.loads(proc.stdout)
    status = {c["id"]: c["status"] for c in doc["criteria"]}
    assert status == {"p95": "insufficient", "ok-latency": "insufficient", "failed": "pass"}
    assert proc.returncode == 3
    assert "349 of 878 requests failed" in proc.stdout


def test_latency_of_a_run_without_failures_is_judged(tmp_path: Path) -> None:
    clean = json.loads(json.dumps(SUMMARY_EXPORT))
    clean["metrics"]["http_req_failed"].update(passes=0, fails=100, value=0)
    clean["metrics"]["checks"].update(passes=100, fails=0, value=1)
    clean["root_group"]["checks"]["status is 200"].update(passes=100, fails=0)
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(clean))
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(LATENCY_CRITERIA.replace("min: 55%", "min: 90%"))
    proc = run_cli("verdict", "-c", str(criteria), "--json", "-", str(path))
    status = {c["id"]: c["status"] for c in json.loads(proc.stdout)["criteria"]}
    # (The sub-metric does not say how many requests are behind it: insufficient as before.)
    assert status == {"p95": "pass", "ok-latency": "insufficient", "failed": "pass"}
