"""The terminal and CI-log boundary: stdout and stderr pass everything through `terminal_text`.

`main` installs these streams once, so no command can print input text raw: summary, verdict
and report tables, `-o -` outputs, warnings and error lines all go through the same sanitiser.
Binary output (a PDF on stdout) goes to `.buffer`, which is the raw stream.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from reportgen.text import could_start_command, terminal_text


class SafeStream:
    """A text stream that sanitises what it is given, a line at a time.

    Text is held until a newline (or a flush) so that a workflow command split over several
    writes is still seen at the start of its line.
    """

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw
        self._pending = ""
        self._line_open = False

    def write(self, text: str) -> int:
        data = self._pending + text
        head, newline, tail = data.rpartition("\n")
        if newline:
            self._emit(head + "\n")
        self._pending = tail
        if self._pending and (self._line_open or not could_start_command(self._pending)):
            self._emit(self._pending)
        return len(text)

    def _emit(self, text: str) -> None:
        # A line already started cannot become a command: sanitise without line-start escapes
        # by prefixing a marker character that is stripped again.
        self._pending = ""
        opened = self._line_open and bool(text)
        safe = terminal_text("x" + text)[1:] if opened else terminal_text(text)
        self._line_open = not safe.endswith("\n") if safe else self._line_open
        buffer = getattr(self.raw, "buffer", None)
        if buffer is None:
            self.raw.write(safe)
            return
        self.raw.flush()
        buffer.write(safe.encode("utf-8", "backslashreplace"))

    def flush(self) -> None:
        # An unfinished line that could still become `::...` waits for the rest of its line.
        if self._pending and (self._line_open or not could_start_command(self._pending)):
            self._emit(self._pending)
        self.raw.flush()

    def close(self) -> None:
        """Write out what is held back (the end of output cannot start a command)."""
        if self._pending:
            self._emit(self._pending)
        self.raw.flush()

    @property
    def buffer(self) -> Any:
        """The raw byte stream, for binary output; what was written as text goes first."""
        self.flush()
        return self.raw.buffer

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def raw_stream(stream: TextIO | SafeStream) -> TextIO:
    """The stream under a `SafeStream`, for the CLI's own control sequences (progress line)."""
    if isinstance(stream, SafeStream):
        stream.flush()
        return stream.raw
    return stream


@contextlib.contextmanager
def safe_streams() -> Iterator[None]:
    """Sanitise sys.stdout and sys.stderr for the duration; flush and restore them after."""
    saved = sys.stdout, sys.stderr
    out, err = SafeStream(sys.stdout), SafeStream(sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        for stream in (out, err):
            with contextlib.suppress(BrokenPipeError, ValueError):
                stream.close()
