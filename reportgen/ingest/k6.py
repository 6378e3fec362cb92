"""k6 end-of-test summaries: `--summary-export` JSON and the `handleSummary(data)` object.

Trends (http_req_duration, ...) become point estimates (avg, med, p(95), ... in their unit:
k6 states times in milliseconds); rates (checks, http_req_failed) become ratios with their
counts (hits = passes, n = passes + fails) so they get exact bounds; counters keep their count
and per-second rate; each check in `root_group` becomes its own success-rate metric.
A trend's n is its own `count` (when `summaryTrendStats` asks for it), else that of the counter
with one value per observation (see `_trend`); an `{expected_response:true}` sub-metric has the
request count only when no request failed.
Direction comes from k6's own semantics (a check passing is good, http_req_failed counts
failures) or the unit's dimension (times lower); counters, gauges and custom rates have none.
"""

from __future__ import annotations

import re
from typing import Any

from reportgen import numbers
from reportgen.ingest._jsonread import head_text, load_document
from reportgen.ingest._metrics_common import direction_for_unit, mapping, number
from reportgen.ingest.base import Ingester, Sink, Source
from reportgen.model import Direction, IntegrityKind

_METRICS_OBJECT = re.compile(r'"metrics"\s*:\s*\{')
_K6_MARKERS = re.compile(
    r'"(?:root_group|summaryTrendStats|http_reqs|http_req_duration|iteration_duration|'
    r'vus_max|data_received|testRunDurationMs)"\s*:'
    r'|"type"\s*:\s*"(?:trend|counter|rate|gauge)"'
)
# Trend statistic keys -> criteria vocabulary.
_TREND_STAT = {"avg": "mean", "med": "median", "min": "min", "max": "max"}
_PERCENTILE = re.compile(r"^p\((\d+(?:\.\d+)?)\)$")
# Built-in trends measured in milliseconds (the legacy export does not say "contains": "time").
_TIME_TRENDS = re.compile(
    r"^(?:http_req_\w+|iteration_duration|group_duration|ws_\w+|grpc_req_duration|"
    r"browser_\w+|webvitals?_\w+)$"
)
# Trends with one value per request / iteration: their n is that counter's count.
_N_FROM = {"iteration_duration": "iterations"}
# The tag k6 gives a request whose response its response callback expected (not failed).
_EXPECTED = "{expected_response:true}"


