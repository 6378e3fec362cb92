"""Plain `go test -bench` text output: `BenchmarkX-8  1000  1234 ns/op  56 B/op  2 allocs/op`.

Every line of a benchmark is one sample; `-count N` repeats give N samples. Each value/unit
pair becomes a metric: `BenchmarkX` (ns/op, as seconds), `BenchmarkX [B/op]` (bytes),
`BenchmarkX [allocs/op]`, `BenchmarkX [MB/s]` (bytes per second) and any `b.ReportMetric`
unit. The `-8` GOMAXPROCS suffix is kept as a property so names compare across machines; a run
at several settings (`-cpu 1,4`) names each as `BenchmarkX-1`, `BenchmarkX-4` instead. A `-N`
is read as GOMAXPROCS only where the file shows it is one (`_procs_of`); otherwise the names
are kept as printed.

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
from reportgen.units import normalise_unit

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
    # 10^6 bytes: `BenchmarkResult.mbPerSec` divides bytes by 1e6 (go/src/testing/benchmark.go).
    "MB/s": (1e6, "B/s", " [MB/s]", Direction.HIGHER_IS_BETTER),
}


#: Units the testing package prints as whole numbers rounded down (`AllocsPerOp`,
#: `AllocedBytesPerOp`: total / N in integer division).
ROUNDED_DOWN_UNITS = frozenset({"B/op", "allocs/op"})


def _custom_unit(unit: str) -> tuple[float, str, str, Direction | None]:
    """A `b.ReportMetric` unit as `_UNITS` gives the testing package's own: read in its
    dimension's canonical unit as every metrics input is (`%` as a ratio, `ms` as seconds,
    `kB/s` as B/s), so that a threshold in that unit (`min: 95%`) holds against it; named as
    printed, with a direction only if that dimension gives one."""
    factor, canonical = normalise_unit(1.0, unit)
    return factor, canonical, f" [{unit}]", direction_for_unit(canonical)


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
    # Per sample: the `-N` that ends the line's name, if any (a GOMAXPROCS suffix or the end
    # of a sub-benchmark's own name: see `_procs_of`), and the line's iterations.
    trailing: list[int | None] = field(default_factory=list)
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
        # Benchmark name (its last `-N` cut off) -> the `-N` values seen after it (None: none).
        self.trailing: dict[str, set[int | None]] = {}
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
        self.trailing.setdefault(name, set()).add(procs)
        per_op = next((v * 1e-9 for v, u in pairs if u == "ns/op"), None)
        for value, unit in pairs:
            if not math.isfinite(value) or value < 0:
                raise source.error(f"{name}: {value} {unit} is not a measurement", line=lineno)
            factor, canonical, suffix, direction = _UNITS.get(unit) or _custom_unit(unit)
            entry = self.series.setdefault(f"{name}{suffix}", _Series(canonical, direction, unit))
            if entry.unit != canonical:
                raise source.error(f"{name}: unit {unit} changed", line=lineno)
            entry.samples.append(value * factor)
            entry.trailing.append(procs)
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
        resolved: dict[str, tuple[str, int | None]] = {}
        for package in self.by_package:
            resolved.update(self._resolve(package))
        for metric_name, entry in self.series.items():
            base = metric_name.split(" [", 1)[0]
            unit_suffix = metric_name[len(base) :]
            # The samples of each benchmark and GOMAXPROCS, in the order first seen.
            groups: dict[tuple[str, int | None], list[int]] = {}
            for i, trailing in enumerate(entry.trailing):
                printed = base if trailing is None else f"{base}-{trailing}"
                groups.setdefault(resolved[printed], []).append(i)
            for (name, procs), rows in groups.items():
                part = _Series(
                    entry.unit,
                    entry.direction,
                    entry.input_unit,
                    [entry.samples[i] for i in rows],
                    min(entry.line_iterations[i] for i in rows)
                    if entry.input_unit.endswith("/op") or entry.input_unit == "MB/s"
                    else None,
                    [entry.trailing[i] for i in rows],
                    [entry.line_iterations[i] for i in rows],
                    [entry.work[i] for i in rows] if len(entry.work) == len(entry.samples) else [],
                )
                self._emit(sink, base, name, unit_suffix, part, procs)

    def _resolve(self, package: str) -> dict[str, tuple[str, int | None]]:
        """Each benchmark name as `package`'s output printed it -> the name its metrics take
        and its GOMAXPROCS (None: not known, or 1 in a run at that setting alone)."""
        printed = {
            base if trailing is None else f"{base}-{trailing}"
            for base in self.by_package[package]
            for trailing in self.trailing.get(base, ())
        }
        # Registered names of a second package start with the package path (`_register`).
        top = {
            name
            for name in printed
            if "/" not in (name if name.startswith("Benchmark") else name[len(package) + 1 :])
        }
        cover = _procs_of(printed, top)
        if cover is None:
            return {name: (name, None) for name in printed}
        if len({p for _, p in cover.values()}) == 1:
            # One setting: named without it, so that names compare across machines.
            return {name: (stem, None if p == 1 else p) for name, (stem, p) in cover.items()}
        # `-cpu 1,4`: one benchmark at several GOMAXPROCS is that many measurements, each
        # named as go prints it (with -1 spelt out); pooled, the samples of one setting
        # would hide a regression of another and count twice towards min_samples.
        return {name: (f"{stem}-{p}", p) for name, (stem, p) in cover.items()}

    def _emit(
        self,
        sink: Sink,
        base: str,
        name: str,
        unit_suffix: str,
        entry: _Series,
        procs: int | None,
    ) -> None:
        """One metric of benchmark `name` (`base`, as registered, finds its package)."""
        properties: dict[str, str] = {}
        if procs is not None:
            properties["procs"] = str(procs)
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
        sink.metric(
            name=f"{name}{unit_suffix}",
            unit=entry.unit,
            direction=entry.direction,
            samples=entry.samples,
            n=len(entry.samples),
            iterations=entry.iterations,
            input_unit=entry.input_unit,
            source=f"{self.packages[base]}.{name}" if base in self.packages else name,
            properties=properties,
        )


# A name's last `-N` as go would print a GOMAXPROCS: %d of a number other than 1.
_TRAILING = re.compile(r"^(.+)-([1-9]\d*)$")


def _named(stem: str, procs: int) -> str:
    """The name go prints for benchmark `stem` at GOMAXPROCS `procs` (no suffix for 1)."""
    return stem if procs == 1 else f"{stem}-{procs}"


def _cover(printed: set[str], settings: set[int]) -> dict[str, tuple[str, int]] | None:
    """Each printed name as (benchmark, GOMAXPROCS) when `printed` is exactly every
    benchmark at every one of `settings`, as one test binary prints them; else None."""
    anchor = min(settings)
    stems = set()
    for name in printed:
        if anchor == 1:
            stems.add(name)
        elif (m := _TRAILING.match(name)) and int(m[2]) == anchor:
            stems.add(m[1])
    stems = {t for t in stems if all(_named(t, p) in printed for p in settings)}
    cover = {_named(t, p): (t, p) for t in stems for p in settings}
    if len(cover) != len(stems) * len(settings) or cover.keys() != printed:
        return None
    return cover


def _procs_of(printed: set[str], top: set[str]) -> dict[str, tuple[str, int]] | None:
    """Each name one package's output printed as (benchmark, GOMAXPROCS), when the names show
    the settings the package ran at; None when they do not, and the names are then kept as
    printed.

    Go ends a name with `-N` only when GOMAXPROCS is N != 1 (`benchmarkName` in
    go/src/testing/benchmark.go), and every benchmark of a test
    binary runs at the same settings (the `-cpu` list, else GOMAXPROCS). A sub-benchmark's own
    name may end in `-digits` too (`BenchmarkEncode/size-1024` at GOMAXPROCS 1), so a `-N` is
    read as GOMAXPROCS only when the file shows it is: a top-level name (a Go identifier holds
    no `-`) says which settings the binary ran at; else the same `-N` ends every name, or
    the names form a `-cpu` list with 1 in it (each `X` beside `X-2`, `X-4`) and nothing
    else. Read wrongly, `size-512` and `size-1024` would pool as runs of one benchmark.
    `top`: the names of top-level benchmarks among `printed`."""
    if top:
        return _cover(printed, {int(m[2]) if (m := _TRAILING.match(name)) else 1 for name in top})
    ends = {m[2] if (m := _TRAILING.match(name)) else None for name in printed}
    candidates: list[set[int]] = []
    if len(ends) == 1 and (end := next(iter(ends))) is not None:
        candidates.append({int(end)})
    # `-cpu 1,N,...`: a name X with X-N beside it for every other setting N.
    after: dict[str, set[int]] = {}
    for name in printed:
        if (m := _TRAILING.match(name)) and m[1] in printed:
            after.setdefault(m[1], set()).add(int(m[2]))
    for others in {frozenset(values) for values in after.values()}:
        candidates.append({1, *others})
    fits = [cover for settings in candidates if (cover := _cover(printed, settings))]
    # Two readings that both fit (`X/n-2` beside `X/n-2-2`: GOMAXPROCS 2, or -cpu 1,2) leave
    # it open, and the names are kept apart.
    return fits[0] if len(fits) == 1 else None


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
