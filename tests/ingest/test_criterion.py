"""Criterion.rs estimates.json and sample.json (hand-written per the documented layout)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "criterion"
FIB = FIXTURES / "target" / "criterion" / "fib" / "20" / "new"


def test_folder_reads_each_benchmark_once() -> None:
    run = load([str(FIXTURES)])
    assert [m.name for m in run.metrics] == ["fib/20", "parse"]
    fib, parse = run.metrics
    sample = json.loads((FIB / "sample.json").read_text())
    expected = tuple(t / i * 1e-9 for i, t in zip(sample["iters"], sample["times"], strict=True))
    assert fib.samples == pytest.approx(expected) and fib.n == 10
    assert fib.stats == pytest.approx({"mean": 26074e-9, "median": 26074e-9, "stdev": 55.1e-9})
    assert fib.properties["mean_ci_low_s"].startswith("2.604")
    assert fib.properties["sampling_mode"] == "Linear"
    assert fib.properties["confidence_level"] == "0.95"
    assert parse.samples is None and parse.n is None
    assert parse.stats["mean"] == pytest.approx(1520e-9)
    assert "slope_s" not in parse.properties  # null slope (flat sampling) skipped


def test_sample_json_alone(tmp_path: Path) -> None:
    folder = tmp_path / "criterion" / "grp" / "bench" / "new"
    folder.mkdir(parents=True)
    shutil.copy(FIB / "sample.json", folder / "sample.json")
    ingester = detect((folder / "sample.json").read_bytes(), str(folder / "sample.json"))
    assert ingester is not None and ingester.name == "criterion"
    (metric,) = load([str(folder / "sample.json")]).metrics
    assert metric.name == "grp/bench" and metric.n == 10


def test_change_estimates_are_not_claimed() -> None:
    from reportgen.ingest.criterion import CriterionIngester

    head = (FIB / "estimates.json").read_bytes()
    assert CriterionIngester().sniff(head, "target/criterion/fib/20/change/estimates.json") == 0
    assert CriterionIngester().sniff(head, str(FIB / "estimates.json")) > 0.5


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("sample.json", '{"iters": [1, 2], "times": [10]}', "2 iteration counts for 1 times"),
        ("sample.json", '{"iters": [0], "times": [10]}', "iterations cannot be timed"),
        ("sample.json", '{"iters": [1], "times": [-10]}', "times[0]: negative"),
        (
            "estimates.json",
            '{"mean": {"point_estimate": 1, "standard_error": 1}}',
            "mean.confidence_interval: expected an object",
        ),
        (
            "estimates.json",
            '{"mean": {"point_estimate": "x", "standard_error": 1, "confidence_interval": {}}}',
            "mean.point_estimate: expected a number",
        ),
    ],
)
def test_broken_files(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load([str(path)], format="criterion")
    assert str(path) in str(info.value) and expected in str(info.value)


CRITERIA = "version: 1\ncriteria:\n  - id: fib\n    metric: fib/20\n{}"
BOUND = "    stat: mean\n    max: 1s\n    allow_point_estimates: true\n"
REGRESSION = "    stat: median\n    compare: baseline\n    max_regression: 5%\n"


def _verdict(tmp_path: Path, criterion: str, *args: str) -> tuple[int, str]:
    from reportgen.cli import main

    criteria = tmp_path / "c.yaml"
    criteria.write_text(CRITERIA.format(criterion))
    out = tmp_path / "verdict.json"
    code = main(["verdict", "-c", str(criteria), "--json", str(out), *args])
    return code, out.read_text() if out.exists() else ""


def test_whole_folder_reads_only_the_current_run(tmp_path: Path) -> None:
    # The fixture holds what one `cargo bench` after an earlier one leaves: new/ with its
    # benchmark.json and tukey.json, base/ (the earlier run, half the times), change/, report/.
    run = load([str(FIXTURES / "target")])
    assert [(m.name, m.n) for m in run.metrics] == [("fib/20", 10), ("parse", None)]
    reasons = {Path(s.path).relative_to(FIB.parent).as_posix(): s for s in run.skipped}
    assert not any(s.evidence for s in run.skipped)
    assert "saved baseline 'base'" in reasons["base/estimates.json"].reason
    assert "--baseline" in reasons["base/sample.json"].reason
    assert "comparison" in reasons["change/estimates.json"].reason
    assert "description of the benchmark" in reasons["new/benchmark.json"].reason
    assert "Tukey" in reasons["new/tukey.json"].reason
    assert "read with estimates.json" in reasons["new/sample.json"].reason
    assert not run.inputs[0].integrity and not run.inputs[0].warnings
    assert _verdict(tmp_path, BOUND, str(FIXTURES / "target"))[0] == 0


def test_saved_baseline_given_as_baseline_finds_the_regression(tmp_path: Path) -> None:
    base = FIB.parent / "base"
    code, report = _verdict(tmp_path, REGRESSION, "--baseline", str(base), str(FIXTURES / "target"))
    assert code == 1 and "regressed" in report
    (metric,) = load([str(base)]).metrics  # named, the saved run is read as that run
    assert metric.name == "fib/20" and metric.stats["median"] == pytest.approx(13037e-9)


def test_named_baseline_is_not_pooled(tmp_path: Path) -> None:
    # `cargo bench -- --save-baseline main` copies new/ to <id>/main/.
    target = tmp_path / "target"
    shutil.copytree(FIXTURES / "target", target)
    bench = target / "criterion" / "fib" / "20"
    shutil.rmtree(bench / "base")
    shutil.copytree(FIXTURES / "target" / "criterion" / "fib" / "20" / "base", bench / "main")
    run = load([str(target)])
    assert [(m.name, m.n) for m in run.metrics] == [("fib/20", 10), ("parse", None)]
    assert any("saved baseline 'main'" in s.reason for s in run.skipped)
    globbed = load([str(target / "criterion" / "**" / "*.json")])
    assert [m.name for m in globbed.metrics] == ["fib/20", "parse"]
    assert not any(s.evidence for s in globbed.skipped)


def test_truncated_estimates_beside_companions_is_bad_input(tmp_path: Path) -> None:
    target = tmp_path / "target"
    shutil.copytree(FIXTURES / "target", target)
    estimates = target / "criterion" / "fib" / "20" / "new" / "estimates.json"
    estimates.write_text(estimates.read_text()[:200])
    assert _verdict(tmp_path, BOUND, str(target))[0] == 4


def test_run_stopped_before_its_estimates_is_insufficient(tmp_path: Path) -> None:
    # Criterion writes new/benchmark.json first: alone, the run stopped before any result,
    # and a saved base/ beside it is no stand-in for this run.
    target = tmp_path / "target"
    shutil.copytree(FIXTURES / "target", target)
    new = target / "criterion" / "fib" / "20" / "new"
    for name in ("estimates.json", "sample.json", "tukey.json"):
        (new / name).unlink()
    run = load([str(target)])
    assert [m.name for m in run.metrics] == ["parse"]
    (stopped,) = [s for s in run.skipped if s.evidence]
    assert stopped.path.endswith("new/benchmark.json")
    assert _verdict(tmp_path, BOUND, str(target))[0] == 3


def test_raw_csv_of_older_criterion_is_a_companion(tmp_path: Path) -> None:
    # Criterion up to 0.3 (csv_output on by default) also writes new/raw.csv: the samples again.
    target = tmp_path / "target"
    shutil.copytree(FIXTURES / "target", target)
    raw = target / "criterion" / "fib" / "20" / "new" / "raw.csv"
    raw.write_text(
        "group,function,value,throughput_num,throughput_type,sample_measured_value,unit,"
        "iteration_count\nfib,,20,,,26100.0,ns,1\n"
    )
    assert not any(s.evidence for s in load([str(target)]).skipped)
    raw.write_text("name,value\nfib,1\n")  # not Criterion's header: the ordinary rules
    run = load([str(target)])
    assert str(raw) in [i.path for i in run.inputs] and "fib" in [m.name for m in run.metrics]
