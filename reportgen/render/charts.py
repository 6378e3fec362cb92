"""Hand-written SVG charts for reports: metric distributions, outcomes per suite, slowest tests.

Every function is pure and returns one `<svg>` element as a string with explicit width, height
and viewBox. The output is safe to inline into HTML and simple enough for WeasyPrint's SVG
renderer: only rect, line, circle, text, g and title elements with presentation attributes,
no filters, no foreignObject, no scripts, no external references and no generated ids. Labels
come from untrusted test output, so every one is cleaned and XML-escaped. Numbers are written
with a fixed format so the same input always gives the same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from html import escape

from reportgen.text import clean_text

#: Chart width in CSS pixels; the HTML may scale it down, the viewBox keeps proportions.
WIDTH = 640

#: At most this many suites are drawn in the outcomes chart; the rest are counted.
MAX_OUTCOME_ROWS = 20

#: At most this many tests are drawn in the slowest-tests chart; the rest are counted.
MAX_SLOWEST_ROWS = 15

#: At most this many points are drawn per distribution; larger samples are thinned evenly by
#: rank so the picture keeps its shape while the SVG (and PDF) stays small.
MAX_POINTS = 400

#: Characters of a label kept in a `<title>` tooltip.
MAX_TOOLTIP_CHARS = 300

#: Set once on the root; text elements inherit it.
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"
GRID_COLOUR = "#dddddd"
AXIS_COLOUR = "#888888"

#: Outcome colours: green, red, orange and grey differ in lightness as well as hue.
OUTCOME_COLOURS: tuple[tuple[str, str], ...] = (
    ("passed", "#2e7d32"),
    ("failed", "#c62828"),
    ("errors", "#ef6c00"),
    ("skipped", "#9e9e9e"),
)
BASELINE_COLOUR = "#78909c"
CURRENT_COLOUR = "#1565c0"
SLOW_COLOUR = "#5c6bc0"

# Characters XML 1.0 forbids even escaped (besides the C0/C1 controls clean_text removes):
# surrogates and the two non-characters U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\ud800-\udfff\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")


# --- text and numbers --------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (fixed, deterministic)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _clean_label(text: str) -> str:
    """Untrusted label -> one printable line (no ANSI, controls or XML-invalid characters)."""
    text = _XML_INVALID.sub("\ufffd", clean_text(text))
    return _WHITESPACE.sub(" ", text).strip()


def _fit(text: str, max_chars: int) -> str:
    """Shorten to `max_chars`, cutting the middle: test ids differ at both ends."""
    if len(text) <= max_chars:
        return text
    head = max(1, (max_chars - 1) // 3)
    tail = max_chars - 1 - head
    return text[:head] + "…" + text[len(text) - tail :]


def _chars_in(width: float, font_size: float) -> int:
    """Characters that fit in `width` px: DejaVu Sans averages about 0.55 em per character
    in test ids; 0.58 leaves a margin so labels stay inside the chart."""
    return max(8, int(width / (font_size * 0.58)))


def _esc(text: str) -> str:
    return escape(text, quote=True)


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 11,
    anchor: str = "start",
    colour: str = TEXT_COLOUR,
    weight: str | None = None,
) -> str:
    """A `<text>` element; `content` must already be cleaned (it is escaped here)."""
    bold = f' font-weight="{weight}"' if weight else ""
    align = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"'
        f'{align} fill="{colour}"{bold}>{_esc(content)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0.0))}"'
        f' height="{_num(h)}" fill="{fill}"{extra}/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 1) -> str:
    return (
        f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"'
        f' stroke="{colour}" stroke-width="{_num(width)}"/>'
    )


def _svg(height: float, label: str, body: Iterable[str]) -> str:
    """Wrap chart elements in the root `<svg>` with explicit size and an accessible name."""
    h = _num(height)
    name = _esc(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}"'
        f' viewBox="0 0 {WIDTH} {h}" role="img" aria-label="{name}" {FONT}>'
        f"<title>{name}</title>" + "".join(body) + "</svg>"
    )


def _count(n: int) -> str:
    return f"{n:,}"


# --- axis ticks and unit-aware labels ----------------------------------------------------


def _nice_step(span: float, target: int) -> float:
    """A 1, 2 or 5 x 10^k step giving about `target` intervals over `span`."""
    raw = span / max(target, 1)
    exponent = math.floor(math.log10(raw))
    base = 10.0**exponent
    for factor in (1.0, 2.0, 5.0, 10.0):
        if raw <= factor * base * (1 + 1e-9):
            return factor * base
    return 10.0 * base


def _axis_range(lo: float, hi: float, unit: str) -> tuple[float, float, float]:
    """(start, stop, step) of a tick grid covering [lo, hi]; a zero span is widened."""
    if hi - lo <= max(abs(hi), abs(lo)) * 1e-9:
        # All values equal (e.g. timings that are all 0.00 ms): show a small window around them,
        # not crossing zero when the values are not negative.
        pad = abs(hi) * 0.1 if hi else (1e-3 if unit == "s" else 0.01 if unit == "ratio" else 1.0)
        lo, hi = (lo - pad if lo - pad >= 0 or lo < 0 else 0.0), hi + pad
    step = _nice_step(hi - lo, 5)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    if stop <= start:
        stop = start + step
    return start, stop, step


def _scale_for(unit: str, magnitude: float) -> tuple[float, str]:
    """(divisor, suffix) to display values of about `magnitude` in `unit`."""
    if unit == "s":
        for divisor, suffix in ((1e-6, "µs"), (1e-3, "ms"), (1.0, "s")):
            if magnitude < divisor * 1000:
                return divisor, suffix
        return (60.0, "min") if magnitude < 7200 else (3600.0, "h")
    if unit == "ratio":
        return 0.01, "%"
    if unit == "B":
        for divisor, suffix in ((1.0, "B"), (1e3, "kB"), (1e6, "MB"), (1e9, "GB")):
            if magnitude < divisor * 1000:
                return divisor, suffix
        return 1e12, "TB"
    for divisor, prefix in ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G")):
        if magnitude < divisor * 1000:
            return divisor, f"{prefix} {unit}".strip() if prefix else unit
    return 1e12, f"T {unit}".strip()


def _tick_formatter(unit: str, start: float, stop: float, step: float) -> tuple[float, str, int]:
    """(divisor, suffix, decimals) shared by every tick so the labels line up."""
    divisor, suffix = _scale_for(unit, max(abs(start), abs(stop)))
    scaled_step = step / divisor
    decimals = max(0, -math.floor(math.log10(scaled_step) + 1e-9)) if scaled_step > 0 else 0
    return divisor, suffix, min(decimals, 6)


def _format_scaled(value: float, divisor: float, suffix: str, decimals: int) -> str:
    number = f"{value / divisor:,.{decimals}f}"
    if number.startswith("-") and float(number.replace(",", "")) == 0:
        number = number[1:]
    if not suffix:
        return number
    return f"{number}%" if suffix == "%" else f"{number} {suffix}"


def format_quantity(value: float, unit: str) -> str:
    """One value with three significant figures in a readable unit (chart annotations)."""
    if not math.isfinite(value):
        return "n/a"
    # Zero gets the base unit ("0 s", "0%") rather than the smallest scale ("0 µs").
    divisor, suffix = _scale_for(unit, abs(value) or 1.0)
    scaled = value / divisor
    decimals = max(0, 2 - math.floor(math.log10(abs(scaled)))) if scaled else 0
    return _format_scaled(value, divisor, suffix, min(decimals, 6))


# --- statistics used for drawing (not for deciding anything) -----------------------------


#: Magnitudes beyond which values cannot be laid out on an axis (spans overflow, steps
#: underflow); larger ones are left out of the drawing, smaller ones drawn as zero.
_DRAWABLE_MAX = 1e250
_DRAWABLE_MIN = 1e-250


def _finite(values: Iterable[float]) -> list[float]:
    """The drawable values, sorted: finite and of a magnitude an axis can hold."""
    out = []
    for v in values:
        if isinstance(v, int | float) and math.isfinite(v) and abs(v) < _DRAWABLE_MAX:
            out.append(float(v) if abs(v) >= _DRAWABLE_MIN else 0.0)
    return sorted(out)


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile of sorted values (numpy's default method)."""
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _thin(ordered: list[float], limit: int) -> list[float]:
    """At most `limit` values spread evenly by rank, always keeping the minimum and maximum."""
    if len(ordered) <= limit:
        return ordered
    last = len(ordered) - 1
    return [ordered[round(i * last / (limit - 1))] for i in range(limit)]


