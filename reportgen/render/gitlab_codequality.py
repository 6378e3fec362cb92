"""Failing criteria and failed tests as a GitLab Code Quality report (Code Climate JSON).

Each issue has the fields GitLab reads (description, check_name, fingerprint, severity,
location.path, location.lines.begin) and those the Code Climate spec requires (type,
categories). Fingerprints hash what identifies the finding (criterion id and file, test id and
file), never figures or messages, so the same finding keeps its fingerprint across runs and
GitLab can show what is new in a merge request.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.ci.github import criterion_lines
from reportgen.criteria import Severity
from reportgen.evaluation import Evaluation, Status
from reportgen.model import Outcome, Run

if TYPE_CHECKING:
    from reportgen.render.outputs import RenderContext

#: GitLab's description field is shown in one line of the widget: keep it readable.
DESCRIPTION_CHARS = 1000


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1] + "…"


def _issue(
    check: str, description: str, severity: str, path: str, line: int, fingerprint: str
) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": check,
        "description": _short(description),
        "categories": ["Bug Risk"],
        "severity": severity,
        "fingerprint": fingerprint,
        "location": {"path": path, "lines": {"begin": max(1, line)}},
    }


def issues(run: Run, evaluation: Evaluation, criteria_text: str = "") -> list[dict[str, Any]]:
    """The Code Quality issues: failing and insufficient criteria, then failed tests."""
    criteria_path = evaluation.criteria_file or "criteria"
    lines = criterion_lines(criteria_text)
    out: list[dict[str, Any]] = []
    for result in evaluation.criteria:
        if result.status not in (Status.FAIL, Status.INSUFFICIENT):
            continue
        blocker = result.severity is Severity.BLOCKER
        if result.status is Status.FAIL:
            severity = "critical" if blocker else "minor"
        else:
            severity = "major" if blocker else "info"
        out.append(
            _issue(
                f"reportgen/criterion-{result.status.value}",
                f"{result.id} ({result.status.value}): {result.reason}",
                severity,
                criteria_path,
                lines.get(result.id, 1),
                _fingerprint("criterion", criteria_path, result.id, result.status.value),
            )
        )
    for test in run.tests:
        if test.outcome not in (Outcome.FAILED, Outcome.ERROR):
            continue
        path = test.file or (run.inputs[test.input].path if test.input < len(run.inputs) else "")
        why = test.message or test.type or test.outcome.value
        out.append(
            _issue(
                f"reportgen/test-{test.outcome.value}",
                f"{test.id} {test.outcome.value}: {why}",
                "major",
                path or "unknown",
                test.line or 1,
                _fingerprint("test", path, test.id),
            )
        )
    return out


def render(context: RenderContext) -> str:
    """The report as a JSON array (deterministic: evaluation order, then the inputs' order)."""
    evaluation = context.need_evaluation()
    text = ""
    if evaluation.criteria_file:
        # Only to place criteria at their line; an unreadable file puts them on line 1.
        try:
            text = Path(evaluation.criteria_file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
    return json.dumps(issues(context.run, evaluation, text), indent=2, ensure_ascii=False) + "\n"
