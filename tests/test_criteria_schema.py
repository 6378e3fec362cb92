"""The criteria JSON Schema accepts exactly what the loader accepts.

Thousands of criteria documents, built from the loader's own vocabulary (units, statistics,
enums, keys) and from hostile values, go both to `criteria.loads` (as YAML and as JSON text)
and to a JSON Schema validator; every document must get the same answer from both. The few
checks a JSON Schema cannot state are listed in `LOADER_ONLY` and pinned below.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from typing import Any

import pytest
import yaml

from reportgen import criteria, statistic, units
from reportgen.errors import CriteriaError
from reportgen.schemagen import SCHEMA_DIR
from tests.conftest import REPO, run_cli

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = json.loads((SCHEMA_DIR / "criteria.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# --- the vocabulary -----------------------------------------------------------------------

NUMBER_TEXTS = [
    "0", "1", "2", "0.5", ".5", "5.", "00.25", "+2", "-1", "-0", "-0.0", "1e3", "1E-3", "2.5e+1",
    "50", "49.9", "99", "99.999", "100", "150", "0.9999", "1.0", "01", "1" + "0" * 40,
    "0." + "0" * 70 + "1", "1" * 64, "1" * 65, "١", "0x10", "1_000", "inf", "nan", "", ".", "1.2.3",
]  # fmt: skip
UNITS = [
    *units.DURATION_UNITS, "m", *units.SIZE_UNITS, "%", "", "d", "w", "mins", "hr", "kb", "Ki",
    "%%", "s/op", "B/s", "ms2", "S", "MS",
]  # fmt: skip
SPACES = ["", " ", "\t", "\n", "\u00a0", "  "]
PLAIN = [0, 1, 2, 0.5, 0.99, 0.05, -1, -0.0, 1.0, 99, 100, 1e300, 1e-320, True, False, None]
HOSTILE = [[], {}, [1], "", " ", "\x00", "\u202e", {"a": 1}, float("inf"), -float("inf")]
STATS = [
    *statistic.NAMES, "p0", "p00", "p0.0", "p50", "p95", "p99.9", "p99.99", "p100", "p9", "p05",
    "p999", "p.5", "p95.", "P95", "p95 ", " p95", "p95\n", "rate", "std", "p-1", "p١", "p٩٥",
    "percentile", "", 95, None, "median ",
]  # fmt: skip
DATES = [
    "2026-12-31", "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2026-02-30",
    "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-1", "2026-12-31T00:00:00",
    "2026-12-31 00:00:00", "2026-12-31 ", "2026-12-31\n", "20261231", 20261231, 0, None,
    "tomorrow", "０２６-12-31", "0000-01-01", "9999-12-31",
]  # fmt: skip
INTS = [0, 1, 2, 3, 10, -1, 1.0, 2.0, 1.5, "5", "1e1", True, False, None, 10**20, 2**63, 1e20]
PATTERNS = ["a", "tests/**", "", " ", ["a", "b"], [], [""], [1], None, {"a": 1}, 1, ["a", None]]
IDS = ["a", "A-1", "x.y:z/w_v", "-a", "a b", "a\n", "é", "", 1, None, "a" * 300, "0"]
TEXTS = ["x", "", "2026-01-01", "yes", "1:30", 1, None, True, ["x"], "#88 fixed"]
BOOLS = [True, False, "yes", "true", 1, 0, None, "false", "on"]
#: Fractions and percentages at the edges of confidence (50% to 100%) and of "below 1",
#: including more digits than a float holds.
EDGES = [
    "0.5", ".5", "0.50", "+0.5", "-0.5", "50%", "50.%", "95 %", "1%", "0%", "100%", "0", "-0%",
    "0.4999999999999999999999", "0.99999999999999999999", "49.99999999999999999%",
    "99.99999999999999999999%", "0." + "9" * 30, "0." + "9" * 31, "1" * 30 + "%", "1" * 31 + "%",
    0.5, 0.49999999999999994, 0.9999999999999999, 1.0, 1, 0, -0.0,
]  # fmt: skip


def enum_values(*good: str) -> list[Any]:
    return [*good, *(g.upper() for g in good), "", "other", 1, None, True, f" {good[0]}"]


def quantities(rng: random.Random, count: int) -> list[Any]:
    """Quantity texts: every unit with a few numbers, then random number, space, unit mixes."""
    out: list[Any] = [f"{n}{u}" for n in ("1", "0.5", "0", "-1", "50") for u in UNITS]
    for _ in range(count):
        out.append(
            rng.choice(SPACES)
            + rng.choice(NUMBER_TEXTS)
            + rng.choice(SPACES)
            + rng.choice(UNITS)
            + rng.choice(SPACES[:3])
        )
    return [*out, *PLAIN, *HOSTILE]


KINDS: dict[str, dict[str, Any]] = {
    "threshold": {"id": "t", "metric": "m", "stat": "p95", "max": "1s"},
    "baseline": {"id": "b", "metric": "m", "compare": "baseline", "max_regression": "5%"},
    "variance": {"id": "v", "metric": "m", "max_cv": "5%"},
    "tests": {"id": "x", "tests": {"max_failed": 0}},
}


def document(criterion: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": 1, "criteria": [criterion or KINDS["threshold"]]}
    doc.update(top)
    return doc


def field_pools(rng: random.Random) -> dict[str, list[Any]]:
    qty = quantities(rng, 150)
    return {
        "confidence": [*EDGES, *qty],
        "min_samples": INTS,
        "timer_resolution": qty,
        "max_age": qty,
        "repeats": enum_values("each", "last_attempt"),
        "id": IDS,
        "title": TEXTS,
        "severity": enum_values("blocker", "advisory"),
        "impact": TEXTS,
        "metric": TEXTS,
        "stat": STATS,
        "direction": enum_values("lower_is_better", "higher_is_better"),
        "min": qty,
        "max": qty,
        "compare": enum_values("baseline"),
        "max_regression": [*EDGES, *qty],
        "max_regression_abs": qty,
        "allow_point_estimates": BOOLS,
        "max_cv": qty,
        "cv_method": enum_values("robust", "plain"),
    }


TESTS_POOLS: dict[str, list[Any]] = {
    "select": PATTERNS,
    "require": PATTERNS,
    "min_pass_rate": [
        "99%", "0.5", 0.5, 1, "100%", "1", "150%", "-1%", "5e1%", None, *EDGES,
        # Zero, which every rate reaches (refused), written several ways; and rates just above.
        0, 0.0, "0%", " +0. % ", ".0", "00.000", "0.01%", "0.001", "50%", 0.25, 1e-9,
    ],
    "new_failures": INTS,
    "allow_missing": INTS,
    "min_total": INTS,
    "max_failed": INTS,
    "max_skipped": INTS,
    "max_flaky": INTS,
    "max_flaky_history": INTS,
    "window": INTS,
}
#: The kind of criterion each key belongs to (the others are read by every kind).
HOME = {
    "compare": "baseline",
    "max_regression": "baseline",
    "max_regression_abs": "baseline",
    "direction": "baseline",
    "max_cv": "variance",
    "cv_method": "variance",
}
SETTINGS = ("confidence", "min_samples", "timer_resolution", "max_age", "repeats")


def documents() -> list[dict[str, Any]]:
    """The documents both sides judge: one field changed at a time in a criterion of each kind
    (and in `defaults`, `tests`, the other sections), then random mixes of criterion keys."""
    rng = random.Random(12)
    pools = field_pools(rng)
    docs: list[dict[str, Any]] = [document(dict(c)) for c in KINDS.values()]
    for field, pool in pools.items():
        for n, value in enumerate(pool):
            # Every value in the kind that uses the field; the first few in every kind.
            for kind, base in KINDS.items():
                if n < 12 or kind == HOME.get(field, "threshold"):
                    docs.append(document({**base, field: value}))
            if field in SETTINGS:
                docs.append(document(defaults={field: value}))
    for field, pool in TESTS_POOLS.items():
        for value in pool:
            docs.append(document({"id": "x", "tests": {"max_failed": 0, field: value}}))
            docs.append(document({"id": "x", "tests": {field: value}}))
            docs.append(document({"id": "x", "tests": {"new_failures": 0, field: value}}))
            docs.append(document({"id": "x", "tests": {"max_flaky_history": 1, field: value}}))
    for value in [*DATES, *TEXTS]:
        docs.append(document(waivers=[{"criterion": "t", "reason": "r", "expires": value}]))
        docs.append(document(waivers=[{"criterion": "t", "reason": value}]))
    for value in [*TEXTS, *IDS]:
        docs.append(document(report={"title": value}))
        docs.append(document(report={"subject": value}))
        docs.append(document(phases=[{"name": value, "criteria": [KINDS["tests"]]}]))
        docs.append(document(metrics={"m": {"direction": value}}))
    for value in [*PATTERNS, *TEXTS]:
        docs.append(document(inputs={"ignore": value}))
    for value in [1, 1.0, 2, "1", True, 0, None, 1.5]:
        docs.append(document(version=value))
    # Unknown keys, and the wrong shape, at every level.
    for where in ("report", "inputs", "defaults", "metrics", "phases", "waivers", "criteria"):
        for value in ({"unknown": 1}, [], "x", None, [{"unknown": 1}], {}):
            docs.append(document(**{where: value}))
    docs.append({"version": 1, "unknown": 1})
    docs.append({"criteria": []})
    docs.append({"version": 1})
    docs.append(document({**KINDS["tests"], "tests": {"max_failed": 0, "unknown": 1}}))
    docs.append(document(metrics={"m": {"unknown": 1}}))
    docs.append(document(phases=[{"name": "p", "unknown": 1}]))
    docs.append(document(waivers=[{"criterion": "t", "reason": "r", "unknown": 1}]))
    for base in KINDS.values():
        docs.append(document({**base, "unknown": 1}))
    # Random mixes of keys: which kind a criterion is, and which keys go with which kind.
    keys = [*pools, "tests"]
    tests_values = [{"max_failed": 0}, {}, None, {"select": "a"}, {"window": 3}]
    for _ in range(1500):
        chosen = rng.sample(keys, rng.randint(1, 6))
        crit: dict[str, Any] = {"id": "r"}
        for key in chosen:
            if key == "tests":
                crit[key] = rng.choice(tests_values)
            else:
                crit[key] = rng.choice(_likely(pools[key], rng))
        docs.append(document(crit))
    for _ in range(600):
        tests = {
            key: rng.choice(TESTS_POOLS[key][:6])
            for key in rng.sample(list(TESTS_POOLS), rng.randint(0, 4))
        }
        docs.append(document({"id": "x", "tests": tests}))
    return docs


def _likely(pool: list[Any], rng: random.Random) -> list[Any]:
    """Mostly values a careful user writes, so the mixes test keys rather than values."""
    good = pool[:8]
    return good if rng.random() < 0.8 else pool


# --- both sides ---------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Writes YAML the criteria loader reads back as the same data: plain scalars unless the
    loader would read them as another type (so unquoted dates and numbers are exercised)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the loader refuses aliases


_Dumper.yaml_implicit_resolvers = criteria.yaml_loader().yaml_implicit_resolvers


def loader_accepts(doc: dict[str, Any]) -> list[bool]:
    """The loader's answer for the document as YAML, and as JSON when JSON can hold it."""
    texts = [(yaml.dump(doc, Dumper=_Dumper, allow_unicode=True), "gen.yaml")]
    if _json_can_hold(doc):
        texts.append((json.dumps(doc, ensure_ascii=False), "gen.json"))
    answers = []
    for text, name in texts:
        try:
            data, _root = criteria._parse(text, name)
        except CriteriaError:
            answers.append(False)  # refused as it is read (an integer over 30 digits)
            continue
        assert _same(data, doc), f"the {name} text does not read back as the document: {text}"
        try:
            criteria.loads(text, name)
        except CriteriaError:
            answers.append(False)
        else:
            answers.append(True)
    return answers


