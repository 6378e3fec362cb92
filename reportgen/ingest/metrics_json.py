"""reportgen's own metrics JSON: named metrics with raw samples and/or summary statistics.

```json
{"version": 1,
 "metrics": [{"name": "ws_connect_time", "unit": "ms", "samples": [812, 790, 1204]},
             {"name": "login_p95", "unit": "s", "stats": {"p95": 1.1, "mean": 0.7}, "n": 500}]}
```
The document model `MetricsDocument` is the source of `schemas/metrics.schema.json`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reportgen.ingest._jsonread import head_text, load_document, note_timestamp
from reportgen.ingest._metrics_common import direction_for_unit, scale_stats, unit_factor, where
from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.model import Direction

_STAT_PATTERN = r"^(mean|median|min|max|stdev|count|rate|cv|p[0-9]{1,2}(\.[0-9]+)?)$"

Value = Annotated[float, Field(ge=0, allow_inf_nan=False)]
StatName = Annotated[str, Field(pattern=_STAT_PATTERN)]


class _Strict(BaseModel):
    # Strict: "1.5" is not a number and true is not 1; unknown keys are typos, not extensions.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class MetricEntry(_Strict):
    """One metric: raw samples, summary statistics, or both."""

    name: str = Field(min_length=1, description="Metric name criteria refer to.")
    unit: str = Field(
        default="",
        description="Unit of the values: ns us ms s min (durations), B kB MB KiB MiB (sizes), "
        "% (percent), or any other label such as req/s. Durations are read as seconds, sizes "
        "as bytes, percentages as ratios.",
    )
    direction: Literal["lower_is_better", "higher_is_better"] | None = Field(
        default=None,
        description="Which way is better. Without it, the unit's dimension decides: lower for "
        "durations and sizes, higher for anything per second (…/s); other units (%, counts, "
        "plain numbers) have no direction, and a baseline comparison then needs `direction:` "
        "in the criteria. The name is never read.",
    )
    samples: list[Value] | None = Field(
        default=None, description="Raw observations (non-negative), in the order measured."
    )
    stats: dict[StatName, Value] | None = Field(
        default=None,
        description="Summary statistics without their samples: mean, median, min, max, stdev, "
        "pNN (p90, p95, p99.9), count, rate, cv.",
        # pydantic does not emit key patterns; say it in the schema so editors can check keys.
        json_schema_extra={"propertyNames": {"pattern": _STAT_PATTERN}},
    )
    n: int | None = Field(
        default=None, ge=1, description="Observations behind `stats` (equals len(samples) if both)."
    )
    hits: int | None = Field(
        default=None,
        ge=0,
        description="For a success or failure ratio: how many of the `n` trials it counts "
        "(ratio = hits / n). With it the ratio gets an exact (Clopper–Pearson) bound.",
    )
    resolution: Value | None = Field(
        default=None,
        description="The step the values were recorded with, in `unit` (a timer's "
        "resolution): each value stands for every value this step allows.",
    )
    iterations: int | None = Field(
        default=None,
        ge=1,
        description="For per-operation averages: the fewest iterations behind one sample "
        "(the timer's resolution is divided by it).",
    )
    source: str | None = Field(default=None, description="Where the metric came from.")
    properties: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_values(self) -> MetricEntry:
        if self.hits is not None and (self.n is None or self.hits > self.n):
            raise ValueError("`hits` needs `n` and cannot exceed it")
        if self.samples is None and not self.stats:
            raise ValueError("needs `samples` or `stats`")
        if self.samples is not None and not self.samples:
            raise ValueError("`samples` is empty")
        if self.samples is not None and self.n is not None and self.n != len(self.samples):
            raise ValueError(f"`n` is {self.n} but there are {len(self.samples)} samples")
        return self


class MetricsDocument(_Strict):
    """A reportgen metrics JSON file."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str | None = Field(
        default=None, alias="$schema", description="Optional link to this schema, for editors."
    )
    version: Literal[1] = Field(description="Format version; always 1.")
    timestamp: str | None = Field(
        default=None, description="When the metrics were measured (ISO 8601); for max_age."
    )
    metrics: list[MetricEntry]

    @field_validator("timestamp")
    @classmethod
    def _iso_time(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"not an ISO 8601 time: {value!r}") from None
        return value


_METRICS_ARRAY = re.compile(r'"metrics"\s*:\s*\[')
_ENTRY_KEYS = re.compile(r'"(?:samples|stats)"\s*:')


class MetricsJsonIngester(Ingester):
    """Reads reportgen's native metrics JSON (`schemas/metrics.schema.json`)."""

    name = "metrics-json"
    description = 'reportgen metrics JSON: {"version": 1, "metrics": [{name, unit, samples}]}'
    patterns = ("*metrics*.json",)

    def sniff(self, head: bytes, path: str) -> float:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return 0.0
        # k6 also has "metrics", but as an object keyed by name; ours is an array.
        match = _METRICS_ARRAY.search(text)
        if not match:
            return 0.0
        score = 0.6
        if _ENTRY_KEYS.search(text, match.end()) or '"name"' in text[match.end() :]:
            score = 0.85
        if re.search(r'"version"\s*:\s*1\b', text):
            score += 0.1
        return score

    def read(self, source: Source, sink: Sink) -> None:
        data: Any = load_document(source)
        try:
            document = MetricsDocument.model_validate(data)
        except ValidationError as exc:
            raise source.error(_describe(exc, data)) from None
        note_timestamp(sink, document.timestamp)
        for entry in document.metrics:
            factor, unit = unit_factor(entry.unit)
            samples = None
            if entry.samples is not None:
                samples = [v * factor for v in entry.samples] if factor != 1.0 else entry.samples
            direction = Direction(entry.direction) if entry.direction else direction_for_unit(unit)
            sink.metric(
                name=entry.name,
                unit=unit,
                direction=direction,
                samples=samples,
                stats=scale_stats(entry.stats or {}, factor),
                n=entry.n if entry.n is not None else (len(samples) if samples else None),
                hits=entry.hits,
                resolution=None if entry.resolution is None else entry.resolution * factor,
                iterations=entry.iterations,
                input_unit=entry.unit or None,
                source=entry.source or entry.name,
                properties=entry.properties,
            )


def _describe(exc: ValidationError, data: Any) -> str:
    """One line for the first validation error: where (with the metric's name) and what."""
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    text = where(loc)
    if len(loc) >= 2 and loc[0] == "metrics" and isinstance(loc[1], int):
        try:
            name = data["metrics"][loc[1]]["name"]
        except (KeyError, IndexError, TypeError):
            name = None
        if isinstance(name, str):
            text += f" ({name})"
    message = error["msg"]
    if error["type"] == "missing":
        message = "required key missing"
    elif error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "literal_error" and loc == ("version",):
        message = f"unsupported version {error.get('input')!r}; this reportgen reads version 1"
    elif error["type"] == "greater_than_equal":
        message = f"negative value {error.get('input')} cannot be a measurement"
    elif error["type"] == "string_pattern_mismatch":
        message = "unknown statistic (use mean, median, min, max, stdev, pNN, count, rate, cv)"
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{text}: {message}{suffix}"
