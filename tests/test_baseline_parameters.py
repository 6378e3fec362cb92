"""A baseline measured with other parameters than the current run (hyperfine `parameters`,
pytest-benchmark `params`) is no baseline: real harness output through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import harness_tool, run_cli

CRITERIA = textwrap.dedent(
    """\
    version: 1
    defaults: {{min_samples: 10}}
    criteria:
      - {{id: no-regression, metric: "{metric}", compare: baseline, max_regression: 5%}}
    """
)


def hyperfine_work(out: Path, ms: int) -> Path:
    """`work` timed by the real hyperfine with its parameter `ms` set to one value."""
    exe = harness_tool("hyperfine", "hyperfine")
    scan = ["-n", "work", "-P", "ms", str(ms), str(ms), "sleep 0.00{ms}"]
    subprocess.run(
        [exe, "-N", "-w", "1", "-r", "12", *scan, "--export-json", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def _verdict(tmp_path: Path, metric: str, baseline: Path, current: Path) -> tuple[int, str]:
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(CRITERIA.format(metric=metric))
    done = run_cli(
        "verdict", "-c", str(criteria), "--baseline", str(baseline), str(current), "--json", "-"
    )
    evaluation = json.loads(done.stdout)
    reason = evaluation["criteria"][0]["reason"]
    return done.returncode, reason + "\n" + "\n".join(evaluation["warnings"])


def test_hyperfine_parameters_that_differ_are_no_baseline(tmp_path: Path) -> None:
    # Before: the 5 ms baseline against the 1 ms run was an improvement, READY (exit 0).
    slow = hyperfine_work(tmp_path / "slow.json", 5)
    fast = hyperfine_work(tmp_path / "fast.json", 1)
    code, why = _verdict(tmp_path, "work", slow, fast)
    assert code == 3, why
    assert "work was measured with ms=1 now but ms=5 in the baseline" in why
    # The same parameters compare as before.
    again = hyperfine_work(tmp_path / "again.json", 1)
    code, why = _verdict(tmp_path, "work", again, fast)
    assert "measured with" not in why


def test_a_side_that_records_no_parameters_is_compared_with_a_warning(tmp_path: Path) -> None:
    """A baseline from a harness or a recording that kept no parameters is compared as before,
    and a warning says so: INSUFFICIENT would make every such baseline useless."""
    current = hyperfine_work(tmp_path / "now.json", 1)
    raw = json.loads(hyperfine_work(tmp_path / "base.json", 1).read_text())
    for result in raw["results"]:
        del result["parameters"]
    baseline = tmp_path / "old.json"
    baseline.write_text(json.dumps(raw))
    _, why = _verdict(tmp_path, "work", baseline, current)
    assert "measured with ms=1 now" not in why
    assert (
        "work: the current run was measured with ms=1, and the baseline does not say with what "
        "parameters; compared as if the same"
    ) in why


BENCH = textwrap.dedent(
    """\
    import pytest

    @pytest.mark.parametrize("n", [{n}], ids=["big"])
    def test_work(benchmark, n):
        benchmark(lambda: sum(range(n)))
    """
)


def _pytest_benchmark(folder: Path, n: int) -> Path:
    """The real pytest-benchmark, its `ids=` naming the case `big` whatever `n` is."""
    pytest.importorskip("pytest_benchmark")
    folder.mkdir(parents=True)
    (folder / "test_w.py").write_text(BENCH.format(n=n))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    out = folder / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "pytest_benchmark.plugin",
            "-p",
            "no:cacheprovider",
            f"--benchmark-json={out}",
            "--benchmark-min-rounds=15",
            "--benchmark-max-time=0.0001",
            "test_w.py",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_pytest_benchmark_params_behind_one_id_that_differ_are_no_baseline(
    tmp_path: Path,
) -> None:
    # Before: the same id `test_work[big]` over 20,000 then 200 numbers was an improvement,
    # READY (exit 0).
    baseline = _pytest_benchmark(tmp_path / "base", 20_000)
    current = _pytest_benchmark(tmp_path / "now", 200)
    code, why = _verdict(tmp_path, "test_w.py::test_work[big]", baseline, current)
    assert code == 3, why
    assert "was measured with n=200 now but n=20000 in the baseline" in why
