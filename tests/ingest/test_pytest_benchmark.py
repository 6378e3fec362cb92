"""pytest-benchmark JSON: corpus files, exports from a real run, and broken files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.model import Direction

BENCH_SOURCE = """
import time

def test_sleepy(benchmark):
    benchmark.pedantic(time.sleep, args=(0.0005,), rounds=7, iterations=1)

def test_sum(benchmark):
    benchmark.pedantic(sum, args=(range(100),), rounds=12, iterations=3)
"""


def test_corpus_truncated_data_falls_back_to_statistics(corpus: Path) -> None:
    path = corpus / "pytest-benchmark" / "gab-pytest-several-units.json"
    run = load([str(path)])
    assert run.inputs[0].format == "pytest-benchmark"
    by_name = {m.name: m for m in run.metrics}
    assert list(by_name) == [
        "bench.py::test_fib_1",
        "bench.py::test_fib_10",
        "bench.py::test_fib_20",
        "bench.py::test_sleep_2",
    ]
    fib1 = by_name["bench.py::test_fib_1"]
    # data was cut to 4 values + a note: not a sample of 68536 rounds.
    assert fib1.samples is None and fib1.n == 68536
    assert fib1.stats["mean"] == pytest.approx(1.4995610248628836e-7)
    assert fib1.stats["stdev"] == pytest.approx(2.9351731952139377e-8)
    assert fib1.stats["p25"] == pytest.approx(1.4348000000108384e-7)
    assert fib1.properties["iterations"] == "100" and fib1.iterations == 100
    assert fib1.properties["short_name"] == "test_fib_1"
    sleep = by_name["bench.py::test_sleep_2"]
    assert sleep.samples == pytest.approx(
        (2.005173128, 2.0051284989999996, 2.005124842999999, 2.0027438879999995, 2.001044877)
    )
    assert sleep.unit == "s" and sleep.direction is Direction.LOWER_IS_BETTER
    assert len(run.warnings) == 3
    # No offset (pytest-benchmark 3 wrote utcnow()): kept as written, no zone added.
    assert run.inputs[0].timestamp == "2019-12-06T08:58:58.115974"


def test_corpus_v25_storage(corpus: Path) -> None:
    run = load([str(corpus / "pytest-benchmark" / "pytest-benchmark-v2.5-storage.json")])
    (metric,) = run.metrics
    assert metric.name == "tests/test_normal.py::test_xfast_parametrized[0]"
    assert metric.samples is None and metric.n == 9710
    assert metric.stats["median"] == pytest.approx(2.2016379230260297e-07)
    assert metric.stats["max"] == pytest.approx(1.329003796500009e-05)


@pytest.fixture(scope="module")
def real_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Exports from two real pytest-benchmark runs: JSON + autosave, and autosave with data."""
    pytest.importorskip("pytest_benchmark")
    folder = tmp_path_factory.mktemp("pytest-benchmark")
    (folder / "test_bench.py").write_text(BENCH_SOURCE)
    # Only the plugin under test is loaded (fast start); the outer run's xdist variables
    # would make pytest-benchmark disable itself, so they are dropped.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    base = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "pytest_benchmark.plugin",
        "-p",
        "no:cacheprovider",
        "test_bench.py",
    ]
    runs = {
        # --benchmark-json always carries the raw data; saved runs only with --save-data.
        "plain": ["--benchmark-json=out.json", "--benchmark-autosave", "--benchmark-storage=plain"],
        "saved": ["--benchmark-autosave", "--benchmark-storage=saved", "--benchmark-save-data"],
    }
    for flags in runs.values():
        result = subprocess.run(
            [*base, *flags], cwd=folder, capture_output=True, text=True, timeout=120, env=env
        )
        assert result.returncode == 0, result.stdout + result.stderr
    (plain,) = sorted((folder / "plain").glob("*/*.json"))
    (saved,) = sorted((folder / "saved").glob("*/*.json"))
    return {"json": folder / "out.json", "autosave": plain, "autosave-save-data": saved}


@pytest.mark.parametrize(
    ("kind", "has_data"), [("json", True), ("autosave", False), ("autosave-save-data", True)]
)
def test_real_pytest_benchmark_run(
    real_exports: dict[str, Path], kind: str, has_data: bool
) -> None:
    out = real_exports[kind]
    raw = {b["fullname"]: b for b in json.loads(out.read_text())["benchmarks"]}
    ingester = detect(out.read_bytes()[:8192], str(out))
    assert ingester is not None and ingester.name == "pytest-benchmark"
    run = load([str(out)])
    by_name = {m.name: m for m in run.metrics}
    assert set(by_name) == {"test_bench.py::test_sleepy", "test_bench.py::test_sum"}
    sleepy = by_name["test_bench.py::test_sleepy"]
    assert sleepy.sample_count == 7
    assert by_name["test_bench.py::test_sum"].sample_count == 12
    assert by_name["test_bench.py::test_sum"].properties["iterations"] == "3"
    # Each round is an average over 3 calls: the timer resolution divides by them.
    assert by_name["test_bench.py::test_sum"].iterations == 3
    raw_stats = raw["test_bench.py::test_sleepy"]["stats"]
    if has_data:
        assert sleepy.samples == tuple(raw_stats["data"])
        assert min(sleepy.samples) >= 0.0005
    else:
        assert "data" not in raw_stats
        assert sleepy.samples is None and sleepy.n == 7
        assert sleepy.stats["min"] == raw_stats["min"] >= 0.0005
        assert sleepy.stats["mean"] == raw_stats["mean"]
    assert not run.warnings


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ('{"rounds": 2, "mean": 1, "data": [0.1, -0.2]}', "benchmarks[0].stats.data[1]: negative"),
        ('{"rounds": 2, "mean": "fast"}', "benchmarks[0].stats.mean: expected a number"),
        ('{"rounds": 2.5, "mean": 1}', "rounds: expected a positive whole number"),
        ('{"rounds": 2, "data": [0.1, null]}', "stats.data[1]: expected a number"),
        ('{"rounds": 2}', "no statistics and no data"),
        ("[]", "benchmarks[0].stats: expected an object"),
    ],
)
def test_broken_files(tmp_path: Path, stats: str, expected: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(
        '{"machine_info": {}, "benchmarks": [{"name": "t", "fullname": "f.py::t", '
        f'"stats": {stats}}}]}}'
    )
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert str(path) in str(info.value) and expected in str(info.value)


def test_data_length_mismatch_warns(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(
        '{"machine_info": {}, "benchmarks": [{"name": "t", '
        '"stats": {"rounds": 3, "mean": 0.5, "data": [0.4, 0.6]}}]}'
    )
    run = load([str(path)])
    assert run.metrics[0].samples is None and run.metrics[0].n == 3
    assert "2 values for 3 rounds" in run.warnings[0].message
