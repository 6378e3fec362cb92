"""Google Benchmark `--benchmark_format=json` / `--benchmark_out`: one metric per benchmark run.

Each repetition (`run_type: iteration`) is one sample of per-iteration wall time (`real_time`);
`cpu_time` becomes its own metric `NAME [cpu]`, and user counters (items_per_second, ...)
`NAME [counter]`. Aggregate rows (`_mean`, `_median`, `_stddev`, `_cv`, BigO, RMS) summarise
those same repetitions and are not counted again; they are used as point estimates only when
the file has no repetitions of that benchmark (`--benchmark_report_aggregates_only`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reportgen.ingest._jsonread import head_text, load_document, note_timestamp
from reportgen.ingest._metrics_common import (
    direction_for_unit,
    mapping,
    number,
    sequence,
    text_field,
    unit_factor,
)
from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.model import WORK_PER_OP, Direction, IntegrityKind

_BENCHMARKS = re.compile(r'"benchmarks"\s*:\s*\[')
_GBENCH_KEYS = re.compile(
    r'"(?:run_type|time_unit|real_time|cpu_time|family_index|repetition_index|'
    r"per_family_instance_index|num_cpus|mhz_per_cpu|library_build_type|cpu_scaling_enabled)"
    r'"\s*:'
)
# Aggregate rows named without run_type (old versions): NAME_mean, NAME_median, ...
_AGGREGATE_SUFFIX = re.compile(r"^(.*)_(mean|median|stddev|cv|BigO|RMS)$")
_AGGREGATE_STAT = {"mean": "mean", "median": "median", "stddev": "stdev", "cv": "cv"}
# The counters the library itself makes rates of (benchmark.h: kIsRate over the run's time).
_RATES = frozenset({"bytes_per_second", "items_per_second"})
# Keys of a benchmark row that are not user counters.
_KNOWN = frozenset(
    {
        "name", "run_name", "run_type", "family_index", "per_family_instance_index",
        "repetitions", "repetition_index", "threads", "iterations", "real_time", "cpu_time",
        "time_unit", "aggregate_name", "aggregate_unit", "label", "error_occurred",
        "error_message", "big_o", "cpu_coefficient", "real_coefficient", "rms", "skipped",
        "skip_message",
    }
)  # fmt: skip


@dataclass
class _Series:
    """Everything read for one benchmark instance (one run_name)."""

    order: tuple[int, int, int]
    samples: dict[str, list[float]] = field(default_factory=dict)  # metric suffix -> values
    units: dict[str, str] = field(default_factory=dict)
    aggregates: dict[str, float] = field(default_factory=dict)  # statistic -> value
    repetitions: int | None = None
    iterations: list[int] = field(default_factory=list)
    label: str | None = None
    time_unit: str | None = None  # as the file states it (ns, us, ms, s)
    # Metric suffix of a rate the library worked out -> the work per iteration of each row.
    work: dict[str, list[float]] = field(default_factory=dict)


class GoogleBenchmarkIngester(Ingester):
    """Reads Google Benchmark's JSON reporter output."""

    name = "google-benchmark"
    description = "Google Benchmark JSON: repetitions as samples, aggregates recognised"
    patterns = ("*benchmark*.json",)

    def sniff(self, head: bytes, path: str) -> float:
        text = head_text(head).lstrip()
        if not text.startswith("{") or '"machine_info"' in text:
            return 0.0  # machine_info is pytest-benchmark's
        if '"context"' in text and re.search(r'"(?:num_cpus|mhz_per_cpu)"\s*:', text):
            return 0.9
        if _BENCHMARKS.search(text) and _GBENCH_KEYS.search(text):
            return 0.85
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        data = mapping(load_document(source), source, "document")
        context = data.get("context")
        if isinstance(context, dict) and isinstance(context.get("date"), str):
            note_timestamp(sink, context["date"])
        rows = sequence(data.get("benchmarks"), source, "benchmarks")
        series: dict[str, _Series] = {}
        for i, raw in enumerate(rows):
            at = f"benchmarks[{i}]"
            row = mapping(raw, source, at)
            name = text_field(row.get("name"), source, f"{at}.name")
            if row.get("error_occurred") or row.get("skipped"):
                message = row.get("error_message") or row.get("skip_message") or ""
                text = f"{at}: {name!r} did not run to completion: {message}".rstrip(": ")
                sink.warn(text)
                if row.get("error_occurred"):
                    run_name = row.get("run_name")
                    sink.flag(
                        IntegrityKind.BENCHMARK_ERRORS,
                        f"{text} (flagged error_occurred)",
                        scope=run_name if isinstance(run_name, str) and run_name else name,
                        warn=False,
                    )
                continue
            aggregate = self._aggregate_of(row, name)
            run_name = row.get("run_name") if isinstance(row.get("run_name"), str) else None
            if aggregate is not None:
                base, stat = aggregate
                key = run_name or base
                entry = self._series(series, key, row, i)
                if stat in _AGGREGATE_STAT:
                    entry.aggregates[_AGGREGATE_STAT[stat]] = self._times(row, at, source)
                    entry.units.setdefault("", "")
                continue
            key = run_name or name
            entry = self._series(series, key, row, i)
            if "real_time" not in row and "cpu_time" not in row:
                sink.warn(f"{at}: {name!r} has no real_time or cpu_time; not a measurement")
                continue
            entry.time_unit = self._time_unit(row, at, source)
            factor, unit = unit_factor(entry.time_unit)
            for src, suffix in (("real_time", ""), ("cpu_time", " [cpu]")):
                if src in row:
                    value = number(row[src], source, f"{at}.{src}") * factor
                    entry.samples.setdefault(suffix, []).append(value)
                    entry.units[suffix] = unit
            for counter, value in row.items():
                if counter in _KNOWN or isinstance(value, bool | str):
                    continue
                if isinstance(value, int | float):
                    suffix = f" [{counter}]"
                    entry.samples.setdefault(suffix, []).append(
                        number(value, source, f"{at}.{counter}")
                    )
                    entry.units[suffix] = _counter_unit(counter)
                    if counter in _RATES:
                        work = _work_per_iteration(row, run_name or name, float(value), factor)
                        if work is not None:
                            entry.work.setdefault(suffix, []).append(work)
            iterations = row.get("iterations")
            if isinstance(iterations, int) and not isinstance(iterations, bool):
                # A measured row ran at least once; the count divides the timer's resolution.
                if iterations < 1:
                    raise source.error(
                        f"{at}.iterations: {iterations} iterations cannot be a measurement"
                    )
                entry.iterations.append(iterations)
            if isinstance(row.get("label"), str) and row["label"]:
                entry.label = row["label"]
        for key, entry in sorted(series.items(), key=lambda kv: kv[1].order):
            self._emit(key, entry, sink)

    @staticmethod
    def _series(series: dict[str, _Series], key: str, row: dict[str, Any], i: int) -> _Series:
        entry = series.get(key)
        if entry is None:
            # v1.6+ gives family and instance indices: the run order, whatever the names say.
            family = row.get("family_index")
            instance = row.get("per_family_instance_index")
            order = (
                (family, instance, i)
                if isinstance(family, int) and isinstance(instance, int)
                else (i, 0, i)
            )
            entry = series[key] = _Series(order=order)
        repetitions = row.get("repetitions")
        if isinstance(repetitions, int) and not isinstance(repetitions, bool) and repetitions > 0:
            entry.repetitions = repetitions
        return entry

    @staticmethod
    def _aggregate_of(row: dict[str, Any], name: str) -> tuple[str, str] | None:
        """(benchmark name, statistic) for an aggregate row; None for a repetition."""
        aggregate_name = row.get("aggregate_name")
        match = _AGGREGATE_SUFFIX.match(name)
        if row.get("run_type") == "aggregate" or isinstance(aggregate_name, str):
            stat = aggregate_name if isinstance(aggregate_name, str) else None
            if stat is None and match:
                stat = match.group(2)
            base = row.get("run_name") or (match.group(1) if match else name)
            return str(base), str(stat or "")
        if row.get("run_type") is None and match:
            return match.group(1), match.group(2)
        return None

    @staticmethod
    def _time_unit(row: dict[str, Any], at: str, source: Source) -> str:
        unit = row.get("time_unit", "ns")  # Google Benchmark's default
        if unit not in ("ns", "us", "ms", "s"):
            raise source.error(f"{at}.time_unit: unknown unit {unit!r}")
        return str(unit)

    def _times(self, row: dict[str, Any], at: str, source: Source) -> float:
        if "real_time" not in row:
            raise source.error(f"{at}: aggregate row without real_time")
        value = number(row["real_time"], source, f"{at}.real_time")
        if row.get("aggregate_unit") == "percentage" or row.get("aggregate_name") == "cv":
            return value  # a CV is a ratio, not a time
        factor, _ = unit_factor(self._time_unit(row, at, source))
        return value * factor

    @staticmethod
    def _emit(key: str, entry: _Series, sink: Sink) -> None:
        properties: dict[str, str] = {}
        if entry.iterations:
            properties["iterations"] = ",".join(str(n) for n in entry.iterations[:20])
        if entry.label:
            properties["label"] = entry.label
        if entry.samples:
            for suffix, values in entry.samples.items():
                unit = entry.units[suffix]
                name = f"{key}{suffix}"
                timed = unit == "s"
                work = entry.work.get(suffix, [])
                # A rate over a per-iteration time carries the timer's resolution over (as Go's
                # MB/s does): the smallest work, so that it is carried widest.
                rate = len(work) == len(values) and min(work) > 0
                own = {**properties, WORK_PER_OP: repr(min(work))} if rate else properties
                sink.metric(
                    name=name,
                    unit=unit,
                    direction=direction_for_unit(unit),
                    samples=values,
                    n=len(values),
                    # Times, and rates worked out from them, are per-iteration averages over
                    # each repetition's iterations.
                    iterations=(
                        min(entry.iterations) if (timed or rate) and entry.iterations else None
                    ),
                    input_unit=entry.time_unit if timed else None,
                    source=key,
                    properties=own,
                )
        elif entry.aggregates and entry.aggregates.keys() & {"mean", "median"}:
            sink.metric(
                name=key,
                unit="s",
                direction=Direction.LOWER_IS_BETTER,
                stats=dict(entry.aggregates),
                n=entry.repetitions,
                iterations=min(entry.iterations) if entry.iterations else None,
                source=key,
                properties={**properties, "from": "aggregates"},
            )
        elif entry.aggregates:
            sink.warn(f"{key!r}: only aggregate rows without a mean or median; nothing to read")