# --- distribution chart ------------------------------------------------------------------


def distribution_svg(
    baseline: Sequence[float] | None, current: Sequence[float], *, unit: str, title: str
) -> str:
    """Baseline and current samples of one metric as strip plots with box and whiskers.

    The box spans the quartiles with a line at the median; whiskers reach the minimum and
    maximum. Non-finite values are ignored. Values are in canonical units ("s", "ratio",
    "B" or the metric's own unit) and the axis picks a readable scale (µs, ms, %, kB, ...).
    """
    label_w, right_pad, top, row_h = 150.0, 20.0, 34.0, 54.0
    plot_l, plot_r = label_w, WIDTH - right_pad
    clean_title = _fit(_clean_label(title), 90)
    rows: list[tuple[str, list[float], str]] = []
    if baseline is not None:
        rows.append(("baseline", _finite(baseline), BASELINE_COLOUR))
    rows.append(("current", _finite(current), CURRENT_COLOUR))
    height = top + row_h * len(rows) + 42
    body: list[str] = [_text(8, 18, clean_title, size=13, weight="bold")]

    everything = [v for _, values, _ in rows for v in values]
    if not everything:
        body.append(_text(WIDTH / 2, top + 24, "no samples", anchor="middle", colour=MUTED_COLOUR))
        return _svg(top + 40, f"{clean_title}: no samples", body)

    start, stop, step = _axis_range(min(everything), max(everything), unit)
    span = stop - start

    def x_of(value: float) -> float:
        return plot_l + (value - start) / span * (plot_r - plot_l)

    axis_y = top + row_h * len(rows) + 6
    divisor, suffix, decimals = _tick_formatter(unit, start, stop, step)
    ticks = round(span / step)
    for k in range(ticks + 1):
        value = start + k * step
        x = x_of(value)
        body.append(_line(x, top, x, axis_y, GRID_COLOUR))
        body.append(
            _text(
                x,
                axis_y + 16,
                _format_scaled(value, divisor, suffix, decimals),
                size=10,
                anchor="middle",
                colour=MUTED_COLOUR,
            )
        )
    body.append(_line(plot_l, axis_y, plot_r, axis_y, AXIS_COLOUR))

    summary: list[str] = []
    for index, (name, values, colour) in enumerate(rows):
        y0 = top + index * row_h
        mid = y0 + row_h / 2
        body.append(_text(8, mid - 4, name, size=12, weight="bold"))
        if not values:
            body.append(_text(8, mid + 12, "no samples", size=10, colour=MUTED_COLOUR))
            continue
        median = _quantile(values, 0.5)
        summary.append(f"{name} median {format_quantity(median, unit)}")
        body.append(
            _text(
                8,
                mid + 12,
                f"n={_count(len(values))}, median {format_quantity(median, unit)}",
                size=10,
                colour=MUTED_COLOUR,
            )
        )
        q1, q3 = _quantile(values, 0.25), _quantile(values, 0.75)
        box_top, box_h = mid - 11, 22.0
        body.append(_line(x_of(values[0]), mid, x_of(values[-1]), mid, colour, 1.5))
        for end in (values[0], values[-1]):
            body.append(_line(x_of(end), mid - 6, x_of(end), mid + 6, colour, 1.5))
        body.append(
            _rect(
                x_of(q1),
                box_top,
                x_of(q3) - x_of(q1),
                box_h,
                "#ffffff",
                f' fill-opacity="0.6" stroke="{colour}" stroke-width="1.5"',
            )
        )
        body.append(_line(x_of(median), box_top, x_of(median), box_top + box_h, colour, 2.5))
        # Points spread vertically by a fixed low-discrepancy sequence: deterministic, and
        # overlapping values stay visible without any randomness.
        for i, value in enumerate(_thin(values, MAX_POINTS)):
            offset = ((i * 0.6180339887) % 1.0 - 0.5) * (row_h - 18)
            body.append(
                f'<circle cx="{_num(x_of(value))}" cy="{_num(mid + offset)}" r="2"'
                f' fill="{colour}" fill-opacity="0.45"/>'
            )
    return _svg(height, f"{clean_title}: {'; '.join(summary)}", body)


