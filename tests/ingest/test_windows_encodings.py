"""Result files as Windows CI runners leave them: the real harness output of prove, go test,
perl's TAP, JMeter and go benchmarks re-encoded as PowerShell writes a redirect.

PowerShell 5's `>` and `Out-File` write UTF-16LE with a BOM and CRLF line ends; its
`Set-Content -Encoding utf8` writes UTF-8 with a BOM; PowerShell 7 writes UTF-8 without one
(CRLF still); .NET writers can leave UTF-16 without a BOM. Before, only the XML and JSON
readers decoded UTF-16: `go test -json > results.json` and a TAP stream were invalid or
unrecognised input (exit 4), and in a folder a UTF-16 prove console holding a failure was
skipped unseen while a clean JUnit file beside it carried READY (exit 0).
"""

from __future__ import annotations

import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from reportgen.errors import ExitCode
from reportgen.ingest import load
from reportgen.ingest._scan import utf16_text
from tests.conftest import counts, gate_verdict, go_module, harness_tool


def _crlf(data: bytes) -> str:
    # PowerShell reads a native command's output as lines and writes each with CRLF.
    return "".join(line + "\r\n" for line in data.decode("utf-8").splitlines())


#: How each Windows writer re-encodes a harness's UTF-8 standard output.
WRITERS: dict[str, Callable[[bytes], bytes]] = {
    "ps5-out-file": lambda data: b"\xff\xfe" + _crlf(data).encode("utf-16-le"),
    "ps5-set-content-utf8": lambda data: b"\xef\xbb\xbf" + _crlf(data).encode("utf-8"),
    "ps7-out-file": lambda data: _crlf(data).encode("utf-8"),
    "utf16le-no-bom": lambda data: _crlf(data).encode("utf-16-le"),
    "utf16be-bom": lambda data: b"\xfe\xff" + _crlf(data).encode("utf-16-be"),
    "ps-utf32": lambda data: ("\ufeff" + _crlf(data)).encode("utf-32-le"),
}
PS5 = WRITERS["ps5-out-file"]

PERL_FAILS = "use Test::More tests => 3;\nok(1, 'one');\nok(0, 'two');\nok(1, 'three');\n"
PERL_PASSES = "use Test::More tests => 3;\nok(1, 'one');\nok(1, 'two');\nok(1, 'three');\n"
GO_TESTS = {
    "x_test.go": 'package x\n\nimport "testing"\n\n'
    'func TestA(t *testing.T) { t.Log("hello") }\n'
    "func TestB(t *testing.T) {}\n"
    'func TestC(t *testing.T) { t.Run("sub", func(t *testing.T) {}) }\n'
    "func BenchmarkSquare(b *testing.B) {\n\tfor i := 0; i < b.N; i++ {\n\t\t_ = i * i\n\t}\n}\n"
}
GO_FAILS = {
    "x_test.go": 'package x\n\nimport "testing"\n\nfunc TestA(t *testing.T) {}\n'
    'func TestBad(t *testing.T) { t.Fatal("boom") }\n'
}
CLEAN_JUNIT = (
    '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="2" '
    'failures="0" errors="0" skipped="0"><testcase classname="t" name="a"/>'
    '<testcase classname="t" name="b"/></testsuite></testsuites>'
)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> bytes:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, timeout=300, check=False
    ).stdout


def _prove_console(where: Path) -> bytes:
    """`prove -v t/` of a file with a failing test: the console a Windows job redirects."""
    prove = harness_tool("prove", "perl")
    (where / "t").mkdir(parents=True)
    (where / "t" / "a.t").write_text(PERL_FAILS, encoding="utf-8")
    return _run([prove, "-v", "t/"], where)


def _perl_tap(where: Path, script: str) -> bytes:
    perl = harness_tool("perl", "perl")
    where.mkdir(parents=True, exist_ok=True)
    (where / "a.t").write_text(script, encoding="utf-8")
    return _run([perl, "a.t"], where)


