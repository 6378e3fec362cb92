"""Property test: every mutant of a real sample is a Run or the project's own input error.

The mutators and the classifier are those of `benchmarks/fuzz_campaign.py` (the long
campaign); here hypothesis drives a short budget over the fixtures and the corpus.
"""

from __future__ import annotations

import importlib.util
import re
import resource
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, REPO, run_cli

#: Per-mutant CPU-time budget (seconds) and the whole worker's peak memory budget (MB).
TIME_BUDGET = 10.0
MEMORY_BUDGET_MB = 1500

pytestmark = pytest.mark.fuzz


def _campaign() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fuzz_campaign", REPO / "benchmarks" / "fuzz_campaign.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz_campaign", module)
    spec.loader.exec_module(module)
    return module


FUZZ = _campaign()
SAMPLES = FUZZ.seeds(CORPUS if CORPUS.is_dir() else None)


def test_every_format_has_seed_samples() -> None:
    formats = {fmt for fmt, _, _ in SAMPLES}
    assert {"junit", "tap", "gotest-json", "ctrf", "jest-json", "gobench"} <= formats


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(index=st.integers(min_value=0), seed=st.integers(min_value=0), forced=st.booleans())
def test_mutants_end_in_a_run_or_an_input_error(
    tmp_path_factory: pytest.TempPathFactory, index: int, seed: int, forced: bool
) -> None:
    import random

    fmt, path, data = SAMPLES[index % len(SAMPLES)]
    mutation, mutant = FUZZ.mutate(data, random.Random(seed))
    target = tmp_path_factory.mktemp("fuzz") / f"mutant{path.suffix}"
    target.write_bytes(mutant)
    kind, detail = FUZZ.classify(target, fmt if forced else None, TIME_BUDGET)
    assert kind in ("ok", "clean"), f"{kind} {detail} [{mutation} of {path}]"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < MEMORY_BUDGET_MB, f"peak memory {peak_mb:.0f} MB [{mutation} of {path}]"


# Minimal reproducers of what the campaign found. Each failed (a traceback, or minutes of CPU)
# before its fix.

#: Generous CPU budget for work that is linear: the quadratic versions needed hours.
CPU_LIMIT_SECONDS = 30


def _run_under_cpu_limit(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter that the kernel stops after CPU_LIMIT_SECONDS."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_SECONDS, CPU_LIMIT_SECONDS + 5))

    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
    )


def test_metrics_csv_sniff_is_linear_in_a_long_line_without_a_comma() -> None:
    # The row pattern had free text on both sides of one required character: on a line with
    # no comma it tried every split, quadratic in the line (300 KB: about 4.5e10 steps).
    code = (
        "from reportgen.ingest.metrics_csv import MetricsCsvIngester\n"
        "head = b'x' * 300_000 + b'\\n' + b'a b' * 100_000 + b'\\nlatency,12,ms\\n'\n"
        "print(MetricsCsvIngester().sniff(head, 'metrics.csv'))\n"
    )
    done = _run_under_cpu_limit(code)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout == "0.0\n"


NUNIT3_UNICODE_TOTAL = """\
<?xml version="1.0" encoding="utf-8"?>
<test-run id="0" testcasecount="1" total="\u00b2" passed="1" failed="0" result="Passed">
<test-suite type="Assembly" id="1" name="a.dll" fullname="a.dll" total="1" passed="1"
 failed="0" result="Passed"><test-case id="2" name="T" fullname="A.T" result="Passed"
 duration="0.1"/></test-suite></test-run>
"""
XUNIT2_UNICODE_TOTAL = """\
<?xml version="1.0" encoding="utf-8"?>
<assemblies><assembly name="a.dll" total="\u00b2" passed="1" failed="0" skipped="0">
<collection name="c" total="1"><test name="A.T" type="A" method="T" result="Pass" time="0.1"/>
</collection></assembly></assemblies>
"""
JUNIT_UNICODE_TIME = """\
<?xml version="1.0" encoding="utf-8"?>
<testsuite name="s" tests="1"><testcase classname="A" name="T" time="\u00b2"/></testsuite>
"""


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("nunit3.xml", NUNIT3_UNICODE_TOTAL),
        ("xunit2.xml", XUNIT2_UNICODE_TOTAL),
        ("junit.xml", JUNIT_UNICODE_TIME),
    ],
)
def test_a_unicode_digit_in_a_declared_count_or_time_is_not_a_crash(
    tmp_path: Path, name: str, content: str
) -> None:
    # `"²".isdigit()` is true but int("²") raises: such counts are not counts (not compared).
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    done = run_cli("summary", str(path))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "1 passed" in done.stdout.replace("  ", " ")


