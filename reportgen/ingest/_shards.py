"""Shards of a split run: every shard the inputs say the run was split into must be there.

A harness that splits a suite across jobs (`npx playwright test --shard=1/3`) writes a report
per shard, and its JSON reporter says which shard it holds (`config.shard`:
`{"current": 1, "total": 3}`). One shard's report is a third of the suite: read alone, as when
a CI step downloads only the artifact of its own job or another job's upload failed, its
passes would stand for tests that were never seen. So the shards present are checked against
the total they declare, and the reports of an incomplete set are flagged `tests_missing`
(INSUFFICIENT). Reports merged from the shards (`npx playwright merge-reports`) declare no
shard and are read like any run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reportgen.model import InputFile, IntegrityFlag, IntegrityKind
from reportgen.records import record


@record
class Shard:
    """The part of a split run that one input holds, as the input declares it."""

    current: int  # from 1
    total: int
    #: The harness, for the message, and which reports belong together.
    harness: str
    #: How to give the whole run (`npx playwright merge-reports`).
    whole: str


def missing_shards(
    inputs: Sequence[InputFile], shards: Mapping[int, Shard]
) -> dict[int, IntegrityFlag]:
    """The flag of each read input (by index) whose split run lacks a shard.

    Reports of one harness that declare the same total are one split run, and every shard
    number from 1 to the total must be among them. A report left out as a copy of another
    (`duplicate_of`: the same bytes, or a part of the report merged from the shards) is there
    through the copy read, so it counts as present but is not flagged itself.
    """
    groups: dict[tuple[str, int], list[int]] = {}
    for index, shard in shards.items():
        if shard.total > 1:
            groups.setdefault((shard.harness, shard.total), []).append(index)
    flags: dict[int, IntegrityFlag] = {}
    for (_harness, total), members in groups.items():
        present = {shards[i].current for i in members}
        short = [n for n in range(1, total + 1) if n not in present]
        kept = [i for i in members if inputs[i].duplicate_of is None]
        if not short or not kept:
            continue
        absent = (
            f"the reports of shards {', '.join(str(n) for n in short)} of {total} are not "
            "among the inputs, so the tests they ran are unseen"
            if len(short) > 1
            else f"the report of shard {short[0]} of {total} is not among the inputs, so the "
            "tests it ran are unseen"
        )
        for index in kept:
            shard = shards[index]
            flags[index] = IntegrityFlag(
                kind=IntegrityKind.TESTS_MISSING,
                message=f"{shard.harness} shard {shard.current} of {total}: {absent}; give every "
                f"shard's report, or the one {shard.whole} makes of them",
            )
    return flags
