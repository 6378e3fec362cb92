"""`reportgen verdict` end to end: the real CLI in a subprocess, on real files, exit codes exact."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

FIX = REPO / "tests" / "fixtures" / "verdict"
CURRENT = str(FIX / "current.metrics.json")
BASELINE = str(FIX / "baseline.metrics.json")
SAME = str(FIX / "same.metrics.json")
FEW = str(FIX / "few.metrics.json")
REGRESSION = str(FIX / "regression.yaml")

PYTEST_SUITE = """
import pytest

def test_core():
    pass

@pytest.mark.parametrize("i", range(10))
def test_startup(i):
    pass

def test_staging():
    assert False, "staging returned HTTP 500"
"""


@pytest.fixture(scope="module")
def pytest_junit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JUnit XML written by a real pytest run of a small suite (one failing staging check)."""
    root = tmp_path_factory.mktemp("suite")
    (root / "tests").mkdir()
    (root / "tests" / "test_demo.py").write_text(PYTEST_SUITE, encoding="utf-8")
    out = root / "junit.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-o",
            "addopts=",
            f"--junitxml={out}",
            "tests",
        ],
        cwd=root,
        capture_output=True,
        check=False,
        timeout=120,
    )
    if not out.is_file():
        pytest.skip("pytest could not write JUnit XML here")
    return out


def verdict(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("verdict", *args, cwd=cwd, env={"SOURCE_DATE_EPOCH": "1780000000"})


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr


# --- exit codes ---------------------------------------------------------------------------------


def test_regression_is_not_ready_and_reports_about_plus_25_percent() -> None:
    proc = verdict("-c", REGRESSION, "--baseline", BASELINE, CURRENT)
    assert proc.returncode == 1, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("connect-"))
    assert "FAIL" in row
    change = float(re.search(r"regressed by \+(\d+\.\d)%", row).group(1))  # type: ignore[union-attr]
    assert 20 < change < 30
    assert "one-sided 95% bounds" in row and "≤ +5.0%" in row
    assert proc.stdout.rstrip().endswith("Verdict: NOT READY (1 fail)")


def test_same_distribution_is_ready() -> None:
    proc = verdict("-c", REGRESSION, "--baseline", BASELINE, SAME)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Verdict: READY" in proc.stdout


def test_three_samples_are_insufficient(tmp_path: Path) -> None:
    # The same figures, written again (a byte-for-byte copy of the baseline is refused).
    current = tmp_path / "few.metrics.json"
    current.write_text(json.dumps(json.loads(Path(FEW).read_text())))
    proc = verdict("-c", REGRESSION, "--baseline", FEW, str(current))
    assert proc.returncode == 3
    assert "INSUFFICIENT" in proc.stdout and "To decide:" in proc.stdout


def test_a_comparison_without_baseline_is_insufficient() -> None:
    proc = verdict("-c", REGRESSION, CURRENT)
    assert proc.returncode == 3
    assert "--baseline" in proc.stdout


def test_zero_timings_are_insufficient() -> None:
    proc = verdict("-c", str(FIX / "init-time.yaml"), CURRENT)
    assert proc.returncode == 3
    assert "timer resolution" in proc.stdout


def test_no_inputs_is_insufficient() -> None:
    proc = verdict("-c", REGRESSION)
    assert proc.returncode == 3
    assert "no inputs given" in proc.stdout


def test_an_empty_directory_is_insufficient(tmp_path: Path) -> None:
    proc = verdict("-c", REGRESSION, str(tmp_path))
    assert proc.returncode == 3
    assert "INSUFFICIENT EVIDENCE" in proc.stdout


def test_files_with_nothing_a_criterion_can_use_are_insufficient(pytest_junit: Path) -> None:
    # Test results only, while the criterion is about a metric.
    proc = verdict("-c", str(FIX / "init-time.yaml"), str(pytest_junit))
    assert proc.returncode == 3


def test_a_path_that_does_not_exist_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xml"
    proc = verdict("-c", REGRESSION, str(missing))
    assert proc.returncode == 4
    assert_no_traceback(proc)
    assert str(missing) in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_missing_baseline_is_an_input_error(tmp_path: Path) -> None:
    proc = verdict("-c", REGRESSION, "--baseline", str(tmp_path / "gone"), CURRENT)
    assert proc.returncode == 4
    assert_no_traceback(proc)


