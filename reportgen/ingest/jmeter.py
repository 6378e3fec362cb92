"""Apache JMeter JTL results in CSV (with or without the header row): per-label samples.

Each sampler label becomes two metrics: `LABEL` with the `elapsed` times (seconds, recorded in
whole milliseconds) of its successful samples, and `LABEL [success]`, the share of successful
samples with its counts (n, hits). Failed samples (success=false) are counted, not timed.
Transaction Controller parents are labels of their own (marked `transaction`), so no sample is
counted twice in a label.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from reportgen import numbers
from reportgen.ingest._jsonread import head_text, note_timestamp
from reportgen.ingest.base import Ingester, Sink, Source, decode_text
from reportgen.model import Direction, IntegrityKind

# JMeter's column names (jmeter.properties, CSV SaveService).
_HEADER_START = re.compile(r"^\ufeff?\"?timeStamp\"?([,;\t|])")
# Headerless rows: epoch-ms timestamp, elapsed, then label ... success (true/false) later on.
_HEADERLESS = re.compile(r"^\d{10,13},\d+,[^\n]*,(?:true|false),")
# In every default column set the first eight are fixed (failureMessage came later, after them).
_DEFAULT_COLUMNS = {"timeStamp": 0, "elapsed": 1, "label": 2, "responseMessage": 4, "success": 7}
_TRANSACTION = "Number of samples in transaction"
_CUT = "cut short, not read (was the test still running?)"


class JMeterIngester(Ingester):
    """Reads JMeter's CSV JTL: per-label elapsed-time samples and success rates."""

    name = "jmeter"
    description = "JMeter JTL CSV (-l results.jtl): per-label elapsed samples and success rate"
    patterns = ("*.jtl", "results*.csv")

    def sniff(self, head: bytes, path: str) -> float:
        text = head_text(head)
        first = text.split("\n", 1)[0]
        if _HEADER_START.match(first) and "elapsed" in first and "label" in first:
            return 0.95
        if _HEADERLESS.match(first) and first.count(",") >= 7:
            return 0.8
        return 0.0

    def read(self, source: Source, sink: Sink) -> None:
        try:
            self._read(source, sink)
        except UnicodeDecodeError:
            # Decoding runs ahead of the CSV reader in chunks; find the line the slow way.
            with source.open() as raw:
                decode_text(raw.read(), source)
            raise source.error("not valid UTF-8") from None

    def _read(self, source: Source, sink: Sink) -> None:
        handle = io.TextIOWrapper(source.open(), encoding="utf-8-sig", newline="")
        with handle:
            first = handle.readline()
            if not first.strip():
                raise source.error("file is empty")
            match = _HEADER_START.match(first)
            delimiter = match.group(1) if match else ","
            try:
                header = next(csv.reader([first], delimiter=delimiter)) if match else None
            except csv.Error as exc:  # e.g. a header field over the csv module's size limit
                raise source.error(f"malformed CSV header: {exc}", line=1) from None
            if header is None:
                handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            columns = self._columns(header, source)
            self._read_rows(reader, columns, header, source, sink)

    @staticmethod
    def _columns(header: list[str] | None, source: Source) -> dict[str, int]:
        if header is None:
            return dict(_DEFAULT_COLUMNS)
        index = {name.strip(): i for i, name in enumerate(header)}
        missing = [name for name in ("elapsed", "label") if name not in index]
        if missing:
            raise source.error(f"header has no {' or '.join(missing)} column", line=1)
        return {k: index[k] for k in _DEFAULT_COLUMNS if k in index}

    def _read_rows(
        self,
        reader: Any,
        columns: dict[str, int],
        header: list[str] | None,
        source: Source,
        sink: Sink,
    ) -> None:
        offset = 1 if header else 0
        ei, li = columns["elapsed"], columns["label"]
        si = columns.get("success")
        mi = columns.get("responseMessage")
        elapsed: dict[str, list[float]] = {}
        failures: dict[str, int] = {}
        transactions: set[str] = set()
        width = max(columns.values()) + 1
        first_row: list[str] | None = None
        short: tuple[int, str] | None = None  # (line, what is wrong) of a short row, if any
        row: list[str] = []
        while True:
            try:
                # The hot loop: one dict lookup, one float() and one comparison per row.
                for row in reader:
                    if short is not None:
                        raise source.error(short[1], line=short[0])
                    label = row[li]
                    bucket = elapsed.get(label)
                    if bucket is None:
                        bucket = elapsed[label] = []
                        failures[label] = 0
                        first_row = first_row or row
                        if len(row) < width:
                            raise IndexError
                        if mi is not None and row[mi].startswith(_TRANSACTION):
                            transactions.add(label)
                    value = float(row[ei])
                    if si is not None and row[si] != "true":
                        if row[si] != "false":
                            line = reader.line_num + offset
                            if (
                                si == len(row) - 1
                                and ("true".startswith(row[si]) or "false".startswith(row[si]))
                                and next(reader, None) is None
                            ):
                                # The start of true or false ending the file: a run killed
                                # mid-write.
                                short = (
                                    line,
                                    f"last row ends in success {row[si][:20]!r}, expected true "
                                    "or false",
                                )
                                break
                            raise source.error(
                                f"success is {row[si][:20]!r}, expected true or false", line=line
                            )
                        # A failed sample's time is not a latency of the service (a refused
                        # connection returns fast): it is counted, not timed.
                        failures[label] += 1
                        if value < 0:
                            raise source.error(f"negative elapsed time in label {label!r}")
                        continue
                    bucket.append(value)
                break
            except IndexError:
                if not row or not "".join(row).strip():
                    continue  # blank line
                # A short last row is a run killed mid-write; anywhere else it is damage.
                short = (
                    reader.line_num + offset,
                    f"row has {len(row)} columns, expected at least {width}",
                )
            except csv.Error as exc:
                line = reader.line_num + offset
                # A quoted field open at the end of the file (strict mode's only end-of-data
                # error) is the last row cut mid-write, like a short one.
                if "unexpected end of data" in str(exc) and next(reader, None) is None:
                    short = (line, "last row ends inside a quoted field")
                    break
                raise source.error(f"malformed CSV: {exc}", line=line) from None
            except UnicodeDecodeError:
                # Raised by the decoder under the CSV reader, not by float(): `read` names it.
                raise
            except ValueError:
                raise source.error(
                    f"elapsed {row[ei][:20]!r} is not a number", line=reader.line_num + offset
                ) from None
        if short is not None:
            # The file says the load test may not have finished, and the row lost may have been
            # a failed sample: what it holds is no evidence for READY (kept as a warning too).
            what = short[1] if short[1].startswith("last ") else f"last {short[1]}"
            if not any(elapsed.values()) and not any(failures.values()):
                if header is None:
                    # Nothing but the cut row says this is a JTL at all.
                    raise source.error(f"no samples: the only row is cut short ({what})", short[0])
                # Under JMeter's header, the run was killed as it wrote its first sample: a JTL
                # that holds nothing.
                what = f"no samples: the only row is cut short ({what})"
            sink.flag(IntegrityKind.ABORTED, f"{what}: {_CUT}", line=short[0])
            _drop_empty(elapsed, failures)
        elif header is not None and width <= len(row) < len(header):
            # Each row JMeter writes has a field for every header column: this one lost its tail
            # when the file was cut. The fields read all come before the cut, so they stay read.
            sink.flag(
                IntegrityKind.ABORTED,
                f"last row has {len(row)} columns, the header {len(header)}: cut short "
                "(was the test still running?)",
                line=reader.line_num + offset,
            )
        if not elapsed:
            if not sink.integrity:
                # JMeter writes the header as the test starts: a plan that ran no sampler, or a
                # run killed before its first sample was flushed, leaves only the header. That
                # is a JTL that holds nothing, not a malformed one.
                sink.flag(
                    IntegrityKind.NO_RESULTS,
                    "only a header, no samples: no sampler ran, or the run was killed before "
                    "its first sample was written (list it under inputs.ignore if it is not "
                    "evidence)",
                    line=1,
                )
            return
        if first_row is not None and "timeStamp" in columns:
            self._timestamp(first_row[columns["timeStamp"]], sink)
        for label, values in elapsed.items():
            if values and min(values) < 0:
                raise source.error(f"negative elapsed time in label {label!r}")
            try:
                numbers.safe_sum(values)  # NaN and inf pass float(); their sums overflow
            except numbers.NumberError:
                raise source.error(
                    f"elapsed time in label {label[:40]!r} is not a finite number"
                ) from None
            self._emit(label, values, failures[label], si is not None, label in transactions, sink)

    @staticmethod
    def _emit(
        label: str, values: list[float], failed: int, has_success: bool, tx: bool, sink: Sink
    ) -> None:
        # Labels are free text (WebDriver labels span lines); names must fit on one.
        name = " ".join(label.split()) or "(empty label)"
        properties = {"transaction": "true"} if tx else {}
        total = len(values) + failed
        if failed:
            sink.warn(
                f"{name}: {failed} of {total} samples failed (success=false); their times are "
                f"left out of {name} and counted in {name} [success]",
                once=f"failed:{name}",
            )
            # The times left are those of the samples that succeeded: a timeout or an error
            # page left out may have been the slowest, so they are no evidence of the label's
            # latency (criteria on it are insufficient, as for a failed benchmark run).
            sink.flag(
                IntegrityKind.BENCHMARK_ERRORS,
                f"{name}: {failed} of {total} samples failed (success=false), left out of its "
                "timings",
                scope=name,
                warn=False,
            )
        sink.metric(
            name=name,
            unit="s",
            direction=Direction.LOWER_IS_BETTER,
            samples=[v * 0.001 for v in values],  # JTL elapsed is in milliseconds
            n=len(values),
            failures=failed if has_success else None,
            # JTL elapsed is a whole number of milliseconds.
            resolution=0.001 if all(v.is_integer() for v in values) else None,
            input_unit="ms",
            source=label,
            properties=properties,
        )
        if has_success:
            sink.metric(
                name=f"{name} [success]",
                unit="ratio",
                direction=Direction.HIGHER_IS_BETTER,
                stats={"rate": (total - failed) / total},
                n=total,
                hits=total - failed,
                source=label,
                properties={
                    **properties,
                    "successes": str(total - failed),
                    "failures": str(failed),
                },
            )

    @staticmethod
    def _timestamp(value: str, sink: Sink) -> None:
        if value.isascii() and value.isdigit() and len(value) <= numbers.MAX_INT_DIGITS:
            note_timestamp(sink, int(value) / 1000.0)
        else:
            note_timestamp(sink, value)


def _drop_empty(elapsed: dict[str, list[float]], failures: dict[str, int]) -> None:
    # A label whose only row was cut short has nothing; one whose samples all failed stays.
    for label in [k for k, v in elapsed.items() if not v and not failures[k]]:
        del elapsed[label]
        del failures[label]
