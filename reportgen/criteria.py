"""The criteria file: pydantic models, and `load()` reporting `file:line: what is wrong`."""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from reportgen import numbers, statistic, units
from reportgen.errors import CriteriaError
from reportgen.model import Frozen
from reportgen.records import record
from reportgen.regex import lazy_regex
from reportgen.units import UnitError

#: Largest finite JSON number: a bound that refuses infinity in the schema.
_FLOAT_MAX = 1.7976931348623157e308
_NONNEG_NUMBER = units.NUMBER_PATTERN.replace("[+-]?", r"\+?", 1)
#: A number of ASCII whitespace only is blank (the schema states the same set).
_BLANKS = " \t\n\r\f\v"


@record
class Quantity:
    """A number read from the criteria file, in its canonical unit, with the text it came from.

    `kind` is "s" (seconds), "ratio" (a percentage or a fraction), "B" (bytes), "B/s" (bytes per
    second) or "" (plain).
    """

    value: float
    kind: str
    text: str

    def __str__(self) -> str:
        return self.text


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _number(raw: Any) -> float | None:
    """A YAML or JSON number as a finite float; None when `raw` is not a number."""
    if not isinstance(raw, int | float) or isinstance(raw, bool):
        return None
    try:
        return numbers.finite(raw)
    except numbers.NumberError:
        raise ValueError(f"{_text(raw)[:40]!r} is too large") from None


def _written(raw: Any, what: str, extra: dict[str, float] | None = None) -> units.Written:
    if not isinstance(raw, str):
        raise ValueError(f"expected {what}, got {raw!r}")
    try:
        return units.read_quantity(raw, extra)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def _quantity(raw: Any) -> Quantity:
    if isinstance(raw, Quantity):
        return raw
    value = _number(raw)
    if value is not None:
        return Quantity(value, "", _text(raw))
    written = _written(raw, "a number or a quantity such as 1.2s or 5%")
    return Quantity(written.value, written.kind, raw.strip(" \t"))


def _duration(raw: Any) -> Quantity:
    what = "a duration such as 1us, 250ms or 2s"
    written = _written(raw, what)
    # A sign is refused even on zero: "-0s" says nothing a duration can mean.
    if written.kind != "s" or written.number.is_signed():
        raise ValueError(f"expected {what}, got {raw!r}")
    return Quantity(written.value, "s", raw.strip(" \t"))


def _age(raw: Any) -> Quantity:
    what = "an age such as 14d, 36h or 2w"
    written = _written(raw, what, units.AGE_UNITS)
    if written.kind != "s" or written.number.is_signed() or written.number == 0:
        raise ValueError(f"expected {what}, got {raw!r}")
    return Quantity(written.value, "s", raw.strip(" \t"))


def _fraction(raw: Any) -> Quantity:
    """A percentage ("99%") or a plain fraction below 1 (a plain 99 is almost surely 99%, and a
    plain 1 may mean 1% as well as 100%: both are refused as ambiguous)."""
    return _exact_fraction(raw)[1]


def _exact_fraction(raw: Any) -> tuple[Decimal | float, Quantity]:
    """The fraction `raw` writes, exactly as written (so that the schema's patterns decide the
    same), and as a Quantity whose value stays below 1 when the text does."""
    value = _number(raw)
    if value is None:
        written = _written(raw, "a percentage such as 5%")
        if written.number.is_signed() or written.kind not in ("", "ratio"):
            raise ValueError(f"expected a percentage such as 5%, got {raw!r}")
        exact: Decimal | float = written.number
        if written.kind == "ratio":
            exact = written.number / 100
        text, plain = raw.strip(" \t"), written.kind == ""
    else:
        exact, text, plain = value, _text(raw), True
    if plain:
        if exact == 1:
            raise ValueError(f"{raw!r} is ambiguous: write 100% or 1%")
        if not 0 <= exact < 1:
            raise ValueError(
                f"{raw!r} is not a fraction between 0 and 1: write a percentage such as 5%"
            )
    number = float(exact)
    if exact < 1 <= number:
        number = math.nextafter(1.0, 0.0)  # 0.99999999999999999 is below 1, and stays so
    return exact, Quantity(number, "ratio", text)


def _rate_floor(raw: Any) -> Quantity:
    """A pass-rate floor: a fraction above 0, since every rate reaches 0% (a gate that can
    never fail said READY over tests that all failed)."""
    exact, q = _exact_fraction(raw)
    if exact == 0:
        raise ValueError(
            f"{raw!r} can never fail (every pass rate reaches 0); write the rate the tests "
            "must show, such as 95%"
        )
    return q


def _confidence(raw: Any) -> float:
    exact, q = _exact_fraction(raw)
    if not 0.5 <= exact < 1:
        raise ValueError(f"confidence must be at least 50% and below 100%, got {raw!r}")
    return q.value


