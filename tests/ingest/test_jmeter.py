"""JMeter JTL CSV: corpus files (header, headerless, multi-line fields), broken files, scale."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.model import Direction

HEADER = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success\n"


def test_corpus_with_header_and_transactions(corpus: Path) -> None:
    path = corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    run = load([str(path)])
    assert run.inputs[0].format == "jmeter"
    by_name = {m.name: m for m in run.metrics}
    counts = Counter(r["label"] for r in rows)
    assert {n: m.n for n, m in by_name.items() if "[" not in n} == dict(counts)
    assert counts == {
        "HP-0": 37,
        "HP-1": 37,
        "HP-2": 37,
        "HP": 37,
        "Search-0": 33,
        "Search-1": 33,
        "Search-2": 33,
        "Search": 33,
        "Scenario": 33,
    }
    hp0 = by_name["HP-0"]
    assert hp0.unit == "s" and hp0.direction is Direction.LOWER_IS_BETTER
    assert hp0.samples is not None and hp0.samples[0] == pytest.approx(1.172)
    assert hp0.samples == pytest.approx(
        tuple(int(r["elapsed"]) / 1000 for r in rows if r["label"] == "HP-0")
    )
    assert by_name["HP"].properties["transaction"] == "true"
    assert "transaction" not in hp0.properties
    success = by_name["HP [success]"]
    assert success.unit == "ratio" and success.stats["rate"] == 1.0 and success.n == 37
    assert success.direction is Direction.HIGHER_IS_BETTER
    assert run.inputs[0].timestamp is not None and run.inputs[0].timestamp.startswith("2019-01-16")


def test_corpus_headerless(corpus: Path) -> None:
    run = load([str(corpus / "jmeter" / "jenkins-perf-jtl-headerless.jtl")])
    names = [m.name for m in run.metrics]
    assert names == [
        "GET /ordermgmt/login - Login Page", "GET /ordermgmt/login - Login Page [success]",
        "GET /ordermgmt/inventory", "GET /ordermgmt/inventory [success]",
        "GET /ordermgmt/pre-logout", "GET /ordermgmt/pre-logout [success]",
    ]  # fmt: skip
    assert run.metrics[0].samples == pytest.approx((1.425,))
    assert run.metrics[4].samples == pytest.approx((2.204,))


def test_corpus_multiline_quoted_label(corpus: Path) -> None:
    run = load([str(corpus / "jmeter" / "jenkins-perf-jtl-multiline.jtl")])
    assert len(run.metrics) == 4
    login, login_ok, broken, broken_ok = run.metrics
    assert login.name == "Preparation: Login" and login.samples == pytest.approx((1.898,))
    assert broken.name.startswith('no such element: Unable to locate element: {"method":"id"')
    assert "\n" not in broken.name and broken.source is not None and "\n" in broken.source
    # Its one sample failed: counted as a failure, not timed (and said so).
    assert broken.samples == () and broken.failures == 1
    assert broken_ok.stats["rate"] == 0.0 and broken_ok.properties["failures"] == "1"
    assert (broken_ok.hits, broken_ok.n) == (0, 1)
    assert login_ok.stats["rate"] == 1.0 and (login_ok.hits, login_ok.n) == (1, 1)
    assert any("success=false" in w.message for w in run.warnings)


def test_success_rate_counts(tmp_path: Path) -> None:
    rows = "".join(
        f"{1700000000000 + i},{100 + i},GET /a,200,OK,t1,text,{'false' if i % 4 == 0 else 'true'}\n"
        for i in range(40)
    )
    path = tmp_path / "r.jtl"
    path.write_text(HEADER + rows)
    run = load([str(path)])
    elapsed, success = run.metrics
    # Failed samples are left out of the timings and counted; JTL times are whole ms.
    assert elapsed.n == 30 and elapsed.samples == pytest.approx(
        tuple((100 + i) / 1000 for i in range(40) if i % 4)
    )
    assert elapsed.failures == 10 and elapsed.resolution == 0.001 and elapsed.input_unit == "ms"
    assert success.stats["rate"] == pytest.approx(30 / 40)
    assert (success.hits, success.n) == (30, 40)
    assert success.properties == {"successes": "30", "failures": "10"}
    (warning,) = run.warnings
    assert "10 of 40 samples failed" in warning.message


def test_cut_last_row_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "r.jtl"
    path.write_text(HEADER + "1700000000000,100,GET /a,200,OK,t1,text,true\n1700000000001,1")
    run = load([str(path)])
    assert run.metrics[0].n == 1
    assert run.warnings[0].line == 3 and "cut short" in run.warnings[0].message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1700000000000,abc,GET /a,200,OK,t1,text,true\n", ":2: elapsed 'abc' is not a number"),
        ("1700000000000,100,GET /a,200,OK,t1,text,maybe\n", ":2: success is 'maybe'"),
        ("1700000000000,-5,GET /a,200,OK,t1,text,true\n", "negative elapsed time in label"),
        (
            "1700000000000,1\n1700000000000,100,GET /a,200,OK,t1,text,true\n",
            ":2: row has 2 columns",
        ),
        ('1700000000000,100,"GET /a,200,OK,t1,text,true\n', "malformed CSV"),
        ("", "no samples"),
    ],
)
def test_broken_files(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "r.jtl"
    path.write_text(HEADER + body)
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert str(path) in str(info.value) and expected in str(info.value)


def test_invalid_utf8_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "r.jtl"
    path.write_bytes(HEADER.encode() + b"1700000000000,100,GET /\xff,200,OK,t1,text,true\n")
    with pytest.raises(InputError, match="not valid UTF-8"):
        load([str(path)])
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        load([str(path)], format="jmeter")


def test_sniff_is_specific(corpus: Path) -> None:
    for path in sorted((corpus / "jmeter").iterdir()):
        ingester = detect(path.read_bytes()[:8192], str(path))
        assert ingester is not None and ingester.name == "jmeter"
    assert detect(b"name,value\nlat,1\n", "m.csv").name != "jmeter"  # type: ignore[union-attr]
