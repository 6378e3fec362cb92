"""Criterion.rs result files under `target/criterion/<id>/{new,base}/`.

`estimates.json` holds point estimates (mean, median, std_dev, median_abs_dev, slope) with
bootstrap confidence intervals, in nanoseconds per iteration. `sample.json` holds the raw
measurements: `iters[i]` iterations took `times[i]` ns, so each sample is times/iters. When
both files sit in the same folder, `estimates.json` carries both (one metric) and
`sample.json` adds nothing, so reading the whole folder counts each benchmark once.

A benchmark's folder `<id>/` holds the current run in `new/`, the previous run Criterion
compares against in `base/` (a run saved with `--save-baseline NAME` in `NAME/`), the relative
change in `change/estimates.json` and HTML in `report/`. `scan_role` says which of the files a
folder scan finds are not this run's results (see the README's Criterion section).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from reportgen.ingest._jsonread import head_text, load_document
from reportgen.ingest._metrics_common import mapping, number, sequence
from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.model import Direction
from reportgen.regex import lazy_regex

_estimate = lazy_regex(r'"(?:point_estimate|confidence_interval|standard_error)"\s*:')
_sample = lazy_regex(r'"iters"\s*:\s*\[')
# Criterion's estimate names -> criteria vocabulary (others are kept as properties).
_STATS = {"mean": "mean", "median": "median", "std_dev": "stdev"}
_NS = 1e-9
# Files Criterion writes in a run folder (`new/`, `base/`, a named baseline).
_RUN_FILES = frozenset({"benchmark.json", "estimates.json", "sample.json", "tukey.json", "raw.csv"})
# The header of raw.csv (the csv_output feature, on by default up to Criterion 0.3): the same
# measurements as sample.json.
_RAW_CSV_HEADER = (
    "group,function,value,throughput_num,throughput_type,sample_measured_value,unit,iteration_count"
)


class CriterionIngester(Ingester):
    """Reads Criterion.rs `estimates.json` and `sample.json`."""

    name = "criterion"
    description = "Criterion.rs estimates.json (with CIs) and sample.json (raw samples)"
    patterns = ("target/criterion/**/new/estimates.json", "target/criterion/**/new/sample.json")

    def sniff(self, head: bytes, path: str) -> float:
        parts = Path(path).parts
        if "change" in parts[-2:-1]:
            return 0.0  # change/estimates.json holds relative changes, not times
        text = head_text(head).lstrip()
        if not text.startswith("{") and not text.startswith("["):
            return 0.0
        if _estimate().search(text) and re.search(r'"(?:mean|median)"\s*:', text):
            return 0.9
        if _sample().search(text) and re.search(r'"times"\s*:', text):
            return 0.85
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        data = load_document(source)
        # Named by where the user's file is, not by a temporary copy (stdin, a .gz).
        shown = Path(source.display)
        if isinstance(data, dict) and ("iters" in data or "times" in data):
            folder = source.path.parent
            if (folder / "estimates.json").is_file() and source.path.name != "estimates.json":
                sink.warn("read together with estimates.json in the same folder")
                return
            samples = _samples(data, source)
            sink.metric(
                name=_benchmark_id(shown),
                unit="s",
                direction=Direction.LOWER_IS_BETTER,
                samples=samples,
                n=len(samples),
                source=str(shown.parent),
                properties=_sampling_mode(data),
            )
            return
        estimates = mapping(data, source, "document")
        stats: dict[str, float] = {}
        properties: dict[str, str] = {}
        for key, raw in estimates.items():
            if raw is None:
                continue  # slope is null in flat sampling mode
            estimate = mapping(raw, source, key)
            point = number(estimate.get("point_estimate"), source, f"{key}.point_estimate")
            interval = mapping(
                estimate.get("confidence_interval"), source, f"{key}.confidence_interval"
            )
            low = number(interval.get("lower_bound"), source, f"{key}.lower_bound")
            high = number(interval.get("upper_bound"), source, f"{key}.upper_bound")
            level = number(interval.get("confidence_level"), source, f"{key}.confidence_level")
            if not low <= point <= high:
                sink.warn(f"{key}: point estimate {point} lies outside its interval")
            if key in _STATS:
                stats[_STATS[key]] = point * _NS
            else:
                properties[f"{key}_s"] = repr(point * _NS)
            properties[f"{key}_ci_low_s"] = repr(low * _NS)
            properties[f"{key}_ci_high_s"] = repr(high * _NS)
            properties["confidence_level"] = repr(level)
        if not stats:
            raise source.error("no mean, median or std_dev estimate")
        est_samples: list[float] | None = None
        sibling = source.path.parent / "sample.json"
        if sibling.is_file():
            sample_source = Source(sibling, str(sibling), b"")
            sample_data = load_document(sample_source)
            est_samples = _samples(sample_data, sample_source)
            properties.update(_sampling_mode(sample_data))
        sink.metric(
            name=_benchmark_id(shown),
            unit="s",
            direction=Direction.LOWER_IS_BETTER,
            samples=est_samples,
            stats=stats,
            n=len(est_samples) if est_samples is not None else None,
            source=str(shown.parent),
            properties=properties,
        )


def _samples(data: Any, source: Source) -> list[float]:
    """Per-iteration seconds from a sample.json: {"iters": [...], "times": [...]}."""
    if isinstance(data, list) and len(data) == 2:  # Criterion 0.2: [iters, times]
        data = {"iters": data[0], "times": data[1]}
    document = mapping(data, source, "document")
    iters = sequence(document.get("iters"), source, "iters")
    times = sequence(document.get("times"), source, "times")
    if len(iters) != len(times):
        raise source.error(f"{len(iters)} iteration counts for {len(times)} times")
    if not times:
        raise source.error("no samples")
    result = []
    for i, (count, total) in enumerate(zip(iters, times, strict=True)):
        n = number(count, source, f"iters[{i}]")
        if n <= 0:
            raise source.error(f"iters[{i}]: {count} iterations cannot be timed")
        result.append(number(total, source, f"times[{i}]") / n * _NS)
    return result


def _sampling_mode(data: Any) -> dict[str, str]:
    mode = data.get("sampling_mode") if isinstance(data, dict) else None
    return {"sampling_mode": mode} if isinstance(mode, str) else {}


def _benchmark_id(path: Path) -> str:
    """The benchmark's id: benchmark.json's full_id, else its folder below `criterion/`."""
    folder = path.parent
    if folder.name in ("new", "base"):
        folder = folder.parent
    for candidate in (path.parent / "benchmark.json", folder / "new" / "benchmark.json"):
        try:
            meta = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(meta, dict) and isinstance(meta.get("full_id"), str):
            return meta["full_id"]
    parts = folder.parts
    if "criterion" in parts:
        below = parts[len(parts) - parts[::-1].index("criterion") :]
        if below:
            return "/".join(below)
    # Outside any folder (`<stdin>`, a file in the working directory): the name it goes by.
    return folder.name or path.name or str(folder)


def scan_role(path: Path, relative: str | None) -> str | None:
    """Why a file that a folder scan or a glob found is, in Criterion's output, no current
    results of its own, or None (then the ordinary rules apply).

    `relative` is its path below the folder scanned (None for a glob's match). A saved run
    (`base/`, a named baseline beside `new/`) is left out only when the scan started above
    it: the folder itself, named as results or as `--baseline`, is read as that run.
    Companion files are recognised by their content, so a results file never passes for one.
    """
    folder = path.parent
    beside_new = folder.name != "new" and _is_run(folder.parent / "new")
    if beside_new and folder.name == "change" and path.name == "estimates.json":
        return "Criterion's comparison of this run with its baseline (relative change), not results"
    below = PurePosixPath(relative).parts[:-1] if relative is not None else (folder.name,)
    if beside_new and folder.name in below and path.name in _RUN_FILES and _is_run(folder):
        return f"Criterion's saved baseline {folder.name!r} (not this run; give it with --baseline)"
    if not (folder / "estimates.json").is_file():
        return None  # a run stopped before its estimates: every file keeps the ordinary rules
    if path.name == "sample.json":
        return "its samples are read with estimates.json in the same folder"
    if path.name == "raw.csv" and _first_line(path) == _RAW_CSV_HEADER:
        return "Criterion's raw.csv, the measurements sample.json holds (estimates.json is read)"
    if path.name == "benchmark.json" and _json_check(path, _benchmark_meta):
        return "Criterion's description of the benchmark, not results (read with estimates.json)"
    if path.name == "tukey.json" and _json_check(path, _fences):
        return "Criterion's outlier fences (Tukey), not results (read with estimates.json)"
    return None


def _is_run(folder: Path) -> bool:
    """Whether `folder` is a Criterion run folder (its description or its measurements)."""
    return any((folder / name).is_file() for name in ("benchmark.json", "estimates.json"))


def _json_check(path: Path, check: Callable[[Any], bool]) -> bool:
    try:
        return check(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return False  # unreadable or truncated: not positively a companion


def _first_line(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline(4096).strip()
    except (OSError, UnicodeDecodeError):
        return None


def _benchmark_meta(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("full_id"), str)


def _fences(data: Any) -> bool:
    """Criterion's Tukey fences: four numbers (low severe, low mild, high mild, high severe)."""
    return (
        isinstance(data, list)
        and len(data) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in data)
    )