def _count(raw: Any) -> Any:
    """A whole number as YAML or JSON writes it (2 or 2.0); not text, not a boolean."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValueError(f"expected a whole number, got {raw!r}")
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _boolean(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"expected true or false, got {raw!r}")
    return raw


def _version(raw: Any) -> Any:
    # 1.0 is the number 1 in JSON; `true` is not a version.
    if isinstance(raw, bool):
        raise ValueError(f"unsupported version {raw!r}; this reportgen reads version 1")
    return raw


_date = lazy_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(raw: Any) -> date:
    """A calendar day written YYYY-MM-DD (unquoted in YAML too: the loader reads YAML dates
    as text, as the JSON data model and the schema see them)."""
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and _date().fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a real date") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, got {raw!r}")


def _any_pattern() -> str:
    names = [
        "",
        "%",
        *units.CRITERIA_DURATION_UNITS,
        *units.SIZE_UNITS,
        *units.SIZE_RATE_UNITS,
    ]
    return units.quantity_pattern(names)


_QUANTITY_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": -_FLOAT_MAX, "maximum": _FLOAT_MAX},
        {
            "type": "string",
            "pattern": _any_pattern(),
            "description": "a number with a unit: 1.2s, 250ms, 5%, 1kB, 100MB/s (no exponent)",
        },
    ]
}
_PERCENT_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
        {
            "type": "string",
            "pattern": units.anchored(
                f"{units.BLANK_PATTERN}(?:{_NONNEG_NUMBER}{units.BLANK_PATTERN}%"
                rf"|\+?(?:0{{1,{units.MAX_WHOLE_DIGITS}}}(?:\.[0-9]{{0,{units.MAX_FRACTION_DIGITS}}})?"
                rf"|\.[0-9]{{1,{units.MAX_FRACTION_DIGITS}}})){units.BLANK_PATTERN}"
            ),
            "description": "a percentage (5%, 99.9%) or a fraction below 1 (0.05)",
        },
    ]
}
#: A fraction above 0: what `_PERCENT_SCHEMA` accepts, less every way of writing zero.
_RATE_FLOOR_SCHEMA = {
    "allOf": [
        _PERCENT_SCHEMA,
        {
            "not": {
                "anyOf": [
                    {"type": "number", "maximum": 0},
                    {
                        "type": "string",
                        "pattern": units.anchored(
                            rf"{units.BLANK_PATTERN}\+?(?:0+(?:\.0*)?|\.0+)"
                            rf"{units.BLANK_PATTERN}%?{units.BLANK_PATTERN}"
                        ),
                    },
                ]
            }
        },
    ],
    "description": "a pass rate above 0: a percentage (95%) or a fraction below 1 (0.95)",
}
_CONFIDENCE_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0.5, "exclusiveMaximum": 1},
        {
            "type": "string",
            "pattern": units.anchored(
                rf"{units.BLANK_PATTERN}\+?(?:0{{0,{units.MAX_WHOLE_DIGITS - 2}}}[5-9][0-9]"
                rf"(?:\.[0-9]{{0,{units.MAX_FRACTION_DIGITS}}})?{units.BLANK_PATTERN}%"
                rf"|0{{0,{units.MAX_WHOLE_DIGITS}}}\.[5-9]"
                rf"[0-9]{{0,{units.MAX_FRACTION_DIGITS - 1}}}){units.BLANK_PATTERN}"
            ),
            "description": "at least 50% and below 100% (95%, 0.95)",
        },
    ]
}
_DURATION_SCHEMA = {
    "type": "string",
    "pattern": units.quantity_pattern(units.CRITERIA_DURATION_UNITS, _NONNEG_NUMBER),
    "description": "a duration: ns, us, ms, s, min (or m), h",
}
_AGE_SCHEMA = {
    "type": "string",
    "pattern": units.quantity_pattern(
        [*units.CRITERIA_DURATION_UNITS, *units.AGE_UNITS],
        r"\+?(?=[0-9.]*[1-9])" + _NONNEG_NUMBER.removeprefix(r"\+?"),
    ),
    "description": "an age above zero: a duration, or days (d) and weeks (w)",
}
# Every calendar day, leap days included, so that the schema refuses 2026-02-30 as the loader does.
_DAY_PATTERN = units.anchored(
    "(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    "|(?!0000)(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
)


class _Scalar:
    """How pydantic validates, serializes and describes one criteria type: one annotation.

    One object instead of `PlainValidator`, `PlainSerializer` and `WithJsonSchema`: pydantic
    inspects every annotation of every field each time it builds the criteria validator, and
    `verdict` builds it on every start. The type's own schema is never asked for, so a
    `Quantity` dataclass is not described to pydantic once per field.
    """

    __slots__ = ("_json_schema", "_serialise", "_validate")

    def __init__(
        self,
        validate: Callable[[Any], Any],
        json_schema: dict[str, Any],
        serialise: Callable[[Any], Any] | None = None,
    ) -> None:
        self._validate = validate
        self._json_schema = json_schema
        self._serialise = serialise

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        serialization = (
            None
            if self._serialise is None
            else core_schema.plain_serializer_function_ser_schema(self._serialise)
        )
        return core_schema.no_info_plain_validator_function(
            self._validate, serialization=serialization
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return dict(self._json_schema)


def _serialise(q: Quantity) -> str:
    return q.text


AnyQuantity = Annotated[Quantity, _Scalar(_quantity, _QUANTITY_SCHEMA, _serialise)]
Duration = Annotated[Quantity, _Scalar(_duration, _DURATION_SCHEMA, _serialise)]
Age = Annotated[Quantity, _Scalar(_age, _AGE_SCHEMA, _serialise)]
Fraction = Annotated[Quantity, _Scalar(_fraction, _PERCENT_SCHEMA, _serialise)]
RateFloor = Annotated[Quantity, _Scalar(_rate_floor, _RATE_FLOOR_SCHEMA, _serialise)]
Confidence = Annotated[float, _Scalar(_confidence, _CONFIDENCE_SCHEMA)]
# Whole numbers; text and booleans are refused. The bound comes first so that the schema
# states it as `minimum`.
Count = Annotated[int, Field(ge=0), BeforeValidator(_count)]
Positive = Annotated[int, Field(ge=1), BeforeValidator(_count)]
AtLeastTwo = Annotated[int, Field(ge=2), BeforeValidator(_count)]
Boolean = Annotated[bool, _Scalar(_boolean, {"type": "boolean"})]
Day = Annotated[
    date,
    _Scalar(
        _day,
        {"type": "string", "pattern": _DAY_PATTERN, "description": "YYYY-MM-DD"},
        lambda d: d.isoformat(),
    ),
]
#: A glob: a string with something besides blanks.
_GLOB_SCHEMA = {"type": "string", "pattern": f"[^{_BLANKS.encode('unicode_escape').decode()}]"}
Patterns = Annotated[
    tuple[str, ...],
    _Scalar(
        lambda raw: _patterns(raw),
        {"anyOf": [_GLOB_SCHEMA, {"type": "array", "items": _GLOB_SCHEMA, "minItems": 1}]},
        list,
    ),
]


def _globs(raw: Any) -> tuple[str, ...]:
    """One glob or a list of globs, possibly empty."""
    if isinstance(raw, list | tuple) and not raw:
        return ()
    return _patterns(raw)


Globs = Annotated[
    tuple[str, ...],
    _Scalar(
        lambda raw: _globs(raw),
        {"anyOf": [_GLOB_SCHEMA, {"type": "array", "items": _GLOB_SCHEMA}]},
        list,
    ),
]


def _patterns(raw: Any) -> tuple[str, ...]:
    """One pattern or a list of them (only `*`, `**` and `?` are wildcards)."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple) or not items:
        raise ValueError("expected a glob pattern or a non-empty list of them")
    for item in items:
        if not isinstance(item, str) or not item.strip(_BLANKS):
            raise ValueError(f"expected a glob pattern (a string), got {item!r}")
    return tuple(items)


