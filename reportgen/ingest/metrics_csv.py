"""Plain metrics CSV: one sample per row, `name,value[,unit]`, with an optional header row."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from reportgen import numbers
from reportgen.ingest._jsonread import head_text, read_bytes
from reportgen.ingest._metrics_common import direction_for_unit, unit_factor
from reportgen.ingest.base import HEAD_BYTES, Ingester, Sink, Source, decode_text
from reportgen.model import IntegrityKind

_HEADER = re.compile(r"^\ufeff?\s*\"?name\"?\s*,\s*\"?value\"?\s*(,\s*\"?unit\"?\s*)?$", re.I)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# After a headerless row's name: a number and an optional unit label. No two neighbouring parts
# can match the same characters, so a line that is not a row fails in one pass (a single regex
# for the whole row, with the name's free text on both sides of one required character,
# backtracked quadratically on a long line without a comma).
_VALUE_AND_UNIT = re.compile(rf"\s*{_NUMBER}\s*(?:,[^,]*)?")
# A character that makes a name more than a bare number.
_NAME_CHAR = re.compile(r"[^\d\s,.+\-]")


def _looks_like_row(line: str) -> bool:
    """A headerless row: a name that is not a bare number, a number, an optional unit label."""
    text = line.lstrip()
    if text.startswith('"'):
        end = text.find('"', 1)
        rest = text[end + 1 :].lstrip()
        if end >= 2 and rest.startswith(",") and _VALUE_AND_UNIT.fullmatch(rest[1:]):
            return True
    name, comma, rest = text.partition(",")
    # A single quote may stand for the name's non-numeric character, as the row pattern has
    # always allowed (a name such as `5"` for inches).
    return (
        bool(comma)
        and name.count('"') <= 1
        and _NAME_CHAR.search(name) is not None
        and _VALUE_AND_UNIT.fullmatch(rest) is not None
    )


class MetricsCsvIngester(Ingester):
    """Reads `name,value[,unit]` rows; rows with the same name are samples of one metric."""

    name = "metrics-csv"
    description = "plain metrics CSV: name,value[,unit] per sample, header optional"
    patterns = ("*metrics*.csv",)

    def sniff(self, head: bytes, path: str) -> float:
        lines = [
            line
            for line in head_text(head).splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if len(head) >= HEAD_BYTES and len(lines) > 1 and not head.endswith(b"\n"):
            lines = lines[:-1]  # the last line may be cut by the head limit
        if not lines:
            return 0.0
        if _HEADER.match(lines[0]):
            return 0.9
        # Headerless: the first line and most of the rest must look like metric rows, so that
        # another format's CSV (JTL has ten or more columns) is never taken.
        sample = lines[:50]
        rows = sum(1 for x in sample if _looks_like_row(x))
        if _looks_like_row(sample[0]) and rows >= 0.8 * len(sample):
            return 0.5
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        text = decode_text(read_bytes(source), source)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        values: dict[str, list[float]] = {}
        units: dict[str, tuple[str, int]] = {}  # canonical unit and the line that set it
        try:
            header = self._rows(source, reader, values, units)
        except csv.Error as exc:
            raise source.error(f"malformed CSV: {exc}", line=reader.line_num) from None
        if not values:
            if header is None:
                # Nothing says this is a metrics CSV at all (comments and blank lines only).
                raise source.error("no metric rows (expected name,value[,unit])")
            # The header a script writes before its first measurement, and nothing after it:
            # a metrics file that holds nothing, as from a run that stopped first.
            sink.flag(
                IntegrityKind.NO_RESULTS,
                "only a header, no metric rows: its run may have stopped before any "
                "measurement (list it under inputs.ignore if it is not evidence)",
                line=header,
            )
            return
        for name, samples in values.items():
            unit = units[name][0]
            sink.metric(
                name=name,
                unit=unit,
                direction=direction_for_unit(unit),
                samples=samples,
                n=len(samples),
                source=name,
            )

    @staticmethod
    def _rows(
        source: Source,
        reader: Any,
        values: dict[str, list[float]],
        units: dict[str, tuple[str, int]],
    ) -> int | None:
        """Read the rows into `values` and `units`; the line of the header row, if any."""
        first = True
        header = None
        for row in reader:
            line = reader.line_num
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            if first:
                first = False
                if _HEADER.match(",".join(cell.strip() for cell in row)):
                    header = line
                    continue
            if len(row) not in (2, 3):
                raise source.error(
                    f"expected name,value[,unit]: found {len(row)} columns", line=line
                )
            name = row[0].strip()
            if not name:
                raise source.error("empty metric name", line=line)
            raw = row[1].strip()
            try:
                value = numbers.parse_float(raw)
            except numbers.NotFiniteError:
                raise source.error(
                    f"value {raw[:40]!r} of {name!r} is not finite", line=line
                ) from None
            except ValueError:
                raise source.error(
                    f"value {raw[:40]!r} of {name!r} is not a number", line=line
                ) from None
            if value < 0:
                raise source.error(
                    f"negative value {raw} of {name!r} cannot be a measurement", line=line
                )
            factor, unit = unit_factor(row[2].strip() if len(row) == 3 else "")
            seen = units.get(name)
            if seen is None:
                units[name] = (unit, line)
                values[name] = []
            elif seen[0] != unit:
                raise source.error(
                    f"{name!r} is in {unit or 'no unit'!r} here but in {seen[0] or 'no unit'!r} "
                    f"on line {seen[1]}",
                    line=line,
                )
            values[name].append(value * factor)
        return header
