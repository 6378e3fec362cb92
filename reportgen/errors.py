"""Exit codes and the single exception tree every expected reportgen error belongs to."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; "criteria failed" and "tool failed" never share a code."""

    READY = 0
    NOT_READY = 1
    USAGE = 2
    INSUFFICIENT = 3
    INVALID_INPUT = 4
    INTERNAL = 5


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
        # One line only: messages may quote file content.
        return " ".join(text.split())


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


class RenderError(ReportgenError):
    """A report could not be rendered (e.g. the PDF renderer timed out)."""

    exit_code = ExitCode.INTERNAL


class HistoryError(ReportgenError):
    """The run history database cannot be opened, read or written, or a query names nothing.

    The database is an input like a results file, so its problems share that exit code.
    """

    exit_code = ExitCode.INVALID_INPUT
