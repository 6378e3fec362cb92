"""Command-line entry point: parses arguments, runs one command, maps errors to exit codes.

Only this package prints, exits or chooses files; the stages it calls return values. Only the
chosen command's module is imported: the others appear in `--help` from the one-line summaries
below, so `reportgen --help` and a typo cost no more than starting Python.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

from reportgen import __version__, clock
from reportgen.errors import ExitCode, ReportgenError

# Each command is a module in this package with `add_parser(subparsers)` and `run(args)`; its
# `add_parser` takes the one-line help from here, so `reportgen --help` needs no module.
COMMAND_HELP: Mapping[str, str] = {
    "summary": "show what result files contain (counts, failures, warnings)",
    "verdict": "evaluate criteria against results and exit with the verdict's code",
    "report": "evaluate criteria and write Markdown, HTML, PDF and JSON reports",
    "formats": "list the result formats reportgen reads",
    "convert": "convert results to CTRF JSON or JUnit XML",
    "ls": "list test ids and metric names as criteria patterns name them",
    "init": "write a commented starter criteria file from result files",
    "record": "store a run's tests, metrics and CI context in the history database",
    "history": "show recorded runs, failing and flaky tests, metric trends; prune old runs",
}
COMMANDS: tuple[str, ...] = tuple(COMMAND_HELP)


class _Parser(argparse.ArgumentParser):
    """argparse with our usage exit code and a one-line error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"reportgen: error: {message}\n")
        sys.exit(ExitCode.USAGE)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command `argv` names: its first word that is not an option (the top-level parser
    takes no option with a value), or None."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command listed; only `command`'s own arguments are added (all of
    them when `command` is "*", for tools that want the whole tree)."""
    parser = _Parser(
        prog="reportgen",
        description="Turn raw test and benchmark results into an evidence-based readiness "
        "verdict and phase reports.",
        epilog="Exit codes: 0 READY (or success), 1 NOT READY, 2 usage error, "
        "3 INSUFFICIENT EVIDENCE, 4 invalid input, 5 internal error (a bug), 6 an output could "
        "not be rendered or written (e.g. an unwritable -o path, a PDF renderer missing a system "
        "library or over its time limit; the other outputs are still written).",
    )
    parser.add_argument("--version", action="version", version=f"reportgen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        if command in (name, "*"):
            importlib.import_module(f"reportgen.cli.{name}").add_parser(sub)
        else:
            sub.add_parser(name, help=COMMAND_HELP[name])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code.

    Everything printed passes through the terminal sanitiser (`reportgen.cli.terminal`).
    """
    from reportgen.cli.terminal import safe_streams

    with safe_streams():
        return _main(argv)


class Terminated(BaseException):
    """SIGTERM, raised as an exception so that cleanups run (temp files, the PDF renderer)."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _main(argv: Sequence[str] | None) -> int:
    # A killed run must leave no temp file and no orphaned renderer: turn SIGTERM into an
    # exception so every `finally` and subprocess cleanup runs.
    with contextlib.suppress(ValueError):  # not the main thread (an embedding program)
        signal.signal(signal.SIGTERM, _terminate)
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(chosen_command(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        # Every command refuses a bad SOURCE_DATE_EPOCH the same way, before any work.
        clock.source_date()
        return int(args.run(args))
    except ReportgenError as exc:
        sys.stderr.write(f"reportgen: {exc}\n")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("reportgen: interrupted\n")
        return 130
    except Terminated:
        sys.stderr.write("reportgen: terminated\n")
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say.
        return int(ExitCode.READY)
    except Exception:
        # Anything else is a bug: keep the traceback so it can be reported.
        import traceback  # only here: it is a visible share of starting every command

        traceback.print_exc()
        sys.stderr.write("reportgen: internal error (a bug; please report it with the traceback)\n")
        return int(ExitCode.INTERNAL)


def run_and_exit() -> NoReturn:
    """Console entry point: run the CLI, flush, and leave without interpreter teardown.

    Freeing a large run and tearing down every imported module is a visible share of a short
    command's wall time; everything has been written and flushed by then, so it is skipped
    (as mypy does).

    Pydantic plugins of the environment are left unloaded unless PYDANTIC_DISABLE_PLUGINS says
    otherwise: reportgen's models are its own, and finding plugins scans the metadata of every
    installed distribution when the first model is validated, a visible share of a verdict.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader went away; there is nothing left to say
    os._exit(code)
