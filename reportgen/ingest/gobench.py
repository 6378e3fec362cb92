"""Plain `go test -bench` text output: `BenchmarkX-8  1000  1234 ns/op  56 B/op  2 allocs/op`.

Every line of a benchmark is one sample; `-count N` repeats give N samples. Each value/unit
pair becomes a metric: `BenchmarkX` (ns/op, as seconds), `BenchmarkX [B/op]` (bytes),
`BenchmarkX [allocs/op]`, `BenchmarkX [MB/s]` (bytes per second) and any `b.ReportMetric`
unit. The `-8` GOMAXPROCS suffix is kept as a property so names compare across machines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from reportgen import numbers
from reportgen.ingest._jsonread import read_bytes
from reportgen.ingest._metrics_common import direction_for_unit
from reportgen.ingest.base import Ingester, Sink, Source, decode_text
from reportgen.model import Direction

# Name, optional -procs, iteration count, then value/unit pairs (tab or space separated).
_LINE = re.compile(r"^(Benchmark\S*?)(?:-(\d+))?\s+(\d+)((?:\s+[-+\d.eE]+\s+\S+)+)\s*$")
_PAIR = re.compile(r"([-+\d.eE]+)\s+(\S+)")
_SNIFF = re.compile(r"^Benchmark\S*\s+\d+\s+[\d.eE+-]+\s+\S+/op\b", re.M)
_HEADER = re.compile(r"^(goos|goarch|pkg|cpu):\s*(.*)$")

# unit -> (factor to canonical, canonical unit, metric suffix, direction). The testing
# package's own units are costs per operation (lower) or throughput (higher); any other
# b.ReportMetric unit has a direction only if its dimension gives one (…/s).
_UNITS: dict[str, tuple[float, str, str, Direction | None]] = {
    "ns/op": (1e-9, "s", "", Direction.LOWER_IS_BETTER),
    "B/op": (1.0, "B", " [B/op]", Direction.LOWER_IS_BETTER),
    "allocs/op": (1.0, "allocs/op", " [allocs/op]", Direction.LOWER_IS_BETTER),
    "MB/s": (1e6, "B/s", " [MB/s]", Direction.HIGHER_IS_BETTER),
}


def parse_bench_line(line: str) -> tuple[str, int | None, int, list[tuple[float, str]]] | None:
    """(name, procs, iterations, [(value, unit), ...]) of one benchmark result line, or None.

    Shared with the go test -json reader, whose output events carry these same lines.
    """
    match = _LINE.match(line.rstrip("\n"))
    if match is None:
        return None
    name, procs, iterations, rest = match.groups()
    pairs = []
    for value, unit in _PAIR.findall(rest):
        try:
            pairs.append((numbers.parse_float(value), unit))
        except ValueError:
            return None
    try:
        return (
            name,
            numbers.parse_int(procs) if procs else None,
            numbers.parse_int(iterations),
            pairs,
        )
    except numbers.NumberError:
        return None


@dataclass
class _Series:
    unit: str
    direction: Direction | None
    input_unit: str
    samples: list[float] = field(default_factory=list)
    iterations: int | None = None  # the fewest behind one sample


class GoBenchIngester(Ingester):
    """Reads the text that `go test -bench` prints (also through `-v` and `benchstat` inputs)."""

    name = "gobench"
    description = "go test -bench text output: ns/op, B/op, allocs/op and custom units"
    patterns = ("*.txt", "bench*.out")

    def sniff(self, head: bytes, path: str) -> float:
        text = head.decode("utf-8", errors="ignore")
        if text.lstrip().startswith(("{", "<", "[")):
            return 0.0  # go test -json and XML belong to others
        return 0.85 if _SNIFF.search(text) else 0.0

    def read(self, source: Source, sink: Sink) -> None:
        text = decode_text(read_bytes(source), source)
        series: dict[str, _Series] = {}
        procs_seen: dict[str, set[int]] = {}
        packages: dict[str, str] = {}
        package = ""
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                if header.group(1) == "pkg":
                    package = header.group(2).strip()
                continue
            if not line.startswith("Benchmark"):
                continue
            parsed = parse_bench_line(line)
            if parsed is None:
                # "BenchmarkX" alone starts a benchmark under -v; its result follows later.
                if re.match(r"^Benchmark\S*\s+\d+\s", line):
                    raise source.error("cannot read this benchmark result line", line=number)
                continue
            name, procs, iterations, pairs = parsed
            if not pairs:
                continue
            if iterations < 1:
                raise source.error(
                    f"{name}: {iterations} iterations cannot be a measurement", line=number
                )
            if package and packages.setdefault(name, package) != package:
                # The same benchmark name in a second package is another benchmark.
                name = f"{package}.{name}"
                packages.setdefault(name, package)
            if procs is not None:
                procs_seen.setdefault(name, set()).add(procs)
            for value, unit in pairs:
                if not math.isfinite(value) or value < 0:
                    raise source.error(f"{name}: {value} {unit} is not a measurement", line=number)
                factor, canonical, suffix, direction = _UNITS.get(
                    unit, (1.0, unit, f" [{unit}]", direction_for_unit(unit))
                )
                entry = series.setdefault(f"{name}{suffix}", _Series(canonical, direction, unit))
                if entry.unit != canonical:
                    raise source.error(f"{name}: unit {unit} changed", line=number)
                entry.samples.append(value * factor)
                # Each value is an average over this line's N iterations.
                if unit.endswith("/op"):
                    entry.iterations = min(entry.iterations or iterations, iterations)
        if not series:
            raise source.error("no benchmark result lines (BenchmarkX  N  V ns/op)")
        for metric_name, entry in series.items():
            base = metric_name.split(" [", 1)[0]
            properties: dict[str, str] = {}
            if base in procs_seen:
                properties["procs"] = ",".join(str(p) for p in sorted(procs_seen[base]))
            if base in packages:
                properties["package"] = packages[base]
            sink.metric(
                name=metric_name,
                unit=entry.unit,
                direction=entry.direction,
                samples=entry.samples,
                n=len(entry.samples),
                iterations=entry.iterations,
                input_unit=entry.input_unit,
                source=f"{packages[base]}.{base}" if base in packages else base,
                properties=properties,
            )
