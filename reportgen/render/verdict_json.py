"""The verdict JSON: the evaluation as one JSON document (`schemas/verdict.schema.json`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportgen.evaluation import Evaluation

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext


def render_verdict_json(evaluation: Evaluation) -> str:
    """The evaluation as indented JSON, ending with a newline."""
    # Outside CI the document is what it was before the CI context existed: no `ci: null`.
    exclude = {"ci"} if evaluation.ci is None else None
    return evaluation.model_dump_json(indent=2, exclude=exclude) + "\n"


def render(context: RenderContext) -> str:
    """The verdict JSON output of the outputs registry."""
    return render_verdict_json(context.need_evaluation())