class K6Ingester(Ingester):
    """Reads k6's end-of-test summary JSON in either of its shapes."""

    name = "k6"
    description = "k6 --summary-export / handleSummary JSON: trends, rates, counters, checks"
    patterns = ("summary*.json", "k6*.json")

    def sniff(self, head: bytes, path: str) -> float:
        text = head_text(head).lstrip()
        if not text.startswith("{"):
            return 0.0
        if _K6_MARKERS.search(text) and (_METRICS_OBJECT.search(text) or "root_group" in text):
            return 0.9
        if '"summaryTrendStats"' in text:
            return 0.8
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        data = mapping(load_document(source), source, "document")
        metrics = mapping(data.get("metrics"), source, "metrics")
        counts: dict[str, float] = {}
        for name, raw in metrics.items():
            values = raw.get("values") if isinstance(raw, dict) else None
            if isinstance(values, dict) and "count" in values:
                counts[name] = values["count"]
            elif isinstance(raw, dict) and "count" in raw:
                counts[name] = raw["count"]
        if _every_response_expected(metrics, counts):
            # No request failed: every response was expected, so each `{expected_response:true}`
            # sub-metric holds one value per request, as its parent does (with failures its
            # count is unknown: the export does not give it).
            for name in metrics:
                base = name.split("{", 1)[0]
                if base.startswith("http_req_") and name[len(base) :] == _EXPECTED:
                    counts.setdefault(name, counts["http_reqs"])
        for name, raw in metrics.items():
            self._metric(name, mapping(raw, source, f"metrics.{name}"), counts, source, sink)
        self._flag_errors(metrics, sink)
        root = data.get("root_group")
        if isinstance(root, dict):
            self._checks(root, source, sink)

    def _metric(
        self, name: str, raw: dict[str, Any], counts: dict[str, float], source: Source, sink: Sink
    ) -> None:
        at = f"metrics.{name}"
        values, kind, contains = _shape(raw)
        vat = f"{at}.values" if isinstance(raw.get("values"), dict) else at
        base = name.split("{", 1)[0]  # tagged sub-metric: http_req_duration{status:200}
        properties = _thresholds(raw.get("thresholds"))
        if kind == "trend":
            self._trend(name, base, values, contains, counts, vat, properties, source, sink)
        elif kind == "rate":
            passes = _count(values.get("passes"), source, f"{vat}.passes")
            fails = _count(values.get("fails"), source, f"{vat}.fails")
            reported = values.get("rate", values.get("value"))
            self._rate(name, passes, fails, reported, properties, vat, source, sink)
        elif kind == "counter":
            count = number(values.get("count"), source, f"{vat}.count")
            stats = {"count": count}
            if "rate" in values:
                stats["rate"] = number(values["rate"], source, f"{vat}.rate")
            # The export holds raw values: data_received and data_sent count bytes (k6 docs,
            # "Track transmitted data per URL"); only the console summary scales them to kB.
            unit = "B" if contains == "data" or base.startswith("data_") else ""
            properties["rate_unit"] = f"{unit or '1'}/s"
            sink.metric(
                name=name,
                unit=unit,
                # A counter counts what happened (requests, bytes moved): neither way is better.
                direction=None,
                stats=stats,
                source=name,
                properties=properties,
            )
        elif kind == "gauge":
            stats = {
                k: number(values[k], source, f"{vat}.{k}", allow_negative=True)
                for k in ("min", "max")
                if k in values
            }
            if "value" in values:
                properties["value"] = repr(
                    number(values["value"], source, f"{vat}.value", allow_negative=True)
                )
            sink.metric(
                name=name,
                unit="",
                direction=None,
                stats=stats,
                source=name,
                properties=properties,
            )
        else:
            sink.warn(f"{at}: unknown k6 metric type {kind!r}; not read", once=f"type:{kind}")

    @staticmethod
    def _trend(
        name: str,
        base: str,
        values: dict[str, Any],
        contains: Any,
        counts: dict[str, float],
        at: str,
        properties: dict[str, str],
        source: Source,
        sink: Sink,
    ) -> None:
        input_unit: str | None
        if contains == "time" or (contains is None and _TIME_TRENDS.match(base)):
            factor, unit, input_unit = 1e-3, "s", "ms"  # k6 reports times in milliseconds
        elif contains == "data":
            factor, unit, input_unit = 1.0, "B", "B"
        else:
            factor, unit, input_unit = 1.0, "", None
            if contains is None:
                sink.warn(
                    f"{at}: custom trend {name!r} has no unit in this export; read as plain "
                    "numbers (use handleSummary output, which says whether it holds times)",
                    once=f"unit:{name}",
                )
        stats: dict[str, float] = {}
        for key, value in values.items():
            target = _TREND_STAT.get(key)
            match = _PERCENTILE.match(key)
            if match:
                target = f"p{match.group(1)}"
            elif key == "count":
                target = None
            if target is None:
                continue
            stats[target] = number(value, source, f"{at}.{key}") * factor
        # Each request (iteration) adds exactly one value to these untagged trends, and to an
        # `{expected_response:true}` one when no request failed (see `read`).
        n_from = "http_reqs" if base == name and base.startswith("http_req_") else None
        n_from = n_from or (_N_FROM.get(name) if base == name else None)
        if n_from is None and name != base and name in counts:
            n_from = name
        n = None
        if "count" in values:
            # `summaryTrendStats` asked for the trend's own count: no need to derive one.
            n = _count(values["count"], source, f"{at}.count")
        elif n_from and n_from in counts:
            n = int(numbers.finite(counts[n_from]))
            properties["n_from"] = "http_reqs (no request failed)" if n_from == name else n_from
        sink.metric(
            name=name,
            unit=unit,
            direction=direction_for_unit(unit),
            stats=stats,
            n=n,
            input_unit=input_unit,
            source=name,
            properties=properties,
        )

    @staticmethod
    def _rate(
        name: str,
        passes: int,
        fails: int,
        reported: Any,
        properties: dict[str, str],
        at: str,
        source: Source,
        sink: Sink,
    ) -> None:
        n = passes + fails
        if n == 0:
            sink.warn(f"{at}: rate {name!r} has no observations")
            return
        # For k6, "passes" counts non-zero values: for http_req_failed, the FAILED requests.
        rate = passes / n
        if reported is not None:
            value = number(reported, source, f"{at}.rate")
            if abs(value - rate) > 1e-6:
                sink.warn(f"{at}: reported rate {value} disagrees with {passes}/{n}; using {rate}")
        base = name.split("{", 1)[0]
        sink.metric(
            name=name,
            unit="ratio",
            direction=_rate_direction(base),
            stats={"rate": rate},
            n=n,
            hits=passes,
            source=name,
            properties={**properties, "passes": str(passes), "fails": str(fails)},
        )

    @staticmethod
    def _flag_errors(metrics: dict[str, Any], sink: Sink) -> None:
        """A run whose requests failed or whose checks failed is no evidence of its speed or
        throughput: k6's trends hold the failed requests' times (a refused connection or a
        fast 500 pulls the percentiles down) and its counters count them as work done, so
        every trend and counter is flagged (criteria on them are INSUFFICIENT), as a
        benchmark whose runs errored; `http_req_failed` and `checks` judge the failures."""
        errors = []
        # In http_req_failed a "pass" is a failed request; in checks a "fail" is one.
        for rate, bad_key, what in (
            ("http_req_failed", "passes", "requests"),
            ("checks", "fails", "checks"),
        ):
            raw = metrics.get(rate)
            values = _shape(raw)[0] if isinstance(raw, dict) else {}
            bad = values.get(bad_key)
            total = (values.get("passes") or 0) + (values.get("fails") or 0)
            if isinstance(bad, int | float) and bad > 0:
                errors.append(f"{int(bad)} of {int(total)} {what} failed ({rate})")
        if not errors:
            return
        what = "; ".join(errors)
        flagged = [
            name
            for name, raw in metrics.items()
            if isinstance(raw, dict) and _shape(raw)[1] in ("trend", "counter")
        ]
        if flagged:
            sink.warn(
                f"{what}: the run's timings and counts are no evidence of its speed or "
                "throughput (criteria on them are insufficient)"
            )
        for name in flagged:
            sink.flag(
                IntegrityKind.BENCHMARK_ERRORS,
                f"{name}: measured in a run with failures ({what})",
                scope=name,
                warn=False,
            )

    def _checks(self, group: dict[str, Any], source: Source, sink: Sink) -> None:
        checks = group.get("checks")
        # --summary-export keys checks by name; handleSummary lists them.
        items = checks.values() if isinstance(checks, dict) else (checks or [])
        for check in items:
            if not isinstance(check, dict):
                continue
            path = check.get("path") or f"::{check.get('name', '')}"
            at = f"check {path}"
            passes = _count(check.get("passes"), source, f"{at}.passes")
            fails = _count(check.get("fails"), source, f"{at}.fails")
            self._rate(f"check{path}", passes, fails, None, {}, at, source, sink)
        groups = group.get("groups")
        for sub in groups.values() if isinstance(groups, dict) else (groups or []):
            if isinstance(sub, dict):
                self._checks(sub, source, sink)


