"""`-` as a results path through the real CLI: a stream piped from a real harness, shown as
`<stdin>`, empty stdin, `-` twice or from a terminal, and no spooled copy left behind."""

from __future__ import annotations

import gzip
import io
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import _stdin, load
from tests.conftest import REPO, go_module, run_pytest

GO_FIXTURE = REPO / "tests" / "fixtures" / "gotest-json" / "go119-calc.jsonl"
SAMPLE = REPO / "samples" / "phase4-websocket"

GATE = """\
version: 1
criteria:
  - id: no-failing-tests
    tests:
      max_failed: 0
"""

GO_TESTS = textwrap.dedent(
    """
    package piped

    import "testing"

    func TestPasses(t *testing.T) {}

    func TestFails(t *testing.T) {
    \tt.Fatalf("wanted %d, got %d", 3, 2)
    }

    func TestSkipped(t *testing.T) { t.Skip("not here") }
    """
)


def _env(tmp: Path) -> dict[str, str]:
    """The test environment with a private TMPDIR, to see what the run leaves there."""
    tmp.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(REPO)}


def piped(*args: str, data: bytes, tmp: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """`reportgen ARGS` with `data` on its standard input (a pipe)."""
    done = subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        input=data,
        cwd=cwd,
        env=_env(tmp),
        capture_output=True,
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def _gate(tmp_path: Path, text: str = GATE) -> str:
    path = tmp_path / "gate.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_go_test_json_piped_from_a_running_go(tmp_path: Path) -> None:
    module = tmp_path / "mod"
    module.mkdir()
    go, env = go_module(module, "example.com/piped", {"piped_test.go": GO_TESTS})
    gate = _gate(tmp_path)
    outputs: dict[str, subprocess.CompletedProcess[str]] = {}
    for command in (["summary", "--json", "-"], ["verdict", "-c", gate, "-"]):
        producer = subprocess.Popen(
            [go, "test", "-json", "./..."], cwd=module, env=env, stdout=subprocess.PIPE
        )
        assert producer.stdout is not None
        consumer = subprocess.run(
            [sys.executable, "-m", "reportgen", *command],
            stdin=producer.stdout,
            cwd=REPO,
            env=_env(tmp_path / "tmp"),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        producer.stdout.close()
        producer.wait(timeout=300)
        outputs[command[0]] = consumer
    summary = outputs["summary"]
    assert summary.returncode == 0, summary.stderr
    document = json.loads(summary.stdout)
    assert (document["total"], document["passed"], document["failed"], document["skipped"]) == (
        3,
        1,
        1,
        1,
    )
    assert [f["path"] for f in document["files"]] == ["<stdin>"]
    assert document["files"][0]["format"] == "gotest-json"
    verdict = outputs["verdict"]
    assert verdict.returncode == 1, verdict.stdout + verdict.stderr
    assert "example.com/piped::TestFails" in verdict.stdout
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_piped_stream_reads_like_the_same_file(tmp_path: Path) -> None:
    data = GO_FIXTURE.read_bytes()
    from_stdin = piped("summary", "--json", "-", data=data, tmp=tmp_path / "tmp")
    from_file = piped("summary", "--json", str(GO_FIXTURE), data=b"", tmp=tmp_path / "tmp")
    assert from_stdin.returncode == from_file.returncode == 0, from_stdin.stderr
    one = json.loads(from_stdin.stdout)
    assert one["files"][0]["path"] == "<stdin>"
    assert str(GO_FIXTURE) in from_file.stdout
    other = json.loads(from_file.stdout.replace(json.dumps(str(GO_FIXTURE)), '"<stdin>"'))
    # Same counts, same tests, same sha256 and size: the stream is read whole, once.
    assert one == other
    assert list((tmp_path / "tmp").iterdir()) == []


def test_pytest_junit_piped_shows_stdin_in_reports(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_piped.py").write_text(
        "def test_ok():\n    pass\n\ndef test_broken():\n    assert 1 + 1 == 3\n"
    )
    junit = tmp_path / "junit.xml"
    run_pytest(
        project,
        f"--junitxml={junit}",
        str(project),
        timeout=300,
    )
    out = tmp_path / "out"
    proc = piped(
        "report",
        "-c",
        _gate(tmp_path),
        "-",
        "-o",
        str(out / "report.md"),
        "-o",
        str(out / "report.json"),
        data=junit.read_bytes(),
        tmp=tmp_path / "tmp",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    text = json.dumps(report)
    assert "<stdin>" in text and str(tmp_path / "tmp") not in text
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "\\<stdin\\>" in markdown and "test_broken" in markdown
    assert list((tmp_path / "tmp").iterdir()) == []


def test_empty_stdin_is_insufficient_naming_stdin(tmp_path: Path) -> None:
    proc = piped("verdict", "-c", _gate(tmp_path), "-", data=b"", tmp=tmp_path / "tmp")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "<stdin>: standard input is empty" in proc.stdout
    assert "INSUFFICIENT EVIDENCE" in proc.stdout
    # Beside good results it still keeps the verdict from READY: it may have held failures.
    passing = SAMPLE / "results" / "metrics.json"
    both = piped("verdict", "-c", _gate(tmp_path), str(passing), "-", data=b"\n", tmp=tmp_path)
    assert both.returncode == 3, both.stdout + both.stderr
    summary = piped("summary", "-", data=b"", tmp=tmp_path / "tmp")
    assert summary.returncode == 0, summary.stderr
    assert "<stdin>: standard input is empty (looks like results)" in summary.stdout


def test_unrecognised_stdin_is_invalid_input(tmp_path: Path) -> None:
    proc = piped("summary", "-", data=b"hello, world\n", tmp=tmp_path / "tmp")
    assert proc.returncode == 4
    assert proc.stderr.startswith("reportgen: <stdin>: not a results file")
    assert proc.stderr.count("\n") == 1
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["verdict", "-c", "{gate}", "-", "-"],
        ["verdict", "-c", "{gate}", "-", "--baseline", "-"],
        ["summary", "-", "-"],
        ["ls", "-", "-"],
        ["init", "-", "-"],
        ["convert", "--to", "ctrf", "-", "-"],
        ["report", "-c", "{gate}", "-", "-", "-o", "{out}"],
    ],
)
def test_dash_twice_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    gate, out = _gate(tmp_path), str(tmp_path / "r.md")
    filled = [a.format(gate=gate, out=out) for a in args]
    proc = piped(*filled, data=GO_FIXTURE.read_bytes(), tmp=tmp_path / "tmp")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == (
        "reportgen: `-` (standard input) given more than once; it holds one results stream\n"
    )
    assert proc.stdout == ""
    assert not (tmp_path / "r.md").exists()


def test_dash_from_a_terminal_is_a_usage_error(tmp_path: Path) -> None:
    import pty

    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "reportgen", "verdict", "-c", _gate(tmp_path), "-"],
            stdin=terminal,
            cwd=REPO,
            env=_env(tmp_path / "tmp"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(
        "reportgen: `-` reads results from standard input, but it is a terminal"
    )
    assert proc.stderr.count("\n") == 1


def test_baseline_from_stdin(tmp_path: Path) -> None:
    gate = _gate(
        tmp_path,
        textwrap.dedent(
            """\
            version: 1
            criteria:
              - id: no-new-failures
                tests:
                  new_failures: 0
            """
        ),
    )
    # The same run, gzipped on its way in (the same bytes would be refused as a copy of the
    # current input): no new failures.
    data = gzip.compress(GO_FIXTURE.read_bytes(), mtime=0)
    proc = piped(
        "verdict",
        "-c",
        gate,
        "--json",
        str(tmp_path / "v.json"),
        str(GO_FIXTURE),
        "--baseline",
        "-",
        data=data,
        tmp=tmp_path / "tmp",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Its bytes as they are: the baseline would be the current input read twice.
    proc = piped(
        "verdict",
        "-c",
        gate,
        str(GO_FIXTURE),
        "--baseline",
        "-",
        data=GO_FIXTURE.read_bytes(),
        tmp=tmp_path / "tmp2",
    )
    assert proc.returncode == 2 and "same bytes" in proc.stderr, proc.stderr


def test_compressed_stdin_and_convert(tmp_path: Path) -> None:
    data = gzip.compress(GO_FIXTURE.read_bytes(), mtime=0)
    proc = piped("convert", "--to", "ctrf", "-", data=data, tmp=tmp_path / "tmp")
    assert proc.returncode == 0, proc.stderr
    ctrf = json.loads(proc.stdout)
    assert ctrf["results"]["summary"]["tests"] == 13


def test_init_from_stdin_names_it(tmp_path: Path) -> None:
    proc = piped("init", "-", data=GO_FIXTURE.read_bytes(), tmp=tmp_path / "tmp")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Starter criteria written by `reportgen init` from: <stdin>\n")


def test_sigterm_while_reading_stdin_leaves_no_copy(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    child = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "summary", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=_env(tmp),
    )
    assert child.stdin is not None
    try:
        child.stdin.write(GO_FIXTURE.read_bytes())
        child.stdin.flush()
        # The stream stays open: the child is copying it when the signal comes.
        deadline = time.monotonic() + 60
        while not list(tmp.glob("reportgen-stdin-*/stdin")):
            assert time.monotonic() < deadline, "the spooled copy never appeared"
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        _out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 128 + signal.SIGTERM, err
    assert b"terminated" in err
    assert list(tmp.iterdir()) == []


def test_the_spool_has_a_size_cap_and_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(InputError) as caught, _stdin.spooled(io.BytesIO(b"x" * 5000), limit=4096):
        pass
    assert str(caught.value).startswith("<stdin>: standard input holds more than 4096 bytes")
    with _stdin.spooled(io.BytesIO(b"x" * 4096), limit=4096) as path:
        assert path.read_bytes() == b"x" * 4096
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert list(tmp_path.iterdir()) == []


def test_load_reads_the_stream_it_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    run = load(["-"], stdin=io.BytesIO(GO_FIXTURE.read_bytes()))
    assert [i.path for i in run.inputs] == ["<stdin>"] and len(run.tests) == 13
    assert run.inputs[0].sha256 == load([str(GO_FIXTURE)]).inputs[0].sha256
    assert list(tmp_path.iterdir()) == []


def test_criterion_estimates_from_stdin_or_gzip_name_no_temporary_path(tmp_path: Path) -> None:
    estimates = REPO / "tests/fixtures/criterion/target/criterion/fib/20/new/estimates.json"
    piped_in = piped("summary", "--json", "-", data=estimates.read_bytes(), tmp=tmp_path / "tmp")
    assert piped_in.returncode == 0, piped_in.stderr
    assert [m["name"] for m in json.loads(piped_in.stdout)["metrics"]] == ["<stdin>"]
    # A compressed copy beside the original is named by where it is, not by its temp copy.
    packed = tmp_path / "target/criterion/fib/20/new/estimates.json.gz"
    packed.parent.mkdir(parents=True)
    packed.write_bytes(gzip.compress(estimates.read_bytes(), mtime=0))
    from_gz = piped("summary", "--json", str(packed), data=b"", tmp=tmp_path / "tmp")
    assert from_gz.returncode == 0, from_gz.stderr
    assert [m["name"] for m in json.loads(from_gz.stdout)["metrics"]] == ["fib/20"]
    assert "reportgen-" not in piped_in.stdout + from_gz.stdout


def test_dash_with_standard_input_closed_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        f"exec {shlex.quote(sys.executable)} -m reportgen summary - 0<&-",
        shell=True,
        cwd=REPO,
        env=_env(tmp_path / "tmp"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == ("reportgen: `-` reads results from standard input, but there is none\n")
