"""Regression tests for issue 15: hostile inputs end in a verdict or one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.text import terminal_text
from tests.conftest import REPO, run_cli

HOSTILE_NAME = (
    "a\n::add-mask::secret\n##[error]boom\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202egnp.exe\u200b"
)


def _junit(tmp_path: Path, name: str) -> Path:
    """A JUnit file with one failing test whose name and message carry `name`."""
    from xml.sax.saxutils import quoteattr

    path = tmp_path / "hostile.xml"
    escaped = quoteattr(name).replace("\n", "&#10;").replace("\x1b", "").replace("\x07", "")
    path.write_text(
        f'<testsuite><testcase classname="c" name={escaped}>'
        f"<failure message={escaped}/></testcase></testsuite>",
        encoding="utf-8",
    )
    return path


def _assert_terminal_safe(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line
    assert "##vso[" not in text
    for char in ("\x1b", "\x07", "\x9b", "\u202e", "\u200b", "\r"):
        assert char not in text


def test_terminal_text_neutralises_commands_and_controls() -> None:
    out = terminal_text(HOSTILE_NAME + "\r::warning::x ##vso[task.setvariable]")
    _assert_terminal_safe(out)
    assert "<U+202E>" in out and "\\::add-mask::secret" in out


def test_terminal_text_keeps_clean_text() -> None:
    assert terminal_text("ok\tfine: a::b\n") == "ok\tfine: a::b\n"


@pytest.mark.parametrize(
    "command",
    [
        ["summary"],
        ["convert", "--to", "ctrf", "-o", "-"],
        ["verdict", "-c", "samples/phase4-websocket/criteria.yaml"],
        ["report", "-c", "samples/phase4-websocket/criteria.yaml", "--to", "md", "-o", "-"],
    ],
)
def test_commands_print_no_workflow_commands(tmp_path: Path, command: list[str]) -> None:
    path = _junit(tmp_path, HOSTILE_NAME)
    result = run_cli(*command, str(path), cwd=REPO)
    _assert_terminal_safe(result.stdout)
    _assert_terminal_safe(result.stderr)


def test_error_line_naming_a_hostile_file_is_safe(tmp_path: Path) -> None:
    bad = tmp_path / "x\n::add-mask::y\u202e.xml"
    bad.write_text("<testsuite><testcase", encoding="utf-8")
    result = run_cli("summary", "--format", "junit", str(bad))
    assert result.returncode == 4
    _assert_terminal_safe(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1


# --- Numbers validated where they are read ---------------------------------------------------

CRITERIA_BASE = "version: 1\ncriteria:\n  - id: ok\n    metric: lat\n    stat: p95\n    max: 1s\n"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "huge.json",
            '{"results": {"tool": {"name": "x"}, "summary": {"tests": 1'
            + "0" * 5000
            + '}, "tests": []}}',
            "too large",
        ),
        (
            "k6.json",
            '{"metrics": {"http_reqs": {"type": "counter", "values": {"count": 1e999}}}}',
            "",
        ),
        ("plan.tap", "TAP version 13\n1.." + "9" * 5000 + "\nok 1 - a\n", "too large"),
        ("ctrf.json", '{"results": {"tool": {"name": "x"}, "summary": "oops", "tests": []}}', ""),
    ],
)
def test_hostile_numbers_are_input_errors(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run_cli("summary", str(path))
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and expected in result.stderr


def test_jmeter_nan_elapsed_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "run.jtl"
    path.write_text(
        "timeStamp,elapsed,label,responseCode,success\n"
        "1700000000000,12,home,200,true\n1700000000001,NaN,home,200,true\n",
        encoding="utf-8",
    )
    result = run_cli("summary", str(path))
    assert result.returncode == 4, result.stderr
    assert "not a finite number" in result.stderr and str(path) in result.stderr


def test_unicode_digits_are_not_numbers(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("name,value\nlat,\u0661\u0662\n", encoding="utf-8")
    result = run_cli("summary", "--format", "metrics-csv", str(path))
    assert result.returncode == 4, result.stderr
    assert "not a number" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a: &a [x, x, x]\nb: [*a, *a, *a]\n", "aliases"),
        ("a: &a [*a]\n", "aliases"),
        ("[" * 1000 + "]" * 1000, "nested too deeply"),
        (
            CRITERIA_BASE + "waivers:\n  - {criterion: ok, reason: x, expires: 2024-02-30}\n",
            "not a real date",
        ),
        (CRITERIA_BASE + "x: 1" + "0" * 5000 + "\n", "integer too large"),
        ("version: 1\ncriteria:\n  - {id: ok, metric: lat, stat: p95, max: 1e999}\n", "too large"),
    ],
)
def test_hostile_criteria_files_are_exit_4(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_text(content, encoding="utf-8")
    result = run_cli("verdict", "-c", str(path), timeout=30)
    assert result.returncode == 4, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_oversized_criteria_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "criteria.json"
    path.write_text('{"version": 1, "criteria": [], "x": "' + "a" * 2_000_000 + '"}')
    result = run_cli("verdict", "-c", str(path), timeout=30)
    assert result.returncode == 4 and "too large" in result.stderr


# --- Limits: no deep recursion ---------------------------------------------------------------


def test_tap_line_indented_4000_spaces_is_read_at_the_depth_limit(tmp_path: Path) -> None:
    path = tmp_path / "deep.tap"
    indent = " " * 4000
    path.write_text(
        f"TAP version 13\n1..1\n{indent}# Subtest: deep\n{indent}    ok 1 - x\nok 1 - a\n",
        encoding="utf-8",
    )
    result = run_cli("summary", str(path))
    assert result.returncode == 0, result.stderr
    assert "nested deeper than 64 levels" in result.stdout + result.stderr


def test_tap_nested_subtests_a_thousand_deep(tmp_path: Path) -> None:
    lines = ["TAP version 13"]
    for level in range(1000):
        lines.append("    " * level + "# Subtest: s")
    lines += ["    " * 1000 + "ok 1 - leaf", "    " * 1000 + "1..1"]
    for level in reversed(range(1000)):
        lines += ["    " * level + "ok 1 - s", "    " * level + "1..1"]
    path = tmp_path / "nested.tap"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("summary", str(path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


# --- Paths ------------------------------------------------------------------------------------

GOOD_JUNIT = '<testsuite name="s"><testcase classname="c" name="t" time="0.1"/></testsuite>\n'


def test_dangling_link_and_link_loop_under_a_directory_are_named_and_skipped(
    tmp_path: Path,
) -> None:
    from reportgen.ingest import load

    (tmp_path / "results.xml").write_text(GOOD_JUNIT, encoding="utf-8")
    (tmp_path / "dangling.xml").symlink_to(tmp_path / "nowhere.xml")
    (tmp_path / "loop.xml").symlink_to(tmp_path / "loop.xml")
    run = load([str(tmp_path)])
    assert {Path(s.path).name for s in run.skipped} == {"dangling.xml", "loop.xml"}
    assert len(run.inputs) == 1
    result = run_cli("summary", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "dangling.xml" in result.stdout and "loop.xml" in result.stdout


def test_output_to_dev_null_keeps_the_device(tmp_path: Path) -> None:
    import stat

    sample = tmp_path / "results.xml"
    sample.write_text(GOOD_JUNIT, encoding="utf-8")
    result = run_cli("convert", "--to", "ctrf", "-o", "/dev/null", str(sample))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "go-test.jsonl",
            '{"Action":"run","Package":"p","Test":"T\\ud800"}\n'
            '{"Action":"fail","Package":"p","Test":"T\\ud800","Elapsed":0.1}\n',
        ),
        (
            "ctrf.json",
            '{"results": {"tool": {"name": "x"}, "summary": {"tests": 1, "passed": 1,'
            ' "failed": 0, "pending": 0, "skipped": 0, "other": 0, "start": 0, "stop": 1},'
            ' "tests": [{"name": "a\\udc00", "status": "passed", "duration": 1}]}}',
        ),
    ],
)
def test_lone_surrogate_is_an_input_error(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    for command in (["summary"], ["convert", "--to", "junit", "-o", str(tmp_path / "o.xml")]):
        result = run_cli(*command, str(path))
        assert result.returncode == 4, result.stderr
        assert "lone surrogate" in result.stderr and "Traceback" not in result.stderr


def test_huge_names_and_units_are_cut_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(
        '{"version": 1, "metrics": [{"name": "'
        + "n" * 50_000
        + '", "unit": "'
        + "u" * 10_000
        + '", "samples": [1, 2, 3]}]}',
        encoding="utf-8",
    )
    result = run_cli("summary", "--format", "metrics-json", str(path))
    assert "Traceback" not in result.stderr
    out = result.stdout + result.stderr
    assert "metric name of 50000 characters was cut to 2000" in out
    assert len(out) < 40_000


def test_metric_values_whose_sum_overflows_are_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    path.write_text("name,value\nlat,1e308\nlat,1e308\n", encoding="utf-8")
    result = run_cli("summary", "--format", "metrics-csv", str(path))
    assert result.returncode == 4, result.stderr
    assert "not a finite number" in result.stderr and str(path) in result.stderr


@pytest.mark.slow
def test_sigterm_mid_run_leaves_no_temp_files_or_renderer(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    sample = REPO / "samples" / "phase4-websocket"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reportgen",
            "report",
            "-c",
            str(sample / "criteria.yaml"),
            "-o",
            str(out / "r.md"),
            "-o",
            str(out / "r.pdf"),
            str(sample / "results"),
        ],
        cwd=REPO,
        env={**os.environ, "TMPDIR": str(private_tmp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode in (0, 1, 3, 143), err
    assert "Traceback" not in err
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    # The renderer's working directory (its TMPDIR too) is removed only after it is gone.
    assert not list(private_tmp.iterdir())


def test_jmeter_header_field_over_the_csv_limit_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "results.jtl"
    path.write_text(
        "timeStamp,elapsed,label" + "x" * 200_000 + ",responseCode,success\n1,2,a,200,true\n",
        encoding="utf-8",
    )
    result = run_cli("summary", "--format", "jmeter", str(path))
    assert result.returncode == 4, result.stderr
    assert "malformed CSV header" in result.stderr and "Traceback" not in result.stderr