def test_a_unicode_digit_in_trx_counters_is_not_a_crash(corpus: Path, tmp_path: Path) -> None:
    original = (corpus / "trx" / "liquid-mstest-net9.trx").read_text(encoding="utf-8")
    mutant = re.sub(r'(<Counters total=)"\d+"', '\\1"\u00b2"', original, count=1)
    assert mutant != original
    path = tmp_path / "results.trx"
    path.write_text(mutant, encoding="utf-8")
    done = run_cli("summary", str(path))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_bad_utf8_past_the_first_chunk_of_a_jtl_names_the_line(tmp_path: Path) -> None:
    # The decoder under the CSV reader raises UnicodeDecodeError, a ValueError: it was taken
    # for an unreadable elapsed time (a traceback before the first row, else the wrong line).
    first = tmp_path / "first.jtl"
    first.write_bytes(
        b"timeStamp,elapsed,label,responseCode,success\n1,2," + b"a" * 10_000 + b"\xff,200,true\n"
    )
    later = tmp_path / "later.jtl"
    later.write_bytes(
        b"timeStamp,elapsed,label,responseCode,success\n"
        + b"1,2,a,200,true\n" * 1000
        + b"1,2,b\xff,200,true\n"
    )
    for path, line in ((first, 2), (later, 1002)):
        done = run_cli("summary", "--format", "jmeter", str(path))
        assert done.returncode == 4, done.stderr
        assert done.stderr.startswith(f"reportgen: {path}:{line}: not valid UTF-8"), done.stderr


def test_benchmark_iterations_below_one_are_an_input_error(tmp_path: Path) -> None:
    # Passed on to the model (iterations >= 1) they were a validation traceback.
    gbench = tmp_path / "gbench.json"
    gbench.write_text(
        '{"context": {}, "benchmarks": [{"name": "BM_x", "run_type": "iteration", '
        '"iterations": -1, "real_time": 5, "cpu_time": 5, "time_unit": "ns"}]}',
        encoding="utf-8",
    )
    gobench = tmp_path / "bench.txt"
    gobench.write_text("pkg: example.com/x\nBenchmarkX-2   0   259.4 ns/op\n", encoding="utf-8")
    for path, fmt, where in (
        (gbench, "google-benchmark", f"{gbench}: benchmarks[0].iterations"),
        (gobench, "gobench", f"{gobench}:2: BenchmarkX"),
    ):
        done = run_cli("summary", "--format", fmt, str(path))
        assert done.returncode == 4, done.stderr
        assert done.stderr.startswith(f"reportgen: {where}"), done.stderr
        assert "iterations cannot be a measurement" in done.stderr


