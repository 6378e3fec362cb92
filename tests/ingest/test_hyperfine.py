"""hyperfine --export-json: real corpus output, a generated export, and broken files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.model import Direction, IntegrityKind
from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hyperfine"


def test_corpus_two_commands(corpus: Path) -> None:
    path = corpus / "hyperfine" / "bencher-hyperfine-two.json"
    raw = json.loads(path.read_text())
    run = load([str(path)])
    # Each command gives its times and its exit codes as a success rate with counts.
    assert run.inputs[0].format == "hyperfine" and run.inputs[0].records == 4
    first, first_ok, second, second_ok = run.metrics
    assert (first_ok.name, first_ok.hits, first_ok.n) == ("sleep 0.1 [success]", 27, 27)
    assert first_ok.direction is Direction.HIGHER_IS_BETTER and first_ok.unit == "ratio"
    assert (second_ok.hits, second_ok.n) == (13, 13)
    assert (first.name, first.sample_count) == ("sleep 0.1", 27)
    assert (second.name, second.sample_count) == ("sleep 0.2", 13)
    assert first.unit == "s" and first.direction is Direction.LOWER_IS_BETTER
    assert first.samples == tuple(raw["results"][0]["times"])
    assert first.samples is not None and first.samples[3] == pytest.approx(0.11533689272)
    assert min(second.samples or ()) == pytest.approx(raw["results"][1]["min"])
    assert first.properties["user_mean_s"].startswith("0.000717")
    assert not run.warnings


def test_generated_fixture(tmp_path: Path) -> None:
    """An export written by the real hyperfine (see fixtures/hyperfine/README.md)."""
    path = FIXTURES / "two-commands.json"
    raw = json.loads(path.read_text())
    run = load([str(path)])
    timings = [m for m in run.metrics if not m.name.endswith(" [success]")]
    assert [m.name for m in timings] == [r["command"] for r in raw["results"]]
    for metric, result in zip(timings, raw["results"], strict=True):
        assert metric.samples == tuple(result["times"])
        assert metric.n == len(result["exit_codes"])


def test_live_hyperfine(tmp_path: Path) -> None:
    exe = shutil.which("hyperfine")
    if exe is None:
        pytest.skip("hyperfine is not installed (apt-get install hyperfine)")
    out = tmp_path / "h.json"
    subprocess.run(
        [exe, "-N", "--runs", "5", "--warmup", "1", "--export-json", str(out), "true"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    metric, success = load([str(out)]).metrics
    assert metric.name == "true" and metric.sample_count == 5
    assert (success.hits, success.n) == (5, 5)


def test_live_hyperfine_failed_runs_are_counted_not_timed(tmp_path: Path) -> None:
    exe = shutil.which("hyperfine")
    if exe is None:
        pytest.skip("hyperfine is not installed (apt-get install hyperfine)")
    out = tmp_path / "h.json"
    # -i keeps going when the command fails; `false` always exits 1.
    subprocess.run(
        [exe, "-N", "-i", "--runs", "4", "--export-json", str(out), "false"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    raw = json.loads(out.read_text())["results"][0]
    run = load([str(out)])
    timing, success = run.metrics
    assert len(raw["times"]) == 4 and raw["exit_codes"] == [1, 1, 1, 1]
    # Four runs that did not do the work: no timings, four failures, an exact 0/4 rate.
    assert timing.samples == () and timing.failures == 4
    assert (success.name, success.hits, success.n) == ("false [success]", 0, 4)
    assert any("exited with a non-zero code" in w.message for w in run.warnings)
    # The timings of a command that failed are no evidence of its speed.
    (flag,) = run.inputs[0].integrity
    assert (flag.kind, flag.scope) == (IntegrityKind.BENCHMARK_ERRORS, "false")


def test_a_timing_of_a_command_that_sometimes_fails_is_no_pass(tmp_path: Path) -> None:
    # Half of the runs fail (`-i` keeps going): the other half are timed, and a timing
    # criterion on them must not be READY; the success rate is judged on its own.
    exe = shutil.which("hyperfine")
    if exe is None:
        pytest.skip("hyperfine is not installed (apt-get install hyperfine)")
    out = tmp_path / "h.json"
    flip = tmp_path / "flip"
    script = f"if [ -e {flip} ]; then rm {flip}; exit 1; else touch {flip}; fi"
    subprocess.run(
        [exe, "-i", "--runs", "20", "--export-json", str(out), "-n", "flaky", script],
        check=True,
        capture_output=True,
        timeout=120,
    )
    codes = json.loads(out.read_text())["results"][0]["exit_codes"]
    assert 0 < codes.count(1) < len(codes)
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(
        "version: 1\ncriteria:\n  - id: fast\n    metric: flaky\n    stat: median\n    max: 10s\n"
    )
    proc = run_cli("verdict", "-c", str(criteria), str(out))
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "non-zero code" in proc.stdout


def test_failed_runs_and_missing_times(tmp_path: Path) -> None:
    doc: dict[str, Any] = {
        "results": [
            {"command": "./flaky", "mean": 0.2, "times": [0.1, 0.2, 0.3], "exit_codes": [0, 1, 0]},
            {"command": "old", "mean": 0.5, "stddev": 0.1, "median": 0.4, "min": 0.3, "max": 0.9},
            {"command": "./flaky", "times": [0.4], "exit_codes": [0], "parameters": {"n": 3}},
        ]
    }
    path = tmp_path / "h.json"
    path.write_text(json.dumps(doc))
    run = load([str(path)])
    flaky, flaky_ok, old, again, again_ok = run.metrics
    assert flaky.properties["failed_runs"] == "1"
    # The run that exited 1 is counted as a failure and left out of the timings.
    assert flaky.samples == (0.1, 0.3) and flaky.failures == 1
    assert (flaky_ok.name, flaky_ok.hits, flaky_ok.n) == ("./flaky [success]", 2, 3)
    assert again_ok.hits == 1 and again.failures == 0
    assert old.samples is None and old.stats == {
        "mean": 0.5,
        "stdev": 0.1,
        "median": 0.4,
        "min": 0.3,
        "max": 0.9,
    }
    # Named alike as the first, it is told apart by its parameters (not by its order).
    assert again.name == "./flaky (n=3)" and again.properties["parameter.n"] == "3"
    messages = " ".join(w.message for w in run.warnings)
    assert "exited with a non-zero code" in messages and "no `times`" in messages
    assert "left out of its timings" in messages


def test_every_run_failed_leaves_no_timings(tmp_path: Path) -> None:
    doc = {"results": [{"command": "./broken", "times": [0.01, 0.02], "exit_codes": [2, None]}]}
    path = tmp_path / "h.json"
    path.write_text(json.dumps(doc))
    run = load([str(path)])
    timing, success = run.metrics
    # A run killed by a signal (null) is a failure too; no time of a failed run is evidence.
    assert timing.samples == () and timing.failures == 2
    assert (success.hits, success.n, success.stats["rate"]) == (0, 2, 0.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"results": [{"command": "a", "times": [0.1, -1]}]}', "results[0].times[1]: negative"),
        ('{"results": [{"command": "a", "times": [0.1, "x"]}]}', "expected a number"),
        ('{"results": [{"command": "a", "times": 3}]}', "results[0].times: expected an array"),
        ('{"results": [{"command": "", "times": [1]}]}', "results[0].command"),
        (
            '{"results": [{"command": "a", "times": [1], "exit_codes": [0, 0]}]}',
            "2 exit codes for 1 times",
        ),
        ('{"results": [{"command": "a"}]}', "neither `times` nor summary"),
        ('{"results": [{"command": "a", "times": [0.1,', "truncated JSON"),
    ],
)
def test_broken_files(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "h.json"
    path.write_text(text)
    assert detect(text.encode(), str(path)) is not None
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert str(path) in str(info.value) and expected in str(info.value)
