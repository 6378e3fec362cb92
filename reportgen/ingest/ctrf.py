"""CTRF JSON (Common Test Report Format) ingester (placeholder until implemented)."""

from __future__ import annotations

from reportgen.ingest.base import Ingester, Sink, Source


class CtrfIngester(Ingester):
    """Placeholder: recognises nothing yet."""

    name = "ctrf"
    description = "CTRF JSON (Common Test Report Format)"
    patterns = ()

    def sniff(self, head: bytes, path: str) -> float:
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        raise source.error("this format is not implemented yet")
