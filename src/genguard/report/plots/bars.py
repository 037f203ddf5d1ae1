"""Horizontal bar charts with intervals: one series (`interval_bars`) or several (`grouped_interval_bars`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from genguard.errors import InvalidInputError
from genguard.report.plots.svg import (
    BAND,
    DASH,
    GRID,
    INK,
    MARK_COLOUR,
    MAX_LABEL_PX,
    MUTED,
    REFERENCE_COLOUR,
    SERIES_COLOURS,
    SMALL_COLOUR,
    TOO_SMALL,
    VALUE_GAP,
    Bar,
    Svg,
    as_bar,
    diamond,
    draw_legend,
    esc,
    fit_domain,
    fmt_px,
    fmt_value,
    hover_text,
    is_finite,
    text_px,
    tick_values,
    wrap,
)


class _XAxis:
    """Maps data values to x pixels over [x0, x1]; draws grid, ticks and reference line."""

    def __init__(self, lo: float, hi: float, x0: float, x1: float) -> None:
        self.lo, self.hi, self.x0, self.x1 = lo, hi, x0, x1

    def __call__(self, v: float) -> float:
        v = min(max(v, self.lo), self.hi)
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)

    def grid(self, svg: Svg, y0: float, y1: float, value_format: str, top_labels: bool) -> None:
        for t in tick_values(self.lo, self.hi):
            x = self(t)
            svg.line(x, y0, x, y1, GRID)
            svg.text(x, y1 + 14, fmt_value(value_format, t), anchor="middle", fill=MUTED)
            if top_labels:
                svg.text(x, y0 - 5, fmt_value(value_format, t), anchor="middle", fill=MUTED)
        svg.line(self.x0, y1, self.x1, y1, "#bbb")


def _bar_row(
    svg: Svg,
    ax: _XAxis,
    bar: Bar,
    cy: float,
    bar_h: float,
    base: float,
    colour: str,
    value_x: float,
    value_format: str,
) -> None:
    if not is_finite(bar.value):
        note = bar.note or (f"{TOO_SMALL} (n={bar.n})" if bar.n is not None else TOO_SMALL)
        y, w = fmt_px(cy - bar_h / 2), fmt_px(ax.x1 - ax.x0)
        svg.add(
            f'<rect class="small" x="{fmt_px(ax.x0)}" y="{y}" width="{w}" '
            f'height="{fmt_px(bar_h)}" fill="#ececec"/>'
        )
        svg.text(ax.x0 + 6, cy + 4, note, fill=SMALL_COLOUR, font_style="italic")
        svg.text(value_x, cy + 4, DASH, fill=SMALL_COLOUR)
        return
    xa, xb = ax(base), ax(bar.value)
    x, y, w = fmt_px(min(xa, xb)), fmt_px(cy - bar_h / 2), fmt_px(abs(xb - xa))
    svg.add(
        f'<rect class="bar" x="{x}" y="{y}" width="{w}" '
        f'height="{fmt_px(bar_h)}" fill="{colour}" fill-opacity="0.8"/>'
    )
    if is_finite(bar.low) and is_finite(bar.high):
        xl, xh, cap = ax(bar.low), ax(bar.high), bar_h / 2 - 1
        svg.line(xl, cy, xh, cy, INK, stroke_width="1.2", class_="ci")
        svg.line(xl, cy - cap, xl, cy + cap, INK, stroke_width="1.2")
        svg.line(xh, cy - cap, xh, cy + cap, INK, stroke_width="1.2")
    if is_finite(bar.mark):
        svg.add(diamond(ax(bar.mark), cy, MARK_COLOUR))
    svg.text(value_x, cy + 4, fmt_value(value_format, bar.value), font_variant_numeric="tabular-nums")


def _reference(svg: Svg, ax: _XAxis, reference: float | None, y0: float, y1: float) -> None:
    if is_finite(reference) and ax.lo <= reference <= ax.hi:
        x = ax(reference)
        svg.line(
            x, y0, x, y1, REFERENCE_COLOUR, stroke_width="1.2", stroke_dasharray="4 3", class_="reference"
        )


def _base(lo: float, hi: float, baseline: float | None) -> float:
    if is_finite(baseline):
        return min(max(baseline, lo), hi)
    return 0.0 if lo <= 0 <= hi else (lo if lo > 0 else hi)


def _axis(
    bars: Sequence[Bar],
    labels: Sequence[str],
    domain: tuple[float, float] | None,
    reference: float | None,
    baseline: float | None,
    value_format: str,
    width: float,
) -> _XAxis:
    """The x axis between the label column (as wide as the widest label, capped) and the value
    column: over `domain`, else fitted to the bars' values, intervals and marks, the reference,
    the baseline and 0."""
    values = [v for b in bars for v in (b.value, b.low, b.high, b.mark)] + [reference, baseline, 0.0]
    lo, hi = fit_domain([v for v in values if v is not None], domain, 6)
    label_w = min(MAX_LABEL_PX, max(48.0, *(text_px(label) for label in labels))) + 10
    value_w = max(
        [text_px(fmt_value(value_format, b.value)) for b in bars if is_finite(b.value)] + [text_px(DASH)]
    )
    return _XAxis(lo, hi, label_w, width - value_w - VALUE_GAP - 4)


def _reference_legend(
    legend: list[tuple[str, str]], reference: float | None, label: str | None, ax: _XAxis, value_format: str
) -> None:
    """Adds the reference line's legend entry when the line lies on the axis."""
    if is_finite(reference) and ax.lo <= reference <= ax.hi:
        legend.append(("ref", label or f"reference {fmt_value(value_format, reference)}"))


