"""Judging executions: the repeats rule, trials, new failures by canonical id, patterns that
mean what they look like, and metrics that several inputs (or only the baseline) hold.

Inputs come from real harness runs made in the test (pytest, `node --test`, pytest-benchmark)
or from the k6 summary in the corpus.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli, run_pytest


def _criteria(tmp_path: Path, body: str, name: str = "criteria.yaml") -> str:
    path = tmp_path / name
    path.write_text("version: 1\n" + textwrap.dedent(body))
    return str(path)


def _verdict_json(*args: str) -> tuple[int, dict[str, object]]:
    proc = run_cli("verdict", "--json", "-", *args)
    assert proc.returncode in (0, 1, 3), proc.stdout + proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _criterion(document: dict[str, object], ident: str) -> dict[str, object]:
    results = document["criteria"]
    assert isinstance(results, list)
    return next(c for c in results if c["id"] == ident)


# --- node --test: unmarked repeats --------------------------------------------------------------


def _node_junit(tmp_path: Path, source: str) -> Path:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (apt-get install nodejs)")
    (tmp_path / "suite.test.js").write_text(textwrap.dedent(source))
    out = tmp_path / "node.xml"
    with out.open("w") as handle:
        subprocess.run(
            [node, "--test", "--test-reporter=junit", "suite.test.js"],
            cwd=tmp_path,
            stdout=handle,
            timeout=120,
            check=False,
        )
    return out


FAILS_THEN_PASSES = """
    const test = require('node:test');
    const assert = require('node:assert');
    // One name, three executions in order: pass, fail, pass (a retry loop without markers).
    for (const n of [1, 2, 3]) {
      test('retried', () => { assert.notStrictEqual(n, 2); });
    }
    test('steady', () => {});
"""


def test_each_execution_counts_by_default(tmp_path: Path) -> None:
    results = _node_junit(tmp_path, FAILS_THEN_PASSES)
    criteria = _criteria(tmp_path, "criteria:\n  - id: gate\n    tests: {max_failed: 0}\n")
    code, doc = _verdict_json("-c", criteria, str(results))
    assert code == 1
    gate = _criterion(doc, "gate")
    assert gate["status"] == "fail"
    assert "every execution counted (repeats: each)" in str(gate["reason"])


def test_a_test_that_passed_and_failed_is_flaky_under_each_too(tmp_path: Path) -> None:
    # Unmarked repeats count one by one, but a test that both failed and passed in one run is
    # flaky whatever the rule: `max_flaky` must not pass it because its reporter did not mark
    # the reruns (that would be READY on a flaky suite).
    results = _node_junit(tmp_path, FAILS_THEN_PASSES)
    criteria = _criteria(
        tmp_path, "criteria:\n  - id: flaky\n    tests: {select: '**', max_flaky: 0}\n"
    )
    code, doc = _verdict_json("-c", criteria, str(results))
    flaky = _criterion(doc, "flaky")
    assert flaky["status"] == "fail", flaky
    assert "retried" in str(flaky["reason"]) and "steady" not in str(flaky["reason"])
    assert "1 of " in str(flaky["reason"])  # one flaky test, not one per passing execution
    assert code == 1


def test_last_attempt_rule_lets_the_last_execution_decide(tmp_path: Path) -> None:
    results = _node_junit(tmp_path, FAILS_THEN_PASSES)
    criteria = _criteria(
        tmp_path,
        """
        defaults: {repeats: last_attempt}
        criteria:
          - id: gate
            tests: {max_failed: 0}
          - id: flaky
            tests: {max_flaky: 0}
        """,
    )
    code, doc = _verdict_json("-c", criteria, str(results))
    gate, flaky = _criterion(doc, "gate"), _criterion(doc, "flaky")
    assert gate["status"] == "pass"
    assert "repeats: last_attempt" in str(gate["reason"])
    # Passing after a failed execution is flaky under this rule.
    assert flaky["status"] == "fail" and "retried" in str(flaky["reason"])
    assert code == 1


def test_a_pass_rate_counts_every_execution_as_a_trial(tmp_path: Path) -> None:
    # 30 passing executions of one test id: 30 trials, enough for a 90% lower bound at 95%
    # (one distinct test would be one trial, far too few).
    results = _node_junit(
        tmp_path,
        """
        const test = require('node:test');
        for (let n = 0; n < 30; n++) { test('repeated', () => {}); }
        """,
    )
    criteria = _criteria(tmp_path, "criteria:\n  - id: rate\n    tests: {min_pass_rate: 90%}\n")
    code, doc = _verdict_json("-c", criteria, str(results))
    rate = _criterion(doc, "rate")
    assert rate["status"] == "pass", rate["reason"]
    assert "30 of 30" in str(rate["reason"])
    assert code == 0


# --- pytest: new failures by canonical id -----------------------------------------------------


SUITE = {
    "test_alpha.py": "def test_one():\n    pass\n\ndef test_two():\n    pass\n",
    "test_beta.py": "def test_three():\n    pass\n\ndef test_four():\n    {body}\n",
}


def _pytest_run(folder: Path, files: dict[str, str], *, json_report: bool = False) -> Path:
    folder.mkdir(parents=True)
    (folder / "pytest.ini").write_text("[pytest]\n")
    for name, text in files.items():
        (folder / name).write_text(text)
    if json_report:
        pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
        out = folder / "report.json"
        flags = ["-p", "pytest_jsonreport.plugin", "--json-report", f"--json-report-file={out}"]
    else:
        out = folder / "junit.xml"
        flags = [f"--junitxml={out}"]
    # Only the plugins a run needs: the suite's own would slow every start.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *flags],
        cwd=folder,
        capture_output=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert out.exists()
    return out


def _suite(body: str = "pass", drop: str | None = None) -> dict[str, str]:
    files = {name: text.replace("{body}", body) for name, text in SUITE.items()}
    if drop is not None:
        files[drop.split("::")[0]] = files[drop.split("::")[0]].replace(
            f"def {drop.split('::')[1]}():\n    pass\n", ""
        )
    return files


NEW_FAILURES = "criteria:\n  - id: new\n    tests: {new_failures: 0}\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real pytest runs of one suite and its variants, made once for the tests below."""
    root = tmp_path_factory.mktemp("runs")
    other = {"test_other.py": "".join(f"def test_o{i}():\n    pass\n\n" for i in range(6))}
    return {
        "base": _pytest_run(root / "base", _suite()),
        "base-json": _pytest_run(root / "base-json", _suite(), json_report=True),
        "failing": _pytest_run(root / "failing", _suite(body="assert False")),
        "dropped": _pytest_run(root / "dropped", _suite(drop="test_alpha.py::test_two")),
        "other": _pytest_run(root / "other", other),
        "flows": _pytest_run(root / "flows", {"test_flows.py": PARAMETRISED}),
    }


