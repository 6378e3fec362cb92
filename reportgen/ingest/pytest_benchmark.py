"""pytest-benchmark JSON (`--benchmark-json`, `--benchmark-autosave`): one metric per benchmark.

Raw per-round samples come from `stats.data` when the run saved them
(`--benchmark-save-data`); otherwise the reported statistics are point estimates with
n = rounds. All values are seconds per iteration.
"""

from __future__ import annotations

import re
from typing import Any

from reportgen.ingest._jsonread import head_text, load_document, note_timestamp
from reportgen.ingest._metrics_common import (
    mapping,
    number,
    optional_number,
    parameter_properties,
    sequence,
    text_field,
)
from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.model import Direction

_BENCHMARKS = re.compile(r'"benchmarks"\s*:\s*\[')
_MARKERS = re.compile(r'"(?:machine_info|commit_info)"\s*:')
_STATS_KEYS = re.compile(r'"(?:rounds|iqr_outliers|stddev_outliers|ld15iqr|hd15iqr)"\s*:')

# pytest-benchmark statistic -> criteria vocabulary.
_STATS = {
    "mean": "mean",
    "median": "median",
    "min": "min",
    "max": "max",
    "stddev": "stdev",
    "q1": "p25",
    "q3": "p75",
}


class PytestBenchmarkIngester(Ingester):
    """Reads pytest-benchmark's JSON: per benchmark, seconds per iteration."""

    name = "pytest-benchmark"
    description = "pytest-benchmark --benchmark-json / autosave: one metric per benchmark"
    patterns = (".benchmarks/*/*.json", "benchmark*.json")

    def sniff(self, head: bytes, path: str) -> float:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return 0.0
        if _BENCHMARKS.search(text):
            # Google Benchmark also has "benchmarks": [...]; these keys are ours alone.
            return 0.9 if _STATS_KEYS.search(text) or _MARKERS.search(text) else 0.0
        # A long machine_info block can fill the head before "benchmarks" shows up.
        if _MARKERS.search(text) and '"python_implementation"' in text:
            return 0.7
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        data = mapping(load_document(source), source, "document")
        benchmarks = sequence(data.get("benchmarks"), source, "benchmarks")
        if isinstance(data.get("datetime"), str):
            note_timestamp(sink, data["datetime"])
        for i, raw in enumerate(benchmarks):
            self._benchmark(
                mapping(raw, source, f"benchmarks[{i}]"), f"benchmarks[{i}]", source, sink
            )

    @staticmethod
    def _benchmark(bench: dict[str, Any], at: str, source: Source, sink: Sink) -> None:
        short = text_field(bench.get("name"), source, f"{at}.name")
        # fullname (file::test[param]) is unique in a run; the short name is not.
        fullname = bench.get("fullname")
        name = fullname if isinstance(fullname, str) and fullname.strip() else short
        stats_raw = mapping(bench.get("stats"), source, f"{at}.stats")
        rounds_raw = stats_raw.get("rounds")
        rounds = None
        if rounds_raw is not None:
            rounds_f = number(rounds_raw, source, f"{at}.stats.rounds")
            if rounds_f != int(rounds_f) or rounds_f < 1:
                raise source.error(f"{at}.stats.rounds: expected a positive whole number")
            rounds = int(rounds_f)
        stats = {
            key: value
            for src, key in _STATS.items()
            if (value := optional_number(stats_raw.get(src), source, f"{at}.stats.{src}"))
            is not None
        }
        properties: dict[str, str] = {"short_name": short}
        for key in ("group", "param"):
            if bench.get(key) is not None:
                properties[key] = str(bench[key])
        # `param` is the test id's parameter part, which an `ids=` keeps the same when the
        # values behind it change; `params` holds the values themselves.
        params = bench.get("params")
        if isinstance(params, dict):
            properties.update(parameter_properties(params))
        iterations = stats_raw.get("iterations")
        per_round: int | None = None
        if isinstance(iterations, int) and not isinstance(iterations, bool):
            properties["iterations"] = str(iterations)
            per_round = iterations if iterations >= 1 else None
        options = bench.get("options")
        if isinstance(options, dict) and isinstance(options.get("timer"), str):
            properties["timer"] = options["timer"]
        samples = _samples(stats_raw.get("data"), rounds, name, at, source, sink)
        if samples is None and not stats:
            raise source.error(f"{at}.stats: no statistics and no data for {name!r}")
        sink.metric(
            name=name,
            unit="s",
            direction=Direction.LOWER_IS_BETTER,
            # Each round's time is an average over `iterations` calls.
            iterations=per_round,
            input_unit="s",
            samples=samples,
            stats=None if samples is not None else stats,
            n=len(samples) if samples is not None else rounds,
            source=name,
            properties=properties,
        )


def _samples(
    raw: Any, rounds: int | None, name: str, at: str, source: Source, sink: Sink
) -> list[float] | None:
    """The per-round samples, or None when not saved or not usable (then stats are used)."""
    if raw is None:
        return None
    data = sequence(raw, source, f"{at}.stats.data")
    numbers: list[float] = []
    for j, value in enumerate(data):
        if isinstance(value, str):
            # Files shortened by hand end in a note such as "... omitted"; the samples that
            # remain are a biased prefix, so the reported statistics are the better evidence.
            sink.warn(
                f"{at}.stats.data of {name!r} is cut short ({value[:40]!r} after {j} values); "
                f"using the reported statistics (n = rounds) instead"
            )
            return None
        numbers.append(number(value, source, f"{at}.stats.data[{j}]"))
    if not numbers:
        return None
    if rounds is not None and len(numbers) != rounds:
        sink.warn(
            f"{at}.stats.data of {name!r} has {len(numbers)} values for {rounds} rounds; "
            f"using the reported statistics instead"
        )
        return None
    return numbers
