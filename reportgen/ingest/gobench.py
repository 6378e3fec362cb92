"""Plain `go test -bench` text output: `BenchmarkX-8  1000  1234 ns/op  56 B/op  2 allocs/op`.

Every line of a benchmark is one sample; `-count N` repeats give N samples. Each value/unit
pair becomes a metric: `BenchmarkX` (ns/op, as seconds), `BenchmarkX [B/op]` (bytes),
`BenchmarkX [allocs/op]`, `BenchmarkX [MB/s]` (bytes per second) and any `b.ReportMetric`
unit. The `-8` GOMAXPROCS suffix is kept as a property so names compare across machines; a run
at several settings (`-cpu 1,4`) names each as `BenchmarkX-1`, `BenchmarkX-4` instead.

Output stops with `PASS`/`FAIL` (a test binary) or `ok`/`FAIL  pkg` (`go test`): result lines
with no closing line after them are output cut short, flagged for their benchmarks. A `---
FAIL: BenchmarkX` (on a line of its own, or after the name of a later `-count` run) is a failed
test and flags that benchmark; a FAIL with none named (a panic) flags the benchmarks before it.
`BenchmarkX-8  0  NaN ns/op` is what go prints for a run that a panic stopped before it measured
anything: no malformed line, but a flag on that benchmark.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from reportgen import numbers
from reportgen.ingest._jsonread import read_bytes
from reportgen.ingest._metrics_common import direction_for_unit
from reportgen.ingest.base import Ingester, Sink, Source, decode_text
from reportgen.model import ROUNDED, WORK_PER_OP, Direction, IntegrityKind, Outcome

# Name, optional -procs, iteration count, then value/unit pairs (tab or space separated).
_LINE = re.compile(r"^(Benchmark\S*?)(?:-(\d+))?\s+(\d+)((?:\s+[-+\d.eE]+\s+\S+)+)\s*$")
_PAIR = re.compile(r"([-+\d.eE]+)\s+(\S+)")
_SNIFF = re.compile(r"^Benchmark\S*\s+\d+\s+[\d.eE+-]+\s+\S+/op\b", re.M)
_HEADER = re.compile(r"^(goos|goarch|pkg|cpu):\s*(.*)$")
# What go prints for a run that stopped before it measured anything, as the binary panics.
_STOPPED = re.compile(r"^(Benchmark\S*?)(?:-\d+)?\s+0\s+NaN ns/op\s*$")
# A line that starts like a result (name, iteration count) but is no readable result.
_UNREADABLE = re.compile(r"^Benchmark\S*\s+\d+\s")
# `--- FAIL: BenchmarkX` (sub-benchmarks are indented under their parent). Without -v, a run
# after the first (`-count`) has its name printed before it runs, so its failure ends that
# line: `BenchmarkX-8   \t--- FAIL: BenchmarkX-8` (and go still prints `ok`).
_BENCH_FAIL = re.compile(r"^(?:Benchmark\S*\s+)?\s*--- FAIL: (Benchmark\S*)")
# The line that closes the output of one test binary (`PASS`, `FAIL`) or of one package as
# `go test` prints it (`ok  \tpkg\t0.1s`, `FAIL\tpkg\t0.1s`).
_CLOSE = re.compile(r"^(PASS|FAIL|ok)(?:\s.*)?$")

# unit -> (factor to canonical, canonical unit, metric suffix, direction). The testing
# package's own units are costs per operation (lower) or throughput (higher); any other
# b.ReportMetric unit has a direction only if its dimension gives one (…/s).
_UNITS: dict[str, tuple[float, str, str, Direction | None]] = {
    "ns/op": (1e-9, "s", "", Direction.LOWER_IS_BETTER),
    "B/op": (1.0, "B", " [B/op]", Direction.LOWER_IS_BETTER),
    "allocs/op": (1.0, "allocs/op", " [allocs/op]", Direction.LOWER_IS_BETTER),
    "MB/s": (1e6, "B/s", " [MB/s]", Direction.HIGHER_IS_BETTER),
}


#: Units the testing package prints as whole numbers rounded down (`AllocsPerOp`,
#: `AllocedBytesPerOp`: total / N in integer division).
ROUNDED_DOWN_UNITS = frozenset({"B/op", "allocs/op"})


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
    # Per sample: the line's GOMAXPROCS (1 when Go prints no suffix) and its iterations.
    procs: list[int] = field(default_factory=list)
    line_iterations: list[int] = field(default_factory=list)
    #: For `MB/s`: per line, the bytes of one operation (the rate times the line's `ns/op`).
    work: list[float] = field(default_factory=list)


class BenchResults:
    """The benchmark result lines of one input, made into metrics the same way for the text
    reader and the go test -json reader: one run given in both formats (`-v | tee bench.txt |
    go tool test2json`) must give the same metrics (names, units, samples, n), or it is not
    recognised as the same evidence and is counted twice."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.series: dict[str, _Series] = {}
        self.procs_seen: dict[str, set[int]] = {}
        self.packages: dict[str, str] = {}  # benchmark name -> its package
        self.by_package: dict[str, list[str]] = {}  # package -> benchmark names, first seen
        self.stopped: list[tuple[str, int | None]] = []  # runs that measured nothing, and where

    def add(self, line: str, package: str, lineno: int | None) -> str | None:
        """Read one output line of `package` ("" when unknown): the name the benchmark's
        metrics start with if it is a result line, else None."""
        if not line.startswith("Benchmark"):
            return None
        source = self.source
        parsed = parse_bench_line(line)
        if parsed is None:
            stopped = _STOPPED.match(line)
            if stopped:
                name = self._register(stopped.group(1), package)
                self.stopped.append((name, lineno))
                return name
            # "BenchmarkX" alone starts a benchmark under -v; its result follows later.
            if _UNREADABLE.match(line):
                raise source.error("cannot read this benchmark result line", line=lineno)
            return None
        name, procs, iterations, pairs = parsed
        if not pairs:
            return None
        if iterations < 1:
            raise source.error(f"{name}: {iterations} iterations cannot be a measurement", lineno)
        name = self._register(name, package)
        if procs is not None:
            self.procs_seen.setdefault(name, set()).add(procs)
        per_op = next((v * 1e-9 for v, u in pairs if u == "ns/op"), None)
        for value, unit in pairs:
            if not math.isfinite(value) or value < 0:
                raise source.error(f"{name}: {value} {unit} is not a measurement", line=lineno)
            factor, canonical, suffix, direction = _UNITS.get(
                unit, (1.0, unit, f" [{unit}]", direction_for_unit(unit))
            )
            entry = self.series.setdefault(f"{name}{suffix}", _Series(canonical, direction, unit))
            if entry.unit != canonical:
                raise source.error(f"{name}: unit {unit} changed", line=lineno)
            entry.samples.append(value * factor)
            entry.procs.append(procs or 1)
            entry.line_iterations.append(iterations)
            # Each value is an average over this line's N iterations; `MB/s` is worked out
            # from the same timing (the bytes of one operation over `ns/op`).
            if unit.endswith("/op") or unit == "MB/s":
                entry.iterations = min(entry.iterations or iterations, iterations)
            if unit == "MB/s" and per_op is not None:
                entry.work.append(value * factor * per_op)
        return name

    def _register(self, name: str, package: str) -> str:
        """The name a benchmark of `package` is known by, recorded as one of the package's."""
        if package and self.packages.setdefault(name, package) != package:
            # The same benchmark name in a second package is another benchmark.
            name = f"{package}.{name}"
            self.packages.setdefault(name, package)
        names = self.by_package.setdefault(package, [])
        if name not in names:
            names.append(name)
        return name

    def names(self, package: str) -> list[str]:
        """The benchmarks read from `package`, as their metric names start."""
        return self.by_package.get(package, [])

    def emit(self, sink: Sink) -> None:
        for name, line in self.stopped:
            sink.flag(
                IntegrityKind.BENCHMARK_ERRORS,
                f"{name}: a run printed 0 iterations and NaN ns/op: it stopped before it measured "
                "anything (a panic or a timeout)",
                line,
                scope=name,
            )
        for metric_name, entry in self.series.items():
            configurations = sorted(set(entry.procs))
            if len(configurations) <= 1:
                self._emit(sink, metric_name, entry, None)
                continue
            # `-cpu 1,4`: one benchmark at several GOMAXPROCS is that many measurements, each
            # named as go prints it (with -1 spelt out); pooled, the samples of one setting
            # would hide a regression of another and count twice towards min_samples.
            for procs in configurations:
                rows = [i for i, p in enumerate(entry.procs) if p == procs]
                part = _Series(
                    entry.unit,
                    entry.direction,
                    entry.input_unit,
                    [entry.samples[i] for i in rows],
                    min(entry.line_iterations[i] for i in rows)
                    if entry.input_unit.endswith("/op") or entry.input_unit == "MB/s"
                    else None,
                    [procs] * len(rows),
                    [entry.line_iterations[i] for i in rows],
                    [entry.work[i] for i in rows] if len(entry.work) == len(entry.samples) else [],
                )
                self._emit(sink, metric_name, part, procs)

    def _emit(self, sink: Sink, metric_name: str, entry: _Series, procs: int | None) -> None:
        """One metric; `procs` when the benchmark ran at several GOMAXPROCS (`-cpu 1,4`)."""
        base = metric_name.split(" [", 1)[0]
        name = metric_name if procs is None else f"{base}-{procs}{metric_name[len(base) :]}"
        properties: dict[str, str] = {}
        if procs is not None:
            properties["procs"] = str(procs)
        elif base in self.procs_seen:
            properties["procs"] = ",".join(str(p) for p in sorted(self.procs_seen[base]))
        if base in self.packages:
            properties["package"] = self.packages[base]
        if entry.input_unit in ROUNDED_DOWN_UNITS and all(x.is_integer() for x in entry.samples):
            # The testing package prints these as total / N in integer division: "0
            # allocs/op" is anything below one per operation, not zero (a b.ReportMetric
            # value of the same unit is printed as it is, and is seldom whole).
            properties[ROUNDED] = "down"
        if entry.work and len(entry.work) == len(entry.samples) and min(entry.work) > 0:
            # The smallest, so that the timer's resolution is carried over widest.
            properties[WORK_PER_OP] = repr(min(entry.work))
        shown = base if procs is None else f"{base}-{procs}"
        sink.metric(
            name=name,
            unit=entry.unit,
            direction=entry.direction,
            samples=entry.samples,
            n=len(entry.samples),
            iterations=entry.iterations,
            input_unit=entry.input_unit,
            source=f"{self.packages[base]}.{shown}" if base in self.packages else shown,
            properties=properties,
        )


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
        results = BenchResults(source)
        package = ""
        # Since the last closing line (`PASS`, `FAIL`, `ok  pkg`, `FAIL  pkg`): the first
        # result line, the benchmarks read and those that `--- FAIL` named.
        open_line: int | None = None
        section: list[str] = []
        failed: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                if header.group(1) == "pkg":
                    package = header.group(2).strip()
                continue
            name = results.add(line, package, number)
            if name is not None:
                open_line = open_line or number
                if name not in section:
                    section.append(name)
                continue
            fail = _BENCH_FAIL.match(line)
            if fail:
                failed.append(fail.group(1))
                open_line = open_line or number
                failed_benchmark(sink, package, fail.group(1), number)
                # A row as the go test -json reader makes from the `fail` event of the same
                # line, so that one run given in both formats holds the same executions.
                sink.test(
                    name=fail.group(1),
                    classname=package or None,
                    suite=(package,) if package else (),
                    outcome=Outcome.FAILED,
                )
                continue
            close = _CLOSE.match(line)
            if close:
                # `go test` closes twice (`FAIL`, then `FAIL  pkg`): the second adds nothing.
                if close.group(1) == "FAIL" and section and not failed:
                    _failed(sink, package, section, number)
                open_line, section, failed = None, [], []
        if not results.series:
            raise source.error("no benchmark result lines (BenchmarkX  N  V ns/op)")
        if open_line is not None:
            _cut_before_end(sink, package, section, open_line)
        results.emit(sink)