def test_new_failures_match_by_canonical_id_across_formats(
    tmp_path: Path, runs: dict[str, Path]
) -> None:
    # The baseline as pytest-json-report, the current run as JUnit XML: the ids agree.
    baseline, current = runs["base-json"], runs["failing"]
    criteria = _criteria(tmp_path, NEW_FAILURES)
    code, doc = _verdict_json("-c", criteria, str(current), "--baseline", str(baseline))
    new = _criterion(doc, "new")
    assert code == 1 and new["status"] == "fail"
    assert "test_beta::test_four" in str(new["reason"])
    assert "4 of the baseline's 4 tests matched by id" in str(new["reason"])


def test_a_test_missing_now_is_insufficient_unless_allowed(
    tmp_path: Path, runs: dict[str, Path]
) -> None:
    baseline, current = runs["base"], runs["dropped"]
    code, doc = _verdict_json(
        "-c", _criteria(tmp_path, NEW_FAILURES), str(current), "--baseline", str(baseline)
    )
    new = _criterion(doc, "new")
    assert code == 3 and new["status"] == "insufficient"
    assert "test_alpha::test_two" in str(new["reason"])
    allowed = _criteria(
        tmp_path,
        "criteria:\n  - id: new\n    tests: {new_failures: 0, allow_missing: 1}\n",
        "allowed.yaml",
    )
    code, doc = _verdict_json("-c", allowed, str(current), "--baseline", str(baseline))
    assert code == 0, doc


def test_runs_that_barely_overlap_are_not_compared(tmp_path: Path, runs: dict[str, Path]) -> None:
    baseline, current = runs["other"], runs["base"]
    code, doc = _verdict_json(
        "-c", _criteria(tmp_path, NEW_FAILURES), str(current), "--baseline", str(baseline)
    )
    new = _criterion(doc, "new")
    assert code == 3 and "barely overlap" in str(new["reason"])


# --- patterns ---------------------------------------------------------------------------------


PARAMETRISED = textwrap.dedent(
    """
    import pytest

    @pytest.mark.parametrize("flow", ["flow3", "flow4"])
    def test_flow(flow):
        assert flow == "flow3"

    def test_ok():
        pass
    """
)


def test_brackets_are_literal(tmp_path: Path, runs: dict[str, Path]) -> None:
    results = runs["flows"]
    criteria = _criteria(
        tmp_path,
        'criteria:\n  - id: flow3\n    tests: {require: ["test_flows::test_flow[flow3]"]}\n',
    )
    # `[flow3]` is the parameter id, not a character class: exactly that test, which passed.
    code, doc = _verdict_json("-c", criteria, str(results))
    assert code == 0, doc
    assert "test_flows::test_flow[flow3]" in str(_criterion(doc, "flow3")["reason"])


