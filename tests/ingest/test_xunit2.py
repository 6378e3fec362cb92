"""xUnit.net v2 XML: corpus samples, comma decimals, empty assembly, traits, errors, broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.base import HEAD_BYTES
from reportgen.model import IntegrityKind, Outcome
from tests.conftest import counts, run_cli

# Counted by hand from the <test> elements.
CORPUS_COUNTS = {
    "jenkins-xunit2-comma-decimal.xml": (3, 1, 1, 0, 1),
    "jenkins-xunit2-empty-assembly.xml": (0, 0, 0, 0, 0),
    "jenkins-xunit2-output-displaynames.xml": (5, 5, 0, 0, 0),
    "jenkins-xunit2-testcase1.xml": (3, 1, 1, 0, 1),
}


@pytest.mark.parametrize("name", sorted(CORPUS_COUNTS))
def test_corpus_counts(corpus: Path, name: str) -> None:
    path = corpus / "xunit2" / name
    assert detect(path.read_bytes()[:HEAD_BYTES], str(path)) is not None
    run = load([str(path)])
    assert run.inputs[0].format == "xunit2"
    assert counts(run) == CORPUS_COUNTS[name]


def test_every_corpus_file_has_expected_counts(corpus: Path) -> None:
    assert sorted(p.name for p in (corpus / "xunit2").iterdir()) == sorted(CORPUS_COUNTS)


def test_comma_decimals_read_the_same_as_points_with_a_warning(corpus: Path) -> None:
    comma = load([str(corpus / "xunit2" / "jenkins-xunit2-comma-decimal.xml")])
    point = load([str(corpus / "xunit2" / "jenkins-xunit2-testcase1.xml")])
    assert [t.duration for t in comma.tests] == [t.duration for t in point.tests]
    assert [t.duration for t in point.tests] == [pytest.approx(0.014), 0.01, 0.0]
    assert any("comma decimal" in w.message for w in comma.warnings)
    assert not point.warnings
    failed = next(t for t in point.tests if t.outcome == Outcome.FAILED)
    assert failed.id == "MyProject.Tests.SampleFact::FailedTest"
    assert failed.type == "Xunit.Sdk.TrueException"
    assert failed.message == "Assert.True() Failure"
    assert failed.output is not None and "SampleFact.cs:line 16" in failed.output
    skipped = next(t for t in point.tests if t.outcome == Outcome.SKIPPED)
    assert skipped.message == "On Purpose"
    assert point.inputs[0].timestamp == "2014-12-18T14:34:32"


def test_empty_assembly_warns(corpus: Path) -> None:
    run = load([str(corpus / "xunit2" / "jenkins-xunit2-empty-assembly.xml")])
    assert [w.message for w in run.warnings] == [
        "assembly KundM.Api.Csv.UnitTest.DLL has no tests",
        "this xunit2 file holds no test, metric or error: its run may have stopped before any "
        "result (list it under inputs.ignore if it is not evidence)",
    ]
    assert [f.kind for f in run.inputs[0].integrity] == [IntegrityKind.NO_RESULTS]


def test_display_names_and_output(corpus: Path) -> None:
    run = load([str(corpus / "xunit2" / "jenkins-xunit2-output-displaynames.xml")])
    first = run.tests[0]
    assert first.id == "UnitTest.UnitTest::Uninstall application if it is installed."
    assert first.properties["method"] == "UninstallApplicationIfInstalled"
    assert first.output is not None and first.output.startswith("Starting test:")
    assert run.tests.total_duration() == pytest.approx(92.3272663)


def test_traits_errors_notrun_and_declared_counts(tmp_path: Path) -> None:
    path = tmp_path / "xunit.xml"
    path.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<assemblies>
 <assembly name="/src/A.Tests.dll" test-framework="xUnit.net 2.4.1" total="4" passed="1"
           failed="1" skipped="1" time="1.5" errors="1">
  <errors>
   <error type="fixture-cleanup" name="A.Tests.DbFixture">
    <failure exception-type="System.InvalidOperationException">
     <message>dispose failed</message><stack-trace>at A.Tests.DbFixture.Dispose()</stack-trace>
    </failure>
   </error>
  </errors>
  <collection name="Test collection for A.Tests.T" total="4" passed="1" failed="1" skipped="1">
   <test name="A.Tests.T.One(x: 1)" type="A.Tests.T" method="One" time="0.5" result="Pass">
    <traits><trait name="Category" value="fast"/><trait name="Category" value="db"/></traits>
   </test>
   <test name="A.Tests.T.Two" type="A.Tests.T" method="Two" time="0.25" result="Fail">
    <failure><message>nope</message></failure>
   </test>
   <test name="A.Tests.T.Three" type="A.Tests.T" method="Three" time="0" result="Skip">
    <reason>later</reason>
   </test>
   <test name="A.Tests.T.Four" type="A.Tests.T" method="Four" time="0" result="NotRun"/>
  </collection>
 </assembly>
</assemblies>
""",
        encoding="utf-8",
    )
    run = load([str(path)])
    assert counts(run) == (5, 1, 1, 1, 2)
    one = next(t for t in run.tests if t.name == "One(x: 1)")
    assert one.properties == {"Category": "fast, db", "method": "One"}
    error = next(t for t in run.tests if t.outcome == Outcome.ERROR)
    assert error.name == "[fixture-cleanup] A.Tests.DbFixture"
    assert error.type == "System.InvalidOperationException"
    assert error.message == "dispose failed"
    # 4 tests read against total="4": consistent; skipped counts Skip only.
    assert not run.warnings