@pytest.mark.parametrize("line", ["\u0661\u0662", "1" * 5000])
def test_a_tap_location_whose_line_is_not_a_number_is_left_out(tmp_path: Path, line: str) -> None:
    path = tmp_path / "node.tap"
    path.write_text(
        "TAP version 13\n# Subtest: a\nnot ok 1 - a\n  ---\n  duration_ms: 1\n"
        f"  location: '/src/a.test.js:{line}'\n  ...\n1..1\n",
        encoding="utf-8",
    )
    done = run_cli("summary", str(path))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "1 failed" in done.stdout.replace("  ", " ")


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        ('<failure message="x"><:b/></failure>', "Invalid tag name ':b'"),
        ('<failure message="x"><b :m="x"/></failure>', "Invalid attribute name ':m'"),
        ('<failure/></testcase><testcase :t="" name="U"><skipped><b/></skipped>', ":t"),
    ],
)
def test_a_junit_name_the_tree_refuses_is_malformed_xml(
    tmp_path: Path, child: str, expected: str
) -> None:
    # libxml2 passes `:name` on; the tree a testcase with grandchildren is rebuilt as
    # refuses it, which was a bare ValueError. (A plain child is read without that tree.)
    path = tmp_path / "junit.xml"
    path.write_text(
        f'<testsuite name="s"><testcase classname="A" name="T">{child}</testcase></testsuite>\n',
        encoding="utf-8",
    )
    done = run_cli("summary", str(path))
    assert done.returncode == 4, done.stderr
    assert done.stderr.startswith(f"reportgen: {path}: malformed XML: "), done.stderr
    assert expected in done.stderr and done.stderr.endswith(" inside a testcase\n")


def test_a_deeply_nested_output_event_of_a_failing_go_test_is_skipped(tmp_path: Path) -> None:
    # Output lines of a running test are kept raw and decoded only when it fails; a deeply
    # nested one then overflowed the decoder's stack (RecursionError).
    prefix = '{"Time":"2026-11-27T06:04:33Z","Action":'
    path = tmp_path / "go.jsonl"
    path.write_text(
        f'{prefix}"run","Package":"p","Test":"TestA"}}\n'
        f'{prefix}"output","Package":"p","Test":"TestA","Output":"boom\\n","x":'
        + "[" * 100_000
        + "]" * 100_000
        + "}\n"
        f'{prefix}"output","Package":"p","Test":"TestA","Output":"--- FAIL: TestA\\n"}}\n'
        f'{prefix}"fail","Package":"p","Test":"TestA","Elapsed":0.1}}\n'
        f'{prefix}"fail","Package":"p","Elapsed":0.2}}\n',
        encoding="utf-8",
    )
    done = run_cli("summary", str(path))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "1 failed" in done.stdout.replace("  ", " ")


def test_jest_invocations_beyond_any_retry_count_are_an_input_error(tmp_path: Path) -> None:
    # Each invocation became an attempt: 1.8e12 of them was a hang (found by the campaign).
    data = (REPO / "tests/fixtures/ids/jest/jest.json").read_text(encoding="utf-8")
    hostile = re.sub(r'"invocations": ?1\b', '"invocations":1796072973447', data, count=1)
    assert hostile != data
    path = tmp_path / "jest.json"
    path.write_text(hostile, encoding="utf-8")
    done = run_cli("summary", str(path), timeout=60)
    assert done.returncode == 4, done.stderr
    assert done.stderr.startswith(f"reportgen: {path}"), done.stderr
    assert "invocations: 1796072973447 is more than the 1,000 attempts" in done.stderr


def test_text_after_a_suite_that_needs_a_warning_line_does_not_corrupt_memory(
    tmp_path: Path,
) -> None:
    # Finding the line of a warning re-reads the file; removing each element as it ended
    # moved a tail text libxml2 was still filling, and the next collection crashed (SIGSEGV).
    data = (REPO / "tests/fixtures/ids/mocha/mocha-junit.xml").read_bytes()
    cut = data.index(b"</testsuite>") + len(b"</testsuite>\n")
    run = "\u202e".encode() * 100_000
    path = tmp_path / "junit.xml"
    path.write_bytes(data[:cut] + run + b"\xff\xfe\x00" + run + data[cut:])
    code = (
        "import gc, sys\n"
        "from reportgen.ingest import load\n"
        f"run = load([{str(path)!r}])\n"
        "gc.collect()\n"
        "junk = [bytes(64) for _ in range(200_000)]\n"
        "gc.collect()\n"
        "print(len(run.inputs))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1"
