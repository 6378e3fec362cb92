"""The complete list of failed, erroring and flaky tests that the verdict JSON carries, so the
reports that show only the first few can point to a place that names every one."""

from __future__ import annotations

from reportgen.evaluation import FailingTest
from reportgen.model import Outcome, Run
from reportgen.text import clean_text

#: Characters of a failure message kept in the verdict JSON (messages can be whole traces).
FAILING_MESSAGE_CHARS = 1000


def failing_tests(run: Run) -> tuple[FailingTest, ...]:
    """Every failed, erroring and flaky test of `run`, in input order."""
    tests = run.tests
    chosen = sorted(
        {*tests.indices_with_outcome(Outcome.FAILED, Outcome.ERROR), *tests.flaky_indices()}
    )
    out = []
    for i in chosen:
        case = tests[i]
        flaky = case.outcome not in (Outcome.FAILED, Outcome.ERROR)
        message = case.message
        if flaky and not message:
            # A flaky test passed in the end; the message worth showing is the failed attempt's.
            message = next((a.message for a in case.attempts if a.message), None)
        message = " ".join(clean_text(message or "").split())[:FAILING_MESSAGE_CHARS]
        source = run.inputs[case.input].path if 0 <= case.input < len(run.inputs) else ""
        out.append(
            FailingTest(
                id=clean_text(case.id),
                outcome="flaky" if flaky else case.outcome.value,
                message=message or None,
                source=clean_text(source),
                file=clean_text(case.file) if case.file else None,
                line=case.line,
            )
        )
    return tuple(out)
