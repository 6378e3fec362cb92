"""Where and when a run happened: the CI context read from the environment.

The CI systems `reportgen.ci.context` knows say it in documented variables; elsewhere nothing
is assumed and the caller may give `--branch` and `--commit` (or ask git).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from reportgen.model import Frozen


class RunContext(Frozen):
    """What is stored about a run besides its results."""

    commit: str | None = None
    branch: str | None = None
    pr: str | None = Field(default=None, description="Pull or merge request number.")
    run_url: str | None = None
    job: str | None = None
    recorded_at: datetime
    labels: dict[str, str] = Field(default_factory=dict)


def ci_context(env: Mapping[str, str]) -> dict[str, str]:
    """commit, branch, pr, run_url and job of the CI run the environment describes (see
    `reportgen.ci.context`); keys whose value the environment does not give are left out."""
    from reportgen.ci.context import detect

    found = detect(env)
    if found is None:
        return {}
    # The history stores the fields the CI names; a PR's web address follows from them.
    return found.model_dump(exclude={"system", "pr_url"}, exclude_none=True)