def test_an_entry_that_matches_nothing_is_insufficient_with_suggestions(
    tmp_path: Path, runs: dict[str, Path]
) -> None:
    results = runs["flows"]
    criteria = _criteria(
        tmp_path,
        "criteria:\n  - id: sel\n    tests:\n"
        '      select: ["test_flows::test_ok", "test_flows::test_okk"]\n'
        "      max_failed: 0\n",
    )
    code, doc = _verdict_json("-c", criteria, str(results))
    sel = _criterion(doc, "sel")
    assert code == 3 and sel["status"] == "insufficient"
    assert "'test_flows::test_okk'" in str(sel["reason"])
    assert "closest: 'test_flows::test_ok'" in str(sel["reason"])


def test_a_metric_name_with_brackets_matches_exactly(tmp_path: Path) -> None:
    metrics = tmp_path / "metrics.json"
    metrics.write_text(
        json.dumps(
            {
                "version": 1,
                "metrics": [
                    {
                        "name": "HP [success]",
                        "unit": "ms",
                        "samples": [10 + i % 3 for i in range(40)],
                    },
                    {"name": "HP s", "unit": "ms", "samples": [900.0] * 40},
                ],
            }
        )
    )
    criteria = _criteria(
        tmp_path,
        'criteria:\n  - id: hp\n    metric: "HP [success]"\n    stat: median\n    max: 50ms\n',
    )
    code, doc = _verdict_json("-c", criteria, str(metrics))
    assert code == 0, doc


# --- metrics from several inputs, and from the baseline only ---------------------------------


def test_point_values_from_two_inputs_are_each_judged(tmp_path: Path, corpus: Path) -> None:
    source = json.loads((corpus / "k6" / "k6reporter-handlesummary-simple.json").read_text())
    (tmp_path / "eu.json").write_text(json.dumps(source))
    source["metrics"]["http_req_duration"]["values"]["p(95)"] = 250.0  # a slow region
    (tmp_path / "us.json").write_text(json.dumps(source))
    criteria = _criteria(
        tmp_path,
        "criteria:\n  - id: p95\n    metric: http_req_duration\n    stat: p95\n"
        "    max: 100ms\n    allow_point_estimates: true\n",
    )
    code, doc = _verdict_json("-c", criteria, str(tmp_path / "eu.json"), str(tmp_path / "us.json"))
    p95 = _criterion(doc, "p95")
    assert code == 1 and p95["status"] == "fail"
    assert "http_req_duration [us.json]" in str(p95["reason"])


BENCH = textwrap.dedent(
    """
    import time

    def test_sleepy(benchmark):
        benchmark(time.sleep, 0.001)

    def test_sum(benchmark):
        benchmark(sum, range(1000))
    """
)


def _benchmark(folder: Path, *select: str) -> Path:
    pytest.importorskip("pytest_benchmark")
    folder.mkdir(parents=True)
    (folder / "test_bench.py").write_text(BENCH)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "PYTHONPATH"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    out = folder / "bench.json"
    result = subprocess.run(
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
            "--benchmark-max-time=0.0001",  # few rounds: the comparison is not the point here
            *select,
            "test_bench.py",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_a_metric_only_the_baseline_has_is_insufficient(tmp_path: Path) -> None:
    baseline = _benchmark(tmp_path / "base")
    current = _benchmark(tmp_path / "now", "-k", "test_sum")  # test_sleepy wrote nothing
    criteria = _criteria(
        tmp_path,
        'criteria:\n  - id: reg\n    metric: "test_bench.py::*"\n    compare: baseline\n'
        "    max_regression: 50%\n",
    )
    code, doc = _verdict_json("-c", criteria, str(current), "--baseline", str(baseline))
    reg = _criterion(doc, "reg")
    # Whatever test_sum's comparison says, the missing benchmark keeps it from passing.
    assert reg["status"] != "pass" and code != 0
    assert "test_bench.py::test_sleepy is in the baseline but not in the current run" in json.dumps(
        reg
    )


def test_a_ceiling_no_outcome_of_the_selection_could_pass_is_insufficient(
    tmp_path: Path,
) -> None:
    """max_failed: 10 over the 5 tests pytest ran holds with all 5 failing: it shows nothing."""
    (tmp_path / "test_five.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('i', range(5))\n"
        "def test_x(i):\n    assert i < 0\n"
    )
    run_pytest(tmp_path, "--junitxml=junit.xml", "test_five.py")
    criteria = _criteria(
        tmp_path,
        """\
        criteria:
          - {id: failures, tests: {max_failed: 10}}
          - {id: skips, tests: {max_skipped: 5}}
          - {id: tight, tests: {max_skipped: 4}}
        """,
    )
    # Before: READY (exit 0) with every test failing.
    code, document = _verdict_json("-c", criteria, str(tmp_path / "junit.xml"))
    assert code == 3
    failures = _criterion(document, "failures")
    assert failures["status"] == "insufficient"
    assert failures["reason"] == (
        "5 of 5 tests failed, but max_failed: 10 cannot be exceeded by 5 tests that ran: it "
        "holds whatever their outcome."
    )
    assert failures["to_decide"] == "a max_failed below 5, or more than 10 tests that ran"
    assert _criterion(document, "skips")["status"] == "insufficient"
    assert _criterion(document, "tight")["status"] == "pass"