def _work_per_iteration(
    row: dict[str, Any], run_name: str, rate: float, factor: float
) -> float | None:
    """The work per iteration behind a rate the library worked out (`SetBytesProcessed`,
    `SetItemsProcessed`: the total over the seconds the runner judged the run by), in the
    rate's unit times seconds; None when the row does not hold the time it came from.

    benchmark_runner.cc divides by the CPU time, or by the wall time under `UseRealTime()`
    or `UseManualTime()` (whose time the JSON writes as `real_time`); the runner names such
    an instance `.../real_time` or `.../manual_time`. The JSON's times are per iteration, so
    rate × time is the work of one iteration."""
    parts = run_name.split("/")
    column = "real_time" if "real_time" in parts or "manual_time" in parts else "cpu_time"
    time = row.get(column)
    if not isinstance(time, int | float) or isinstance(time, bool) or time <= 0:
        return None
    return rate * time * factor


def _counter_unit(counter: str) -> str:
    """The unit of a counter, for the two the library itself writes (`SetBytesProcessed`,
    `SetItemsProcessed`: rates, higher is better). A user counter's name says nothing sure:
    `parse_per_second` may be `kIsRate | kInvert` (seconds per item, lower is better), and
    the JSON carries no flags, so it has no unit and its direction must be stated."""
    if counter == "bytes_per_second":
        # Bytes, not KiB: json_reporter.cc writes every counter's value as it is; only the
        # console output scales it (by 1024) for display.
        return "B/s"
    if counter == "items_per_second":
        return "1/s"
    return ""
