"""The format registry: detection imports only the readers that could claim a file, and
leaving the others out never changes which format is detected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.errors import DetectionError
from reportgen.ingest import MIN_SCORE, detect, registry
from reportgen.ingest.base import HEAD_BYTES

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = ROOT / "samples"

# Heads whose first bytes test the edges of each claim: byte-order marks, UTF-16 with and
# without one, white space a decoder strips (NBSP, form feed) or the JUnit reader skips.
EDGE_HEADS: tuple[bytes, ...] = (
    b"",
    b"   \n",
    b'\xef\xbb\xbf{"reportFormat": "CTRF", "results": {"tool": {}, "tests": []}}',
    '\ufeff{"created": 1, "exitcode": 0, "tests": []}'.encode("utf-16"),
    '{"created": 1, "exitcode": 0, "tests": []}'.encode("utf-16-le"),
    b'\xc2\xa0\x0c{"created": 1, "exitcode": 0, "root": "/"}',
    # A key spelled with escapes is the same key to the readers that parse keys.
    b'{"\\u0063reated": 1, "exitcode": 0, "tests": []}',
    b'{"st\\u0061ts": {"passes": 1, "failures": 0, "pending": 0}, "tests": []}',
    b'[{"id": "x", "typical": {"estimate": 1.0}, "mean": {"estimate": 1}}]',
    b"\xc2\xa0<TestRun xmlns='http://microsoft.com/schemas/VisualStudio/TeamTest/2010'>",
    "<testsuites><testsuite name='a'/></testsuites>".encode("utf-16"),
    "<testsuites><testsuite name='a'/></testsuites>".encode("utf-16-be"),
    b"\n\t <?xml version='1.0'?><!-- c --><testsuite name='a'></testsuite>",
    b"<assemblies><assembly total='1'/></assemblies>",
    b"TAP version 13\n1..1\nok 1 - a\n",
    b"1..2\nok 1\nnot ok 2\n",
    b"BenchmarkFib10-8   \t 3000000\t       400 ns/op\n",
    # Undecodable bytes before Go benchmark lines: dropped by that reader's decoding.
    b"\xff\xfeBenchmarkFib10-8   \t 3000000\t       400 ns/op\n",
    b"# example.com/p\nFAIL\texample.com/p [build failed]\n",
    b'{"Time":"2024-01-01T00:00:00Z","Action":"run","Package":"p","Test":"T"}\n',
    b"timeStamp,elapsed,label,responseCode,responseMessage,threadName,success,bytes\n",
    b"name,value,unit\nlatency,1.5,ms\n",
)


def _heads(corpus: Path | None) -> list[tuple[str, bytes]]:
    roots = [FIXTURES, SAMPLES] + ([corpus] if corpus is not None else [])
    found = [(f"edge {i}", head) for i, head in enumerate(EDGE_HEADS)]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                with path.open("rb") as handle:
                    found.append((str(path), handle.read(HEAD_BYTES)))
    return found


def _every_claim_is_admitted(heads: list[tuple[str, bytes]]) -> None:
    everyone = registry.all_ingesters()
    for name, head in heads:
        admitted = {ing.name for ing in registry.candidates(head)}
        for ing in everyone:
            if ing.sniff(head, name) >= MIN_SCORE:
                assert ing.name in admitted, f"{name}: {ing.name} would claim it"


def _same_detection(heads: list[tuple[str, bytes]]) -> None:
    everyone = registry.all_ingesters()
    for name, head in heads:
        scored = sorted(((ing.sniff(head, name), ing.name) for ing in everyone), reverse=True)
        try:
            found = detect(head, name)
        except DetectionError:
            assert scored[0][0] == scored[1][0] and scored[0][0] >= MIN_SCORE, name
            continue
        expected = scored[0][1] if scored[0][0] >= MIN_SCORE else None
        assert (found.name if found else None) == expected, name


def test_no_reader_that_would_claim_a_file_is_left_out() -> None:
    heads = _heads(None)
    assert len(heads) > 60
    _every_claim_is_admitted(heads)
    _same_detection(heads)


def test_no_reader_that_would_claim_a_corpus_file_is_left_out(corpus: Path) -> None:
    heads = _heads(corpus)
    _every_claim_is_admitted(heads)
    _same_detection(heads)


def test_registry_names_are_the_ingesters_names() -> None:
    assert registry.names() == tuple(ing.name for ing in registry.all_ingesters())
    assert len(set(registry.names())) == len(registry.ENTRIES)
    for entry in registry.ENTRIES:
        ingester = registry.by_name(entry.name)
        assert ingester is not None and ingester.name == entry.name


@pytest.mark.parametrize(
    ("claims", "head", "admitted"),
    [
        ("object", b'  {"a": 1}', True),
        ("object", b"[1]", False),
        ("json", b"[1]", True),
        ("xml", b"<a/>", True),
        ("xml", b"{}", False),
        ("xml-bytes", b"\xef\xbb\xbf\n<a/>", True),
        ("xml-bytes", b"a<b/>", False),
        ("any", b"\x00", True),
    ],
)
def test_claims(claims: str, head: bytes, admitted: bool) -> None:
    assert registry._CLAIMS[claims](head) is admitted


def test_detecting_the_sample_imports_only_the_readers_it_needs() -> None:
    """A verdict on JUnit and metrics JSON files imports no other JSON or XML reader (text
    formats, which can claim any head, are imported to be asked)."""
    code = (
        "import sys\n"
        "from reportgen.ingest import load\n"
        "load(['samples/phase4-websocket/results'])\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('reportgen.ingest.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(out.stdout.split())
    assert {"reportgen.ingest.junit", "reportgen.ingest.metrics_json"} <= loaded
    others = {"ctrf", "pytest_json", "jest_json", "k6", "hyperfine", "trx", "nunit3", "xunit2"}
    assert not loaded & {f"reportgen.ingest.{name}" for name in others}


def test_metric_formats_are_the_readers_that_give_metrics() -> None:
    # The judging stage tells a metrics input by its format name (model.METRIC_FORMATS): every
    # name is a registered reader, and every fixture or sample that gives a metric is of one.
    from reportgen.errors import InputError
    from reportgen.ingest import load
    from reportgen.model import METRIC_FORMATS

    assert {entry.name for entry in registry.ENTRIES} >= METRIC_FORMATS
    giving: set[str] = set()
    for path in sorted([*FIXTURES.rglob("*"), *SAMPLES.rglob("*")]):
        if not path.is_file() or detect(path.read_bytes()[:HEAD_BYTES], str(path)) is None:
            continue
        try:
            run = load([str(path)])
        except InputError:
            continue
        giving |= {run.inputs[m.input].format for m in run.metrics}
    assert giving <= METRIC_FORMATS
    assert {"gotest-json", "gobench", "google-benchmark", "criterion"} <= giving
