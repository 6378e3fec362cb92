"""`reportgen verdict` end to end on evidence that cannot support READY: unread files beside
good results, inputs that say they are incomplete, errors that belong to no test, stale or
undated inputs. Results come from real pytest runs (JUnit XML and pytest-json-report)."""

from __future__ import annotations

import gzip
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from tests.conftest import run_cli, run_pytest

GATE = """
version: 1
criteria:
  - id: all-pass
    tests: {max_failed: 0, min_total: 1}
"""


def pytest_run(where: Path, files: dict[str, str]) -> Path:
    """Run the real pytest on `files` in `where`; returns the folder holding junit.xml and
    report.json."""
    where.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (where / name).write_text(textwrap.dedent(body), encoding="utf-8")
    out = where / "out"
    out.mkdir()
    run_pytest(
        where,
        f"--junitxml={out / 'junit.xml'}",
        "--json-report",
        f"--json-report-file={out / 'report.json'}",
        str(where),
    )
    assert (out / "junit.xml").is_file() and (out / "report.json").is_file()
    return out


@pytest.fixture(scope="module")
def passing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pytest_run(
        tmp_path_factory.mktemp("passing"),
        {"test_ok.py": "def test_a():\n    pass\n\ndef test_b():\n    pass\n"},
    )


def gate(tmp_path: Path, text: str = GATE) -> Path:
    path = tmp_path / "gate.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_good_results_alone_are_ready(tmp_path: Path, passing: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(passing / "junit.xml", results / "junit.xml")
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(results))
    assert proc.returncode == ExitCode.READY, proc.stdout + proc.stderr


def test_an_empty_results_xml_beside_good_results_is_insufficient(
    tmp_path: Path, passing: Path
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(passing / "junit.xml", results / "junit.xml")
    (results / "results.xml").write_bytes(b"")
    criteria = gate(tmp_path)
    out = tmp_path / "verdict.json"
    proc = run_cli("verdict", "-c", str(criteria), str(results), "--json", str(out))
    assert proc.returncode == ExitCode.INSUFFICIENT, proc.stdout + proc.stderr
    empty = str(results / "results.xml")
    assert f"{empty}: not read: file is empty (looks like results)" in proc.stdout
    evaluation = json.loads(out.read_text(encoding="utf-8"))
    assert f"{empty}: not read: file is empty (looks like results)" in evaluation["input_warnings"]
    (result,) = evaluation["criteria"]
    assert result["status"] == "insufficient" and empty in result["reason"]

    # Saying it is not evidence, on the command line or in the criteria file, decides it.
    ignored = run_cli("verdict", "-c", str(criteria), str(results), "--ignore", "results.xml")
    assert ignored.returncode == ExitCode.READY, ignored.stdout
    assert "ignored: matches 'results.xml'" in ignored.stdout
    in_file = gate(tmp_path, GATE + "inputs:\n  ignore: ['**/results.xml']\n")
    assert run_cli("verdict", "-c", str(in_file), str(results)).returncode == ExitCode.READY


def test_compressed_results_are_evidence(tmp_path: Path, passing: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    data = (passing / "report.json").read_bytes()
    (results / "report.json.gz").write_bytes(gzip.compress(data))
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(results), "--json", "-")
    assert proc.returncode == ExitCode.READY, proc.stdout + proc.stderr
    (ref,) = json.loads(proc.stdout)["criteria"][0]["evidence"]
    assert ref["path"] == str(results / "report.json.gz") and ref["tests_total"] == 2


def test_a_report_that_declares_a_failure_it_does_not_show_is_not_ready(
    tmp_path: Path,
) -> None:
    out = pytest_run(
        tmp_path / "run",
        {"test_x.py": "def test_a():\n    pass\n\ndef test_b():\n    assert False\n"},
    )
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    doc["tests"] = [t for t in doc["tests"] if t["outcome"] == "passed"]
    cut = tmp_path / "report.json"
    cut.write_text(json.dumps(doc), encoding="utf-8")
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(cut))
    assert proc.returncode == ExitCode.NOT_READY, proc.stdout
    assert "declares 1 failed or errored test(s) but shows 0" in proc.stdout

    # Tests declared but missing (none of them failures) leave it undecided.
    passing_only = pytest_run(
        tmp_path / "run2", {"test_y.py": "def test_a():\n    pass\n\ndef test_b():\n    pass\n"}
    )
    doc = json.loads((passing_only / "report.json").read_text(encoding="utf-8"))
    doc["tests"] = doc["tests"][:1]
    cut.write_text(json.dumps(doc), encoding="utf-8")
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(cut))
    assert proc.returncode == ExitCode.INSUFFICIENT, proc.stdout
    assert "declares 2 test(s) but contains 1" in proc.stdout


