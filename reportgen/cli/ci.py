"""`--ci github|none`: publish a verdict to the CI system the command runs in.

Under GitHub Actions (`GITHUB_ACTIONS=true`) `verdict` and `report` append the Markdown report
to the job summary, write step outputs and emit annotations unless `--ci none` is given. The
strings come from `reportgen.ci.github`; this module only decides where they are written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from reportgen.cli.terminal import raw_stream
from reportgen.errors import WriteError
from reportgen.evaluation import Evaluation
from reportgen.model import Run
from reportgen.render.outputs import RenderContext


def add_ci_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ci",
        choices=("github", "none"),
        default=None,
        help="publish to the CI system: `github` appends the report to $GITHUB_STEP_SUMMARY, "
        "writes $GITHUB_OUTPUT and emits annotations (default when GITHUB_ACTIONS=true); "
        "`none` turns that off and leaves the CI context (commit, branch, PR, run) out of "
        "the reports",
    )


def add_title_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--title", metavar="TEXT", help="report title (overrides the criteria file's)"
    )
    parser.add_argument(
        "--subject",
        metavar="TEXT",
        help="what is judged, e.g. a PR or release (overrides the criteria file's)",
    )


def with_run_context(args: argparse.Namespace, evaluation: Evaluation) -> Evaluation:
    """`evaluation` with the title and subject given on the command line, if any, and the CI
    context the environment describes (none with an explicit `--ci none`)."""
    update: dict[str, object] = {
        key: value
        for key in ("title", "subject")
        if (value := getattr(args, key, None)) is not None
    }
    if getattr(args, "ci", None) != "none":
        from reportgen.ci.context import detect

        found = detect(os.environ)
        if found is not None:
            update["ci"] = found
    return evaluation.model_copy(update=update) if update else evaluation


def ci_system(args: argparse.Namespace) -> str | None:
    """The CI system to publish to, or None."""
    chosen = getattr(args, "ci", None)
    if chosen is None:
        chosen = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "none"
    return None if chosen == "none" else str(chosen)


def _append(path: str, text: str) -> None:
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise WriteError(f"cannot append: {exc.strerror or exc}", path=path) from exc


def _token() -> str:
    import secrets  # hashlib and hmac come with it: only a GitHub Actions run needs a token

    return "reportgen-" + secrets.token_hex(16)


def publish(
    args: argparse.Namespace,
    context: RenderContext,
    exit_code: int,
    reports: list[tuple[str, str]],
    stream: TextIO,
) -> None:
    """Publish to GitHub Actions when chosen: annotations on `stream`, summary and outputs to
    the files GitHub names. A file that cannot be written is one line on stderr, not a failure
    of the gate itself."""
    if ci_system(args) != "github":
        return
    # Imported here: only a run inside GitHub Actions needs it, and the gate starts faster without.
    from reportgen.ci import github

    run: Run = context.run
    evaluation: Evaluation = context.need_evaluation()
    criteria_path = getattr(args, "criteria", None)
    criteria_text = ""
    if criteria_path:
        try:
            criteria_text = Path(criteria_path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            criteria_text = ""
    # Our own workflow commands go past the terminal sanitiser (which would neutralise every
    # `::` line): `annotation_commands` escapes all input text itself.
    out = raw_stream(stream)
    out.write(
        github.annotation_commands(
            run,
            evaluation,
            token=_token(),
            criteria_path=criteria_path,
            criteria_text=criteria_text,
        )
    )
    out.flush()

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            used = Path(summary).stat().st_size if Path(summary).exists() else 0
            # A blank line after what earlier steps wrote, so the report starts a block of its
            # own; and room for the final newline the text may lack.
            gap = "\n" if used else ""
            budget = github.STEP_SUMMARY_BYTES - used - len(gap) - 1
            if budget > 0:
                from reportgen.render.markdown import render_markdown

                view = context.view
                text = github.fit_summary(
                    lambda limit: render_markdown(view, max_chars=limit), budget
                )
                if text:
                    _append(summary, gap + (text if text.endswith("\n") else text + "\n"))
        except (WriteError, OSError) as exc:
            sys.stderr.write(f"reportgen: job summary: {exc}\n")

    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        values = github.output_values(run, evaluation, exit_code, reports)
        delimiter = _token()
        while any(delimiter in value for value in values.values()):
            delimiter = _token()
        try:
            _append(outputs, github.step_outputs(values, delimiter))
        except WriteError as exc:
            sys.stderr.write(f"reportgen: {exc}\n")