def _json_can_hold(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_json_can_hold(v) for v in value.values())
    if isinstance(value, list):
        return all(_json_can_hold(v) for v in value)
    return True


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(itertools.starmap(_same, zip(a, b, strict=True)))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


DOCUMENTS = documents()
CHUNKS = 8


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_schema_agrees_with_the_loader_on_every_document(chunk: int) -> None:
    docs = DOCUMENTS[chunk::CHUNKS]
    disagreements = []
    accepted = 0
    for doc in docs:
        schema = VALIDATOR.is_valid(doc)
        answers = loader_accepts(doc)
        accepted += answers[0]
        if any(answer != schema for answer in answers):
            disagreements.append((schema, answers, doc))
    shown = "\n".join(
        f"schema {'accepts' if s else 'refuses'}, loader {a}: {json.dumps(d, default=str)}"
        for s, a, d in disagreements[:40]
    )
    assert not disagreements, f"{len(disagreements)} of {len(docs)} disagree:\n{shown}"
    # Both answers occur often: the documents probe the boundary, not one side of it.
    assert len(DOCUMENTS) > 5000
    assert 0.2 < accepted / len(docs) < 0.8, accepted


#: Checks only the loader can make: they relate values across the file, which a JSON Schema
#: cannot compare, or bound integer literals before they are converted.
LOADER_ONLY = {
    "duplicate criterion id": document(KINDS["tests"], phases=[{"name": "p", "criteria": [
        KINDS["tests"]]}]),
    "repeated phase name": document(phases=[
        {"name": "p", "criteria": [KINDS["tests"]]},
        {"name": "p", "criteria": [dict(KINDS["tests"], id="other")]},
    ]),
    "waiver of an unknown criterion": document(waivers=[{"criterion": "nope", "reason": "r"}]),
    "integer over 30 digits": document({"id": "x", "tests": {"max_failed": 10**31}}),
}  # fmt: skip


