"""Evaluate a criteria file against a run (and a baseline): a pure function to an Evaluation.

Nothing here prints, formats for a terminal or exits. Statistics come from `reportgen.stats`;
this package decides which evidence each criterion may use and how its bounds are read. Every
rule fails closed: missing, skipped, stale, too few or below-resolution data is insufficient.

One module per criterion kind (`threshold`, `variance`, `baseline`, `tests_criteria`), each with
a `judge` registered in `assembly.JUDGES`; `context` holds what they share, `wording` their words.
"""

from __future__ import annotations

from reportgen.evaluate.assembly import evaluate, overall_verdict
from reportgen.evaluate.context import resolve_now

__all__ = ["evaluate", "overall_verdict", "resolve_now"]