def test_an_invalid_criteria_file_is_exit_4_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        textwrap.dedent(
            """\
            version: 1
            criteria:
              - id: a
                metric: m
                stat: p95
                maxx: 1s
            """
        ),
        encoding="utf-8",
    )
    proc = verdict("-c", str(bad), CURRENT)
    assert proc.returncode == 4
    assert_no_traceback(proc)
    assert (
        proc.stderr.strip() == f"reportgen: {bad}:6: criteria[0] (a): unknown key 'maxx'; "
        "did you mean 'max'?"
    )


def test_a_missing_criteria_file_is_exit_4(tmp_path: Path) -> None:
    proc = verdict("-c", str(tmp_path / "none.yaml"), CURRENT)
    assert proc.returncode == 4
    assert_no_traceback(proc)


@pytest.mark.parametrize(
    "args",
    [
        [CURRENT],  # no -c
        ["-c", REGRESSION, "--json", "-", "--junit", "-", CURRENT],
        ["-c", REGRESSION, "--no-such-flag", CURRENT],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    proc = verdict(*args)
    assert proc.returncode == 2
    assert_no_traceback(proc)


# --- tests gates on real pytest output -----------------------------------------------------------


def test_gates_on_pytest_junit(pytest_junit: Path, tmp_path: Path) -> None:
    out = tmp_path / "criteria.xml"
    proc = verdict("-c", str(FIX / "gate.yaml"), str(pytest_junit), "--junit", str(out))
    # 10/10 startup passes cannot show 99%: insufficient; staging fails but is advisory.
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "299 consecutive passes needed; 10 observed" in proc.stdout
    assert re.search(r"^staging\s+FAIL \(advisory\)", proc.stdout, re.M)
    assert re.search(r"^critical-imports\s+PASS", proc.stdout, re.M)

    from lxml import etree

    root = etree.parse(str(out)).getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"critical-imports", "staging", "startup"}
    assert cases["critical-imports"].find("failure") is None
    assert cases["critical-imports"].find("error") is None
    staging = cases["staging"].find("failure")
    assert staging is not None and staging.get("type") == "advisory-failure"
    startup = cases["startup"].find("error")
    assert startup is not None and startup.get("type") == "insufficient-evidence"
    assert "299 consecutive passes" in (startup.text or "")
    assert not list(root.iter("skipped"))
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("errors") == "1"


def test_an_advisory_failure_alone_leaves_exit_0(pytest_junit: Path, tmp_path: Path) -> None:
    criteria = tmp_path / "c.yaml"
    criteria.write_text(
        textwrap.dedent(
            """\
            version: 1
            criteria:
              - id: imports
                tests: {require: ["tests/test_demo.py::test_core"]}
              - id: staging
                severity: advisory
                tests: {select: "*test_staging*", max_failed: 0}
            """
        ),
        encoding="utf-8",
    )
    proc = verdict("-c", str(criteria), str(pytest_junit))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL (advisory)" in proc.stdout


def test_a_failing_required_test_is_not_ready(pytest_junit: Path, tmp_path: Path) -> None:
    criteria = tmp_path / "c.yaml"
    criteria.write_text(
        'version: 1\ncriteria:\n  - id: all\n    tests: {require: ["tests/test_demo.py::*"]}\n',
        encoding="utf-8",
    )
    proc = verdict("-c", str(criteria), str(pytest_junit))
    assert proc.returncode == 1
    assert "test_staging" in proc.stdout


# --- output documents ---------------------------------------------------------------------------


def test_json_to_stdout_is_pure_and_matches_the_schema() -> None:
    proc = verdict("-c", REGRESSION, "--baseline", BASELINE, CURRENT, "--json", "-")
    assert proc.returncode == 1
    document = json.loads(proc.stdout)
    assert document["verdict"] == "NOT READY"
    assert document["criteria_file"] == REGRESSION
    assert len(document["criteria_sha256"]) == 64
    (criterion,) = document["criteria"]
    assert criterion["status"] == "fail" and criterion["figures"]["regression"] is True
    paths = {(e["path"], e["baseline"]) for e in criterion["evidence"]}
    assert paths == {(CURRENT, False), (BASELINE, True)}
    # The table went to stderr instead.
    assert "Verdict: NOT READY" in proc.stderr
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "schemas" / "verdict.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)


def test_junit_to_stdout_is_pure_xml() -> None:
    proc = verdict("-c", REGRESSION, "--baseline", BASELINE, CURRENT, "--junit", "-")
    assert proc.returncode == 1
    from lxml import etree

    root = etree.fromstring(proc.stdout.encode())
    failure = root.find(".//testcase/failure")
    assert failure is not None and failure.get("type") == "criterion-failed"


def test_outputs_are_deterministic(tmp_path: Path) -> None:
    texts = []
    for i in range(2):
        out_json, out_xml = tmp_path / f"{i}.json", tmp_path / f"{i}.xml"
        verdict(
            "-c",
            REGRESSION,
            "--baseline",
            BASELINE,
            CURRENT,
            "--json",
            str(out_json),
            "--junit",
            str(out_xml),
        )
        texts.append((out_json.read_bytes(), out_xml.read_bytes()))
    assert texts[0] == texts[1]


def test_an_output_in_a_missing_directory_is_an_error_without_partial_files(
    tmp_path: Path,
) -> None:
    proc = verdict("-c", REGRESSION, CURRENT, "--json", str(tmp_path / "no" / "such" / "v.json"))
    assert proc.returncode == 2
    assert_no_traceback(proc)


# --- start-up ------------------------------------------------------------------------------------


def _imported(stderr: str) -> set[str]:
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


HEAVY = ("weasyprint", "matplotlib", "pandas")


def _importtime(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reportgen", "verdict", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1, 3), proc.stderr[-2000:]
    modules = _imported(proc.stderr)
    assert "reportgen.evaluate" in modules  # the parse worked and saw the verdict path
    return modules


def test_the_verdict_path_imports_no_pdf_plotting_or_dataframe_stack(tmp_path: Path) -> None:
    criteria = tmp_path / "c.yaml"
    # Thresholds on a mean and a plain CV: their bounds (t, Bonett) need no scipy. (The robust
    # CV's order-statistic bounds use the binomial CDF, from scipy while that is lazy.)
    criteria.write_text(
        "version: 1\ncriteria:\n"
        "  - {id: mean, metric: ws_connect_time, stat: mean, max: 2s}\n"
        "  - {id: cv, metric: ws_connect_time, max_cv: 10%, cv_method: plain}\n",
        encoding="utf-8",
    )
    modules = _importtime(
        "-c",
        str(criteria),
        CURRENT,
        "--json",
        str(tmp_path / "v.json"),
        "--junit",
        str(tmp_path / "v.xml"),
    )
    top = {m.split(".")[0] for m in modules}
    for heavy in HEAVY:
        assert heavy not in top, f"{heavy} imported on the verdict path"
    assert "scipy" not in top, "scipy imported although no statistic needs it"


def test_a_clopper_pearson_bound_imports_stats_but_not_scipy(pytest_junit: Path) -> None:
    # The positive control: the parser sees the lazily imported statistics module, and the
    # Clopper–Pearson bound it computes comes from reportgen.special, not scipy.
    modules = _importtime("-c", str(FIX / "gate.yaml"), str(pytest_junit))
    top = {m.split(".")[0] for m in modules}
    assert "reportgen.stats" in modules and "reportgen.special" in modules
    assert "scipy" not in top
    for heavy in HEAVY:
        assert heavy not in top


def test_table_wraps_the_why_column_to_a_terminal_width() -> None:
    from reportgen.cli.verdict import render_table
    from reportgen.criteria import load as load_criteria
    from reportgen.evaluate import evaluate
    from reportgen.ingest import load

    sample = REPO / "samples" / "phase4-websocket"
    evaluation = evaluate(
        load([str(sample / "results")]),
        load_criteria(str(sample / "criteria.yaml")),
        load([str(sample / "baseline")]),
    )
    narrow = render_table(evaluation, width=120)
    table = narrow.split("\n\n", 1)[0].splitlines()[1:]  # without the title line
    assert all(len(line) <= 120 for line in table)
    assert len(table) > 2 + len(evaluation.criteria)  # some reasons took several lines
    # Wrapped, not cut: the why column, read top to bottom, holds every reason whole.
    column = table[0].index("why")
    # (Compared without white space: a long test id is broken across lines.)
    why_text = "".join("".join(line[column:].split()) for line in table[2:])
    for result in evaluation.criteria:
        assert "".join(result.reason.split()) in why_text
    # Without a terminal, one line per criterion.
    wide = render_table(evaluation)
    assert len(wide.split("\n\n", 1)[0].splitlines()) == 3 + len(evaluation.criteria)