@pytest.mark.parametrize("what", sorted(LOADER_ONLY))
def test_what_only_the_loader_checks(what: str) -> None:
    doc = LOADER_ONLY[what]
    assert VALIDATOR.is_valid(doc)
    assert loader_accepts(doc) == [False, False]


def test_init_output_validates_against_the_schema(tmp_path: Any) -> None:
    results = REPO / "samples" / "phase4-websocket" / "results"
    proc = run_cli("init", str(results), "-o", str(tmp_path / "criteria.yaml"))
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "criteria.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=criteria.yaml_loader())
    VALIDATOR.validate(data)
    criteria.loads(text, "criteria.yaml")
    # No failing tests, and a threshold and a comparison on the one metric its samples decide.
    assert len(data["criteria"]) >= 3


def test_the_sample_and_fixtures_validate() -> None:
    for path in [
        REPO / "samples" / "phase4-websocket" / "criteria.yaml",
        *sorted((REPO / "tests" / "fixtures").rglob("*criteria*.yaml")),
    ]:
        text = path.read_text(encoding="utf-8")
        try:
            criteria.loads(text, str(path))
        except CriteriaError:
            continue  # a deliberately broken fixture
        VALIDATOR.validate(yaml.load(text, Loader=criteria.yaml_loader()))


@pytest.mark.parametrize(
    "name",
    [
        "google-benchmark",
        "hyperfine",
        "jmeter",
        "k6",
        "pytest-benchmark",
        "gotest-json",
        "junit",
        "tap",
    ],
)
def test_init_output_from_every_kind_of_input_loads_and_validates(
    corpus: Any, tmp_path: Any, name: str
) -> None:
    # Metrics in every unit the readers produce (ns/op, allocs/op, B, req/s, ratios, plain):
    # each starter threshold is a quantity the loader and the schema both take.
    out = tmp_path / "criteria.yaml"
    proc = run_cli("init", str(corpus / name), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    VALIDATOR.validate(yaml.load(text, Loader=criteria.yaml_loader()))
    criteria.loads(text, str(out))


def test_init_output_from_go_benchmarks_loads_and_validates(tmp_path: Any) -> None:
    bench = REPO / "tests" / "fixtures" / "gotest-json" / "go119-bench.jsonl"
    proc = run_cli("init", str(bench))
    assert proc.returncode == 0, proc.stderr
    data = yaml.load(proc.stdout, Loader=criteria.yaml_loader())
    VALIDATOR.validate(data)
    criteria.loads(proc.stdout, "criteria.yaml")
    # Two runs per benchmark, fewer than min_samples: every threshold and comparison is a
    # comment saying so, and the list is written empty, not null. (Thresholds in ns, B and
    # allocs/op written from enough samples: tests/cli/test_init.py, a real go benchmark.)
    assert data["criteria"] == [] and "has 2 samples, fewer than the 10 required" in proc.stdout