# --- outcomes per suite ------------------------------------------------------------------


def _pick_outcome_rows(
    rows: Sequence[tuple[str, int, int, int, int]], limit: int
) -> list[tuple[str, int, int, int, int]]:
    """The rows to draw when there are too many: most failures and errors first, then the
    largest suites; shown in the caller's order."""
    if len(rows) <= limit:
        return list(rows)
    ranked = sorted(
        range(len(rows)),
        key=lambda i: (-(rows[i][2] + rows[i][3]), -sum(rows[i][1:]), i),
    )
    keep = sorted(ranked[:limit])
    return [rows[i] for i in keep]


def outcomes_svg(rows: Sequence[tuple[str, int, int, int, int]]) -> str:
    """Per suite (name, passed, failed, errors, skipped): one 100% stacked bar each.

    Bars are stacked to each suite's own total so a few failures in a large suite still show;
    a non-zero failed or error segment is never drawn thinner than 2 px. At most
    MAX_OUTCOME_ROWS suites are drawn (those with the most failures and errors, then the
    largest); a note says how many were left out.
    """
    label_w, bar_l, bar_r, row_h, top = 190.0, 196.0, 470.0, 22.0, 44.0
    shown = _pick_outcome_rows(rows, MAX_OUTCOME_ROWS)
    hidden = len(rows) - len(shown)
    body: list[str] = [_text(8, 18, "Test outcomes per suite", size=13, weight="bold")]

    # Legend, with totals over every suite (also the hidden ones).
    totals = [sum(int(r[k]) for r in rows) for k in range(1, 5)]
    x = 8.0
    for (name, colour), total in zip(OUTCOME_COLOURS, totals, strict=True):
        body.append(_rect(x, 27, 10, 10, colour))
        legend = f"{name} {_count(total)}"
        body.append(_text(x + 14, 36, legend, size=10))
        x += 14 + len(legend) * 6.2 + 14

    if not rows:
        body.append(_text(8, top + 14, "no tests", colour=MUTED_COLOUR))
        return _svg(top + 24, "Test outcomes per suite: no tests", body)

    max_chars = _chars_in(label_w, 11)
    for index, (name, *counts) in enumerate(shown):
        values = [max(int(c), 0) for c in counts]
        total = sum(values)
        y = top + index * row_h
        label = _clean_label(name) or "(unnamed suite)"
        body.append("<g>")
        body.append(f"<title>{_esc(_fit(label, MAX_TOOLTIP_CHARS))}</title>")
        body.append(_text(label_w, y + 15, _fit(label, max_chars), size=11, anchor="end"))
        if total == 0:
            body.append(_rect(bar_l, y + 4, bar_r - bar_l, 14, "none", f' stroke="{GRID_COLOUR}"'))
        else:
            widths = [(bar_r - bar_l) * v / total for v in values]
            # Keep failures and errors visible, taking the width back from the largest segment.
            for k in (1, 2):
                if values[k] and widths[k] < 2.0:
                    largest = max(range(4), key=lambda j: widths[j])
                    widths[largest] -= 2.0 - widths[k]
                    widths[k] = 2.0
            x = bar_l
            for (_, colour), w in zip(OUTCOME_COLOURS, widths, strict=True):
                if w > 0:
                    body.append(_rect(x, y + 4, w, 14, colour))
                    x += w
        bad = values[1] + values[2]
        note = f"{_count(total)} tests"
        if bad:
            note += f", {_count(bad)} not passed"
        body.append(_text(bar_r + 8, y + 15, note, size=10, colour=MUTED_COLOUR))
        body.append("</g>")

    height = top + len(shown) * row_h + 8
    if hidden:
        body.append(
            _text(
                8,
                height + 6,
                f"{_count(hidden)} more suites not shown (of {_count(len(rows))})",
                size=10,
                colour=MUTED_COLOUR,
            )
        )
        height += 16
    summary = ", ".join(
        f"{name} {_count(t)}" for (name, _), t in zip(OUTCOME_COLOURS, totals, strict=True)
    )
    return _svg(height, f"Test outcomes per suite: {summary}", body)


