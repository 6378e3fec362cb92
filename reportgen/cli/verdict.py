"""`reportgen verdict`: evaluate a criteria file and exit with the verdict's code (a merge gate).

Only the criteria, ingest and evaluation modules are imported here: no report, PDF or plotting
stack, so the gate starts fast. Its file options (`--json`, `--junit`, ...) are the outputs the
registry in `reportgen.render.outputs` renders from an evaluation.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reportgen.cli import COMMAND_HELP
from reportgen.cli.ci import add_ci_argument, add_title_arguments, publish, with_run_context
from reportgen.cli.common import (
    add_criteria_arguments,
    add_input_arguments,
    check_output_directories,
    emit_outputs,
    evaluate_arguments,
    input_notes,
    terminal_width,
)
from reportgen.errors import UsageError
from reportgen.render.outputs import Needs, Output, RenderContext, offered

# The terminal table lived here before it moved to the render stage; still importable here.
from reportgen.render.table import render_table

__all__ = ["VERDICT_OUTPUTS", "add_parser", "render_table", "run"]

#: The files `verdict` can write: every output rendered from the evaluation alone.
VERDICT_OUTPUTS: tuple[Output, ...] = offered(Needs.EVALUATION)


def _dest(output: Output) -> str:
    return "output_" + output.name.replace("-", "_")


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "verdict",
        help=COMMAND_HELP["verdict"],
        description="Read result files, evaluate the criteria file and print one line per "
        "criterion and the overall verdict. Exit codes: 0 READY, 1 NOT READY, 2 usage error, "
        "3 INSUFFICIENT EVIDENCE (also for no inputs or inputs without evidence), 4 invalid "
        "input or criteria file, 5 internal error, 6 an output file could not be written.",
    )
    add_input_arguments(parser)
    add_criteria_arguments(parser)
    add_ci_argument(parser)
    add_title_arguments(parser)
    for output in VERDICT_OUTPUTS:
        parser.add_argument(
            output.option,
            dest=_dest(output),
            metavar="FILE",
            help=f"write {output.help} (`-` for stdout)",
        )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    targets = [
        (getattr(args, _dest(o)), o) for o in VERDICT_OUTPUTS if getattr(args, _dest(o), None)
    ]
    to_stdout = [o.option for target, o in targets if target == "-"]
    if len(to_stdout) > 1:
        raise UsageError(f"{' and '.join(to_stdout)} cannot both write to stdout")
    check_output_directories([target for target, _ in targets])
    run_, baseline, evaluation = evaluate_arguments(args)
    evaluation = with_run_context(args, evaluation)
    notes = input_notes(args, run_)

    # Keep stdout pure JSON or XML when a document goes there; the table moves to stderr.
    stream = sys.stderr if to_stdout else sys.stdout
    stream.write(render_table(evaluation, notes, terminal_width(stream)))
    stream.flush()
    context = RenderContext(
        run=run_,
        evaluation=evaluation,
        baseline=baseline,
        criteria_path=args.criteria,
        notes=tuple(notes),
    )
    written, failed = emit_outputs(targets, context)
    code = int(failed if failed is not None else evaluation.verdict.exit_code)
    reports = [(o.name, target) for target, o in targets if target in written]
    publish(args, context, code, reports, stream)
    return code
