"""Property test: every mutant of a real sample is a Run or the project's own input error.

The mutators and the classifier are those of `benchmarks/fuzz_campaign.py` (the long
campaign); here hypothesis drives a short budget over the fixtures and the corpus.
"""

from __future__ import annotations

import importlib.util
import resource
import signal
import sys
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, REPO

#: Per-mutant time budget (seconds) and the whole worker's peak memory budget (MB).
TIME_BUDGET = 10.0
MEMORY_BUDGET_MB = 1500

pytestmark = pytest.mark.fuzz


def _campaign() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fuzz_campaign", REPO / "benchmarks" / "fuzz_campaign.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz_campaign", module)
    spec.loader.exec_module(module)
    return module


FUZZ = _campaign()
SAMPLES = FUZZ.seeds(CORPUS if CORPUS.is_dir() else None)


def test_every_format_has_seed_samples() -> None:
    formats = {fmt for fmt, _, _ in SAMPLES}
    assert {"junit", "tap", "gotest-json", "ctrf", "jest-json", "gobench"} <= formats


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(index=st.integers(min_value=0), seed=st.integers(min_value=0), forced=st.booleans())
def test_mutants_end_in_a_run_or_an_input_error(
    tmp_path_factory: pytest.TempPathFactory, index: int, seed: int, forced: bool
) -> None:
    import random

    fmt, path, data = SAMPLES[index % len(SAMPLES)]
    mutation, mutant = FUZZ.mutate(data, random.Random(seed))
    target = tmp_path_factory.mktemp("fuzz") / f"mutant{path.suffix}"
    target.write_bytes(mutant)
    previous = signal.signal(signal.SIGALRM, FUZZ._alarm)
    try:
        kind, detail = FUZZ.classify(target, fmt if forced else None, TIME_BUDGET)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert kind in ("ok", "clean"), f"{kind} {detail} [{mutation} of {path}]"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < MEMORY_BUDGET_MB, f"peak memory {peak_mb:.0f} MB [{mutation} of {path}]"
