"""A named statistic compared with the baseline goes its own way, not always the metric's:
a throughput of durations rises as they fall, a spread (stdev, cv) is never better wider, a
success rate is higher better. Real hyperfine and go bench output through the real CLI."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

from tests.conftest import go_module, harness_tool, run_cli

CRITERIA = textwrap.dedent(
    """\
    version: 1
    criteria:
      - id: change
        metric: "{metric}"
        stat: {stat}
        compare: baseline
        max_regression: {tolerance}
        allow_point_estimates: true
    """
)


def _verdict(
    tmp_path: Path, metric: str, stat: str, tolerance: str, base: Path, now: Path
) -> tuple[int, dict[str, Any]]:
    criteria = tmp_path / f"{stat}.yaml"
    criteria.write_text(CRITERIA.format(metric=metric, stat=stat, tolerance=tolerance))
    done = run_cli("verdict", "-c", str(criteria), "--baseline", str(base), str(now), "--json", "-")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["criteria"][0]


def _hyperfine(out: Path, seconds: str) -> Path:
    exe = harness_tool("hyperfine", "hyperfine")
    subprocess.run(
        [exe, "-N", "-r", "12", "-n", "work", f"sleep {seconds}", "--export-json", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def test_throughput_of_durations_that_grew_is_a_regression(tmp_path: Path) -> None:
    # Before: `sleep 0.02` against a `sleep 0.01` baseline, operations per second down by
    # about a third, "improved" and READY (exit 0): judged the way durations go.
    fast = _hyperfine(tmp_path / "fast.json", "0.01")
    slow = _hyperfine(tmp_path / "slow.json", "0.02")
    code, row = _verdict(tmp_path, "work", "throughput", "5%", fast, slow)
    assert code == 1, row
    assert "regressed by -" in row["reason"] and " 1/s" in row["reason"], row["reason"]
    assert row["figures"]["comparison"] == ">="
    # The other way round it is an improvement.
    code, row = _verdict(tmp_path, "work", "throughput", "5%", slow, fast)
    assert code == 0, row
    assert "improved by +" in row["reason"], row["reason"]


SPREAD = """\
package spread

import (
	"os"
	"testing"
	"time"
)

var runs int

// One operation sleeps 2 ms; with NOISY set, alternate runs sleep 1 ms and 3 ms.
func BenchmarkCopy(b *testing.B) {
	pause := 2 * time.Millisecond
	if b.N > 1 {
		runs++
		if os.Getenv("NOISY") != "" {
			pause = time.Duration(1+2*(runs%2)) * time.Millisecond
		}
	}
	b.SetBytes(1 << 20)
	for i := 0; i < b.N; i++ {
		time.Sleep(pause)
	}
}
"""


def test_a_wider_spread_of_a_rate_is_a_regression(tmp_path: Path) -> None:
    # Go's MB/s is higher better; its spread is not. Before: a CV of 6% growing to 50% and
    # a stdev ten times the baseline's were "improved" and READY (exit 0).
    go, env = go_module(tmp_path, "example.com/spread", {"spread_test.go": SPREAD})
    bench = [go, "test", "-run", "^$", "-bench", ".", "-benchtime", "5x", "-count", "12"]
    outputs = {}
    for name, noisy in (("steady", ""), ("noisy", "1")):
        done = subprocess.run(
            bench,
            cwd=tmp_path,
            env={**env, "NOISY": noisy},
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        outputs[name] = tmp_path / f"{name}.txt"
        outputs[name].write_text(done.stdout)
    for stat in ("cv", "stdev"):
        code, row = _verdict(
            tmp_path, "BenchmarkCopy [MB/s]", stat, "20%", outputs["steady"], outputs["noisy"]
        )
        assert code == 1, row
        assert row["figures"]["comparison"] == "<=", row
        assert "regressed by +" in row["reason"], row["reason"]