def failed_benchmark(sink: Sink, package: str, name: str, line: int | None) -> None:
    """Flag a benchmark that failed (`--- FAIL`): samples it printed before it failed (an
    earlier -count run) are no evidence that it works. Shared with the go test -json reader."""
    where = f"package {package}" if package else "the benchmark run"
    sink.flag(
        IntegrityKind.BENCHMARK_ERRORS,
        f"{where}: {name} failed (--- FAIL)",
        line,
        scope=_base_name(name),
    )


def _failed(sink: Sink, package: str, section: list[str], line: int) -> None:
    """Output that ends in FAIL with no failed benchmark named: a panic or an exit of the
    test binary; the benchmarks read since the last closing line are no evidence."""
    where = f"package {package}" if package else "the benchmark run"
    message = (
        f"{where} failed without a failing benchmark (a panic or an exit of the test binary): "
        "the run did not finish"
    )
    sink.warn(message, line)
    for scope in section:
        sink.flag(IntegrityKind.ABORTED, message, line, scope=scope, warn=False)


def _cut_before_end(sink: Sink, package: str, names: list[str], line: int | None) -> None:
    """Flag the benchmarks of output that stops before its closing line: a later sample of
    the last one, and every benchmark after it, may be missing."""
    where = f"package {package}" if package else "the benchmark run"
    sink.warn(
        f"{where} stops before its final PASS, ok or FAIL line: the output was cut, so "
        "benchmarks or samples may be missing",
        line,
    )
    scopes: list[str | None] = [*names] or [None]
    for name in scopes:
        sink.flag(
            IntegrityKind.TESTS_MISSING,
            f"{where} stops before its final PASS, ok or FAIL line: the output was cut",
            line,
            scope=name,
            warn=False,
        )


def _base_name(name: str) -> str:
    """A benchmark name without its -GOMAXPROCS suffix, as metric names start."""
    match = re.match(r"^(Benchmark\S*?)(?:-\d+)?$", name)
    return match.group(1) if match else name
