"""Real Go tool output beyond plain `go test -json`: gotestsum's reruns and JUnit, and streams
that hold several runs of one package."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from tests.conftest import go_module, harness_tool, run_cli

MAX_FAILED_0 = "version: 1\ncriteria:\n  - id: no-failures\n    tests: {max_failed: 0}\n"


def verdict(tmp_path: Path, results: Path, criteria: str = MAX_FAILED_0) -> CompletedProcess[str]:
    """`reportgen verdict` of `results` against `criteria` (no failed test by default)."""
    path = tmp_path / "criteria.yaml"
    path.write_text(criteria)
    return run_cli("verdict", "-c", str(path), str(results))


# TestMain fails the package in the first run only (the marker file then exists): the tests
# themselves all pass, as after a leak check or a teardown that fails now and then.
FIRST_RUN_FAILS = textwrap.dedent(
    """
    package firstrun

    import (
    \t"os"
    \t"testing"
    )

    func TestMain(m *testing.M) {
    \tcode := m.Run()
    \tif _, err := os.Stat(os.Getenv("MARKER")); err != nil {
    \t\tos.WriteFile(os.Getenv("MARKER"), nil, 0o644)
    \t\tos.Exit(1)
    \t}
    \tos.Exit(code)
    }

    func TestA(t *testing.T) {}
    """
)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The files each case writes, by case name, from one Go module run by the real tools."""
    gotestsum = harness_tool("gotestsum", "gotestsum")
    work = tmp_path_factory.mktemp("gotools")
    steady = 'package steady\n\nimport "testing"\n\nfunc TestA(t *testing.T) {}\n'
    go, env = go_module(
        work,
        "example.com/gotools",
        {"firstrun/f_test.go": FIRST_RUN_FAILS, "steady/s_test.go": steady},
    )
    out: dict[str, Path] = {}

    # gotestsum reruns the failed package; the rerun passes, and gotestsum exits 0.
    out["rerun-json"] = work / "rerun.json"
    subprocess.run(
        [
            gotestsum,
            *("--jsonfile", str(out["rerun-json"]), "--rerun-fails=2", "--packages", "./firstrun"),
            *("--format", "standard-quiet", "--", "-count=1"),
        ],
        cwd=work,
        env={**env, "MARKER": str(work / "rerun.marker")},
        capture_output=True,
        timeout=300,
        check=False,
    )

    # Two `go test -json` runs appended to one file, as a CI step that retries the command.
    out["appended"] = work / "appended.jsonl"
    out["steady"] = work / "steady.jsonl"
    for name, package in (("appended", "./firstrun"), ("steady", "./steady")):
        with out[name].open("wb") as handle:
            for _ in range(2):
                subprocess.run(
                    [go, "test", "-json", "-count=1", package],
                    cwd=work,
                    env={**env, "MARKER": str(work / "appended.marker")},
                    stdout=handle,
                    timeout=300,
                    check=False,
                )

    return out


@pytest.mark.parametrize("case", ["rerun-json", "appended"])
def test_a_later_run_does_not_hide_a_failed_package_run(
    outputs: dict[str, Path], case: str, tmp_path: Path
) -> None:
    # The package failed in its first run without a failing test, then passed: the stream
    # ends with the package's `pass`, which must not stand for the run that failed.
    proc = verdict(tmp_path, outputs[case])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "example.com/gotools/firstrun::[package failed]" in proc.stdout


def test_a_later_run_cut_short_is_flagged(outputs: dict[str, Path], tmp_path: Path) -> None:
    # Two passing runs of a package appended, the second cut before its final event (a killed
    # CI job): the first run's `pass` does not finish the second.
    lines = outputs["steady"].read_bytes().splitlines(keepends=True)
    ends = [
        i for i, line in enumerate(lines) if b'"Action":"pass"' in line and b'"Test"' not in line
    ]
    assert len(ends) == 2
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(lines[: ends[0] + 3]))
    whole = verdict(tmp_path, outputs["steady"])
    assert whole.returncode == 0, whole.stdout + whole.stderr
    proc = verdict(tmp_path, cut)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "no final pass, fail or skip event" in proc.stdout
