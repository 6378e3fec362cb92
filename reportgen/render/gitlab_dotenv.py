"""The verdict as a GitLab dotenv report (`artifacts:reports:dotenv`): later jobs and
environments read REPORTGEN_VERDICT and the counts as variables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportgen.evaluation import Status
from reportgen.model import Outcome

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext


def render(context: RenderContext) -> str:
    """KEY=VALUE lines; values are single words (dotenv has no quoting GitLab honours)."""
    evaluation = context.need_evaluation()
    counts = evaluation.counts()
    tests = context.run.tests.outcome_counts()
    values = {
        "REPORTGEN_VERDICT": evaluation.verdict.name,
        "REPORTGEN_EXIT_CODE": str(int(evaluation.verdict.exit_code)),
        **{f"REPORTGEN_CRITERIA_{s.name}": str(counts[s]) for s in Status},
        "REPORTGEN_TESTS_TOTAL": str(len(context.run.tests)),
        **{f"REPORTGEN_TESTS_{o.name}": str(tests.get(o, 0)) for o in Outcome},
    }
    return "".join(f"{key}={value}\n" for key, value in values.items())
