"""The criterion kinds: one vocabulary shared by the criteria file, the judges and the results."""

from __future__ import annotations

import pytest

from reportgen.criteria import KIND_KEYS, Kind, TestsSpec, loads
from reportgen.evaluate.assembly import JUDGES
from reportgen.evaluate.counts import CHECKS


def test_every_kind_has_a_judge_and_a_key() -> None:
    assert set(JUDGES) == set(Kind)
    assert {kind for kind, _key in KIND_KEYS} == set(Kind)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("metric: m\n    stat: p95\n    max: 1s", Kind.THRESHOLD),
        ("metric: m\n    compare: baseline\n    stat: p95\n    max_regression: 5%", Kind.BASELINE),
        ("metric: m\n    max_cv: 5%", Kind.VARIANCE),
        ("tests:\n      max_failed: 0", Kind.TESTS),
    ],
)
def test_a_criterion_kind_follows_from_its_keys(body: str, kind: Kind) -> None:
    cf = loads(f"version: 1\ncriteria:\n  - id: c\n    {body}\n")
    assert cf.criteria[0].kind is kind


def test_every_counting_check_is_a_key_of_the_tests_spec() -> None:
    keys = [key for key, _check in CHECKS]
    assert len(keys) == len(set(keys))
    assert set(keys) <= set(TestsSpec.model_fields)