def _every_response_expected(metrics: dict[str, Any], counts: dict[str, float]) -> bool:
    """Whether the summary shows that no request failed: `http_req_failed` (whose "passes"
    are failed requests) has none, and it saw every request `http_reqs` counted."""
    raw = metrics.get("http_req_failed")
    if not isinstance(raw, dict) or "http_reqs" not in counts:
        return False
    values = _shape(raw)[0]
    failed, succeeded = values.get("passes"), values.get("fails")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (failed, succeeded)):
        return False
    return failed == 0 and succeeded == counts["http_reqs"] and succeeded > 0


def _shape(raw: dict[str, Any]) -> tuple[dict[str, Any], Any, Any]:
    """A metric's statistics, type and `contains`, in either export shape: handleSummary
    nests the statistics under `values` and states the type; --summary-export puts them on
    the metric and leaves the type to its keys."""
    values = raw.get("values")
    if isinstance(values, dict):
        return values, raw.get("type"), raw.get("contains")
    values = {k: v for k, v in raw.items() if k != "thresholds"}
    return values, _infer_kind(values), None


def _infer_kind(values: dict[str, Any]) -> str | None:
    if "passes" in values or "fails" in values:
        return "rate"
    if "count" in values:
        return "counter"
    if "avg" in values or "med" in values or any(_PERCENTILE.match(k) for k in values):
        return "trend"
    if "value" in values:
        return "gauge"
    return None


def _count(value: Any, source: Source, at: str) -> int:
    result = number(value, source, at)
    if result != int(result):
        raise source.error(f"{at}: expected a whole number, got {value}")
    return int(result)


def _rate_direction(base: str) -> Direction | None:
    """k6's own meaning of its built-in rates, by their exact names; custom rates: unknown."""
    # A check passing is good whatever its name says ("NOT 500", "no errors").
    if base == "checks" or base.startswith("check::"):
        return Direction.HIGHER_IS_BETTER
    # http_req_failed counts failed requests as its "passes".
    if base == "http_req_failed":
        return Direction.LOWER_IS_BETTER
    return None


def _thresholds(raw: Any) -> dict[str, str]:
    """Thresholds as properties: handleSummary has {expr: {ok}}, the export {expr: failed}."""
    if not isinstance(raw, dict):
        return {}
    result: dict[str, str] = {}
    for expression, state in raw.items():
        if isinstance(state, dict) and isinstance(state.get("ok"), bool):
            result[f"threshold {expression}"] = "ok" if state["ok"] else "crossed"
        elif isinstance(state, bool):
            result[f"threshold {expression}"] = "crossed" if state else "ok"
    return result