def _frame(
    title: str,
    legend: list[tuple[str, str]],
    ax: _XAxis,
    width: float,
    bands: int,
    band_h: float,
    top_labels: bool,
    tick_format: str,
) -> tuple[Svg, float, float]:
    """The chart's title, legend, alternating row bands and grid; returns (svg, y0, y1), the top
    and bottom of the plot area. Ticks are repeated above the rows when `top_labels`."""
    svg = Svg(width, title)
    svg.text(0, 14, title, font_weight="600", font_size="13")
    draw_legend(svg, 0, 32, legend)
    y0 = 44 + (16 if top_labels else 0)
    y1 = y0 + band_h * bands
    for i in range(0, bands, 2):
        svg.add(
            f'<rect x="0" y="{fmt_px(y0 + i * band_h)}" width="{fmt_px(width)}" height="{fmt_px(band_h)}" '
            f'fill="{BAND}"/>'
        )
    ax.grid(svg, y0, y1, tick_format, top_labels)
    return svg, y0, y1


def _finish(svg: Svg, ax: _XAxis, reference: float | None, y0: float, y1: float, axis_label: str) -> str:
    """The SVG text after the reference line and axis label are drawn."""
    _reference(svg, ax, reference, y0, y1)
    svg.text((ax.x0 + ax.x1) / 2, y1 + 32, axis_label, anchor="middle", fill=MUTED)
    return svg.render(y1 + 40)


