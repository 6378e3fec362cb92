"""JUnit ingester: the third-party corpus with hand-counted totals, and one test per dialect."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import load
from reportgen.ingest.junit import JUnitIngester, root_name
from reportgen.model import Outcome, Run

# (total, passed, failed, errors, skipped, flaky), counted by reading each file.
CORPUS_COUNTS: dict[str, tuple[int, int, int, int, int, int]] = {
    "cargo-nextest/basic.xml": (3, 2, 1, 0, 0, 0),
    "catch2/report.xml": (1, 0, 1, 0, 0, 0),
    "container-structure-test/test.xml": (3, 3, 0, 0, 0, 0),
    # 14 <failure>, 6 <skipped/>; NUnit Inconclusive/Explicit tests are written as passed.
    "dotnet-junitxml-testlogger/TestResults.xml": (52, 32, 14, 0, 6, 0),
    "go-junit-report/105-report.xml": (1, 0, 0, 1, 0, 0),
    # 60 testcases (root says 59): 1 + 8 + 4 failures, 2 + 3 skipped.
    "gotestsum/junitxml-report.golden": (60, 42, 13, 0, 5, 0),
    "jest-junit/jest-junit.xml": (6, 1, 4, 0, 1, 0),
    "maven-surefire/TEST-action.surefire.report.calc.CalcUtilsTest.xml": (2, 0, 2, 0, 0, 0),
    "maven-surefire/flakyFailure-surefire-report.xml": (1, 1, 0, 0, 0, 1),
    "mocha-junit-reporter/mocha.xml": (1, 1, 0, 0, 0, 0),
    "phpunit/phpunit.xml": (12, 10, 2, 0, 0, 0),
    "pytest/report.xml": (3, 1, 2, 0, 0, 0),
}


def counts(run: Run) -> tuple[int, int, int, int, int, int]:
    by = run.tests.outcome_counts()
    return (
        len(run.tests),
        by[Outcome.PASSED],
        by[Outcome.FAILED],
        by[Outcome.ERROR],
        by[Outcome.SKIPPED],
        run.tests.flaky_count(),
    )


def read(tmp_path: Path, text: str | bytes, name: str = "report.xml") -> Run:
    """Write a JUnit document to a file and read it the way the CLI does (with detection)."""
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return load([str(path)])


def case(run: Run, name: str):  # type: ignore[no-untyped-def]
    matches = [c for c in run.tests if c.name == name]
    assert len(matches) == 1, [c.name for c in run.tests]
    return matches[0]


def warnings(run: Run) -> list[str]:
    return [w.message for w in run.warnings]


# --- corpus -------------------------------------------------------------------------------
@pytest.mark.parametrize("relative", sorted(CORPUS_COUNTS))
def test_corpus_counts(corpus: Path, relative: str) -> None:
    path = corpus / "junit" / relative
    run = load([str(path)])
    assert run.inputs[0].format == "junit"
    assert counts(run) == CORPUS_COUNTS[relative]


def test_corpus_is_fully_covered(corpus: Path) -> None:
    files = {
        str(p.relative_to(corpus / "junit"))
        for p in (corpus / "junit").rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert files == set(CORPUS_COUNTS)


def test_declared_counts_disagree_contents_win(corpus: Path) -> None:
    run = load([str(corpus / "junit/gotestsum/junitxml-report.golden")])
    found = [(w.line, w.message) for w in run.warnings]
    path = str(corpus / "junit/gotestsum/junitxml-report.golden")
    assert all(w.path == path for w in run.warnings)
    # The root (line 2) says 59 tests; the badmain suite (line 3) says 0 tests, 0 failures.
    assert any(line == 2 and "tests=59 but it contains 60" in m for line, m in found)
    assert any(line == 3 and "tests=0 but it contains 1" in m for line, m in found)
    mocha = load([str(corpus / "junit/mocha-junit-reporter/mocha.xml")])
    assert any("tests=15515 but it contains 1" in m for m in warnings(mocha))


def test_consistent_files_have_no_warnings(corpus: Path) -> None:
    for relative in ("phpunit/phpunit.xml", "dotnet-junitxml-testlogger/TestResults.xml"):
        assert load([str(corpus / "junit" / relative)]).warnings == ()


def test_nested_suites_keep_their_path(corpus: Path) -> None:
    run = load([str(corpus / "junit/phpunit/phpunit.xml")])
    nested = case(run, "testFlushesCollectedEvents")
    assert nested.suite == ("CLI Arguments", "PHPUnit\\Event\\DeferringDispatcherTest")
    assert nested.classname == "PHPUnit.Event.DeferringDispatcherTest"
    assert nested.file is not None and nested.file.endswith("DeferringDispatcherTest.php")
    assert nested.line == 35
    phpt = case(run, "targeting-traits-with-usesclass-attribute-is-deprecated.phpt")
    assert phpt.suite == ("CLI Arguments",)
    assert phpt.classname is None
    assert phpt.id == "CLI Arguments::targeting-traits-with-usesclass-attribute-is-deprecated.phpt"


def test_nanosecond_times(corpus: Path) -> None:
    run = load([str(corpus / "junit/container-structure-test/test.xml")])
    assert case(run, "Command Test: apt-get upgrade").duration == pytest.approx(0.999638317)
    assert case(run, "Metadata Test").duration == 0.0
    assert any("nanoseconds" in m for m in warnings(run))


def test_surefire_flaky_failure(corpus: Path) -> None:
    run = load([str(corpus / "junit/maven-surefire/flakyFailure-surefire-report.xml")])
    test = run.tests[0]
    assert test.outcome is Outcome.PASSED and test.flaky
    assert [a.outcome for a in test.attempts] == [Outcome.FAILED, Outcome.PASSED]
    first = test.attempts[0]
    assert first.type == "java.lang.AssertionError"
    assert first.message == "Expected: <false>\n     but: was <true>"
    assert first.output is not None and "MicrosoftTeamsCrudTest.java:58" in first.output
    assert "Some error output here" in first.output


def test_messages_types_and_bodies(corpus: Path) -> None:
    jest = load([str(corpus / "junit/jest-junit/jest-junit.xml")])
    failing = case(jest, "Failing test")
    # No message attribute: the first line of the body; the body itself is kept.
    assert failing.message == "Error: expect(received).toBeTruthy()"
    assert failing.output is not None and "main.test.js:10:21" in failing.output
    catch2 = load([str(corpus / "junit/catch2/report.xml")])
    test = catch2.tests[0]
    assert test.message == "REQUIRE(v == 1) expands to 0 == 10"
    assert test.type == "REQUIRE"
    assert test.file == "test/unit/detail/utility/is_constant_evaluated.cpp"
    assert test.line == 19
    go = load([str(corpus / "junit/go-junit-report/105-report.xml")])
    assert go.tests[0].outcome is Outcome.ERROR
    assert go.tests[0].message == "Runtime error"
    assert "panic: init" in (go.tests[0].output or "")


def test_system_out_and_err_into_output(corpus: Path) -> None:
    run = load([str(corpus / "junit/cargo-nextest/basic.xml")])
    failed = case(run, "test_failure")
    assert failed.output is not None
    assert "test result: FAILED" in failed.output
    assert "[system-err]" in failed.output
    assert failed.message is not None and failed.message.startswith("thread 'test_failure'")
    assert run.inputs[0].timestamp == "2024-12-02T20:06:10.512+00:00"


def test_bom_without_declaration(corpus: Path) -> None:
    path = corpus / "junit/dotnet-junitxml-testlogger/TestResults.xml"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf<testsuites>")
    run = load([str(path)])
    assert run.inputs[0].timestamp == "2021-04-04T16:42:06"
    failing = [c for c in run.tests if c.name == "FailTest22"]
    assert len(failing) == 2 and all(
        c.message == "Expected: False\n  But was:  True" for c in failing
    )


def test_zero_time_placeholder_is_not_a_timestamp(corpus: Path) -> None:
    # gotestsum writes Go's zero time (0001-01-01) on every suite.
    run = load([str(corpus / "junit/gotestsum/junitxml-report.golden")])
    assert run.inputs[0].timestamp is None


# --- dialects, one hand-written document each -----------------------------------------
def test_root_testsuite_and_testrun(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuite name="S" tests="2"><testcase classname="C" name="a" time="1"/>'
        '<testcase classname="C" name="b"><failure message="m"/></testcase></testsuite>',
    )
    assert counts(run) == (2, 1, 1, 0, 0, 0)
    assert case(run, "a").suite == ("S",)
    assert case(run, "a").id == "C::a"
    # Eclipse's JUnit view export.
    run = read(
        tmp_path,
        '<?xml version="1.0"?><testrun name="proj" tests="3" failures="1" ignored="1">'
        '<testsuite name="p.T" time="0.5"><testcase name="x" classname="p.T" time="0.1"/>'
        '<testcase name="y" classname="p.T" time="0.2"><failure>trace line</failure></testcase>'
        '<testcase name="z" classname="p.T" time="0" ignored="true"/></testsuite></testrun>',
        name="eclipse.xml",
    )
    assert counts(run) == (3, 1, 1, 0, 1, 0)
    assert case(run, "y").message == "trace line"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", 1234.5),
        ("0,03", 0.03),
        ("80.803us", 80.803e-6),
        ("12ms", 0.012),
        ("1.5 s", 1.5),
        ("0.25", 0.25),
        ("7", 7.0),
    ],
)
def test_time_spellings(tmp_path: Path, text: str, expected: float) -> None:
    run = read(tmp_path, f'<testsuite><testcase name="t" time="{text}"/></testsuite>')
    assert run.tests[0].duration == pytest.approx(expected)


def test_missing_and_bad_times_are_unknown_not_zero(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuites><testsuite name="s"><testcase name="a"/>'
        '<testcase name="b" time="soon"/><testcase name="c" time="-1"/></testsuite></testsuites>',
    )
    assert [c.duration for c in run.tests] == [None, None, None]
    assert any("unreadable test time" in m for m in warnings(run))


@pytest.mark.parametrize("status", ["disabled", "notrun", "skipped"])
def test_status_without_child_is_skipped(tmp_path: Path, status: str) -> None:
    run = read(
        tmp_path,
        f'<testsuite name="s"><testcase name="t" classname="t" time="0" status="{status}"/>'
        '<testcase name="u" classname="u" time="0.1" status="run"/></testsuite>',
    )
    assert case(run, "t").outcome is Outcome.SKIPPED
    assert case(run, "u").outcome is Outcome.PASSED


def test_surefire_rerun_failures(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuite name="T" tests="1" failures="1"><testcase name="t" classname="T" time="0.3">'
        '<failure message="first" type="AssertionError">trace 1</failure>'
        '<rerunFailure message="second" type="AssertionError"><stackTrace>trace 2</stackTrace>'
        "</rerunFailure>"
        '<rerunError message="third" type="IOException"><stackTrace>trace 3</stackTrace>'
        "</rerunError></testcase></testsuite>",
    )
    test = run.tests[0]
    assert test.outcome is Outcome.FAILED and not test.flaky
    assert [a.outcome for a in test.attempts] == [Outcome.FAILED, Outcome.FAILED, Outcome.ERROR]
    assert [a.message for a in test.attempts] == ["first", "second", "third"]
    assert test.message == "first"
    assert run.warnings == ()


def test_surefire_flaky_error(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuite name="T" tests="1"><testcase name="t" classname="T" time="0.3">'
        '<flakyError message="boom" type="IOException"><stackTrace>x</stackTrace></flakyError>'
        "</testcase></testsuite>",
    )
    test = run.tests[0]
    assert (test.outcome, test.flaky) == (Outcome.PASSED, True)
    assert [a.outcome for a in test.attempts] == [Outcome.ERROR, Outcome.PASSED]


def test_duplicate_testcases_are_executions_of_their_own(tmp_path: Path) -> None:
    # pytest writes a failed call and the teardown error as two testcases; pytest-rerunfailures
    # repeats one without marking it a retry: every execution counts, a failing one fails.
    run = read(
        tmp_path,
        '<testsuites><testsuite name="pytest" tests="3" failures="2" errors="1">'
        '<testcase classname="m" name="t" time="0.1"><failure message="assert 0">x</failure>'
        "</testcase>"
        '<testcase classname="m" name="t" time="0.2"><error message="failed on teardown">y'
        "</error></testcase>"
        '<testcase classname="m" name="r" time="1"><failure message="flake"/></testcase>'
        '<testcase classname="m" name="r" time="2"/>'
        '<testcase classname="m" name="ok" time="3"/>'
        "</testsuite></testsuites>",
    )
    assert counts(run) == (5, 2, 2, 1, 0, 0)
    t = [c for c in run.tests if c.name == "t"]
    assert [(c.outcome, c.message, c.duration) for c in t] == [
        (Outcome.FAILED, "assert 0", 0.1),
        (Outcome.ERROR, "failed on teardown", 0.2),
    ]
    r = [c for c in run.tests if c.name == "r"]
    assert [c.outcome for c in r] == [Outcome.FAILED, Outcome.PASSED]
    assert not any(c.flaky or c.attempts for c in run.tests)
    assert [c.position for c in run.tests] == [0, 1, 2, 3, 4]


def test_pytest_xfail_is_skipped_with_property(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuite name="pytest"><testcase classname="m" name="x" time="0.01">'
        '<skipped type="pytest.xfail" message="known bug"/></testcase>'
        '<testcase classname="m" name="s" time="0"><skipped type="pytest.skip" '
        'message="no network">m.py:3: no network</skipped></testcase></testsuite>',
    )
    x = case(run, "x")
    assert x.outcome is Outcome.SKIPPED
    assert x.properties == {"xfail": "known bug"}
    assert case(run, "s").message == "no network"
    assert case(run, "s").properties == {}


def test_skipped_with_failure_is_skipped(tmp_path: Path) -> None:
    # Node writes a failing `todo` test as <skipped type="todo"/> plus its <failure>; node's
    # own totals count it as todo, not as a failure.
    run = read(
        tmp_path,
        '<testsuites><testcase name="todo failing" time="0.1" classname="test" failure="nope">'
        '<skipped type="todo" message="true"/><failure type="testCodeFailure" message="nope">'
        "Error: nope</failure></testcase></testsuites>",
    )
    test = run.tests[0]
    assert test.outcome is Outcome.SKIPPED
    assert test.message == "nope"
    assert "Error: nope" in (test.output or "")


def test_properties_file_line_and_failure_vs_error(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuite name="s"><testcase classname="c" name="a" file="tests/a.py" line="12" '
        'time="0.5"><properties><property name="owner" value="team-a"/>'
        '<property name="note">text value</property></properties>'
        '<error message="setup failed" type="OSError">long body</error></testcase>'
        '<testcase classname="c" name="b" time="0.1"><failure type="AssertionError">'
        "\n\n  first body line\nsecond</failure></testcase></testsuite>",
    )
    a = case(run, "a")
    assert a.outcome is Outcome.ERROR
    assert (a.file, a.line) == ("tests/a.py", 12)
    assert a.properties == {"owner": "team-a", "note": "text value"}
    assert (a.message, a.type, a.output) == ("setup failed", "OSError", "long body")
    b = case(run, "b")
    assert b.outcome is Outcome.FAILED
    assert b.message == "first body line"


def test_namespaced_document(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuites xmlns="urn:example"><testsuite name="s"><testcase name="a" time="1"/>'
        '<testcase name="b"><failure message="no"/></testcase></testsuite></testsuites>',
    )
    assert counts(run) == (2, 1, 1, 0, 0, 0)


def test_utf16_with_bom(tmp_path: Path) -> None:
    doc = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<testsuite name="ünï">'
        '<testcase name="tëst" time="0.5"><failure message="é"/></testcase>'
        '<testcase name="ok" time="1"/></testsuite>'
    )
    for encoding in ("utf-16", "utf-16-be"):
        data = doc.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        run = read(tmp_path, data, name=f"{encoding}.xml")
        assert counts(run) == (2, 1, 1, 0, 0, 0)
        assert case(run, "tëst").message == "é"
        assert run.tests[0].suite == ("ünï",)


def test_utf16_declaration_on_utf8_bytes(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<?xml version="1.0" encoding="UTF-16"?><testsuite><testcase name="é"/></testsuite>',
    )
    assert run.tests[0].name == "é"


def test_no_declaration_and_latin1(tmp_path: Path) -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><testsuite><testcase name="café"/></testsuite>'
    )
    run = read(tmp_path, data.encode("latin-1"))
    assert run.tests[0].name == "café"


def test_ansi_escapes_stripped(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuite name="s"><testcase name="t" time="1">'
        '<failure message="&#x1B;[31mred&#x1B;[0m">\x1b[1mbold\x1b[22m body</failure>'
        "</testcase></testsuite>",
    )
    test = run.tests[0]
    assert test.message == "red"
    assert test.output == "bold body"


def test_suite_timestamp_earliest_wins(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuites><testsuite name="a" timestamp="2024-05-02T10:00:00Z"><testcase name="x"/>'
        '</testsuite><testsuite name="b" timestamp="2024-05-01T10:00:00+02:00">'
        '<testcase name="y"/></testsuite></testsuites>',
    )
    assert run.inputs[0].timestamp == "2024-05-01T10:00:00+02:00"


def test_skipped_declared_with_disabled_is_consistent(tmp_path: Path) -> None:
    run = read(
        tmp_path,
        '<testsuite name="(empty)" tests="3" failures="0" disabled="1" skipped="1">'
        '<testcase name="a" classname="a" time="0" status="disabled"/>'
        '<testcase name="b" classname="b" time="0" status="notrun"><skipped/></testcase>'
        '<testcase name="c" classname="c" time="0.1" status="run"/></testsuite>',
    )
    # ctest's Not Run (b) is an error, as ctest counts it; its attributes count it as skipped,
    # and the declared counts still agree.
    assert counts(run) == (3, 1, 0, 1, 1, 0)
    assert run.warnings == ()


def test_large_batches_and_repeats_across_batches(tmp_path: Path) -> None:
    # More plain tests than one batch, a repeated name far from its first run, and a class
    # change inside the suite: the bulk path must give what one-by-one adding gives.
    cases = [f'<testcase classname="A" name="t{i}" time="0.001"/>' for i in range(10_000)]
    cases.append('<testcase classname="A" name="t5" time="0.5"/>')
    cases += [f'<testcase classname="B" name="t{i}" time="0.002"/>' for i in range(3)]
    run = read(tmp_path, f'<testsuite name="s">{"".join(cases)}</testsuite>')
    t5 = [c for c in run.tests if c.id == "A::t5"]
    assert [c.duration for c in t5] == [0.001, 0.5]
    assert len(run.tests) == 10_004
    assert run.inputs[0].records == 10_004


# --- sniffing -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "mine"),
    [
        (b'<?xml version="1.0"?>\n<testsuites>', True),
        (b"\xef\xbb\xbf<testsuite name='x'>", True),
        (b"<!-- generated --><?pi x?>\n<testrun name='p'>", True),
        ('<?xml version="1.0" encoding="UTF-16"?><testsuites>'.encode("utf-16"), True),
        ("<testsuite>".encode("utf-16-le"), True),
        (b'<!DOCTYPE testsuite SYSTEM "junit.dtd"><testsuite>', True),
        (b'<?xml version="1.0"?><TestRun xmlns="http://microsoft.com/schemas/">', False),
        (b'<?xml version="1.0"?><test-run id="2">', False),
        (b"<assemblies><assembly>", False),
        (b'{"results": []}', False),
        (b"", False),
        (b"\x00\x01\x02binary", False),
    ],
)
def test_sniff(head: bytes, mine: bool) -> None:
    score = JUnitIngester().sniff(head, "x.xml")
    assert (score >= 0.5) is mine
    if not mine:
        assert score == 0.0


def test_root_name_looks_past_prolog() -> None:
    assert root_name(b"<?xml version='1.0'?><!-- <fake> --><a:testsuites xmlns:a='u'>") == (
        "testsuites"
    )


def test_forced_format_on_other_xml_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "trx.xml"
    path.write_text('<?xml version="1.0"?><TestRun><Results/></TestRun>')
    with pytest.raises(InputError, match=r"root element is <TestRun>"):
        load([str(path)], format="junit")
