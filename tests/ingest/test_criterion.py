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