@pytest.mark.parametrize("form", ["report.json", "junit.xml"])
def test_a_collection_error_counts_unless_it_lies_outside_the_selection(
    tmp_path: Path, form: str
) -> None:
    out = pytest_run(
        tmp_path / "run",
        {
            "test_ok.py": "def test_a():\n    pass\n",
            "test_broken.py": "import no_such_module_anywhere\n\ndef test_b():\n    pass\n",
        },
    )
    # pytest stops after a collection error: run the good file alone as well, as CI jobs
    # split per directory do, so there is a passing test to select.
    good = pytest_run(tmp_path / "good", {"test_ok.py": "def test_a():\n    pass\n"})
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(out / form, results / f"broken-{form}")
    shutil.copy(good / form, results / f"good-{form}")

    everything = run_cli("verdict", "-c", str(gate(tmp_path)), str(results))
    assert everything.returncode == ExitCode.NOT_READY, everything.stdout

    by_name = gate(
        tmp_path,
        "version: 1\ncriteria:\n  - id: a\n    tests: {select: '*test_a', max_failed: 0}\n",
    )
    proc = run_cli("verdict", "-c", str(by_name), str(results))
    # `*test_a` could name a test in the file that failed to import: it counts.
    assert proc.returncode == ExitCode.NOT_READY, proc.stdout
    assert "test_broken" in proc.stdout

    elsewhere = gate(
        tmp_path,
        "version: 1\ncriteria:\n  - id: a\n    tests: {select: 'test_ok*', max_failed: 0}\n",
    )
    proc = run_cli("verdict", "-c", str(elsewhere), str(results))
    if form == "junit.xml":
        assert proc.returncode == ExitCode.READY, proc.stdout
    else:
        # pytest-json-report also says the session was interrupted before running test_ok.py,
        # which it had collected: no evidence for READY, whatever the selection.
        assert proc.returncode == ExitCode.INSUFFICIENT, proc.stdout
        assert "pytest exited with code 2 (interrupted)" in proc.stdout


def test_go_build_failures_beside_passing_results_are_not_ready(
    tmp_path: Path, passing: Path
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(passing / "junit.xml", results / "junit.xml")
    (results / "go-test.json").write_text("FAIL\texample.com/svc [build failed]\n")
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(results))
    assert proc.returncode == ExitCode.NOT_READY, proc.stdout
    assert "example.com/svc::[build failed]" in proc.stdout
    # A selection known to lie elsewhere is not touched by that package.
    other = gate(
        tmp_path,
        "version: 1\ncriteria:\n  - id: a\n    tests: {select: 'test_ok::*', max_failed: 0}\n",
    )
    assert run_cli("verdict", "-c", str(other), str(results)).returncode == ExitCode.READY


def test_google_benchmark_errors_make_its_criteria_insufficient(
    tmp_path: Path, corpus: Path
) -> None:
    doc = json.loads((corpus / "google-benchmark" / "gab-googlecpp-real.json").read_text())
    names = sorted({b.get("run_name", b["name"]) for b in doc["benchmarks"]})
    target = names[0]
    rows = [b for b in doc["benchmarks"] if b.get("run_name", b["name"]) == target]
    rows[0]["error_occurred"] = True
    rows[0]["error_message"] = "allocation failed"
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps(doc), encoding="utf-8")
    criteria = gate(
        tmp_path,
        f"version: 1\ncriteria:\n  - id: fast\n    metric: '{target}'\n    stat: max\n"
        "    max: 1h\n    allow_point_estimates: true\n    min_samples: 1\n",
    )
    proc = run_cli("verdict", "-c", str(criteria), str(bench), "--json", "-")
    assert proc.returncode == ExitCode.INSUFFICIENT, proc.stdout + proc.stderr
    (result,) = json.loads(proc.stdout)["criteria"]
    assert "allocation failed" in result["reason"]