def test_sniff_never_claims_junit_or_nunit() -> None:
    from reportgen.ingest.xunit2 import XUnit2Ingester

    sniff = XUnit2Ingester().sniff
    assert sniff(b'<?xml version="1.0"?>\n<testsuites><testsuite name="x">', "x.xml") == 0
    assert sniff(b'<?xml version="1.0"?>\n<test-run id="1">', "x.xml") == 0
    assert sniff(b'\xef\xbb\xbf<?xml version="1.0"?>\n<assemblies timestamp="x">', "x") > 0.8


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (
            b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<assemblies>\n  <assembly name='a'>\n",
            "malformed",
        ),
        (b'<assemblies><assembly name="caf\xe9"/></assemblies>', "XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<assemblies>&x;</assemblies>",
            "entity",
        ),
        (b"<testsuites/>", "not an xUnit.net"),
    ],
)
def test_broken_files_are_input_errors(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load([str(path)], format="xunit2")
    assert "broken.xml" in str(info.value) and needle in str(info.value)


# xunit's XML visitor writes `errors` as the number of <error> entries under <errors>, each
# a failure outside any test (xunit/xunit v2,
# src/xunit.runner.utility/Visitors/XmlTestExecutionVisitor.cs).
_CLEANUP_ERROR = (
    '<errors><error type="assembly-cleanup" name="UnitTest.DLL"><failure '
    'exception-type="System.IO.IOException"><message>file in use</message></failure></error>'
    "</errors>"
)


def _declaring_errors(corpus: Path, tmp_path: Path, errors: str) -> Path:
    """jenkins-xunit2-output-displaynames.xml (5 passed) declaring errors="1", its <errors>
    element replaced by `errors`."""
    text = (corpus / "xunit2" / "jenkins-xunit2-output-displaynames.xml").read_text(
        encoding="utf-8"
    )
    assert 'errors="0"' in text and "<errors />" in text
    text = text.replace('errors="0"', 'errors="1"', 1).replace("<errors />", errors, 1)
    path = tmp_path / "xunit.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_declared_errors_missing_from_errors_are_flagged(corpus: Path, tmp_path: Path) -> None:
    path = _declaring_errors(corpus, tmp_path, "<errors />")
    run = load([str(path)])
    assert counts(run) == (5, 5, 0, 0, 0)
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.FAILURES_MISSING and flag.fails
    gate = tmp_path / "gate.yaml"
    gate.write_text("version: 1\ncriteria:\n  - id: all\n    tests: {max_failed: 0}\n")
    assert run_cli("verdict", "-c", str(gate), str(path)).returncode == 1


def test_declared_errors_shown_are_errors_of_no_test(corpus: Path, tmp_path: Path) -> None:
    path = _declaring_errors(corpus, tmp_path, _CLEANUP_ERROR)
    run = load([str(path)])
    assert counts(run) == (6, 5, 0, 1, 0)
    error = next(t for t in run.tests if t.outcome is Outcome.ERROR)
    assert error.unattributed and error.message == "file in use"
    assert not run.inputs[0].integrity
