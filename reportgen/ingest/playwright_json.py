"""Playwright JSON reporter ingester (placeholder until implemented)."""

from __future__ import annotations

from reportgen.ingest.base import Ingester, Sink, Source


class PlaywrightJsonIngester(Ingester):
    """Placeholder: recognises nothing yet."""

    name = "playwright-json"
    description = "Playwright JSON reporter"
    patterns = ()

    def sniff(self, head: bytes, path: str) -> float:
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        raise source.error("this format is not implemented yet")