AGED = GATE.replace("version: 1\n", "version: 1\ndefaults: {max_age: 1d}\n")


def test_with_max_age_an_undated_input_is_insufficient(tmp_path: Path) -> None:
    tap = tmp_path / "run.tap"
    tap.write_text("TAP version 13\n1..1\nok 1 - works\n", encoding="utf-8")
    proc = run_cli("verdict", "-c", str(gate(tmp_path, AGED)), str(tap))
    assert proc.returncode == ExitCode.INSUFFICIENT, proc.stdout
    assert f"cannot show when input {tap} ran" in proc.stdout
    # Without max_age nothing asks when it ran.
    assert run_cli("verdict", "-c", str(gate(tmp_path)), str(tap)).returncode == ExitCode.READY


def test_max_age_against_the_time_the_harness_wrote(tmp_path: Path, passing: Path) -> None:
    created = json.loads((passing / "report.json").read_text(encoding="utf-8"))["created"]
    ran = int(created)
    criteria = gate(tmp_path, AGED)
    fresh = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(passing / "report.json"),
        env={"SOURCE_DATE_EPOCH": str(ran + 3600)},
    )
    assert fresh.returncode == ExitCode.READY, fresh.stdout
    old = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(passing / "report.json"),
        env={"SOURCE_DATE_EPOCH": str(ran + 3 * 86400)},
    )
    assert old.returncode == ExitCode.INSUFFICIENT, old.stdout
    assert "older than the max_age" in old.stdout
    future = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(passing / "report.json"),
        env={"SOURCE_DATE_EPOCH": str(ran - 2 * 86400)},
    )
    # A run two days in the future says nothing of its age: not a fresh pass.
    assert future.returncode == ExitCode.INSUFFICIENT, future.stdout
    assert "cannot show how old input" in future.stdout
    assert "set the clocks right" in future.stdout
    assert "2 days in the future: the clocks of the machines disagree" in future.stdout


def test_max_age_applies_to_the_baseline_of_new_failures(tmp_path: Path, passing: Path) -> None:
    criteria = gate(
        tmp_path,
        "version: 1\ndefaults: {max_age: 1d}\ncriteria:\n  - id: none-new\n"
        "    tests: {new_failures: 0}\n",
    )
    tap = tmp_path / "base.tap"
    tap.write_text("TAP version 13\n1..1\nok 1 - test_a\n", encoding="utf-8")
    ran = int(json.loads((passing / "report.json").read_text(encoding="utf-8"))["created"])
    env = {"SOURCE_DATE_EPOCH": str(ran + 60)}
    undated = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(passing / "report.json"),
        "--baseline",
        str(tap),
        env=env,
    )
    assert undated.returncode == ExitCode.INSUFFICIENT, undated.stdout
    assert f"cannot show when baseline input {tap} ran" in undated.stdout
    dated = run_cli(
        "verdict",
        "-c",
        str(criteria),
        str(passing / "report.json"),
        "--baseline",
        str(passing / "junit.xml"),
        env=env,
    )
    assert dated.returncode == ExitCode.READY, dated.stdout


def test_input_warnings_appear_in_the_verdict_and_its_json(tmp_path: Path, corpus: Path) -> None:
    tap = corpus / "tap" / "node-test-bail-tap.snapshot.tap"
    proc = run_cli("verdict", "-c", str(gate(tmp_path)), str(tap), "--json", "-")
    evaluation = json.loads(proc.stdout)
    warnings = evaluation["input_warnings"]
    assert any("Bail out!" in w for w in warnings), warnings
    assert any("plan 1..3" in w for w in warnings), warnings
    table = run_cli("verdict", "-c", str(gate(tmp_path)), str(tap))
    assert "Inputs:" in table.stdout and "Bail out!" in table.stdout


def test_summary_lists_what_the_inputs_say_about_themselves(corpus: Path) -> None:
    tap = corpus / "tap" / "node-test-bail-tap.snapshot.tap"
    table = run_cli("summary", str(tap))
    assert table.returncode == 0, table.stderr
    assert "Incomplete or contradictory (no evidence for READY):" in table.stdout
    data = json.loads(run_cli("summary", "--json", str(tap)).stdout)
    (entry,) = data["files"]
    assert {f["kind"] for f in entry["integrity"]} == {"aborted", "tests_missing"}