# --- slowest tests -----------------------------------------------------------------------


def slowest_svg(rows: Sequence[tuple[str, float]]) -> str:
    """The slowest tests (label, seconds) as horizontal bars, longest first.

    Rows without a finite, non-negative duration are ignored. At most MAX_SLOWEST_ROWS are
    drawn; a note says how many were left out.
    """
    label_w, bar_l, bar_r, row_h, top = 300.0, 306.0, 560.0, 20.0, 30.0
    body: list[str] = [_text(8, 18, "Slowest tests", size=13, weight="bold")]
    valid = [
        (str(label), float(sec))
        for label, sec in rows
        if isinstance(sec, int | float) and math.isfinite(sec) and sec >= 0
    ]
    # Stable sort: equal durations keep the caller's order.
    ordered = sorted(valid, key=lambda r: -r[1])
    shown = ordered[:MAX_SLOWEST_ROWS]
    hidden = len(ordered) - len(shown)
    if not shown:
        body.append(_text(8, top + 14, "no test durations", colour=MUTED_COLOUR))
        return _svg(top + 24, "Slowest tests: no test durations", body)

    longest = shown[0][1] or 1.0
    max_chars = _chars_in(label_w, 10.5)
    for index, (label, seconds) in enumerate(shown):
        y = top + index * row_h
        clean = _clean_label(label) or "(unnamed test)"
        body.append("<g>")
        body.append(f"<title>{_esc(_fit(clean, MAX_TOOLTIP_CHARS))}</title>")
        body.append(_text(label_w, y + 14, _fit(clean, max_chars), size=10.5, anchor="end"))
        width = (bar_r - bar_l) * seconds / longest
        body.append(_rect(bar_l, y + 3, max(width, 1.0), 13, SLOW_COLOUR))
        body.append(
            _text(
                bar_l + max(width, 1.0) + 6,
                y + 14,
                format_quantity(seconds, "s"),
                size=10,
                colour=MUTED_COLOUR,
            )
        )
        body.append("</g>")
    height = top + len(shown) * row_h + 6
    if hidden:
        body.append(
            _text(
                8,
                height + 6,
                f"{_count(hidden)} more tests not shown",
                size=10,
                colour=MUTED_COLOUR,
            )
        )
        height += 16
    summary = (
        f"Slowest tests: {_fit(_clean_label(shown[0][0]), 80)} {format_quantity(shown[0][1], 's')}"
    )
    return _svg(height, summary, body)


