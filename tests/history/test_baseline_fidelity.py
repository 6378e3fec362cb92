"""A baseline read back from history is judged exactly as the file it was recorded from: real
`go test -bench` output recorded, then gated against the history and against the file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import go_module, run_cli
from tests.history.test_history import record

BENCH = """package gob

import "testing"

var sink int

func BenchmarkAdd(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink += i
	}
}

func BenchmarkNoAlloc(b *testing.B) {
	x := make([]int, 0, 8)
	for i := 0; i < b.N; i++ {
		x = append(x[:0], i)
	}
	sink = len(x)
}
"""

# The default timer resolution (1 µs): a ns/op figure is a measurement only through the
# iterations behind it, which the history must keep.
CRITERIA = """version: 1
defaults: {min_samples: 10}
criteria:
  - id: add-no-regression
    metric: BenchmarkAdd
    compare: baseline
    max_regression: 200%
  - id: noalloc-no-regression
    metric: "BenchmarkNoAlloc*"
    compare: baseline
    max_regression: 200%
"""


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two real `go test -bench -benchmem` runs of the same package: baseline and current."""
    where = tmp_path_factory.mktemp("gobench")
    go, env = go_module(where, "example.com/gob", {"b_test.go": BENCH})
    outs = []
    for name in ("base.txt", "cur.txt"):
        done = subprocess.run(
            [
                go,
                "test",
                "-run",
                "^$",
                "-bench",
                ".",
                "-benchmem",
                "-count=12",
                "-benchtime=20000x",
            ],
            cwd=where,
            capture_output=True,
            env=env,
            timeout=300,
            check=True,
        )
        (where / name).write_bytes(done.stdout)
        outs.append(where / name)
    return outs[0], outs[1]


def _statuses(done: subprocess.CompletedProcess[str], path: Path) -> dict[str, str]:
    assert done.returncode in (0, 1, 3), done.stdout + done.stderr
    return {c["id"]: c["status"] for c in json.loads(path.read_text())["criteria"]}


def test_history_baseline_is_judged_as_its_file(bench: tuple[Path, Path], tmp_path: Path) -> None:
    """Iterations per ns/op figure and Go's rounded-down B/op and allocs/op come back from the
    history: a go benchmark baseline recorded is the same evidence as the file."""
    base, cur = bench
    db = f"sqlite:///{tmp_path / 'h.db'}"
    assert record(db, base, commit="a" * 40).returncode == 0
    crit = tmp_path / "criteria.yaml"
    crit.write_text(CRITERIA)
    by_file = run_cli(
        "verdict", "-c", str(crit), "--baseline", str(base), str(cur), "--json", str(tmp_path / "f")
    )
    by_history = run_cli(
        "verdict",
        "-c",
        str(crit),
        "--db",
        db,
        "--baseline",
        "history:branch=main",
        str(cur),
        "--json",
        str(tmp_path / "h"),
    )
    from_file = _statuses(by_file, tmp_path / "f")
    assert from_file["add-no-regression"] == "pass", by_file.stdout
    assert _statuses(by_history, tmp_path / "h") == from_file, by_history.stdout
    assert by_history.returncode == by_file.returncode


def test_metrics_recorded_without_their_details_are_no_baseline(
    bench: tuple[Path, Path], tmp_path: Path
) -> None:
    """A run recorded before metric details were kept cannot say how its values were recorded
    (its resolution could hide a regression): the criteria comparing with it are INSUFFICIENT."""
    base, cur = bench
    path = tmp_path / "h.db"
    assert record(f"sqlite:///{path}", base, commit="a" * 40).returncode == 0
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE metrics SET details = NULL")
    crit = tmp_path / "criteria.yaml"
    crit.write_text(CRITERIA)
    out = tmp_path / "v.json"
    done = run_cli(
        "verdict",
        "-c",
        str(crit),
        "--db",
        str(path),
        "--baseline",
        "history:branch=main",
        str(cur),
        "--json",
        str(out),
    )
    assert done.returncode == 3, done.stdout + done.stderr
    criteria = json.loads(out.read_text())["criteria"]
    assert all(c["status"] == "insufficient" for c in criteria)
    assert all("did not keep how its metrics were recorded" in c["reason"] for c in criteria)


def test_a_zero_baseline_widened_to_its_resolution_is_no_crash(
    bench: tuple[Path, Path], tmp_path: Path
) -> None:
    """0 B/op on both sides: the resolution pushes a bound to 0, which is INSUFFICIENT (or a
    decision), never an internal error."""
    base, cur = bench
    crit = tmp_path / "criteria.yaml"
    crit.write_text(
        "version: 1\ncriteria:\n  - id: bytes\n    metric: 'BenchmarkAdd [B/op]'\n"
        "    compare: baseline\n    max_regression: 50%\n"
    )
    done = run_cli("verdict", "-c", str(crit), "--baseline", str(base), str(cur))
    assert done.returncode == 3, done.stdout + done.stderr