def _present(key: str) -> dict[str, Any]:
    """Schema: `key` is given and not null (a null value is the same as leaving it out)."""
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _absent(*keys: str) -> dict[str, Any]:
    return {"not": {"anyOf": [_present(key) for key in keys]}}


def _when(condition: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    return {"if": condition, "then": then}


#: The checks a `tests:` mapping may hold; it needs at least one.
_TESTS_CHECKS = (
    "require",
    "min_pass_rate",
    "new_failures",
    "min_total",
    "max_failed",
    "max_skipped",
    "max_flaky",
    "max_flaky_history",
)


def _tests_rules(schema: dict[str, Any]) -> None:
    """The JSON Schema of what `TestsSpec._has_a_check` requires."""
    schema["allOf"] = [
        {"anyOf": [_present(key) for key in _TESTS_CHECKS]},
        _when(_present("window"), _present("max_flaky_history")),
        _when(_present("allow_missing"), _present("new_failures")),
    ]


def _criterion_rules(schema: dict[str, Any]) -> None:
    """The JSON Schema of what `Criterion._one_kind` requires: exactly one kind of check, and
    only the keys that kind uses."""
    compare, tests, max_cv, stat = (_present(k) for k in ("compare", "tests", "max_cv", "stat"))
    threshold = {"allOf": [stat, {"not": compare}]}
    schema["allOf"] = [
        {"anyOf": [tests, compare, max_cv, stat]},
        _absent_together(tests, compare),
        _absent_together(tests, max_cv),
        _absent_together(compare, max_cv),
        _when(threshold, _absent("tests", "max_cv")),
        _when(
            tests,
            _absent("metric", "min", "max", "max_regression", "max_regression_abs", "direction"),
        ),
        _when({"not": tests}, _present("metric")),
        _when(
            compare,
            {
                "allOf": [
                    {"anyOf": [_present("max_regression"), _present("max_regression_abs")]},
                    _absent("min", "max"),
                ]
            },
        ),
        _when({"not": compare}, _absent("max_regression", "max_regression_abs")),
        _when(max_cv, _absent("min", "max")),
        _when(
            threshold,
            {
                "allOf": [
                    {"anyOf": [_present("min"), _present("max")]},
                    {"properties": {"stat": {"pattern": _ESTIMABLE}}},
                ]
            },
        ),
    ]


def _absent_together(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {"not": {"allOf": [a, b]}}


_STATISTIC = units.anchored(statistic.STAT_PATTERN)
_ESTIMABLE = units.anchored(statistic.ESTIMABLE_PATTERN)


def _key_error(key: str, message: str) -> PydanticCustomError:
    """A validation error that `load` places on the line of `key` in the offending mapping."""
    return PydanticCustomError("criteria", "{msg}", {"msg": message, "key": key})


class Repeats(StrEnum):
    """How executions of one test id that its input does not mark as retries are counted."""

    #: Every execution counts on its own; any failing one fails the test (the default).
    EACH = "each"
    #: The last execution of an id in each input decides, as for a marked retry; a pass after
    #: a failure is flaky. For reporters known to write retries in order without marking them.
    LAST_ATTEMPT = "last_attempt"


class Settings(Frozen):
    """Statistical settings: file-wide in `defaults`, overridable per criterion."""

    confidence: Confidence | None = Field(
        default=None, description="Confidence level for bounds and intervals (default 95%)."
    )
    min_samples: Positive | None = Field(
        default=None, description="Fewer samples than this are insufficient (default 10)."
    )
    timer_resolution: Duration | None = Field(
        default=None,
        description="The timer's resolution (default 1us): a duration at or below it stands "
        "for anything from 0 to it, any other for its step's width (divided by the iterations "
        "behind a per-operation average); a decision must hold for all of them.",
    )
    max_age: Age | None = Field(
        default=None,
        description="Inputs whose timestamp is older than this are stale (default: no limit).",
    )
    repeats: Repeats | None = Field(
        default=None,
        description="Tests criteria: how unmarked repeats of one test id count. `each` "
        "(default): every execution counts and any failing one fails; `last_attempt`: the "
        "last execution of an id in each input decides (a pass after a failure is flaky), "
        "except in reports that mark their retries (Playwright, Jest, Mocha JSON), where a "
        "repeat is no retry and every execution counts.",
    )


class Defaults(Settings):
    """File-wide statistical settings."""


@record
class Effective:
    """Settings in force for one criterion, after defaults and overrides."""

    confidence: float
    min_samples: int
    timer_resolution: float
    max_age: float | None  # seconds
    repeats: Repeats = Repeats.EACH


DirectionName = Literal["lower_is_better", "higher_is_better"]


class MetricDefaults(Frozen):
    """What the criteria file says about a metric that its input may not."""

    direction: DirectionName | None = Field(
        default=None,
        description="Which way the metric gets better, where the input and the unit's "
        "dimension do not say (a ratio, a count, a plain number).",
    )


class Report(Frozen):
    """How the report is titled."""

    title: str | None = None
    subject: str | None = Field(default=None, description="What is judged: an issue, a release.")


class InputsSpec(Frozen):
    """Which files found under the results paths are not evidence."""

    ignore: Globs = Field(
        default=(),
        description="Globs of files that are not results (`*`, `?` within a path segment, "
        "`**` across segments; without `/` a glob matches the file name). Every other file "
        "that looks like results but cannot be read keeps the verdict from READY.",
    )


class TestsSpec(Frozen):
    """Checks over test executions. Patterns match a test's canonical id or `file::name`;
    only `*`, `**` and `?` are wildcards."""

    __test__ = False
    model_config = ConfigDict(json_schema_extra=_tests_rules)

    select: Patterns | None = Field(
        default=None, description="Tests the checks below count (default: every test)."
    )
    require: Patterns | None = Field(
        default=None, description="Each pattern must match at least one test, and all must pass."
    )
    min_pass_rate: RateFloor | None = Field(
        default=None, description="Clopper–Pearson lower bound of passed / executed."
    )
    new_failures: Count | None = Field(
        default=None,
        description="Most tests allowed to fail now that did not fail in the baseline "
        "(matched by canonical id).",
    )
    allow_missing: Count | None = Field(
        default=None,
        description="With new_failures: how many tests that passed in the baseline may be "
        "absent now (default 0: any absent one makes the criterion insufficient).",
    )
    # At least 1: `min_total: 0` is kept by any run, so it would gate nothing.
    min_total: Positive | None = None
    max_failed: Count | None = Field(
        default=None,
        description="Failed plus errored executions (a test that failed in any execution).",
    )
    max_skipped: Count | None = None
    max_flaky: Count | None = None
    max_flaky_history: Count | None = Field(
        default=None,
        description="Most selected tests the run history may show as flaky over the last "
        "`window` recorded runs of the branch (passed and failed on one commit, or flipped "
        "between passing and failing at least twice). Needs a history database.",
    )
    window: AtLeastTwo | None = Field(
        default=None,
        description="Recorded runs max_flaky_history looks back over (default 20).",
    )

    @model_validator(mode="after")
    def _has_a_check(self) -> TestsSpec:
        if self.window is not None and self.max_flaky_history is None:
            raise _key_error("window", "`window` applies only with max_flaky_history")
        checks = (
            self.require,
            self.min_pass_rate,
            self.new_failures,
            self.min_total,
            self.max_failed,
            self.max_skipped,
            self.max_flaky,
            self.max_flaky_history,
        )
        if all(c is None for c in checks):
            raise _key_error(
                "select",
                "tests: nothing to check; add require, min_pass_rate, new_failures, "
                "min_total, max_failed, max_skipped, max_flaky or max_flaky_history",
            )
        if self.allow_missing is not None and self.new_failures is None:
            raise _key_error("allow_missing", "allow_missing applies only with new_failures")
        return self


#: Runs `max_flaky_history` looks back over when the criterion gives no `window`.
DEFAULT_HISTORY_WINDOW = 20


class Severity(StrEnum):
    """A blocker decides the verdict; an advisory criterion is shown but never changes it."""

    BLOCKER = "blocker"
    ADVISORY = "advisory"


class Kind(StrEnum):
    """What a criterion checks; the judging stage has one module per kind."""

    THRESHOLD = "threshold"
    BASELINE = "baseline"
    VARIANCE = "variance"
    TESTS = "tests"


#: The key that makes a criterion of each kind, in the order a criterion's kind is decided.
KIND_KEYS: tuple[tuple[Kind, str], ...] = (
    (Kind.TESTS, "tests"),
    (Kind.BASELINE, "compare"),
    (Kind.VARIANCE, "max_cv"),
    (Kind.THRESHOLD, "stat"),
)


class Criterion(Settings):
    """One gate. Its kind follows from its keys: `stat` (with min/max), `compare: baseline`,
    `max_cv`, or `tests`."""

    model_config = ConfigDict(json_schema_extra=_criterion_rules)

    id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$",
        description="Unique id.",
        # Python's `$` also matches before a final newline; the schema must not.
        json_schema_extra={"pattern": units.anchored("[A-Za-z0-9][A-Za-z0-9_.:/-]*")},
    )
    title: str | None = None
    severity: Severity = Severity.BLOCKER
    impact: str | None = Field(default=None, description="What this criterion protects.")
    metric: str | None = Field(
        default=None,
        description="Metric name, or a pattern covering several (Holm-corrected); only `*`, "
        "`**` and `?` are wildcards, `[` and `]` are literal.",
    )
    stat: str | None = Field(
        json_schema_extra={"pattern": _STATISTIC},
        default=None,
        description="mean, median, min, max, pNN, count, success_rate, throughput, stdev or "
        "cv. With `compare: baseline`, the statistic whose change is judged (default median: "
        "the Hodges–Lehmann ratio of medians); a percentile or the mean on its own ratio "
        "bounds, min and max as observed; others only as point values "
        "(allow_point_estimates).",
    )
    direction: DirectionName | None = Field(
        default=None,
        description="Which way the metric gets better, for a baseline comparison; overrides "
        "the input and the `metrics:` map.",
    )
    min: AnyQuantity | None = None
    max: AnyQuantity | None = None
    compare: Literal["baseline"] | None = None
    max_regression: Fraction | None = Field(
        default=None, description="Largest tolerated relative regression against the baseline."
    )
    max_regression_abs: AnyQuantity | None = Field(
        default=None,
        description="Largest tolerated absolute regression, in the metric's unit (e.g. 20ms); "
        "with max_regression, the more lenient of the two applies.",
    )
    allow_point_estimates: Boolean = Field(
        default=False,
        description="Accept a statistic without its own confidence bound (a harness-reported "
        "point value, or one no bound exists for); labelled weaker evidence in every output.",
    )
    max_cv: Fraction | None = Field(
        default=None,
        description="Largest coefficient of variation; its upper confidence bound must be "
        "within it to pass.",
    )
    cv_method: Literal["robust", "plain"] = Field(
        default="robust",
        description="robust: (p90 - p10) / 2.563 / median (ignores up to 10% stray values, "
        "never 0 on two clusters); plain: stdev/mean.",
    )
    tests: TestsSpec | None = None

    @property
    def kind(self) -> Kind:
        # A `stat` beside `compare` names the compared statistic, not a threshold.
        return next((kind for kind, _key in self._kinds_present()), Kind.THRESHOLD)

    def _kinds_present(self) -> list[tuple[Kind, str]]:
        present = [(kind, key) for kind, key in KIND_KEYS if getattr(self, key) is not None]
        if self.compare is not None:
            present = [(kind, key) for kind, key in present if kind is not Kind.THRESHOLD]
        return present

    @model_validator(mode="after")
    def _one_kind(self) -> Criterion:
        found = self._kinds_present()
        kinds = [key for _kind, key in found]
        if not kinds:
            raise _key_error(
                "id",
                f"criterion {self.id!r} checks nothing: give `stat` with min/max, "
                "`compare: baseline`, `max_cv` or `tests`",
            )
        if len(kinds) > 1:
            raise _key_error(
                kinds[1],
                f"criterion {self.id!r} mixes {' and '.join(kinds)}; split it into one "
                "criterion per check",
            )
        kind = found[0][0]
        if kind is Kind.TESTS:
            for key in (
                "metric",
                "min",
                "max",
                "max_regression",
                "max_regression_abs",
                "direction",
            ):
                if getattr(self, key) is not None:
                    raise _key_error(key, f"`{key}` does not apply to a `tests` criterion")
            return self
        if self.metric is None:
            raise _key_error("id", f"criterion {self.id!r} needs `metric`")
        regression_keys = ("max_regression", "max_regression_abs")
        if kind is Kind.BASELINE:
            if self.max_regression is None and self.max_regression_abs is None:
                raise _key_error(
                    "compare", "`compare: baseline` needs max_regression and/or max_regression_abs"
                )
            for key in ("min", "max"):
                if getattr(self, key) is not None:
                    raise _key_error(key, f"`{key}` does not apply to `compare: baseline`")
            if self.stat is not None and (bad := statistic.unknown(self.stat)):
                raise _key_error("stat", bad)
            return self
        for key in regression_keys:
            if getattr(self, key) is not None:
                raise _key_error(key, f"`{key}` needs `compare: baseline`")
        if kind is Kind.VARIANCE:
            for key in ("min", "max"):
                if getattr(self, key) is not None:
                    raise _key_error(key, f"`{key}` does not apply with `max_cv`")
            return self
        assert self.stat is not None
        if bad := statistic.unknown(self.stat) or statistic.out_of_range(self.stat):
            raise _key_error("stat", bad)
        if self.min is None and self.max is None:
            raise _key_error("stat", f"`stat: {self.stat}` needs `min` and/or `max`")
        return self


class Phase(Frozen):
    """A named group of criteria, with its own verdict."""

    name: str = Field(min_length=1)
    # Required and never empty: a phase with none (its list mis-indented, or left for later)
    # would show INSUFFICIENT beside an overall READY that nothing in it decided.
    criteria: tuple[Criterion, ...] = Field(
        min_length=1, description="The phase's criteria, each written out in full."
    )

    @model_validator(mode="before")
    @classmethod
    def _criteria_in_full(cls, data: Any) -> Any:
        named = data.get("criteria") if isinstance(data, dict) else None
        if named == []:
            raise _key_error(
                "criteria", "a phase needs at least one criterion (a phase of none decides nothing)"
            )
        if isinstance(named, list) and any(isinstance(item, str) for item in named):
            first = next(item for item in named if isinstance(item, str))
            raise _key_error(
                "criteria",
                f"a phase holds its criteria written out in full, not their ids: move the "
                f"criterion {first!r} from `criteria:` into this phase's list",
            )
        return data


class WaiverSpec(Frozen):
    """Accept a criterion's failure (or missing evidence) for a reason, until a date."""

    criterion: str
    reason: str = Field(min_length=1)
    expires: Day | None = Field(default=None, description="Last day the waiver holds (YYYY-MM-DD).")


class CriteriaFile(Frozen):
    """The root of a criteria file."""

    version: Annotated[Literal[1], BeforeValidator(_version)] = Field(
        description="Criteria file format version."
    )
    report: Report = Field(default_factory=Report)
    inputs: InputsSpec = Field(default_factory=InputsSpec)
    defaults: Defaults = Field(default_factory=Defaults)
    metrics: dict[str, MetricDefaults] = Field(
        default_factory=dict,
        description="Per metric name (or glob): what the inputs may not say, e.g. direction.",
    )
    criteria: tuple[Criterion, ...] = Field(default=(), description="Criteria outside any phase.")
    phases: tuple[Phase, ...] = ()
    waivers: tuple[WaiverSpec, ...] = ()

    def history_windows(self) -> set[int]:
        """Windows of recorded runs the `max_flaky_history` criteria look back over."""
        return {
            c.tests.window or DEFAULT_HISTORY_WINDOW
            for _, c in self.all_criteria()
            if c.tests is not None and c.tests.max_flaky_history is not None
        }

    def all_criteria(self) -> Iterator[tuple[str | None, Criterion]]:
        """(phase name or None, criterion) in file order: ungrouped criteria first."""
        for criterion in self.criteria:
            yield None, criterion
        for phase in self.phases:
            for criterion in phase.criteria:
                yield phase.name, criterion

    def direction_for(self, criterion: Criterion, metric: str) -> DirectionName | None:
        """The criteria file's word on `metric`'s direction: the criterion's own `direction`,
        else the `metrics:` entry naming it exactly, else the first glob entry covering it."""
        if criterion.direction is not None:
            return criterion.direction
        entry = self.metrics.get(metric)
        if entry is None:
            # The same pattern rules as `select` and `metric`: `[` and `]` are literal, so
            # `* [hit-pct]` names go bench's hit-pct metrics, not one character of a class.
            from reportgen.patterns import matches

            entry = next((v for k, v in self.metrics.items() if matches(k, metric)), None)
        return entry.direction if entry is not None else None

    def effective(self, criterion: Criterion) -> Effective:
        """Settings for `criterion`: its own, else the file's defaults, else built-ins."""
        d = self.defaults

        def pick(name: str) -> Any:
            own = getattr(criterion, name)
            return own if own is not None else getattr(d, name)

        resolution: Quantity | None = pick("timer_resolution")
        age: Quantity | None = pick("max_age")
        confidence: float | None = pick("confidence")
        min_samples: int | None = pick("min_samples")
        repeats: Repeats | None = pick("repeats")
        return Effective(
            confidence=0.95 if confidence is None else confidence,
            min_samples=10 if min_samples is None else min_samples,
            timer_resolution=1e-6 if resolution is None else resolution.value,
            max_age=None if age is None else age.value,
            repeats=Repeats.EACH if repeats is None else repeats,
        )

    @model_validator(mode="after")
    def _cross_references(self) -> CriteriaFile:
        seen: set[str] = set()
        for p, phase in enumerate(self.phases):
            for q, other in enumerate(self.phases[:p]):
                if other.name == phase.name:
                    raise _located(
                        ("phases", p, "name"), f"phase name {phase.name!r} repeats phases[{q}]"
                    )
        for loc, criterion in _criteria_locations(self):
            if criterion.id in seen:
                raise _located((*loc, "id"), f"duplicate criterion id {criterion.id!r}")
            seen.add(criterion.id)
        for w, waiver in enumerate(self.waivers):
            if waiver.criterion not in seen:
                close = _close_matches(waiver.criterion, sorted(seen), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise _located(
                    ("waivers", w, "criterion"),
                    f"waiver names unknown criterion {waiver.criterion!r}{hint}",
                )
        return self


def _criteria_locations(cf: CriteriaFile) -> Iterator[tuple[tuple[str | int, ...], Criterion]]:
    for i, criterion in enumerate(cf.criteria):
        yield ("criteria", i), criterion
    for p, phase in enumerate(cf.phases):
        for i, criterion in enumerate(phase.criteria):
            yield ("phases", p, "criteria", i), criterion


def _located(loc: tuple[str | int, ...], message: str) -> PydanticCustomError:
    return PydanticCustomError("criteria", "{msg}", {"msg": message, "loc": list(loc)})


# --- loading with line numbers -------------------------------------------------------------


#: Largest criteria file read (bytes): hand-written criteria are a few kB.
MAX_CRITERIA_BYTES = 1_000_000
#: Deepest nesting of mappings and lists in a criteria file.
MAX_CRITERIA_DEPTH = 32


def load(path: str | Path) -> CriteriaFile:
    """Read and validate a criteria file (YAML or JSON).

    Raises CriteriaError naming the file, the line and the offending key. Files over
    MAX_CRITERIA_BYTES, nested deeper than MAX_CRITERIA_DEPTH or using YAML aliases are refused.
    """
    display = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_CRITERIA_BYTES:
            raise CriteriaError(
                f"criteria file is too large ({size} bytes; at most {MAX_CRITERIA_BYTES})",
                path=display,
            )
        data = Path(path).read_bytes()
        # YAML is UTF-8 or UTF-16 (with a BOM): PowerShell 5's `>` and `Out-File` write the
        # latter, so a criteria file a Windows job writes is UTF-16.
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8")
    except FileNotFoundError:
        raise CriteriaError("criteria file not found", path=display) from None
    except UnicodeDecodeError:
        raise CriteriaError("criteria file is not UTF-8 or UTF-16 text", path=display) from None
    except OSError as exc:
        raise CriteriaError(f"cannot read: {exc.strerror or exc}", path=display) from None
    return loads(text, display)


def loads(text: str, display: str = "<criteria>") -> CriteriaFile:
    """Validate criteria given as YAML or JSON text; `display` names it in errors."""
    if len(text) > MAX_CRITERIA_BYTES:
        raise CriteriaError(
            f"criteria file is too large (at most {MAX_CRITERIA_BYTES} bytes)", path=display
        )
    data, root = _parse(text, display)
    if data is None:
        raise CriteriaError("criteria file is empty", path=display, line=1)
    if not isinstance(data, dict):
        raise CriteriaError(
            "expected a mapping at the top (version: 1, criteria: [...])", path=display, line=1
        )
    try:
        return CriteriaFile.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, data, root, display) from None


def _parse(text: str, display: str) -> tuple[Any, Any]:
    """Data and the YAML node tree (None when only JSON could read it)."""
    import yaml  # only the verdict and report commands need it

    composed = _compose_with_libyaml(yaml, text)
    if composed is not None:
        fast, node = composed
        try:
            if node is None:
                return None, None
            _check_duplicate_keys(node, display)
            return fast.construct_document(node), node
        except yaml.YAMLError:
            pass  # a value the constructors refuse: the reference loader words it below
        finally:
            fast.dispose()
    try:
        # The reader refuses control characters as soon as it is built.
        loader = _loaders()[0](text)
    except yaml.reader.ReaderError as exc:
        raise CriteriaError(
            f"invalid YAML: character U+{exc.character:04X} is not allowed",
            path=display,
            line=text.count("\n", 0, exc.position) + 1,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_duplicate_keys(node, display)
        data = loader.construct_document(node)
        return data, node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "cannot parse"
        if display.endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{"):
            # JSON that YAML cannot read (tabs, for one) is still JSON, and just as strict.
            try:
                data = json.loads(text, parse_int=numbers.json_int)
            except json.JSONDecodeError as jexc:
                raise CriteriaError(
                    f"invalid JSON: {jexc.msg}", path=display, line=jexc.lineno
                ) from None
            except (numbers.NumberError, RecursionError) as nexc:
                problem = str(nexc) or "nested too deeply"
                raise CriteriaError(f"invalid JSON: {problem}", path=display) from None
            _check_depth(data, display)
            duplicate = _json_duplicate_key(text)
            if duplicate is not None:
                key, line = duplicate
                raise CriteriaError(f"duplicate key {key!r}", path=display, line=line) from None
            return data, None
        raise CriteriaError(f"invalid YAML: {problem}", path=display, line=line) from None
    except yaml.YAMLError as exc:
        raise CriteriaError(f"invalid YAML: {exc}", path=display) from None
    finally:
        loader.dispose()


def _check_duplicate_keys(node: Any, display: str) -> None:
    import yaml

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise CriteriaError(
                            f"duplicate key {key.value!r}",
                            path=display,
                            line=key.start_mark.line + 1,
                        )
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


_json_token = lazy_regex(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def _json_duplicate_key(text: str) -> tuple[str, int] | None:
    """The first key that repeats within one object of valid JSON `text`, and its line.

    `json.loads` keeps the last of repeated keys without a word; this walks the tokens once,
    with one set of keys per open object.
    """
    stack: list[set[str] | None] = []  # a set per open object, None per open array
    previous: str | None = None
    pending: tuple[str, int] | None = None  # a string token that may be a key
    for match in _json_token().finditer(text):
        token = match.group()
        if token == ":" and pending is not None and stack and stack[-1] is not None:
            key, start = pending
            if key in stack[-1]:
                return key, text.count("\n", 0, start) + 1
            stack[-1].add(key)
        pending = None
        if token == "{":
            stack.append(set())
        elif token == "[":
            stack.append(None)
        elif token in "}]":
            if stack:
                stack.pop()
        elif token.startswith('"') and previous in ("{", ","):
            pending = (json.loads(token), match.start())
        previous = token if token != ":" else previous
    return None


def _first_error(exc: ValidationError, data: Any, root: Any, display: str) -> CriteriaError:
    # Report the error earliest in the file: that is where a reader starts fixing.
    located = [
        (*_describe(err, data, root), err["type"] == "extra_forbidden") for err in exc.errors()
    ]
    located.sort(key=lambda item: (item[0] is None, item[0] or 0, not item[2]))
    line, message, _ = located[0]
    if len(located) > 1:
        message += f" (and {len(located) - 1} more error{'s' if len(located) > 2 else ''})"
    return CriteriaError(message, path=display, line=line)


def _describe(err: Any, data: Any, root: Any) -> tuple[int | None, str]:
    ctx = err.get("ctx") or {}
    loc: list[str | int] = list(ctx["loc"]) if "loc" in ctx else list(err["loc"])
    kind = err["type"]
    # Walk the data along the location, dropping the union-member tags pydantic inserts.
    path: list[str | int] = []
    value = data
    missing: str | int | None = None
    for part in loc:
        in_dict = isinstance(value, dict) and part in value
        if in_dict or (
            isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        ):
            value = value[part]
            path.append(part)
        elif isinstance(value, dict) and isinstance(part, str) and kind == "missing":
            missing = part
            break
    key_in_ctx = ctx.get("key")
    line = _line_of(root, path, key_in_ctx if isinstance(key_in_ctx, str) else None)
    where = _display_path(path, data)
    if kind == "extra_forbidden":
        unknown = path[-1] if path else "?"
        parent = _model_fields_at(path[:-1], data)
        close = _close_matches(str(unknown), parent, n=1) if parent else []
        hint = f"; did you mean {close[0]!r}?" if close else ""
        owner = _display_path(path[:-1], data)
        return line, f"{owner + ': ' if owner else ''}unknown key {unknown!r}{hint}"
    if kind == "missing":
        return line, f"{where + ': ' if where else ''}missing required key {missing!r}"
    message = str(ctx["msg"]) if kind == "criteria" else err["msg"]
    message = message.removeprefix("Value error, ")
    if kind == "criteria" and isinstance(key_in_ctx, str) and "loc" not in ctx:
        where = f"{where}.{key_in_ctx}" if where else key_in_ctx
    if kind == "literal_error" and path and path[-1] == "version":
        message = f"unsupported version {value!r}; this reportgen reads version 1"
    return line, f"{where + ': ' if where else ''}{message}"


def _display_path(path: Sequence[str | int], data: Any) -> str:
    """`criteria[2] (connect-p95).stat` style path for messages."""
    out = ""
    value = data
    for part in path:
        value = value[part]
        if isinstance(part, int):
            out += f"[{part}]"
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                out += f" ({value['id']})"
        else:
            out += f".{part}" if out else str(part)
    return out


def _model_fields_at(path: Sequence[str | int], data: Any) -> list[str]:
    """Allowed keys of the mapping at `path`, for did-you-mean hints."""
    keys = [p for p in path if isinstance(p, str)]
    model: Any = CriteriaFile
    for key in keys:
        field = model.model_fields.get(key)
        if field is None:
            return []
        model = {
            "report": Report,
            "inputs": InputsSpec,
            "defaults": Defaults,
            "criteria": Criterion,
            "phases": Phase,
            "waivers": WaiverSpec,
            "metrics": MetricDefaults,
            "tests": TestsSpec,
        }.get(key)
        if model is None:
            return []
    return sorted(model.model_fields)


def _line_of(root: Any, path: Sequence[str | int], key: str | None) -> int | None:
    """1-based line of the value at `path` (or of `key` inside it) in the YAML node tree."""
    if root is None:
        return None
    import yaml

    node = root
    key_node = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part)
                ),
                None,
            )
            if found is None:
                break
            key_node, node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            key_node, node = None, node.value[part]
        else:
            break
    if key is not None and isinstance(node, yaml.MappingNode):
        for k, _v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    target = key_node if key_node is not None else node
    return int(target.start_mark.line) + 1


def _check_depth(data: Any, display: str) -> None:
    """Refuse data nested deeper than MAX_CRITERIA_DEPTH (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_CRITERIA_DEPTH:
            raise CriteriaError(
                f"nested too deeply (more than {MAX_CRITERIA_DEPTH} levels)", path=display
            )
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _close_matches(word: str, names: Sequence[str], n: int) -> list[str]:
    """difflib's closest names, imported only when a file names something wrong."""
    import difflib

    return difflib.get_close_matches(word, names, n=n)


def _compose_with_libyaml(yaml: Any, text: str) -> tuple[Any, Any] | None:
    """(loader, node tree) when libyaml reads `text` cleanly, else None.

    libyaml parses a criteria file about ten times faster than PyYAML's pure-Python reader,
    which costs more than the rest of a small verdict's reading. It is only a fast path: a file
    with an alias or nested deeper than MAX_CRITERIA_DEPTH, or one libyaml cannot parse, goes
    to the pure-Python loader, which refuses it with the same words as always. Both share the
    composer with those limits, the constructors and the scalar rules (`_loaders`), so a file
    both read gives the same data.
    """
    libyaml_loader = _loaders()[1]
    if libyaml_loader is None or "\t" in text:  # libyaml takes tabs where PyYAML refuses them
        return None
    try:
        loader = libyaml_loader(text)
    except yaml.YAMLError:
        return None
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        return None


def yaml_loader() -> Any:
    """The YAML loader class criteria files are read with (for tools that read them alike)."""
    return _loaders()[0]


@functools.cache
def _loaders() -> tuple[Any, Any]:
    """(reference loader, libyaml loader or None) for criteria files.

    The reference is yaml.SafeLoader without aliases, with a nesting limit, bounded integers
    and real dates. Aliases are refused outright: criteria never need them, and they are how a
    small file expands without bound (an alias bomb) or into a cycle (a recursive alias). The
    libyaml loader shares its constructors and scalar rules; `_compose_with_libyaml` keeps it
    to files that hold no alias and nest within the limit.
    """
    import yaml
    from yaml.composer import Composer, ComposerError
    from yaml.constructor import ConstructorError, SafeConstructor
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.resolver import Resolver
    from yaml.scanner import Scanner

    class Constructor(SafeConstructor):
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            # PyYAML's scalar constructors fail with Python's own errors on text an explicit
            # tag cannot read (`!!int text`, `!!bool maybe`, `!!timestamp soon`).
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError):
                value = repr(node.value[:40]) if isinstance(node.value, str) else "the value"
                tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
                raise ConstructorError(
                    None, None, f"{value} is not a valid {tag}", node.start_mark
                ) from None

        def construct_yaml_int(self, node: Any) -> Any:
            digits = str(node.value).lstrip("+-").replace("_", "")
            if len(digits) > numbers.MAX_INT_DIGITS:
                raise ConstructorError(None, None, "integer too large", node.start_mark)
            return super().construct_yaml_int(node)

        def construct_yaml_timestamp(self, node: Any) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                raise ConstructorError(
                    None, None, f"{str(node.value)[:40]!r} is not a real date", node.start_mark
                ) from None

    Constructor.yaml_constructors = {
        **SafeConstructor.yaml_constructors,
        "tag:yaml.org,2002:int": Constructor.construct_yaml_int,
        "tag:yaml.org,2002:timestamp": Constructor.construct_yaml_timestamp,
    }

    class Scalars(Resolver):
        pass

    # Scalars read as the JSON data model (and so the JSON Schema) sees them: `1e3` is a
    # number, as in JSON (YAML 1.1 wants a point and a signed exponent), and `2026-12-31` is
    # text, which `expires` reads as a day and a title keeps as written.
    Scalars.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in entries if tag not in (_FLOAT_TAG, _TIME_TAG)]
        for first, entries in Resolver.yaml_implicit_resolvers.items()
    }
    Scalars.add_implicit_resolver(_FLOAT_TAG, _YAML_FLOAT, list("-+0123456789."))

    class Limits(Composer):
        """PyYAML's composer, refusing aliases and nesting past MAX_CRITERIA_DEPTH."""

        depth = 0
        # Given by the parser each loader is built with (PyYAML's Parser or libyaml's CParser).
        check_event: Any
        peek_event: Any

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise ComposerError(None, None, "aliases (*name) are not allowed", mark)
            if self.depth >= MAX_CRITERIA_DEPTH:
                mark = self.peek_event().start_mark
                raise ComposerError(
                    None, None, f"nested too deeply (more than {MAX_CRITERIA_DEPTH} levels)", mark
                )
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    class Loader(Reader, Scanner, Parser, Limits, Constructor, Scalars):
        def __init__(self, stream: Any) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Limits.__init__(self)
            Constructor.__init__(self)
            Scalars.__init__(self)

    if not getattr(yaml, "__with_libyaml__", False):
        return Loader, None
    from yaml._yaml import CParser

    # libyaml gives the events; the tree is composed by `Limits`, ahead of CParser's own
    # composer, which recurses without a limit and resolves aliases.
    class LibyamlLoader(Limits, CParser, Constructor, Scalars):
        def __init__(self, stream: Any) -> None:
            CParser.__init__(self, stream)
            Limits.__init__(self)
            Constructor.__init__(self)
            Scalars.__init__(self)

    return Loader, LibyamlLoader


_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIME_TAG = "tag:yaml.org,2002:timestamp"
_YAML_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
