"""Criteria files: the models, units, and `file:line: what is wrong` for every invalid file."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reportgen import criteria
from reportgen.criteria import CriteriaFile
from reportgen.errors import CriteriaError, ExitCode
from reportgen.evaluation import Severity
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "verdict"


def write(tmp_path: Path, text: str, name: str = "criteria.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_the_product_example_loads() -> None:
    cf = criteria.load(FIXTURES / "product-example.yaml")
    kinds = {c.id: c.kind for _, c in cf.all_criteria()}
    assert kinds == {
        "connect-p95": "threshold",
        "connect-no-regression": "baseline",
        "connect-stable": "variance",
        "critical-imports": "tests",
        "no-new-failures": "tests",
        "reliability": "tests",
        "suite-size": "tests",
    }
    assert cf.report.title == "Phase 4: Performance & Regression"
    first = cf.criteria[0]
    assert first.max is not None and first.max.value == pytest.approx(1.2)
    assert first.severity is Severity.BLOCKER
    eff = cf.effective(first)
    assert (eff.confidence, eff.min_samples, eff.timer_resolution) == (0.95, 10, 1e-6)
    assert eff.max_age == 14 * 86400
    assert cf.waivers[0].expires is not None and cf.waivers[0].expires.isoformat() == "2026-12-31"


def test_json_and_yaml_give_the_same_model() -> None:
    from_yaml = criteria.load(FIXTURES / "product-example.yaml")
    from_json = criteria.load(FIXTURES / "product-example.json")
    assert from_yaml == from_json


def test_the_example_validates_against_the_committed_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "schemas" / "criteria.schema.json").read_text(encoding="utf-8"))
    document = json.loads((FIXTURES / "product-example.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    document["criteria"][0]["maxx"] = "1s"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("max", "1.2s", 1.2),
        ("max", "250ms", 0.25),
        ("max", "250 ms", 0.25),
        ("max", "5us", 5e-6),
        ("max", "800ns", 8e-7),
        ("max", "2min", 120.0),
        ("max", 42, 42.0),
        ("max", "3", 3.0),
    ],
)
def test_threshold_quantities(field: str, text: Any, value: float) -> None:
    cf = CriteriaFile.model_validate(
        {"version": 1, "criteria": [{"id": "a", "metric": "m", "stat": "mean", field: text}]}
    )
    assert getattr(cf.criteria[0], field).value == pytest.approx(value)


@pytest.mark.parametrize(("text", "value"), [("99%", 0.99), (0.99, 0.99), ("99.9 %", 0.999)])
def test_rates_take_percentages_or_fractions(text: Any, value: float) -> None:
    cf = CriteriaFile.model_validate(
        {"version": 1, "criteria": [{"id": "a", "tests": {"min_pass_rate": text}}]}
    )
    spec = cf.criteria[0].tests
    assert spec is not None and spec.min_pass_rate is not None
    assert spec.min_pass_rate.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("14d", 14 * 86400), ("2w", 14 * 86400), ("36h", 36 * 3600), ("90min", 5400)],
)
def test_ages(text: str, seconds: float) -> None:
    cf = CriteriaFile.model_validate({"version": 1, "defaults": {"max_age": text}})
    assert cf.defaults.max_age is not None and cf.defaults.max_age.value == seconds


def test_per_criterion_settings_override_defaults() -> None:
    cf = CriteriaFile.model_validate(
        {
            "version": 1,
            "defaults": {"confidence": "90%", "min_samples": 20},
            "criteria": [
                {"id": "a", "metric": "m", "stat": "mean", "max": 1, "confidence": 0.99},
                {"id": "b", "metric": "m", "stat": "mean", "max": 1, "timer_resolution": "1ms"},
            ],
        }
    )
    a, b = (cf.effective(c) for c in cf.criteria)
    assert (a.confidence, a.min_samples) == (0.99, 20)
    assert (b.confidence, b.timer_resolution) == (0.90, 1e-3)


def test_phases_group_criteria() -> None:
    cf = CriteriaFile.model_validate(
        {
            "version": 1,
            "criteria": [{"id": "loose", "tests": {"max_failed": 0}}],
            "phases": [{"name": "P", "criteria": [{"id": "x", "tests": {"max_failed": 0}}]}],
        }
    )
    assert [(p, c.id) for p, c in cf.all_criteria()] == [(None, "loose"), ("P", "x")]


BASE = """
version: 1
criteria:
  - id: ok
    metric: lat
    stat: p95
    max: 1s
