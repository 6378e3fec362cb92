"""reportgen metrics JSON ingester (placeholder until implemented)."""

from __future__ import annotations

from reportgen.ingest.base import Ingester, Sink, Source


class MetricsJsonIngester(Ingester):
    """Placeholder: recognises nothing yet."""

    name = "metrics-json"
    description = "reportgen metrics JSON"
    patterns = ()

    def sniff(self, head: bytes, path: str) -> float:
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        raise source.error("this format is not implemented yet")
