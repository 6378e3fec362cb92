"""A history baseline is one machine or configuration: runs recorded with different labels
(`record --label os=linux`, `--label os=mac`) are chosen between with `label.KEY=VALUE` in the
`history:` spec, and a spec that names none of a label whose values differ is INSUFFICIENT.

Before, the latest run of the branch was the baseline whatever its labels: a linux run that
regressed by 50% was READY against the slower mac run recorded after it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from reportgen.errors import UsageError
from reportgen.history import HistorySpec, parse_spec
from tests.conftest import run_cli

CRITERIA = """version: 1
phases:
  - name: perf
    criteria:
      - id: no-regression
        metric: api_latency
        compare: baseline
        max_regression: 5%
"""


def _metrics(path: Path, centre: float) -> Path:
    rnd = random.Random(centre)
    samples = [round(centre * (1 + rnd.uniform(-0.02, 0.02)), 3) for _ in range(30)]
    metric = {"name": "api_latency", "unit": "ms", "samples": samples}
    path.write_text(json.dumps({"version": 1, "metrics": [metric]}))
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """A history of a linux run (100 ms), then a mac run (200 ms), on main; criteria and the
    current linux run (150 ms: a 50% regression)."""
    where = tmp_path_factory.mktemp("labels")
    url = f"sqlite:///{where / 'history.db'}"
    for name, centre, commit in (("linux", 100.0, "aaaa1111"), ("mac", 200.0, "bbbb2222")):
        done = run_cli(
            "record",
            str(_metrics(where / f"{name}.json", centre)),
            "--db",
            url,
            "--branch",
            "main",
            "--commit",
            commit,
            "--label",
            f"os={name}",
        )
        assert done.returncode == 0, done.stderr
    criteria = where / "criteria.yaml"
    criteria.write_text(CRITERIA)
    return url, criteria, _metrics(where / "current.json", 150.0)


@pytest.mark.parametrize(
    ("spec", "code", "said"),
    [
        # Before: 0, the mac run the baseline and the regression an "improvement".
        ("history:branch=main", 3, "carry different labels (os: linux, mac)"),
        ("history:branch=main,label.os=linux", 1, "regressed by +49"),
        ("history:branch=main,label.os=mac", 0, "improved"),
        ("history:branch=main,label.os=bsd", 3, "no recorded run matches"),
    ],
)
def test_a_history_baseline_is_one_configuration(
    db: tuple[str, Path, Path], spec: str, code: int, said: str
) -> None:
    url, criteria, current = db
    done = run_cli("verdict", "-c", str(criteria), "--db", url, "--baseline", spec, str(current))
    assert done.returncode == code, done.stdout + done.stderr
    assert said in done.stdout
    if code == 3 and "labels" in said:
        assert "label.os=linux" in done.stdout  # the way out is named


def test_the_spec_names_labels_once_each() -> None:
    assert parse_spec("history:branch=main,label.os=linux,label.cpu=arm,last=3") == HistorySpec(
        branch="main", last=3, labels=(("cpu", "arm"), ("os", "linux"))
    )
    with pytest.raises(UsageError, match="repeated key"):
        parse_spec("history:branch=main,label.os=linux,label.os=mac")
    with pytest.raises(UsageError, match="expected key=value"):
        parse_spec("history:branch=main,label.os=")
