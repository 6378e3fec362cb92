"""Plain metrics CSV: rows become samples, units normalise, broken rows name their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.model import Direction, IntegrityKind
from tests.conftest import REPO, run_cli


def write(tmp_path: Path, text: str, name: str = "metrics.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_units_and_grouping(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name,value,unit\nlatency,12,ms\nrps,100,req/s\nlatency,1.5,s\n"
        '"login, slow",3,ms\nerror_rate,0.5,%\nlatency,900,us\n',
    )
    run = load([str(path)])
    assert run.inputs[0].format == "metrics-csv"
    by_name = {m.name: m for m in run.metrics}
    assert [m.name for m in run.metrics] == ["latency", "rps", "login, slow", "error_rate"]
    latency = by_name["latency"]
    assert latency.unit == "s" and latency.samples == pytest.approx((0.012, 1.5, 0.0009))
    assert latency.n == 3 and latency.direction is Direction.LOWER_IS_BETTER
    assert by_name["rps"].direction is Direction.HIGHER_IS_BETTER
    assert by_name["error_rate"].unit == "ratio"
    assert by_name["error_rate"].samples == pytest.approx((0.005,))
    # A ratio has no direction of its own, and the name is never read.
    assert by_name["error_rate"].direction is None


def test_headerless_two_columns(tmp_path: Path) -> None:
    rows = "".join(f"build_time,{10 + i}\n" for i in range(30))
    path = write(tmp_path, "# measured on ci\n" + rows)
    ingester = detect(path.read_bytes(), str(path))
    assert ingester is not None and ingester.name == "metrics-csv"
    (metric,) = load([str(path)]).metrics
    assert metric.unit == "" and metric.samples == tuple(float(10 + i) for i in range(30))


def test_does_not_claim_jtl(corpus: Path) -> None:
    from reportgen.ingest.metrics_csv import MetricsCsvIngester

    for path in sorted((corpus / "jmeter").iterdir()):
        assert MetricsCsvIngester().sniff(path.read_bytes()[:8192], str(path)) == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name,value\nlat,12\nlat,abc\n", ":3: value 'abc' of 'lat' is not a number"),
        ("name,value\nlat,12\nlat,-4\n", ":3: negative value -4 of 'lat'"),
        ("name,value\nlat,nan\n", ":2: value 'nan' of 'lat' is not finite"),
        ("name,value\nlat,12,ms,extra\n", ":2: expected name,value[,unit]: found 4 columns"),
        ("name,value,unit\nlat,12,ms\nlat,1,MB\n", ":3: 'lat' is in 'B' here but in 's' on line 2"),
        ("name,value\n,12\n", ":2: empty metric name"),
        ("# measured on ci\n\n", "no metric rows"),
        ('name,value\n"lat,12\n', "malformed CSV"),
        ("", "file is empty"),
    ],
)
def test_broken_files(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load([str(path)], format="metrics-csv")
    assert str(path) in str(info.value) and expected in str(info.value)


@pytest.mark.parametrize("header", ["name,value\n", "# measured on ci\nname,value,unit\n\n"])
def test_header_only_holds_nothing(tmp_path: Path, header: str) -> None:
    # The header a script writes before its first measurement, and nothing: evidence that
    # holds nothing (INSUFFICIENT, naming the file), not invalid input (it was exit 4).
    path = write(tmp_path, header)
    run = load([str(path)])
    assert run.metrics == () and run.inputs[0].format == "metrics-csv"
    (flag,) = run.inputs[0].integrity
    assert flag.kind is IntegrityKind.NO_RESULTS and "only a header, no metric rows" in flag.message
    (tmp_path / "crit.yaml").write_text(
        "version: 1\ncriteria:\n  - {id: lat, metric: latency, stat: max, max: 1s}\n"
    )
    for args in (["metrics.csv"], ["."], ["--format", "metrics-csv", "metrics.csv"]):
        done = run_cli(
            "verdict", "-c", "crit.yaml", *args, cwd=tmp_path, env={"PYTHONPATH": str(REPO)}
        )
        assert done.returncode == 3, done.stdout + done.stderr
        assert "metrics.csv:" in done.stdout and "only a header, no metric rows" in done.stdout


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"name,value\nlat\xff,1\n")
    with pytest.raises(InputError, match=r"m\.csv:2: not valid UTF-8"):
        load([str(path)], format="metrics-csv")


def test_cli(tmp_path: Path) -> None:
    path = write(tmp_path, "name,value,unit\nlat,1,ms\nlat,2,ms\n")
    result = run_cli("summary", str(path))
    assert result.returncode == 0, result.stderr
    assert "metrics-csv" in result.stdout and "lat" in result.stdout
