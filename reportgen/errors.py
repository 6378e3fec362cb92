"""Exit codes and the single exception tree every expected reportgen error belongs to."""

from __future__ import annotations

from enum import IntEnum

from reportgen.text import clean_text


class ExitCode(IntEnum):
    """Process exit codes; "criteria failed" and "tool failed" never share a code."""

    READY = 0
    NOT_READY = 1
    USAGE = 2
    INSUFFICIENT = 3
    INVALID_INPUT = 4
    INTERNAL = 5
    #: An output could not be rendered or written (the others of the same call were).
    OUTPUT_FAILED = 6


class ReportgenError(Exception):
    """An expected error: the CLI prints `str(err)` as one line and exits with `exit_code`.

    `path` and `line` locate the problem; `hint` says what to do next.
    """

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        # One printable line only: messages may quote file content.
        return " ".join(clean_text(text).split())


class UsageError(ReportgenError):
    """Bad command-line usage (flags, missing arguments)."""

    exit_code = ExitCode.USAGE


class InputError(ReportgenError):
    """A results file that cannot be read: missing, unreadable, malformed, hostile."""

    exit_code = ExitCode.INVALID_INPUT


class DetectionError(InputError):
    """No ingester, or more than one equally, recognises a file."""


class CriteriaError(ReportgenError):
    """An invalid criteria file."""

    exit_code = ExitCode.INVALID_INPUT


class OutputError(ReportgenError):
    """An output could not be produced; the other outputs of the same call are still written."""

    exit_code = ExitCode.OUTPUT_FAILED


class WriteError(OutputError):
    """An output file cannot be written: no permission, a file where a directory should be,
    a full disk, ..."""


class RenderError(OutputError):
    """A report could not be rendered (e.g. the PDF renderer timed out)."""


class RendererUnavailableError(RenderError):
    """A renderer cannot run on this machine (e.g. a system library WeasyPrint needs is
    missing); the hint says what to install."""


class HistoryError(ReportgenError):
    """The run history database cannot be opened, read or written, or a query names nothing.

    The database is an input like a results file, so its problems share that exit code.
    """

    exit_code = ExitCode.INVALID_INPUT
