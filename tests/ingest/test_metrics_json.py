"""reportgen metrics JSON: samples, statistics, units, directions, schema and broken files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import InputError
from reportgen.ingest import detect, load
from reportgen.ingest.base import HEAD_BYTES
from reportgen.model import Direction
from reportgen.schemagen import SCHEMA_DIR
from tests.conftest import run_cli


def write(tmp_path: Path, doc: Any, name: str = "metrics.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_samples_and_stats_are_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "version": 1,
            "timestamp": "2026-11-20T10:00:00+00:00",
            "metrics": [
                {"name": "ws_connect_time", "unit": "ms", "samples": [812, 790, 1204]},
                {
                    "name": "login",
                    "unit": "ms",
                    "stats": {"p95": 1100, "mean": 700, "cv": 0.2},
                    "n": 500,
                },
                {"name": "throughput", "unit": "req/s", "samples": [100, 120]},
                {
                    "name": "success",
                    "unit": "%",
                    "direction": "higher_is_better",
                    "stats": {"rate": 99.5},
                    "n": 1000,
                    "hits": 995,
                },
                {"name": "op", "unit": "ns", "samples": [40, 41], "iterations": 1000},
                {"name": "tick", "unit": "ms", "samples": [3, 4], "resolution": 1},
                {"name": "rss", "unit": "MiB", "samples": [2]},
                {
                    "name": "score",
                    "direction": "higher_is_better",
                    "samples": [3, 4],
                    "source": "bench.py::score",
                    "properties": {"host": "ci"},
                },
            ],
        },
    )
    run = load([str(path)])
    assert run.inputs[0].format == "metrics-json"
    assert run.inputs[0].records == 8
    assert run.inputs[0].timestamp == "2026-11-20T10:00:00Z"  # normalised to UTC
    by_name = {m.name: m for m in run.metrics}
    ws = by_name["ws_connect_time"]
    assert ws.unit == "s" and ws.samples == pytest.approx((0.812, 0.79, 1.204))
    assert ws.direction is Direction.LOWER_IS_BETTER and ws.sample_count == 3
    login = by_name["login"]
    assert login.samples is None and login.n == 500
    # Durations scale, the dimensionless CV does not.
    assert login.stats == pytest.approx({"p95": 1.1, "mean": 0.7, "cv": 0.2})
    assert by_name["throughput"].direction is Direction.HIGHER_IS_BETTER
    assert by_name["success"].unit == "ratio"
    assert by_name["success"].stats["rate"] == pytest.approx(0.995)
    assert by_name["success"].direction is Direction.HIGHER_IS_BETTER
    assert (by_name["success"].hits, by_name["success"].n) == (995, 1000)
    assert by_name["op"].iterations == 1000 and by_name["op"].input_unit == "ns"
    # The resolution is given in the metric's unit and normalised with it.
    assert by_name["tick"].resolution == pytest.approx(0.001)
    assert by_name["rss"].unit == "B" and by_name["rss"].samples == (2 * 1024.0**2,)
    score = by_name["score"]
    assert score.direction is Direction.HIGHER_IS_BETTER
    assert score.source == "bench.py::score" and score.properties == {"host": "ci"}


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        # Names that the old substring rules misread: never read at all now.
        ("http_error_rate", "%", None),
        ("https_latency", "", None),
        ("password_reset_success", "", None),
        ("accuracy", "", None),
        # The unit's dimension decides when there is one.
        ("https_latency", "ms", Direction.LOWER_IS_BETTER),
        ("image", "MiB", Direction.LOWER_IS_BETTER),
        ("requests", "req/s", Direction.HIGHER_IS_BETTER),
    ],
)
def test_direction_from_the_unit_never_the_name(
    tmp_path: Path, name: str, unit: str, expected: Direction | None
) -> None:
    path = write(
        tmp_path, {"version": 1, "metrics": [{"name": name, "unit": unit, "samples": [1]}]}
    )
    assert load([str(path)]).metrics[0].direction is expected


def test_sniffs_a_head_cut_mid_document(tmp_path: Path) -> None:
    doc = {
        "version": 1,
        "metrics": [{"name": f"m{i}", "samples": list(range(50))} for i in range(100)],
    }
    text = json.dumps(doc)
    assert len(text) > HEAD_BYTES
    ingester = detect(text.encode()[:HEAD_BYTES], "x.json")
    assert ingester is not None and ingester.name == "metrics-json"
    # Key order does not matter either.
    reordered = '{"metrics": [{"samples": [1], "name": "a"}], "version": 1}'
    ingester = detect(reordered.encode(), "x.json")
    assert ingester is not None and ingester.name == "metrics-json"


@pytest.mark.parametrize(
    "doc",
    [
        '{"version": 1, "metrics": {"a": 1}}',
        '{"results": [{"command": "sleep 1", "times": [1]}]}',
        '{"metrics": {"http_reqs": {"type": "counter", "values": {"count": 1}}}}',
        '{"results": {"tool": {"name": "jest"}, "summary": {}, "tests": []}}',
        "[1, 2, 3]",
        "name,value\nx,1\n",
    ],
)
def test_does_not_claim_other_formats(doc: str) -> None:
    from reportgen.ingest.metrics_json import MetricsJsonIngester

    assert MetricsJsonIngester().sniff(doc.encode(), "x.json") == 0.0


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            '{"version": 1, "metrics": [{"name": "x", "samples": [1, -2]}]}',
            "metrics[0].samples[1] (x): negative value -2",
        ),
        (
            '{"version": 1, "metrics": [{"name": "x", "samples": [1, "2"]}]}',
            "metrics[0].samples[1] (x): Input should be a valid number",
        ),
        (
            '{"version": 1, "metrics": [{"name": "x", "samples": [true]}]}',
            "metrics[0].samples[0] (x)",
        ),
        (
            '{"version": 1, "metrics": [{"name": "x", "samples": [NaN]}]}',
            "metrics[0].samples[0] (x)",
        ),
        ('{"version": 1, "metrics": [{"name": "x", "samples": []}]}', "`samples` is empty"),
        ('{"version": 1, "metrics": [{"name": "x"}]}', "needs `samples` or `stats`"),
        (
            '{"version": 1, "metrics": [{"name": "x", "samples": [1, 2], "n": 3}]}',
            "`n` is 3 but there are 2 samples",
        ),
        (
            '{"version": 1, "metrics": [{"name": "x", "stats": {"p95x": 1}}]}',
            "metrics[0].stats.p95x (x): unknown statistic",
        ),
        (
            '{"version": 1, "metrics": [{"name": "x", "samples": [1], "colour": "red"}]}',
            "metrics[0].colour (x): unknown key",
        ),
        (
            '{"version": 1, "metrics": [{"name": "x", "direction": "up", "samples": [1]}]}',
            "metrics[0].direction (x)",
        ),
        (
            '{"version": 2, "metrics": [{"name": "x", "samples": [1]}]}',
            "version: unsupported version 2",
        ),
        ('{"metrics": [{"name": "x", "samples": [1]}]}', "version: required key missing"),
        (
            '{"version": 1, "timestamp": "yesterday", "metrics": [{"name": "x", "samples": [1]}]}',
            "not an ISO 8601 time",
        ),
    ],
)
def test_invalid_documents_are_input_errors(tmp_path: Path, doc: str, expected: str) -> None:
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as info:
        load([str(path)], format="metrics-json")
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_truncated_file_names_the_line(tmp_path: Path) -> None:
    text = '{"version": 1,\n "metrics": [\n  {"name": "x", "samples": [1, 2,'
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=r"metrics\.json:3: truncated JSON"):
        load([str(path)])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "file is empty"),
        (b"  \n", "file is empty"),
        (b'{"version": 1, "metrics": [{"name": "\xff", "samples": [1]}]}', "not valid UTF-8"),
    ],
)
def test_empty_and_undecodable_files(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "metrics.json"
    path.write_bytes(data)
    with pytest.raises(InputError, match=expected):
        load([str(path)], format="metrics-json")


def test_schema_accepts_the_format_and_rejects_mistakes() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMA_DIR / "metrics.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    good = {
        "version": 1,
        "metrics": [
            {"name": "a", "unit": "ms", "samples": [1, 2]},
            {"name": "b", "stats": {"p99.9": 3}, "n": 10},
        ],
    }
    assert not list(validator.iter_errors(good))
    for bad in (
        {"version": 1, "metrics": [{"name": "a", "samples": [-1]}]},
        {"version": 1, "metrics": [{"name": "a", "stats": {"p95x": 1}}]},
        {"version": 1, "metrics": [{"name": "a", "samples": [1], "extra": 1}]},
        {"version": 3, "metrics": []},
    ):
        assert list(validator.iter_errors(bad)), bad


def test_cli_summary_and_broken_file(tmp_path: Path) -> None:
    good = write(
        tmp_path,
        {"version": 1, "metrics": [{"name": "lat", "unit": "ms", "samples": [1, 2, 3]}]},
        "good.json",
    )
    result = run_cli("summary", "--json", str(good))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["metrics"] == [{"name": "lat", "unit": "s", "n": 3}]
    bad = write(
        tmp_path, '{"version": 1, "metrics": [{"name": "lat", "samples": [1, -1]}]}', "bad.json"
    )
    result = run_cli("summary", str(bad))
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    assert "bad.json" in result.stderr and "negative" in result.stderr
