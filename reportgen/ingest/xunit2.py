"""xUnit.net v2 XML ingester (placeholder until implemented)."""

from __future__ import annotations

from reportgen.ingest.base import Ingester, Sink, Source


class XUnit2Ingester(Ingester):
    """Placeholder: recognises nothing yet."""

    name = "xunit2"
    description = "xUnit.net v2 XML"
    patterns = ()

    def sniff(self, head: bytes, path: str) -> float:
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        raise source.error("this format is not implemented yet")
