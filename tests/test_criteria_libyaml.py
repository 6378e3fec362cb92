"""Criteria files read through libyaml give what PyYAML's pure-Python reader gives.

libyaml is only a fast path for `criteria.loads`: every file, valid or not, must come out as the
same CriteriaFile or the same one-line error as on the reference reader. The inputs are the
repository's criteria files, hand-written hostile cases, and seeded mutations of the sample.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from reportgen import criteria
from reportgen.errors import CriteriaError

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    [
        ROOT / "samples" / "phase4-websocket" / "criteria.yaml",
        *(ROOT / "tests" / "fixtures" / "verdict").glob("*.yaml"),
    ]
)
SAMPLE = (ROOT / "samples" / "phase4-websocket" / "criteria.yaml").read_text(encoding="utf-8")

pytestmark = pytest.mark.skipif(
    not getattr(yaml, "__with_libyaml__", False), reason="PyYAML was built without libyaml"
)

HOSTILE = {
    "alias": "version: 1\ncriteria:\n  - &c {id: a, metric: m, stat: p95, max: 10ms}\n  - *c\n",
    "alias bomb": "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nversion: 1\n",
    "deep": "version: 1\nreport: " + "[" * 40 + "]" * 40 + "\n",
    "at the depth limit": "version: 1\nx: " + "[" * 30 + "1" + "]" * 30 + "\n",
    "one past the limit": "version: 1\nx: " + "[" * 31 + "1" + "]" * 31 + "\n",
    "two documents": "version: 1\n---\nversion: 1\n",
    "empty": "",
    "comment only": "# nothing\n",
    "tab indent": "version: 1\ncriteria:\n\t- id: a\n",
    "huge int": "version: 1\ndefaults:\n  min_samples: " + "9" * 5000 + "\n",
    "not a date": "version: 1\nwaivers:\n  - {criterion: a, reason: r, expires: 2026-02-30}\n",
    "timestamp text": "version: 1\nreport:\n  title: 2026-12-31 10:00:00\n",
    "float forms": "version: 1\ndefaults:\n  confidence: 9.5e-1\nx: [1e3, .5, +1., -.inf, .NaN]\n",
    "duplicate key": "version: 1\nversion: 1\n",
    "python tag": "version: 1\nx: !!python/object/apply:os.system [true]\n",
    "unknown tag": "version: 1\nx: !custom 3\n",
    "control char": "version: 1\nreport:\n  title: a\x07b\n",
    "bad indentation": "version: 1\ncriteria:\n  - id: a\n   metric: m\n",
    "unclosed flow": "version: 1\ncriteria: [\n",
    "json with tabs": '{\n\t"version": 1,\n\t"criteria": []\n}\n',
    "json duplicate": '{"version": 1, "version": 1}',
    "bom": "\ufeffversion: 1\n",
    "yaml directive": "%YAML 1.1\n---\nversion: 1\n",
    "merge key": "version: 1\nx: {<<: {a: 1}, b: 2}\n",
    "binary": "version: 1\nx: !!binary aGVsbG8=\n",
    "int tag on text": "version: 1\nx: !!int metric\n",
    "float tag on text": "version: 1\nx: !!float abc\n",
    "bool tag on text": "version: 1\nx: !!bool maybe\n",
    "timestamp tag on text": "version: 1\nx: !!timestamp soon\n",
    "int tag on nothing": "version: 1\nx: !!int\n",
    "non-ascii": "version: 1\nreport:\n  title: Phase 4 — ünïcode ✓\n",
}


def _outcome(text: str) -> object:
    try:
        return criteria.loads(text, "criteria.yaml")
    except CriteriaError as exc:
        return ("CriteriaError", str(exc))


def _reference(text: str, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(criteria, "_compose_with_libyaml", lambda yaml, text: None)
        return _outcome(text)


def _mutations(seed: int, count: int) -> list[str]:
    """Texts one edit away from the sample: a character deleted, or a YAML token inserted."""
    rng = random.Random(seed)
    tokens = [":", "-", " ", "\t", "\n", "#", '"', "'", "[", "]", "{", "}", "&x ", "*x", "? "]
    tokens += ["!!int ", "|", ">", "%", "@", "1e3", "0x1F", "~", "null", "yes", "2026-01-01"]
    texts = []
    for _ in range(count):
        at = rng.randrange(len(SAMPLE))
        if rng.random() < 0.3:
            texts.append(SAMPLE[:at] + SAMPLE[at + 1 :])
        else:
            texts.append(SAMPLE[:at] + rng.choice(tokens) + SAMPLE[at:])
    return texts


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_repository_criteria_files_read_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    fast = _outcome(text)
    assert isinstance(fast, criteria.CriteriaFile), fast
    assert fast == _reference(text, monkeypatch)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_broken_files_read_alike(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = HOSTILE[name]
    assert _outcome(text) == _reference(text, monkeypatch)


def test_mutated_sample_reads_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    differ = []
    for text in _mutations(20261201, 4000):
        fast, reference = _outcome(text), _reference(text, monkeypatch)
        if fast != reference:
            differ.append((text, fast, reference))
    assert not differ, differ[:3]


def test_the_fast_path_is_taken_on_a_clean_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample is composed by libyaml: the pure-Python reader is never built for it."""

    def refuse(_: str) -> None:
        raise AssertionError("the pure-Python reader was used")

    with monkeypatch.context() as patch:
        patch.setattr(criteria._loaders()[0], "__init__", refuse)
        assert isinstance(_outcome(SAMPLE), criteria.CriteriaFile)
