"""k6 summaries: the corpus handleSummary object, a legacy --summary-export, broken files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


SUB_METRIC = "http_req_duration{expected_response:true}"
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
    # --summary-export writes the sub-metric flat, like its parent, and without a count.
    clean["metrics"]["http_req_duration{expected_response:true}"] = {
        k: v for k, v in clean["metrics"]["http_req_duration"].items() if k != "thresholds"
    }
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(clean))
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(LATENCY_CRITERIA.replace("min: 55%", "min: 90%"))
    proc = run_cli("verdict", "-c", str(criteria), "--json", "-", str(path))
    status = {c["id"]: c["status"] for c in json.loads(proc.stdout)["criteria"]}
    # No request failed, so every response was expected: the sub-metric holds all 100.
    assert status == {"p95": "pass", "ok-latency": "pass", "failed": "pass"}, proc.stdout
    assert proc.returncode == 0


def clean_handle_summary(corpus: Path) -> dict[str, Any]:
    """The corpus handleSummary object as k6 writes it for a run where no request or check
    failed: the 349 failed requests (and checks) counted as succeeded, nothing else changed."""
    doc = json.loads((corpus / "k6" / "k6reporter-handlesummary-simple.json").read_text())
    metrics = doc["metrics"]
    requests = metrics["http_reqs"]["values"]["count"]
    metrics["http_req_failed"]["values"].update(passes=0, fails=requests, rate=0)
    checks = metrics["checks"]["values"]
    checks.update(passes=checks["passes"] + checks["fails"], fails=0, rate=1)

    def passed(group: dict[str, Any]) -> None:
        for check in group["checks"]:
            check.update(passes=check["passes"] + check["fails"], fails=0)
        for sub in group["groups"]:
            passed(sub)

    passed(doc["root_group"])
    return doc


def test_expected_response_sub_metric_of_a_clean_run_counts_every_request(
    tmp_path: Path, corpus: Path
) -> None:
    # Before: INSUFFICIENT (3), "the input does not say how many observations are behind it".
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(clean_handle_summary(corpus)))
    tagged = {m.name: m for m in load([str(path)]).metrics}[SUB_METRIC]
    assert tagged.n == 878 and tagged.properties["n_from"] == "http_reqs (no request failed)"
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(LATENCY_CRITERIA)
    proc = run_cli("verdict", "-c", str(criteria), "--json", "-", str(path))
    status = {c["id"]: c["status"] for c in json.loads(proc.stdout)["criteria"]}
    assert status == {"p95": "pass", "ok-latency": "pass", "failed": "pass"}, proc.stdout
    assert proc.returncode == 0


def _unknown(doc: dict[str, Any]) -> None:
    del doc["metrics"]["http_req_failed"]  # http.setResponseCallback(null): no failures known


def _partly_seen(doc: dict[str, Any]) -> None:
    # A request sent with responseCallback: null is in http_reqs but not in http_req_failed.
    doc["metrics"]["http_req_failed"]["values"]["fails"] -= 1


def _one_failed(doc: dict[str, Any]) -> None:
    doc["metrics"]["http_req_failed"]["values"].update(passes=1, fails=877)


def _other_tag(doc: dict[str, Any]) -> None:
    metrics = doc["metrics"]
    metrics["http_req_duration{status:200}"] = metrics.pop(SUB_METRIC)


@pytest.mark.parametrize("change", [_unknown, _partly_seen, _one_failed, _other_tag])
def test_sub_metric_count_stays_unknown_unless_no_request_failed(
    tmp_path: Path, corpus: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    doc = clean_handle_summary(corpus)
    change(doc)
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(doc))
    tagged = [m for m in load([str(path)]).metrics if "{" in m.name]
    assert [m.n for m in tagged] == [None]
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(LATENCY_CRITERIA.replace(SUB_METRIC, tagged[0].name))
    proc = run_cli("verdict", "-c", str(criteria), "--json", "-", str(path))
    status = {c["id"]: c["status"] for c in json.loads(proc.stdout)["criteria"]}
    assert status["ok-latency"] == "insufficient", proc.stdout


def test_a_trend_with_its_own_count_uses_it(tmp_path: Path, corpus: Path) -> None:
    # summaryTrendStats: [..., 'count'] gives every trend its count, sub-metrics included.
    doc = json.loads((corpus / "k6" / "k6reporter-handlesummary-simple.json").read_text())
    doc["metrics"][SUB_METRIC]["values"]["count"] = 529
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(doc))
    assert {m.name: m for m in load([str(path)]).metrics}[SUB_METRIC].n == 529


def _with_custom_rate(corpus: Path, tmp_path: Path, passes: int, fails: int) -> Path:
    """The corpus summary plus a custom Rate as k6 writes one (`new Rate("errors")` added
    `res.status !== 200` per request): its "passes" are the trues, here the errors."""
    data = json.loads((corpus / "k6" / "k6reporter-handlesummary-simple.json").read_text())
    data["metrics"]["errors"] = {
        "type": "rate",
        "contains": "default",
        "values": {"rate": passes / (passes + fails), "passes": passes, "fails": fails},
    }
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(data))
    return path


def test_success_rate_of_a_custom_rate_needs_its_direction(tmp_path: Path, corpus: Path) -> None:
    # Every request an error: read as successes, 878 of 878 "passes" made this READY.
    path = _with_custom_rate(corpus, tmp_path, 878, 0)
    criteria = tmp_path / "criteria.yaml"
    body = "  - id: ok\n    metric: errors\n    stat: success_rate\n    min: 99%\n"
    criteria.write_text("version: 1\ncriteria:\n" + body)
    proc = run_cli("verdict", "-c", str(criteria), str(path))
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "errors" in proc.stderr and "direction" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr

    said = "version: 1\nmetrics:\n  errors:\n    direction: lower_is_better\ncriteria:\n" + body
    criteria.write_text(said)
    proc = run_cli("verdict", "-c", str(criteria), str(path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "(0/878)" in proc.stdout

    clean = _with_custom_rate(corpus, tmp_path, 0, 878)
    proc = run_cli("verdict", "-c", str(criteria), str(clean))
    assert "(878/878)" in proc.stdout, proc.stdout + proc.stderr