"""


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        # unknown keys, at every level, with the key named
        (BASE + "    maxx: 2s\n", 7, "unknown key 'maxx'; did you mean 'max'?"),
        (BASE + "extra: 1\n", 7, "unknown key 'extra'"),
        ("version: 1\ndefaults: {confidance: 0.9}\n", 2, "unknown key 'confidance'"),
        (
            "version: 1\ncriteria:\n  - id: t\n    tests: {selec: x, max_failed: 0}\n",
            4,
            "criteria[0] (t).tests: unknown key 'selec'",
        ),
        ("version: 1\nreport: {titel: x}\n", 2, "unknown key 'titel'"),
        # values
        (BASE.replace("p95", "p96x"), 5, "stat: unknown statistic 'p96x'"),
        (BASE.replace("1s", "1parsec"), 6, "max: unknown unit 'parsec'"),
        (BASE.replace("1s", "[1]"), 6, "max: expected a number"),
        ("version: 2\n", 1, "unsupported version 2"),
        ("criteria: []\n", 1, "missing required key 'version'"),
        ("version: 1\ndefaults: {confidence: 1.5}\n", 2, "confidence: 1.5 is not a fraction"),
        ("version: 1\ndefaults: {confidence: 30%}\n", 2, "confidence must be at least 50%"),
        ("version: 1\ndefaults: {min_samples: 0}\n", 2, "min_samples"),
        ("version: 1\ndefaults: {timer_resolution: 5%}\n", 2, "expected a duration"),
        ("version: 1\ndefaults: {max_age: 14}\n", 2, "expected an age"),
        (
            "version: 1\ncriteria:\n  - id: r\n    tests: {min_pass_rate: 99}\n",
            4,
            "min_pass_rate: 99 is not a fraction between 0 and 1",
        ),
        (
            "version: 1\ncriteria:\n  - id: r\n    severity: critical\n"
            "    tests: {max_failed: 0}\n",
            4,
            "severity",
        ),
        ("version: 1\ncriteria:\n  - id: 'bad id'\n    tests: {max_failed: 0}\n", 3, "id"),
        # shapes of a criterion
        ("version: 1\ncriteria:\n  - id: a\n    metric: m\n", 3, "checks nothing"),
        ("version: 1\ncriteria:\n  - id: a\n    stat: mean\n    max: 1\n", 3, "needs `metric`"),
        (BASE.replace("    max: 1s\n", ""), 5, "needs `min` and/or `max`"),
        (BASE + "    max_regression: 5%\n", 7, "`max_regression` needs `compare: baseline`"),
        (BASE + "    max_cv: 5%\n", 5, "mixes max_cv and stat"),
        (
            "version: 1\ncriteria:\n  - id: a\n    metric: m\n    compare: baseline\n",
            5,
            "needs max_regression",
        ),
        (
            "version: 1\ncriteria:\n  - id: a\n    metric: m\n    compare: latest\n"
            "    max_regression: 5%\n",
            5,
            "compare: Input should be 'baseline'",
        ),
        ("version: 1\ncriteria:\n  - id: a\n    tests: {select: x}\n", 4, "nothing to check"),
        (
            "version: 1\ncriteria:\n  - id: a\n    metric: m\n    tests: {max_failed: 0}\n",
            4,
            "`metric` does not apply",
        ),
        (
            "version: 1\ncriteria:\n  - id: a\n    tests: {new_failures: -1}\n",
            4,
            "new_failures: Input should be greater than or equal to 0",
        ),
        # cross references
        (BASE + "  - id: ok\n    tests: {max_failed: 0}\n", 7, "duplicate criterion id 'ok'"),
        (
            BASE + "waivers:\n  - {criterion: okk, reason: x}\n",
            8,
            "waiver names unknown criterion 'okk'; did you mean 'ok'?",
        ),
        (BASE + "waivers:\n  - {criterion: ok}\n", 8, "missing required key 'reason'"),
        (
            BASE + "waivers:\n  - {criterion: ok, reason: x, expires: someday}\n",
            8,
            "expires",
        ),
        (
            "version: 1\nphases:\n  - name: A\n    criteria: [{id: a, tests: {max_failed: 0}}]\n"
            "  - name: A\n    criteria: [{id: b, tests: {max_failed: 0}}]\n",
            5,
            "phase name 'A' repeats",
        ),
        (
            "version: 1\nphases:\n  - name: A\n  - name: B\n    criteria: []\n",
            3,
            "phases[0]: missing required key 'criteria'",
        ),
        (
            "version: 1\nphases:\n  - name: B\n    criteria: []\n",
            4,
            "phases[0].criteria: a phase needs at least one criterion",
        ),
        (
            BASE + "phases:\n  - name: P\n    criteria: [ok]\n",
            9,
            "a phase holds its criteria written out in full, not their ids: move the criterion "
            "'ok'",
        ),
        # syntax
        ("version: 1\ncriteria: [\n", 3, "invalid YAML"),
        (BASE + "    max: 2s\n", 7, "duplicate key 'max'"),
        ("", 1, "criteria file is empty"),
        ("- 1\n- 2\n", 1, "expected a mapping at the top"),
    ],
)
def test_invalid_files_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, needle: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CriteriaError) as info:
        criteria.load(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert needle in message, message
    assert "\n" not in message
    assert info.value.exit_code is ExitCode.INVALID_INPUT


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, '{"version": 1,\n "criteria": [\n  {"id": "a", "maxx": 1}\n]}\n', "c.json"
    )
    with pytest.raises(CriteriaError) as info:
        criteria.load(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert "unknown key 'maxx'" in str(info.value)


def test_a_missing_file_is_a_criteria_error(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match="not found"):
        criteria.load(tmp_path / "nope.yaml")


def test_the_criteria_round_trip_through_json() -> None:
    cf = criteria.load(FIXTURES / "product-example.yaml")
    again = CriteriaFile.model_validate(cf.model_dump(mode="json", exclude_none=True))
    assert again == cf


def test_an_escape_character_in_a_criteria_file_is_one_line_exit_4(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    path = tmp_path / "c.yaml"
    text = "version: 1\ncriteria:\n  - id: x\n    bogus_\x1b]0;t\x07: 1\n"
    path.write_text(text, encoding="utf-8")
    done = run_cli("verdict", "-c", str(path))
    assert done.returncode == 4
    assert done.stderr == f"reportgen: {path}:4: invalid YAML: character U+001B is not allowed\n"


def test_metrics_map_patterns_read_brackets_as_written() -> None:
    # go bench names a custom metric `BenchmarkCache [hit-pct]`; `[` and `]` are literal in
    # every pattern of the criteria file, so this entry names it (a shell glob would read
    # `[hit-pct]` as one character and let the `*` entry's direction apply instead).
    cf = CriteriaFile.model_validate(
        {
            "version": 1,
            "metrics": {
                "* [hit-pct]": {"direction": "higher_is_better"},
                "*": {"direction": "lower_is_better"},
            },
            "criteria": [
                {"id": "c", "metric": "**", "compare": "baseline", "max_regression": "5%"}
            ],
        }
    )
    (crit,) = cf.criteria
    assert cf.direction_for(crit, "BenchmarkCache [hit-pct]") == "higher_is_better"
    assert cf.direction_for(crit, "BenchmarkCache h") == "lower_is_better"
    assert cf.direction_for(crit, "BenchmarkCache") == "lower_is_better"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xff\xfe" + text.encode("utf-16-le"),  # PowerShell 5 `>` / Out-File
        lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),  # PowerShell 5 -Encoding utf8
    ],
    ids=["utf-16le-bom", "utf-16be-bom", "utf-8-bom"],
)
def test_a_criteria_file_written_by_powershell_is_read(tmp_path: Path, encode: Any) -> None:
    # Before: the UTF-16 ones were "criteria file is not UTF-8 text" (exit 4).
    source = REPO / "samples" / "phase4-websocket" / "criteria.yaml"
    text = source.read_text(encoding="utf-8").replace("\n", "\r\n")
    windows = tmp_path / "criteria.yaml"
    windows.write_bytes(encode(text))
    assert criteria.load(windows) == criteria.load(source)


def test_a_criteria_file_in_neither_encoding_names_both(tmp_path: Path) -> None:
    path = tmp_path / "criteria.yaml"
    path.write_bytes("version: 1\n# caf\u00e9\n".encode("latin-1"))
    with pytest.raises(CriteriaError, match="not UTF-8 or UTF-16 text"):
        criteria.load(path)
