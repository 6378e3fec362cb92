"""Reports that CI jobs write beside test results but that hold none: coverage, static
analysis, and Maven Failsafe's summary of a clean run. A file no reader took is listed as "not
test results" only when its whole content is positively one of these formats (root element and
required attributes, or required keys); anything else keeps the "looks like results" rule, so a
results file is never waved through for its name or its first bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportgen.errors import InputError
from reportgen.ingest._jsonread import HeadKeys, head_keys, load_document
from reportgen.ingest._safexml import local_name, parse_xml, sniff_root
from reportgen.ingest.base import Source
from reportgen.regex import lazy_regex

# Elements of test results formats: a coverage-rooted document holding any of them is not
# taken for coverage (it may be a results file in disguise).
_TEST_ELEMENTS = frozenset(
    {"testsuite", "testsuites", "testcase", "test-case", "test-suite", "UnitTestResult", "test"}
)
_COBERTURA_CHILDREN = frozenset({"sources", "packages"})
_FAILSAFE_COUNTS = frozenset({"completed", "errors", "failures", "skipped"})
_FAILSAFE_CHILDREN = _FAILSAFE_COUNTS | {"flakes", "failureMessage"}
_JACOCO_CHILDREN = frozenset({"sessioninfo", "group", "package", "counter"})
_CLOVER_CHILDREN = frozenset({"project", "testproject"})
_ISTANBUL_FILE_KEYS = frozenset({"statementMap", "fnMap", "branchMap", "s", "f", "b"})
_ISTANBUL_SUMMARY_KEYS = frozenset({"lines", "statements", "functions", "branches"})
_ISTANBUL_COUNT_KEYS = frozenset({"total", "covered", "pct"})
# An lcov tracefile starts with a test name or a source file record.
_lcov_start = lazy_regex(rb"\s*(?:TN|SF):")
# Every line of an lcov tracefile: a record `KEY:value` of the geninfo format, or its end.
_lcov_line = lazy_regex(
    r"(?:(?:TN|SF|VER|FN|FNDA|FNF|FNH|FNL|FNA|DA|BRDA|BRF|BRH|LF|LH):.*|end_of_record)"
)


def not_results(path: Path, display: str, head: bytes) -> str | None:
    """What known non-results format the file is ("Cobertura coverage"), or None.

    The head only picks a candidate; the whole file is then parsed and checked, and a file
    that does not parse or lacks what the format requires is None (not recognised).
    """
    source = Source(path, display, head)
    try:
        root_name = sniff_root(head)
        if root_name is not None:
            return _xml_kind(source, root_name[0])
        keys = head_keys(head)
        if keys.top:
            return _json_kind(source, keys)
        if _lcov_start().match(head):
            return _lcov(path)
        return None
    except (InputError, OSError, UnicodeDecodeError):
        return None


def _xml_kind(source: Source, root_name: str) -> str | None:
    if root_name not in {"coverage", "report", "failsafe-summary"}:
        return None
    with source.open() as handle:
        root = parse_xml(handle.read(), source)
    if any(local_name(e.tag) in _TEST_ELEMENTS for e in root.iter() if isinstance(e.tag, str)):
        return None
    name = local_name(root.tag)
    children = {local_name(c.tag) for c in root if isinstance(c.tag, str)}
    if name == "failsafe-summary":
        return "Failsafe summary of a clean run" if _clean_failsafe(root, children) else None
    if name == "coverage":
        if {"line-rate", "branch-rate"} <= set(root.attrib) and children <= _COBERTURA_CHILDREN:
            return "Cobertura coverage"
        if "generated" in root.attrib and "project" in children and children <= _CLOVER_CHILDREN:
            return "Clover coverage"
        return None
    public_id = root.getroottree().docinfo.public_id or ""
    if (
        name == "report"
        and "name" in root.attrib
        and children <= _JACOCO_CHILDREN
        and (public_id.startswith("-//JACOCO//") or {"sessioninfo", "counter"} & children)
    ):
        return "JaCoCo coverage"
    return None


def _clean_failsafe(root: Any, children: set[str]) -> bool:
    """Whether Maven Failsafe's `failsafe-summary.xml` says its run passed: tests completed,
    none failed or errored, no fork timed out or crashed (`failureMessage`), and no failure
    code (`result` 255 failed, 254 no tests; `null` or absent when it passed).

    Its tests are in the TEST-*.xml reports beside it, which are read; a summary that says
    anything else is left unrecognised, so it keeps the verdict from READY (a crashed fork's
    tests have no report to show it)."""
    if not children <= _FAILSAFE_CHILDREN or not children >= _FAILSAFE_COUNTS:
        return False
    if root.get("result") not in (None, "null", "0") or root.get("timeout") != "false":
        return False
    counts = {local_name(c.tag): (c.text or "").strip() for c in root if isinstance(c.tag, str)}
    if not all(counts[key].isascii() and counts[key].isdigit() for key in _FAILSAFE_COUNTS):
        return False
    message = counts.get("failureMessage", "")
    return (
        int(counts["completed"]) > 0
        and int(counts["errors"]) == 0
        and int(counts["failures"]) == 0
        and not message
    )


def _json_kind(source: Source, keys: HeadKeys) -> str | None:
    # Only a head that names a candidate's keys is parsed as a whole.
    if not (
        {"runs", "version"} & set(keys.top)
        or "format" in keys.inner("meta")
        or "total" in keys.top
        or {"statementMap", "path"} & set(keys.inner(keys.top[0]))
    ):
        return None
    document = load_document(source)
    if not isinstance(document, dict) or not document:
        return None
    for kind, check in _JSON_KINDS:
        if check(document):
            return kind
    return None


def _sarif(doc: dict[str, Any]) -> bool:
    runs = doc.get("runs")
    return (
        isinstance(doc.get("version"), str)
        and doc["version"].startswith("2.")
        and isinstance(runs, list)
        and all(isinstance(r, dict) and isinstance(r.get("tool"), dict) for r in runs)
    )


def _coverage_py(doc: dict[str, Any]) -> bool:
    meta = doc.get("meta")
    return (
        isinstance(meta, dict)
        and isinstance(meta.get("format"), int)
        and isinstance(meta.get("version"), str)
        and isinstance(doc.get("files"), dict)
        and isinstance(doc.get("totals"), dict)
    )


def _istanbul(doc: dict[str, Any]) -> bool:
    return all(isinstance(v, dict) and set(v) >= _ISTANBUL_FILE_KEYS for v in doc.values())


def _istanbul_summary(doc: dict[str, Any]) -> bool:
    return "total" in doc and all(
        isinstance(v, dict)
        and set(v) >= _ISTANBUL_SUMMARY_KEYS
        and all(isinstance(v[k], dict) and set(v[k]) >= _ISTANBUL_COUNT_KEYS for k in v)
        for v in doc.values()
    )


_JSON_KINDS: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...] = (
    ("SARIF static analysis", _sarif),
    ("coverage.py JSON coverage", _coverage_py),
    ("Istanbul coverage", _istanbul),
    ("Istanbul coverage summary", _istanbul_summary),
)


def _lcov(path: Path) -> str | None:
    records = ends = 0
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if not line:
                continue
            if not _lcov_line().fullmatch(line):
                return None
            records += line.startswith("SF:")
            ends += line == "end_of_record"
    return "lcov coverage" if records and records == ends else None