# --- history trend -----------------------------------------------------------------------------


def trend_svg(
    points: Sequence[tuple[str, float]],
    *,
    unit: str,
    title: str,
    median: float | None = None,
    low: float | None = None,
    high: float | None = None,
    current: float | None = None,
) -> str:
    """One metric across recorded runs: each run's median (label, value; oldest first) as a
    line, the median over those runs with its interval as a band, the current run marked.

    Non-finite values are left out. Without an interval (too few runs) no band is drawn.
    """
    label_w, right_pad, top, plot_h = 70.0, 90.0, 34.0, 120.0
    plot_l, plot_r = label_w, WIDTH - right_pad
    clean_title = _fit(_clean_label(title), 90)
    body: list[str] = [_text(8, 18, clean_title, size=13, weight="bold")]
    shown = [(str(label), float(v)) for label, v in points if math.isfinite(v)]
    extra = [v for v in (median, low, high, current) if v is not None and math.isfinite(v)]
    everything = [v for _, v in shown] + extra
    if not shown:
        body.append(
            _text(WIDTH / 2, top + 24, "no recorded runs", anchor="middle", colour=MUTED_COLOUR)
        )
        return _svg(top + 40, f"{clean_title}: no recorded runs", body)
    start, stop, step = _axis_range(min(everything), max(everything), unit)
    span = stop - start or 1.0
    bottom = top + plot_h

    def y_of(value: float) -> float:
        return bottom - (value - start) / span * plot_h

    slots = len(shown) + (1 if current is not None else 0)
    gap = (plot_r - plot_l) / max(slots, 1)

    def x_of(index: int) -> float:
        return plot_l + gap * (index + 0.5)

    divisor, suffix, decimals = _tick_formatter(unit, start, stop, step)
    for k in range(round((stop - start) / step) + 1):
        value = start + k * step
        body.append(_line(plot_l, y_of(value), plot_r, y_of(value), GRID_COLOUR))
        body.append(
            _text(
                plot_l - 6,
                y_of(value) + 4,
                _format_scaled(value, divisor, suffix, decimals),
                size=10,
                anchor="end",
                colour=MUTED_COLOUR,
            )
        )
    if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
        body.append(
            _rect(
                plot_l,
                y_of(high),
                plot_r - plot_l,
                max(y_of(low) - y_of(high), 1.0),
                BASELINE_COLOUR,
                ' fill-opacity="0.18"',
            )
        )
    if median is not None and math.isfinite(median):
        body.append(_line(plot_l, y_of(median), plot_r, y_of(median), BASELINE_COLOUR, 1.5))
        body.append(
            _text(plot_r + 6, y_of(median) + 4, "median of runs", size=10, colour=MUTED_COLOUR)
        )
    for index in range(1, len(shown)):
        body.append(
            _line(
                x_of(index - 1),
                y_of(shown[index - 1][1]),
                x_of(index),
                y_of(shown[index][1]),
                BASELINE_COLOUR,
                1.5,
            )
        )
    for index, (label, value) in enumerate(shown):
        x, y = x_of(index), y_of(value)
        body.append(
            f"<g><title>{_esc(_fit(_clean_label(label), MAX_TOOLTIP_CHARS))}: "
            f"{_esc(format_quantity(value, unit))}</title>"
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{BASELINE_COLOUR}"/></g>'
        )
    if current is not None and math.isfinite(current):
        x, y = x_of(len(shown)), y_of(current)
        body.append(
            f"<g><title>current run: {_esc(format_quantity(current, unit))}</title>"
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="5" fill="{CURRENT_COLOUR}"/></g>'
        )
        body.append(_text(x, bottom + 16, "current", size=10, anchor="middle"))
    body.append(
        _text(
            plot_l,
            bottom + 16,
            f"{_count(len(shown))} recorded runs, oldest first",
            size=10,
            colour=MUTED_COLOUR,
        )
    )
    summary = f"{clean_title}: {len(shown)} recorded runs"
    if median is not None:
        summary += f", median {format_quantity(median, unit)}"
    if current is not None:
        summary += f", current {format_quantity(current, unit)}"
    return _svg(bottom + 28, summary, body)
