"""Outputs: one registry for every command, each output written on its own, failures exit 6."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.render.outputs import OUTPUTS, Needs, offered
from tests.conftest import REPO, run_cli

SAMPLE = REPO / "samples" / "phase4-websocket"
CRITERIA = str(SAMPLE / "criteria.yaml")
RESULTS = str(SAMPLE / "results")

# WeasyPrint opens Pango through cffi when it is imported. This stand-in does the same with a
# library name no machine has, so the PDF renderer meets a real "cannot load library" error.
NO_PANGO = """\
import cffi
cffi.FFI().dlopen("libpango-1.0-reportgen-absent.so.0")
"""


def _report(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = run_cli("report", "-c", CRITERIA, RESULTS, *args, env=env)
    return done.returncode, done.stdout, done.stderr


def _no_leftovers(root: Path) -> None:
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")], "half-written file left"


def test_registry_names_are_unique_and_each_has_a_renderer() -> None:
    names = [o.name for o in OUTPUTS]
    assert len(names) == len(set(names))
    for output in OUTPUTS:
        assert callable(output.renderer()), output.name


def test_commands_take_their_choices_and_help_from_the_registry() -> None:
    report = run_cli("report", "--help").stdout
    for output in offered(Needs.VIEW, Needs.EVALUATION):
        assert output.name in report and output.help in " ".join(report.split())
    verdict = run_cli("verdict", "--help").stdout
    for output in offered(Needs.EVALUATION):
        assert output.option in verdict
    convert = run_cli("convert", "--help").stdout
    assert "{" + ",".join(o.name for o in offered(Needs.RUN)) + "}" in convert
    assert "6 an output could not be rendered or written" in " ".join(
        run_cli("--help").stdout.split()
    )


def test_report_and_verdict_write_the_same_criteria_junit(tmp_path: Path) -> None:
    code, _, err = _report("-o", str(tmp_path / "r.xml"), env={"SOURCE_DATE_EPOCH": "0"})
    assert code == 1, err
    done = run_cli(
        "verdict",
        "-c",
        CRITERIA,
        RESULTS,
        "--junit",
        str(tmp_path / "v.xml"),
        "--table",
        str(tmp_path / "t.txt"),
        env={"SOURCE_DATE_EPOCH": "0"},
    )
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "r.xml").read_bytes() == (tmp_path / "v.xml").read_bytes()
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == done.stdout


def test_unwritable_output_exits_6_and_the_others_are_written(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    taken = tmp_path / "taken.html"
    taken.mkdir()
    good = tmp_path / "out" / "r.json"
    code, out, err = _report("-o", str(blocker / "r.md"), "-o", str(good), "-o", str(taken))
    assert code == ExitCode.OUTPUT_FAILED
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0] == f"reportgen: {blocker / 'r.md'}: cannot write: {blocker} is not a directory"
    assert lines[1] == f"reportgen: {taken}: cannot write: it is a directory"
    assert "Traceback" not in err
    assert json.loads(good.read_text(encoding="utf-8"))["verdict"] == "NOT READY"
    assert f"wrote {good}\n" in out and "Verdict: NOT READY" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "out", "taken.html"]
    _no_leftovers(tmp_path)


def test_unwritable_verdict_and_convert_outputs_exit_6(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    done = run_cli("verdict", "-c", CRITERIA, RESULTS, "--json", str(blocker / "v.json"))
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert "Verdict: NOT READY" in done.stdout  # the gate's table is still shown
    assert done.stderr.count("\n") == 1 and "is not a directory" in done.stderr
    done = run_cli("convert", "--to", "junit", RESULTS, "-o", str(blocker / "deeper" / "c.xml"))
    assert done.returncode == ExitCode.OUTPUT_FAILED
    assert done.stderr.count("\n") == 1 and "is not a directory" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_a_directory_nobody_can_write_in_exits_6(tmp_path: Path) -> None:
    code, _, err = _report("-o", "/proc/self/r.md", "-o", str(tmp_path / "r.html"))
    assert code == ExitCode.OUTPUT_FAILED
    assert err.startswith("reportgen: /proc/self/r.md: cannot create a file in /proc/self: ")
    assert (tmp_path / "r.html").is_file()


def test_a_pdf_over_its_time_limit_keeps_the_markdown(tmp_path: Path) -> None:
    code, out, err = _report(
        "-o", str(tmp_path / "r.md"), "-o", str(tmp_path / "r.pdf"), "--pdf-timeout", "0.001"
    )
    assert code == ExitCode.OUTPUT_FAILED
    assert err == (
        f"reportgen: {tmp_path / 'r.pdf'}: PDF rendering exceeded the 0.001 s time limit; the "
        "renderer was stopped (render fewer details (lower the caps) or allow more time)\n"
    )
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# Phase 4")
    assert not (tmp_path / "r.pdf").exists()
    assert f"wrote {tmp_path / 'r.md'}\n" in out
    _no_leftovers(tmp_path)


def test_a_pdf_that_cannot_render_here_keeps_the_markdown(tmp_path: Path) -> None:
    fake = tmp_path / "site" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(NO_PANGO, encoding="utf-8")
    path = os.pathsep.join([str(REPO), str(fake.parent), os.environ.get("PYTHONPATH", "")])
    out = tmp_path / "out"
    code, _, err = _report(
        "-o",
        str(out / "r.pdf"),
        "-o",
        str(out / "r.md"),
        "--exit-zero",
        env={"PYTHONPATH": path},
    )
    assert code == ExitCode.OUTPUT_FAILED  # --exit-zero is for the verdict, not for failures
    assert err.count("\n") == 1, err
    assert "cannot render PDF on this machine: missing system library " in err
    assert "libpango-1.0-reportgen-absent.so.0" in err and "apt-get install libpango" in err
    assert sorted(p.name for p in out.iterdir()) == ["r.md"]


def test_bad_pdf_timeout_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _report("-o", str(tmp_path / "r.pdf"), "--pdf-timeout", "0")
    assert code == ExitCode.USAGE and "--pdf-timeout must be positive" in err
    assert list(tmp_path.iterdir()) == []


def test_exit_code_6_is_documented() -> None:
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "6 an output could not be rendered or written" in readme


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_written_through_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/stdout` and the like: the node stays, the data goes through it."""
    import stat
    import threading

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = _report("-o", str(fifo), "--exit-zero")
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["verdict"] == "NOT READY"


def test_a_link_keeps_pointing_at_the_rewritten_file(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    code, _, err = _report("-o", str(link), "--exit-zero")
    assert code == 0, err
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["verdict"]
