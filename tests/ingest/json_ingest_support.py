"""Shared checks for the JSON test-result ingester tests: counts, detection, broken inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.base import HEAD_BYTES
from reportgen.ingest.registry import by_name
from reportgen.model import Outcome, Run
from tests.conftest import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: Corpus folders of formats that belong to other ingesters: ours must never claim them.
FOREIGN_DIRS = (
    "junit",
    "trx",
    "nunit3",
    "nunit2",
    "xunit2",
    "tap",
    "google-benchmark",
    "pytest-benchmark",
    "hyperfine",
    "k6",
    "jmeter",
    "asv",
    "cucumber",
)
JSON_TEST_FORMATS = (
    "ctrf",
    "pytest-json",
    "gotest-json",
    "jest-json",
    "mocha-json",
    "playwright-json",
)


def read(path: Path, fmt: str | None = None) -> Run:
    """Read one file through the public loader (detection unless `fmt` is given)."""
    return load([str(path)], format=fmt)


def counts(run: Run) -> dict[str, int]:
    """Totals of a run as a flat dict, for comparing with hand-counted expectations."""
    by = run.tests.outcome_counts()
    return {
        "total": len(run.tests),
        "passed": by[Outcome.PASSED],
        "failed": by[Outcome.FAILED],
        "error": by[Outcome.ERROR],
        "skipped": by[Outcome.SKIPPED],
        "flaky": run.tests.flaky_count(),
    }


def expect(
    total: int, passed: int, failed: int, error: int, skipped: int, flaky: int = 0
) -> dict[str, int]:
    return {
        "total": total,
        "passed": passed,
        "failed": failed,
        "error": error,
        "skipped": skipped,
        "flaky": flaky,
    }


def detected(path: Path, limit: int = HEAD_BYTES) -> str | None:
    """The format detection picks for the first `limit` bytes of a file."""
    head = path.read_bytes()[:limit]
    ingester = detect(head, str(path))
    return ingester.name if ingester else None


def foreign_files(corpus: Path) -> list[Path]:
    files: list[Path] = []
    for folder in FOREIGN_DIRS:
        base = corpus / folder
        if base.is_dir():
            files.extend(p for p in sorted(base.rglob("*")) if p.is_file() and p.suffix != ".md")
    return files


def assert_never_claims_foreign(corpus: Path, fmt: str) -> None:
    """The ingester scores every other format's real sample below the detection threshold."""
    ingester = by_name(fmt)
    assert ingester is not None
    claimed = [
        str(p.relative_to(corpus))
        for p in foreign_files(corpus)
        if ingester.sniff(p.read_bytes()[:HEAD_BYTES], str(p)) >= 0.2
    ]
    assert claimed == []


def assert_input_error(
    path: Path, fmt: str, *, line: int | None = None, contains: str = ""
) -> InputError:
    """Reading `path` as `fmt` raises an InputError that names the file (and line)."""
    with pytest.raises(InputError) as info:
        read(path, fmt)
    err = info.value
    assert err.path == str(path)
    if line is not None:
        assert err.line == line, str(err)
    assert contains in err.message, str(err)
    return err


def assert_cli_rejects(path: Path, fmt: str | None = None) -> str:
    """`reportgen summary` exits 4 with one line naming the file and no traceback."""
    args = ["summary", str(path)] + (["--format", fmt] if fmt else [])
    result = run_cli(*args)
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    return lines[0]


def check_broken_file(tmp_path: Path, content: bytes, fmt: str, fragment: str) -> None:
    """A broken file is an input error mentioning `fragment`; truncation and bad UTF-8 name
    their line, and a truncated file is also refused through the real CLI."""
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    err = assert_input_error(path, fmt, contains=fragment)
    if fragment in ("truncated JSON", "UTF-8"):
        assert err.line is not None
    if fragment == "truncated JSON":
        assert_cli_rejects(path, fmt)


def invalid_utf8(valid: bytes, marker: bytes) -> bytes:
    """`valid` with a byte that is never UTF-8 spliced in right after the first `marker`."""
    at = valid.index(marker) + len(marker)
    return valid[:at] + b"\xff\xfe" + valid[at:]


#: A small pytest suite covering every outcome pytest distinguishes, run by the parity tests.
PYTEST_SUITE = """
import pytest

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown exploded")

@pytest.fixture
def broken_setup():
    raise RuntimeError("setup exploded")

def test_pass():
    print("hello out")

def test_fail():
    assert 1 == 2, "numbers differ"

@pytest.mark.skip(reason="not today")
def test_skip():
    pass

def test_skip_inside():
    pytest.skip("decided at run time")

@pytest.mark.xfail(reason="known bug")
def test_xfail():
    assert False

@pytest.mark.xfail(reason="fixed already")
def test_xpass():
    pass

@pytest.mark.xfail(reason="must fail", strict=True)
def test_xpass_strict():
    pass

def test_teardown_error(broken_teardown):
    pass

def test_fail_and_teardown_error(broken_teardown):
    assert False

def test_setup_error(broken_setup):
    pass

class TestGroup:
    @pytest.mark.parametrize("n", [1, 2, "a/b::c"])
    def test_param(self, n):
        assert n != 2
"""


def run_pytest_suite(directory: Path, source: str = PYTEST_SUITE) -> tuple[Path, Path]:
    """Run the test module `source` (PYTEST_SUITE unless given) with real pytest; return
    (json report, junit xml) paths.

    Skips when pytest-json-report is not installed.
    """
    import subprocess
    import sys

    pytest.importorskip("pytest_jsonreport", reason="pytest-json-report is not installed")
    suite = directory / "suite"
    (suite / "tests").mkdir(parents=True)
    (suite / "pytest.ini").write_text("[pytest]\n")
    (suite / "tests" / "test_sample.py").write_text(source)
    report = directory / "report.json"
    junit = directory / "junit.xml"
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
            "--json-report",
            f"--json-report-file={report}",
            f"--junitxml={junit}",
            "tests",
        ],
        cwd=suite,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert report.exists() and junit.exists()
    return report, junit
