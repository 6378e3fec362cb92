"""Every ingester reportgen knows: a new format is a new module plus one line here."""

from __future__ import annotations

import importlib
from functools import cache

from reportgen.ingest.base import Ingester

# "module:Class". Order only breaks ties in `reportgen formats`; detection goes by score.
INGESTERS: tuple[str, ...] = (
    "reportgen.ingest.junit:JUnitIngester",
    "reportgen.ingest.ctrf:CtrfIngester",
    "reportgen.ingest.pytest_json:PytestJsonIngester",
    "reportgen.ingest.gotest_json:GoTestJsonIngester",
    "reportgen.ingest.jest_json:JestJsonIngester",
    "reportgen.ingest.mocha_json:MochaJsonIngester",
    "reportgen.ingest.playwright_json:PlaywrightJsonIngester",
    "reportgen.ingest.tap:TapIngester",
    "reportgen.ingest.trx:TrxIngester",
    "reportgen.ingest.nunit3:NUnit3Ingester",
    "reportgen.ingest.xunit2:XUnit2Ingester",
    "reportgen.ingest.metrics_json:MetricsJsonIngester",
    "reportgen.ingest.metrics_csv:MetricsCsvIngester",
    "reportgen.ingest.hyperfine:HyperfineIngester",
    "reportgen.ingest.pytest_benchmark:PytestBenchmarkIngester",
    "reportgen.ingest.google_benchmark:GoogleBenchmarkIngester",
    "reportgen.ingest.k6:K6Ingester",
    "reportgen.ingest.jmeter:JMeterIngester",
    "reportgen.ingest.criterion:CriterionIngester",
    "reportgen.ingest.gobench:GoBenchIngester",
)


@cache
def all_ingesters() -> tuple[Ingester, ...]:
    """One instance of every registered ingester."""
    found: list[Ingester] = []
    for spec in INGESTERS:
        module_name, _, class_name = spec.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        found.append(cls())
    return tuple(found)


def by_name(name: str) -> Ingester | None:
    """The ingester called `name`, or None."""
    for ingester in all_ingesters():
        if ingester.name == name:
            return ingester
    return None