def interval_bars(
    rows: Sequence[Bar | tuple],
    *,
    title: str,
    axis_label: str,
    domain: tuple[float, float] | None = None,
    reference: float | None = None,
    reference_label: str | None = None,
    mark_label: str | None = None,
    baseline: float | None = None,
    value_format: str = "{:.0%}",
    tick_format: str | None = None,
    width: float = 760,
) -> str:
    """Horizontal bars with intervals, one per row (`Bar` or a tuple (label, value, low, high[, n])).

    Bars start at `baseline` (default 0, or the domain's edge when 0 lies outside it); `domain`
    (low, high) fixes the axis, else it is fitted to the values, intervals, marks and reference.
    A row whose value is None gets no bar: it is greyed and says "too small to judge (n=...)".
    `value_format` formats the value column and hover texts, `tick_format` (default the same) the axis.
    Every row has a hover text with its value, interval and n. 20 px per row: 60 rows stay legible.
    """
    bars = [as_bar(r) for r in rows]
    if not bars:
        raise InvalidInputError("interval_bars needs at least one row")
    ax = _axis(bars, [b.label for b in bars], domain, reference, baseline, value_format, width)
    label_w = ax.x0
    labels = [wrap(b.label, label_w - 10) for b in bars]
    row_h, bar_h = (30.0 if any(len(lines) > 1 for lines in labels) else 20.0), 12.0
    legend = (
        [("interval", "95 % interval")] if any(is_finite(b.low) and is_finite(b.high) for b in bars) else []
    )
    if any(is_finite(b.mark) for b in bars):
        legend.append(("mark", mark_label or "mark"))
    _reference_legend(legend, reference, reference_label, ax, value_format)
    top_labels = len(bars) > 15
    svg, y0, y1 = _frame(title, legend, ax, width, len(bars), row_h, top_labels, tick_format or value_format)
    base = _base(ax.lo, ax.hi, baseline)
    for i, b in enumerate(bars):
        cy = y0 + (i + 0.5) * row_h
        small = "" if is_finite(b.value) else " small"
        svg.add(
            f'<g class="row{small}"><title>{esc(hover_text(b.label, b, value_format, mark_label))}</title>'
        )
        svg.label(label_w - 8, cy, labels[i], fill=SMALL_COLOUR if small else INK)
        _bar_row(svg, ax, b, cy, bar_h, base, SERIES_COLOURS[0], ax.x1 + VALUE_GAP, value_format)
        svg.add("</g>")
    return _finish(svg, ax, reference, y0, y1, axis_label)


def grouped_interval_bars(
    groups: Sequence[str],
    series: Mapping[str, Sequence[Bar | tuple]],
    *,
    title: str,
    axis_label: str,
    domain: tuple[float, float] | None = None,
    reference: float | None = None,
    reference_label: str | None = None,
    baseline: float | None = None,
    value_format: str = "{:.0%}",
    tick_format: str | None = None,
    width: float = 760,
) -> str:
    """Per group one bar with interval for each series (series name -> one value per group, as `Bar`
    or a tuple (value, low, high[, n])), coloured per series with a legend. A value of None is
    drawn greyed with "too small to judge (n=...)", like `interval_bars`."""
    groups = [str(g) for g in groups]
    names = list(series)
    if not groups or not names:
        raise InvalidInputError("grouped_interval_bars needs at least one group and one series")
    table = {}
    for name in names:
        values = list(series[name])
        if len(values) != len(groups):
            raise InvalidInputError(
                f"series {name!r} has {len(values)} values for {len(groups)} groups; give one per group"
            )
        table[name] = [as_bar(v, label=g) for v, g in zip(values, groups, strict=True)]
    all_bars = [b for bars in table.values() for b in bars]
    ax = _axis(all_bars, groups, domain, reference, baseline, value_format, width)
    label_w = ax.x0
    sub_h, bar_h, gap = 16.0, 11.0, 10.0
    legend = [(f"swatch:{SERIES_COLOURS[i % len(SERIES_COLOURS)]}", n) for i, n in enumerate(names)]
    legend.append(("interval", "95 % interval"))
    _reference_legend(legend, reference, reference_label, ax, value_format)
    top_labels = len(groups) * len(names) > 20
    group_h = sub_h * len(names) + gap
    svg, y0, y1 = _frame(
        title, legend, ax, width, len(groups), group_h, top_labels, tick_format or value_format
    )
    base = _base(ax.lo, ax.hi, baseline)
    for gi, g in enumerate(groups):
        top = y0 + gi * group_h + gap / 2
        svg.add(f'<g class="group"><title>{esc(g)}</title>')
        svg.label(label_w - 8, top + sub_h * len(names) / 2, wrap(g, label_w - 10, max(2, len(names))))
        svg.add("</g>")
        for si, name in enumerate(names):
            b = table[name][gi]
            cy = top + (si + 0.5) * sub_h
            small = "" if is_finite(b.value) else " small"
            hover = hover_text(f"{g} — {name}", b, value_format, None)
            svg.add(f'<g class="row{small}"><title>{esc(hover)}</title>')
            colour = SERIES_COLOURS[si % len(SERIES_COLOURS)]
            _bar_row(svg, ax, b, cy, bar_h, base, colour, ax.x1 + VALUE_GAP, value_format)
            svg.add("</g>")
    return _finish(svg, ax, reference, y0, y1, axis_label)
