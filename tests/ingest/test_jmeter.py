"""JMeter JTL CSV: corpus files (header, headerless, multi-line fields), broken files, scale."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.model import Direction, IntegrityKind
from tests.conftest import REPO, run_cli

# Run the CLI of this checkout from a temporary directory (not an installed copy).
_HERE = {"PYTHONPATH": str(REPO)}
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


def test_cut_last_row_is_flagged_aborted(tmp_path: Path) -> None:
    path = tmp_path / "r.jtl"
    path.write_text(HEADER + "1700000000000,100,GET /a,200,OK,t1,text,true\n1700000000001,1")
    run = load([str(path)])
    assert run.metrics[0].n == 1
    assert run.warnings[0].line == 3 and "cut short" in run.warnings[0].message
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.ABORTED and flag.line == 3 and flag.scope is None


def _cuts_of_last_row(data: bytes) -> list[tuple[int, bytes]]:
    start = data.rindex(b"\n") + 1
    # Cut after each byte of the last row, short of its last field (whose loss no reader can
    # see in a file that, like this one, may end without a newline).
    last_field = data.rindex(b",") + 1
    return [(cut, data[:cut]) for cut in range(start + 1, last_field)]


def test_corpus_cut_anywhere_in_its_last_row_is_flagged(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv").read_bytes()
    whole = load([str(corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv")])
    assert whole.inputs[0].integrity == ()
    line = data.count(b"\n") + 1
    seen: set[str] = set()
    for cut, body in _cuts_of_last_row(data):
        path = tmp_path / f"cut{cut}.jtl"
        path.write_bytes(body)
        run = load([str(path)])
        (flag,) = run.inputs[0].integrity
        assert flag.kind is IntegrityKind.ABORTED and flag.line == line, cut
        assert "cut short" in flag.message and flag.message in {w.message for w in run.warnings}
        seen.add(flag.message.split(":")[0].split(" columns")[0])
    # Every way a cut shows: too few columns to read, in the quoted transaction message, in
    # the success field, and past the fields read but short of the header.
    assert {
        "last row has 1",
        "last row ends inside a quoted field",
        "last row ends in success 'tr', expected true or false",
        "last row has 16",
    } <= seen


def test_cut_success_field_elsewhere_is_still_invalid(tmp_path: Path) -> None:
    path = tmp_path / "r.jtl"
    path.write_text(
        HEADER + "1700000000000,100,GET /a,200,OK,t1,text,tr\n"
        "1700000000001,100,GET /a,200,OK,t1,text,true\n"
    )
    with pytest.raises(InputError, match=":2: success is 'tr'"):
        load([str(path)])
    path.write_text(HEADER + '1700000000000,100,"GET /a" x,200,OK,t1,text,true\n')
    with pytest.raises(InputError, match="malformed CSV"):
        load([str(path)])


def test_truncated_corpus_jtl_is_not_ready(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv").read_bytes()
    (tmp_path / "trunc.jtl").write_bytes(data[:-150])
    (tmp_path / "crit.yaml").write_text(
        "version: 1\ncriteria:\n"
        "  - {id: hp-p50, metric: HP, stat: median, max: 5s}\n"
        '  - {id: sr, metric: "Scenario [success]", stat: success_rate, min: 50%}\n'
    )
    done = run_cli("verdict", "-c", "crit.yaml", "trunc.jtl", cwd=tmp_path, env=_HERE)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "INSUFFICIENT EVIDENCE (2 insufficient)" in done.stdout
    assert "trunc.jtl:314: last row has 1 columns" in done.stdout


def test_truncated_xml_jtl_is_invalid_input(corpus: Path, tmp_path: Path) -> None:
    # JMeter's XML JTL is not a format reportgen reads: whole or cut short, it is refused.
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<testResults version="1.2">\n'
        '<httpSample t="120" lt="100" ts="1700000000000" s="true" lb="GET /a" rc="200"/>\n'
        '<httpSample t="130" lt="100" ts="1700000000001" s="false" lb="GET /a" rc="500"/>\n'
        "</testResults>\n"
    )
    (tmp_path / "crit.yaml").write_text(
        "version: 1\ncriteria:\n  - {id: a, metric: GET /a, stat: median, max: 5s}\n"
    )
    for name, body in (("whole.jtl", xml), ("cut.jtl", xml[: xml.index('s="false"')])):
        (tmp_path / name).write_text(body)
        done = run_cli("verdict", "-c", "crit.yaml", name, cwd=tmp_path, env=_HERE)
        assert done.returncode == 4, done.stdout + done.stderr
        assert f"{name}: not a results file" in done.stderr
        done = run_cli(
            "verdict", "-c", "crit.yaml", "--format", "jmeter", name, cwd=tmp_path, env=_HERE
        )
        assert done.returncode == 4 and f"{name}:1: row has 1 columns" in done.stderr


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
        ('1700000000000,100,"GET /a" x,200,OK,t1,text,true\n', ":2: malformed CSV"),
    ],
)
def test_broken_files(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "r.jtl"
    path.write_text(HEADER + body)
    with pytest.raises(InputError) as info:
        load([str(path)])
    assert str(path) in str(info.value) and expected in str(info.value)


def test_header_only_jtl_holds_nothing(corpus: Path, tmp_path: Path) -> None:
    # What JMeter 5 writes when the plan runs no sampler, or is killed before its first sample
    # is flushed: the header it writes as the test starts (the corpus file's own), and nothing.
    header = (corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv").read_bytes()
    header = header[: header.index(b"\n") + 1]
    (tmp_path / "results.jtl").write_bytes(header)
    run = load([str(tmp_path / "results.jtl")])
    assert run.metrics == () and run.inputs[0].records == 0
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.NO_RESULTS and flag.line == 1
    assert "only a header, no samples" in flag.message
    (tmp_path / "crit.yaml").write_text(
        'version: 1\ncriteria:\n  - {id: hp, metric: "HP*", stat: median, max: 5s}\n'
    )
    # Named, found in a folder or read with --format, it is evidence that holds nothing
    # (INSUFFICIENT, naming it), not invalid input (it was exit 4).
    for args in (["results.jtl"], ["."], ["--format", "jmeter", "results.jtl"]):
        done = run_cli("verdict", "-c", "crit.yaml", *args, cwd=tmp_path, env=_HERE)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "results.jtl:1: only a header, no samples" in done.stdout, args


def test_only_row_cut_short_is_aborted(tmp_path: Path) -> None:
    # Killed as it wrote its first sample: under the header, a JTL that holds nothing and says
    # its run did not finish. Without a header nothing says it is a JTL: still invalid.
    path = tmp_path / "r.jtl"
    for body in ('1700000000000,100,"GET /a,200,OK,t1,text,true\n', "1700000000000,100,GET /a,2"):
        path.write_text(HEADER + body)
        run = load([str(path)])
        assert run.metrics == ()
        (flag,) = run.inputs[0].integrity
        assert flag.kind is IntegrityKind.ABORTED and flag.line == 2
        assert flag.message.startswith("no samples: the only row is cut short (last row")
    path.write_text("1700000000000,100,GET /a,2")
    with pytest.raises(InputError, match=":1: no samples: the only row is cut short"):
        load([str(path)], format="jmeter")


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


def test_latency_of_a_label_with_failed_samples_is_no_evidence(
    corpus: Path, tmp_path: Path
) -> None:
    # The corpus run with its ten slowest HP-0 samples turned into failures (as timeouts are):
    # the times left look fast, but they are only those of the samples that succeeded.
    rows = list(csv.reader((corpus / "jmeter" / "jenkins-perf-jtl-transactions.csv").open()))
    hp0 = sorted((r for r in rows[1:] if r[2] == "HP-0"), key=lambda r: -int(r[1]))
    for row in hp0[:10]:
        row[3:5], row[7] = ["500", "Internal Server Error"], "false"
    with (tmp_path / "failed.jtl").open("w", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    slowest_ok = int(hp0[10][1])
    (tmp_path / "crit.yaml").write_text(
        "version: 1\ncriteria:\n"
        f"  - {{id: p50, metric: HP-0, stat: median, max: {slowest_ok + 1}ms}}\n"
        '  - {id: ok, metric: "HP-0 [success]", stat: success_rate, min: 40%}\n'
        "  - {id: other, metric: HP-1, stat: max, max: 60s}\n"
    )
    done = run_cli("verdict", "-c", "crit.yaml", "--json", "-", "failed.jtl", cwd=tmp_path)
    status = {c["id"]: c["status"] for c in json.loads(done.stdout)["criteria"]}
    # The failures themselves are judged by HP-0 [success]; HP-1 had none.
    assert status == {"p50": "insufficient", "ok": "pass", "other": "pass"}, done.stdout
    assert done.returncode == 3
