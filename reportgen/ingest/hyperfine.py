"""hyperfine `--export-json`: per command, its run times as samples and its exit codes as a
success rate (`NAME [success]`, with counts); runs that exited non-zero are counted, not timed."""

from __future__ import annotations

import re
from typing import Any

from reportgen.ingest._jsonread import head_text, load_document
from reportgen.ingest._metrics_common import (
    mapping,
    number,
    optional_number,
    parameter_properties,
    sequence,
    text_field,
)
from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.model import Direction, IntegrityKind

_RESULTS = re.compile(r'"results"\s*:\s*\[')
_COMMAND = re.compile(r'"command"\s*:\s*"')
_TIMING = re.compile(r'"(?:times|mean|stddev|median|user|system|exit_codes)"\s*:')

# hyperfine's summary statistics, by the criteria vocabulary name they map to.
_STATS = {"mean": "mean", "stddev": "stdev", "median": "median", "min": "min", "max": "max"}


class HyperfineIngester(Ingester):
    """Reads hyperfine's JSON export: wall-clock seconds per run of each command."""

    name = "hyperfine"
    description = "hyperfine --export-json: one metric per command, samples from `times`"
    patterns = ("hyperfine*.json", "bench*.json")

    def sniff(self, head: bytes, path: str) -> float:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return 0.0
        match = _RESULTS.search(text)
        if not match or not _COMMAND.search(text, match.end()):
            return 0.0
        return 0.9 if _TIMING.search(text, match.end()) else 0.5

    def read(self, source: Source, sink: Sink) -> None:
        data = mapping(load_document(source), source, "document")
        results = sequence(data.get("results"), source, "results")
        seen: dict[str, int] = {}
        # Commands named alike (`-n work` with `--parameter-scan`): each is named by its
        # parameters, whatever their order, so that a baseline pairs the same settings.
        commands = [r.get("command") if isinstance(r, dict) else None for r in results]
        for i, raw in enumerate(results):
            at = f"results[{i}]"
            result = mapping(raw, source, at)
            command = text_field(result.get("command"), source, f"{at}.command")
            name = command
            properties: dict[str, str] = {}
            parameters = result.get("parameters")
            if isinstance(parameters, dict) and parameters:
                properties.update(parameter_properties(parameters))
                if commands.count(command) > 1:
                    settings = ", ".join(f"{k}={v}" for k, v in sorted(parameters.items()))
                    command = name = f"{command} ({settings})"
            if command in seen:
                # The same command twice (e.g. repeated on the command line): keep both, apart.
                seen[command] += 1
                name = f"{command} #{seen[command]}"
                sink.warn(f"{at}: command {command!r} appears again; read as {name!r}")
            else:
                seen[command] = 1
            samples = self._times(result, source, at)
            stats = {
                key: value
                for src, key in _STATS.items()
                if (value := optional_number(result.get(src), source, f"{at}.{src}")) is not None
            }
            for part in ("user", "system"):
                value = optional_number(result.get(part), source, f"{at}.{part}")
                if value is not None:
                    properties[f"{part}_mean_s"] = repr(value)
            ok = self._exit_ok(result, source, at, len(samples) if samples is not None else None)
            failed = 0 if ok is None else ok.count(False)
            if samples is not None and ok is not None:
                # A run that exited non-zero did not do the work being timed: counted, not timed.
                samples = [t for t, good in zip(samples, ok, strict=True) if good]
            if failed:
                properties["failed_runs"] = str(failed)
                left_out = "left out of its timings" if samples is not None else "in its summary"
                sink.warn(
                    f"{at}: {failed} of {len(ok or ())} run(s) of {command!r} exited with a "
                    f"non-zero code; {left_out} and counted in {name} [success]"
                )
                # A command that failed in some runs is no evidence of its speed: criteria on
                # its timings are insufficient (the summary-only case even holds the failed
                # runs in its figures); `NAME [success]` judges the failures themselves.
                inside = "includes" if samples is None else "left out"
                sink.flag(
                    IntegrityKind.BENCHMARK_ERRORS,
                    f"{at}: {failed} of {len(ok or ())} run(s) of {command!r} exited with a "
                    f"non-zero code ({inside} of its timings)",
                    scope=name,
                    warn=False,
                )
            n = len(samples) if samples is not None else None
            if samples is None:
                if not stats:
                    raise source.error(f"{at}: neither `times` nor summary statistics")
                sink.warn(f"{at}: no `times` for {command!r}; using its summary statistics")
                n = len(ok) if ok else None
            sink.metric(
                name=name,
                unit="s",
                direction=Direction.LOWER_IS_BETTER,
                samples=samples,
                # The raw times carry everything; the summary is only kept when they are absent.
                stats=stats if samples is None else None,
                n=n,
                failures=failed if ok is not None else None,
                input_unit="s",
                source=command,
                properties=properties,
            )
            if ok is not None:
                sink.metric(
                    name=f"{name} [success]",
                    unit="ratio",
                    direction=Direction.HIGHER_IS_BETTER,
                    stats={"rate": (len(ok) - failed) / len(ok)} if ok else {},
                    n=len(ok),
                    hits=len(ok) - failed,
                    source=command,
                )
            self._memory(result, source, at, name, command, ok, sink)

    @staticmethod
    def _times(result: dict[str, Any], source: Source, at: str) -> list[float] | None:
        if result.get("times") is None:
            return None
        times = sequence(result["times"], source, f"{at}.times")
        if not times:
            raise source.error(f"{at}.times: no runs")
        return [number(t, source, f"{at}.times[{j}]") for j, t in enumerate(times)]

    @staticmethod
    def _exit_ok(
        result: dict[str, Any], source: Source, at: str, n: int | None
    ) -> list[bool] | None:
        """Per run, whether it exited with 0; None when the export has no exit codes."""
        codes = result.get("exit_codes")
        if codes is None:
            return None
        codes = sequence(codes, source, f"{at}.exit_codes")
        if n is not None and len(codes) != n:
            raise source.error(f"{at}: {len(codes)} exit codes for {n} times")
        # null is a run killed by a signal.
        return [code == 0 for code in codes]

    @staticmethod
    def _memory(
        result: dict[str, Any],
        source: Source,
        at: str,
        name: str,
        command: str,
        ok: list[bool] | None,
        sink: Sink,
    ) -> None:
        """Peak memory per run (hyperfine >= 1.19), as its own metric. Already bytes:
        hyperfine multiplies ru_maxrss (KiB on Linux and the BSDs) by 1024 itself
        (src/timer/unix_timer.rs), so no factor applies here."""
        raw = result.get("memory_usage_byte")
        if raw is None:
            return
        values = sequence(raw, source, f"{at}.memory_usage_byte")
        if values:
            peaks = [
                number(v, source, f"{at}.memory_usage_byte[{j}]") for j, v in enumerate(values)
            ]
            if ok is not None and len(ok) == len(peaks):
                peaks = [p for p, good in zip(peaks, ok, strict=True) if good]
            sink.metric(
                name=f"{name} [memory]",
                unit="B",
                direction=Direction.LOWER_IS_BETTER,
                samples=peaks,
                n=len(peaks),
                input_unit="B",
                source=command,
            )