def _go(where: Path, files: dict[str, str], *args: str) -> bytes:
    where.mkdir(parents=True, exist_ok=True)
    go, env = go_module(where, "example.com/x", files)
    return _run([go, "test", *args, "./..."], where, env)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Real harness output (UTF-8, LF), by the name a Windows job would redirect it to."""
    root = tmp_path_factory.mktemp("harness")
    return {
        "results.json": _go(root / "go", GO_TESTS, "-json"),
        "bench.txt": _go(root / "bench", GO_TESTS, "-run", "^$", "-bench", ".", "-count", "3"),
        "prove.txt": _prove_console(root / "prove"),
        "perl.tap": _perl_tap(root / "tap", PERL_FAILS),
    }


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("name", ["results.json", "bench.txt", "prove.txt", "perl.tap"])
def test_a_re_encoded_file_reads_as_the_original(
    tmp_path: Path, outputs: dict[str, bytes], name: str, writer: str
) -> None:
    # Before: UTF-16 go test -json was "not valid UTF-8" (exit 4); UTF-16 TAP, prove console
    # and go benchmarks were "not a results file reportgen recognises" (exit 4).
    original = tmp_path / "utf8" / name
    original.parent.mkdir()
    original.write_bytes(outputs[name])
    windows = tmp_path / writer / name
    windows.parent.mkdir()
    windows.write_bytes(WRITERS[writer](outputs[name]))
    want, got = load([str(original)]), load([str(windows)])
    assert counts(got) == counts(want)
    assert [(m.name, m.samples, m.stats) for m in got.metrics] == [
        (m.name, m.samples, m.stats) for m in want.metrics
    ]
    assert got.inputs[0].format == want.inputs[0].format
    assert got.inputs[0].path == str(windows)
    assert len(want.tests) + len(want.metrics) > 0


@pytest.mark.parametrize("writer", ["ps5-out-file", "utf16le-no-bom", "utf16be-bom"])
@pytest.mark.parametrize("name", ["prove.txt", "perl.tap", "results.json"])
def test_a_utf16_failure_beside_a_clean_file_is_not_ready(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, name: str, writer: str
) -> None:
    # Before: the prove console was skipped unseen, READY (0); the TAP stream kept the
    # verdict INSUFFICIENT (3); go test -json was invalid input (4).
    work = tmp_path_factory.mktemp("harness")
    if name == "results.json":
        data = _go(work, GO_FAILS, "-json")
    elif name == "prove.txt":
        data = _prove_console(work)
    else:
        data = _perl_tap(work, PERL_FAILS)
    results = tmp_path / "results"
    results.mkdir()
    (results / "junit.xml").write_text(CLEAN_JUNIT, encoding="utf-8")
    (results / name).write_bytes(WRITERS[writer](data))
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.NOT_READY, out


def test_a_utf16_jmeter_results_file_is_read(tmp_path: Path, corpus: Path) -> None:
    # Before: "not valid UTF-8" (exit 4).
    source = corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv"
    windows = tmp_path / "results.csv"
    windows.write_bytes(PS5(source.read_bytes()))
    want, got = load([str(source)]), load([str(windows)])
    assert [(m.name, m.samples, m.stats) for m in got.metrics] == [
        (m.name, m.samples, m.stats) for m in want.metrics
    ]
    assert got.metrics


def test_a_utf16_stream_cut_mid_character_is_the_readers_word(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The runner killed while PowerShell wrote: an odd byte count, cut inside `ok 3`'s first
    # code unit. The TAP reader sees 2 of the 3 planned tests, as it would in UTF-8.
    data = PS5(_perl_tap(tmp_path_factory.mktemp("tap"), PERL_PASSES))
    cut = data[: data.index("ok 3".encode("utf-16-le")) + 1]
    results = tmp_path / "results"
    results.mkdir()
    (results / "perl.tap").write_bytes(cut)
    (results / "junit.xml").write_text(CLEAN_JUNIT, encoding="utf-8")
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.NOT_READY, out
    assert "perl.tap" in out


def test_a_utf16_xml_file_is_left_to_the_xml_readers() -> None:
    # The XML readers honour the BOM and the declaration; transcoding would make a declared
    # `encoding="UTF-16"` lie.
    xml = '<?xml version="1.0" encoding="UTF-16"?>\r\n<testsuites/>\r\n'
    assert utf16_text(b"\xff\xfe" + xml.encode("utf-16-le")) is None
    assert utf16_text(xml.encode("utf-16-le")) is None
    assert utf16_text(b"\xff\xfe" + "1..2\r\n".encode("utf-16-le")) == "utf-16"
    assert utf16_text("ok 1 - a\r\n".encode("utf-16-be")) == "utf-16-be"
    assert utf16_text("\ufeff1..2\r\nok 1\r\n".encode("utf-32-le")) == "utf-32"
    # Bytes with zeros that are no UTF-16 text: a picture, a database, plain UTF-8.
    assert utf16_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00") is None
    assert utf16_text(b"SQLite format 3\x00\x10\x00\x01\x01\x00@  \x00\x00\x00") is None
    assert utf16_text(b"ok 1 - a\n") is None


def test_a_utf16_console_inside_an_archive_is_evidence(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A job uploads its PowerShell-captured console zipped. Before: the member's UTF-16 head
    # looked like no results, the archive was skipped unseen and the clean file READY (0).
    console = PS5(_prove_console(tmp_path_factory.mktemp("prove")))
    results = tmp_path / "results"
    results.mkdir()
    with zipfile.ZipFile(results / "logs.zip", "w") as archive:
        archive.writestr("prove.txt", console)
    (results / "junit.xml").write_text(CLEAN_JUNIT, encoding="utf-8")
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.INSUFFICIENT, out
    assert "logs.zip" in out and "prove.txt" in out


def test_an_empty_utf16_capture_is_evidence(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # `perl t/a.t > tap.out` in PowerShell 5 when the script does not compile: perl writes
    # nothing to standard output, PowerShell its BOM. Before: "not a results file", not
    # evidence, and the clean file beside it READY (0).
    stdout = _perl_tap(tmp_path_factory.mktemp("tap"), "use strict;\nok(1 'x');\n")
    assert stdout == b""
    results = tmp_path / "results"
    results.mkdir()
    (results / "tap.out").write_bytes(PS5(stdout))
    (results / "junit.xml").write_text(CLEAN_JUNIT, encoding="utf-8")
    code, out = gate_verdict(tmp_path, str(results))
    assert code == ExitCode.INSUFFICIENT, out
    assert "tap.out" in out
