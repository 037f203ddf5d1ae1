"""SVG plots for the HTML reports, written by hand: no plotting library, inline in the page.

Every function returns one `<svg>` element as a string. The plots are deterministic (the same
input gives byte-identical SVG: coordinates are rounded to 0.1 px, nothing random, no ids) and
scale with the page: the size is set by `viewBox`, the width by CSS (`width: 100%`, up to the
drawn width). Labels come from user data (occupation names, CSV values) and are escaped here,
so a caller may place the string in a page as it is; characters that XML forbids are replaced.

- `interval_bars`: one horizontal bar per row with its interval, an optional marker per row and an
  optional vertical reference line (parity at 0.5, or 0 for differences, negative values
  included); a row without a value is greyed and says "too small to judge (n=...)".
- `grouped_interval_bars`: the same per group for several series (e.g. two models), with a legend.
- `scatter`: points with a least-squares line, optional diagonal y = x, ticks, hover labels and
  the labels of the few points farthest from the line.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from genguard.errors import InvalidInputError

FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK, MUTED, GRID, BAND = "#222", "#666", "#e4e4e4", "#f5f5f5"
SERIES_COLOURS = ("#3b6ea8", "#0a6b2d", "#a06000", "#7a2a8a", "#b00020", "#4a4a4a")
MARK_COLOUR, REFERENCE_COLOUR, SMALL_COLOUR = "#b00020", "#555", "#999"
CHAR_PX = 7.4  # a 12 px sans-serif character at its widest common font (DejaVu Sans), for layout
MAX_LABEL_PX = 210.0
VALUE_GAP = 22.0  # between the plot area and the value column, room for the last tick label
TOO_SMALL = "too small to judge"
DASH = "\u2013"  # the value column of a row without a value

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Bar:
    """One row of `interval_bars` (or one series value of `grouped_interval_bars`).

    `value` None draws no bar: the row is greyed and shows `note` (default "too small to judge",
    with n when given). `mark` is a second value drawn as a diamond (e.g. the labour-statistics
    share); `n` is shown on hover.
    """

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    mark: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Point:
    """One point of `scatter`; the label shows on hover and beside the most extreme points."""

    x: float
    y: float
    label: str = ""


def esc(text: object) -> str:
    """Text safe for SVG/HTML content and attribute values (escaped; XML-illegal characters replaced)."""
    return html.escape(_NOT_XML.sub("\ufffd", str(text)), quote=True)


def _num(v: float) -> str:
    s = f"{v:.1f}"
    s = s[:-2] if s.endswith(".0") else s
    return "0" if s == "-0" else s


def _finite(v: float | None) -> bool:
    return v is not None and isinstance(v, int | float) and math.isfinite(v)


def _fmt(value_format: str, v: float) -> str:
    return value_format.format(v)


def _truncate(label: str, max_px: float) -> str:
    max_chars = max(4, int(max_px / CHAR_PX))
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


def _text_px(text: str) -> float:
    return len(text) * CHAR_PX


def _as_bar(row: object, label: str | None = None) -> Bar:
    """A Bar from a Bar or a tuple (label, value, low, high, ...); given `label`: (value, low, high, ...)."""
    if isinstance(row, Bar):
        return row
    if isinstance(row, Sequence) and not isinstance(row, str) and row:
        return Bar(*row) if label is None else Bar(label, *row)
    raise InvalidInputError(f"a bar must be a plots.Bar or a tuple (label, value, low, high); got {row!r}")


def _nice_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def _domain(values: list[float], domain: tuple[float, float] | None, target: int) -> tuple[float, float]:
    if domain is not None:
        lo, hi = float(domain[0]), float(domain[1])
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
            raise InvalidInputError(f"domain must be (low, high) with low < high; got {domain!r}")
        return lo, hi
    finite = [v for v in values if _finite(v)] or [0.0, 1.0]
    lo, hi = min(finite), max(finite)
    if hi - lo < 1e-12:
        lo, hi = lo - (abs(lo) or 1) * 0.5, hi + (abs(hi) or 1) * 0.5
    step = _nice_step(hi - lo, target)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


def _ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    step = _nice_step(hi - lo, target)
    first = math.ceil(lo / step - 1e-9)
    ticks, i = [], first
    while i * step <= hi + step * 1e-9:
        ticks.append(round(i * step, 12))
        i += 1
    return ticks


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attrs.items())


class _Svg:
    def __init__(self, width: float, title: str) -> None:
        self.width, self.title, self.parts = width, title, []

    def add(self, s: str) -> None:
        self.parts.append(s)

    def text(self, x: float, y: float, s: str, *, anchor: str = "start", **attrs: str) -> None:
        extra = _attrs(attrs)
        self.add(f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{esc(s)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, **attrs: str) -> None:
        extra = _attrs(attrs)
        self.add(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
            f'stroke="{stroke}"{extra}/>'
        )

    def render(self, height: float) -> str:
        w, h = _num(self.width), _num(height)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            f'style="width:100%;max-width:{w}px;height:auto" role="img" aria-label="{esc(self.title)}" '
            f'font-family="{FONT}" font-size="12" fill="{INK}">'
            f"<title>{esc(self.title)}</title>"
        )
        return head + "".join(self.parts) + "</svg>"


def _legend(svg: _Svg, x: float, y: float, items: list[tuple[str, str]]) -> None:
    """Legend items (kind, label) in one line from x.

    Kinds: 'swatch:#hex', 'interval', 'mark', 'ref', 'fit', 'diag'.
    """
    for kind, label in items:
        if kind.startswith("swatch:"):
            svg.add(f'<rect x="{_num(x)}" y="{_num(y - 9)}" width="12" height="10" fill="{kind[7:]}"/>')
        elif kind == "interval":
            svg.line(x, y - 4, x + 14, y - 4, INK, stroke_width="1.2")
            svg.line(x, y - 8, x, y, INK, stroke_width="1.2")
            svg.line(x + 14, y - 8, x + 14, y, INK, stroke_width="1.2")
        elif kind == "mark":
            svg.add(_diamond(x + 6, y - 4, MARK_COLOUR, cls="legend"))
        elif kind in ("ref", "diag"):
            svg.line(x, y - 4, x + 14, y - 4, REFERENCE_COLOUR, stroke_width="1.2", stroke_dasharray="4 3")
        elif kind == "fit":
            svg.line(x, y - 4, x + 14, y - 4, SERIES_COLOURS[2], stroke_width="1.6")
        svg.text(x + 20, y, label, fill=MUTED)
        x += 20 + _text_px(label) + 16


def _diamond(cx: float, cy: float, colour: str, r: float = 4.5, cls: str = "mark") -> str:
    d = (
        f"M{_num(cx)} {_num(cy - r)}L{_num(cx + r)} {_num(cy)}"
        f"L{_num(cx)} {_num(cy + r)}L{_num(cx - r)} {_num(cy)}Z"
    )
    return f'<path class="{cls}" d="{d}" fill="{colour}" stroke="#fff" stroke-width="1"/>'


def _hover(label: str, bar: Bar, value_format: str, mark_label: str | None) -> str:
    parts = [label]
    if _finite(bar.value):
        s = _fmt(value_format, bar.value)
        if _finite(bar.low) and _finite(bar.high):
            s += f" (95 % interval {_fmt(value_format, bar.low)} to {_fmt(value_format, bar.high)})"
        parts.append(s)
    else:
        parts.append(bar.note or TOO_SMALL)
    if bar.n is not None:
        parts.append(f"n={bar.n}")
    if _finite(bar.mark):
        parts.append(f"{mark_label or 'mark'}: {_fmt(value_format, bar.mark)}")
    return ": ".join(parts[:2]) + "".join(f", {p}" for p in parts[2:])


class _XAxis:
    """Maps data values to x pixels over [x0, x1]; draws grid, ticks and reference line."""

    def __init__(self, lo: float, hi: float, x0: float, x1: float) -> None:
        self.lo, self.hi, self.x0, self.x1 = lo, hi, x0, x1

    def __call__(self, v: float) -> float:
        v = min(max(v, self.lo), self.hi)
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)

    def grid(self, svg: _Svg, y0: float, y1: float, value_format: str, top_labels: bool) -> None:
        for t in _ticks(self.lo, self.hi):
            x = self(t)
            svg.line(x, y0, x, y1, GRID)
            svg.text(x, y1 + 14, _fmt(value_format, t), anchor="middle", fill=MUTED)
            if top_labels:
                svg.text(x, y0 - 5, _fmt(value_format, t), anchor="middle", fill=MUTED)
        svg.line(self.x0, y1, self.x1, y1, "#bbb")


def _bar_row(
    svg: _Svg,
    ax: _XAxis,
    bar: Bar,
    cy: float,
    bar_h: float,
    base: float,
    colour: str,
    value_x: float,
    value_format: str,
) -> None:
    if not _finite(bar.value):
        note = bar.note or (f"{TOO_SMALL} (n={bar.n})" if bar.n is not None else TOO_SMALL)
        svg.add(
            f'<rect class="small" x="{_num(ax.x0)}" y="{_num(cy - bar_h / 2)}" width="{_num(ax.x1 - ax.x0)}" '
            f'height="{_num(bar_h)}" fill="#ececec"/>'
        )
        svg.text(ax.x0 + 6, cy + 4, note, fill=SMALL_COLOUR, font_style="italic")
        svg.text(value_x, cy + 4, DASH, fill=SMALL_COLOUR)
        return
    xa, xb = ax(base), ax(bar.value)
    svg.add(
        f'<rect class="bar" x="{_num(min(xa, xb))}" y="{_num(cy - bar_h / 2)}" width="{_num(abs(xb - xa))}" '
        f'height="{_num(bar_h)}" fill="{colour}" fill-opacity="0.8"/>'
    )
    if _finite(bar.low) and _finite(bar.high):
        xl, xh, cap = ax(bar.low), ax(bar.high), bar_h / 2 - 1
        svg.line(xl, cy, xh, cy, INK, stroke_width="1.2", class_="ci")
        svg.line(xl, cy - cap, xl, cy + cap, INK, stroke_width="1.2")
        svg.line(xh, cy - cap, xh, cy + cap, INK, stroke_width="1.2")
    if _finite(bar.mark):
        svg.add(_diamond(ax(bar.mark), cy, MARK_COLOUR))
    svg.text(value_x, cy + 4, _fmt(value_format, bar.value), font_variant_numeric="tabular-nums")


def _reference(svg: _Svg, ax: _XAxis, reference: float | None, y0: float, y1: float) -> None:
    if _finite(reference) and ax.lo <= reference <= ax.hi:
        x = ax(reference)
        svg.line(
            x, y0, x, y1, REFERENCE_COLOUR, stroke_width="1.2", stroke_dasharray="4 3", class_="reference"
        )


def _base(lo: float, hi: float, baseline: float | None) -> float:
    if _finite(baseline):
        return min(max(baseline, lo), hi)
    return 0.0 if lo <= 0 <= hi else (lo if lo > 0 else hi)


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
    bars = [_as_bar(r) for r in rows]
    if not bars:
        raise InvalidInputError("interval_bars needs at least one row")
    values = [v for b in bars for v in (b.value, b.low, b.high, b.mark)] + [reference, baseline, 0.0]
    lo, hi = _domain([v for v in values if v is not None], domain, 6)
    label_w = min(MAX_LABEL_PX, max(48.0, *(_text_px(b.label) for b in bars))) + 10
    value_w = max(
        [_text_px(_fmt(value_format, b.value)) for b in bars if _finite(b.value)] + [_text_px(DASH)]
    )
    row_h, bar_h = 20.0, 12.0
    legend = [("interval", "95 % interval")]
    if any(_finite(b.mark) for b in bars):
        legend.append(("mark", mark_label or "mark"))
    if _finite(reference) and lo <= reference <= hi:
        legend.append(("ref", reference_label or f"reference {_fmt(value_format, reference)}"))
    svg = _Svg(width, title)
    svg.text(0, 14, title, font_weight="600", font_size="13")
    _legend(svg, 0, 32, legend)
    top_labels = len(bars) > 15
    y0 = 44 + (16 if top_labels else 0)
    y1 = y0 + row_h * len(bars)
    ax = _XAxis(lo, hi, label_w, width - value_w - VALUE_GAP - 4)
    for i in range(0, len(bars), 2):
        svg.add(
            f'<rect x="0" y="{_num(y0 + i * row_h)}" width="{_num(width)}" height="{_num(row_h)}" '
            f'fill="{BAND}"/>'
        )
    ax.grid(svg, y0, y1, tick_format or value_format, top_labels)
    base = _base(lo, hi, baseline)
    for i, b in enumerate(bars):
        cy = y0 + (i + 0.5) * row_h
        small = "" if _finite(b.value) else " small"
        svg.add(f'<g class="row{small}"><title>{esc(_hover(b.label, b, value_format, mark_label))}</title>')
        svg.text(
            label_w - 8,
            cy + 4,
            _truncate(b.label, MAX_LABEL_PX),
            anchor="end",
            fill=SMALL_COLOUR if small else INK,
        )
        _bar_row(svg, ax, b, cy, bar_h, base, SERIES_COLOURS[0], ax.x1 + VALUE_GAP, value_format)
        svg.add("</g>")
    _reference(svg, ax, reference, y0, y1)
    svg.text((ax.x0 + ax.x1) / 2, y1 + 32, axis_label, anchor="middle", fill=MUTED)
    return svg.render(y1 + 40)


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
        table[name] = [_as_bar(v, label=g) for v, g in zip(values, groups, strict=True)]
    all_values = [v for bars in table.values() for b in bars for v in (b.value, b.low, b.high, b.mark)]
    lo, hi = _domain([v for v in [*all_values, reference, baseline, 0.0] if v is not None], domain, 6)
    label_w = min(MAX_LABEL_PX, max(48.0, *(_text_px(g) for g in groups))) + 10
    value_w = max(
        [_text_px(_fmt(value_format, b.value)) for bars in table.values() for b in bars if _finite(b.value)]
        + [_text_px(DASH)]
    )
    sub_h, bar_h, gap = 16.0, 11.0, 10.0
    legend = [(f"swatch:{SERIES_COLOURS[i % len(SERIES_COLOURS)]}", n) for i, n in enumerate(names)]
    legend.append(("interval", "95 % interval"))
    if _finite(reference) and lo <= reference <= hi:
        legend.append(("ref", reference_label or f"reference {_fmt(value_format, reference)}"))
    svg = _Svg(width, title)
    svg.text(0, 14, title, font_weight="600", font_size="13")
    _legend(svg, 0, 32, legend)
    top_labels = len(groups) * len(names) > 20
    y0 = 44 + (16 if top_labels else 0)
    group_h = sub_h * len(names) + gap
    y1 = y0 + group_h * len(groups)
    ax = _XAxis(lo, hi, label_w, width - value_w - VALUE_GAP - 4)
    for i in range(0, len(groups), 2):
        svg.add(
            f'<rect x="0" y="{_num(y0 + i * group_h)}" width="{_num(width)}" height="{_num(group_h)}" '
            f'fill="{BAND}"/>'
        )
    ax.grid(svg, y0, y1, tick_format or value_format, top_labels)
    base = _base(lo, hi, baseline)
    for gi, g in enumerate(groups):
        top = y0 + gi * group_h + gap / 2
        svg.add(f'<g class="group"><title>{esc(g)}</title>')
        svg.text(label_w - 8, top + sub_h * len(names) / 2 + 4, _truncate(g, MAX_LABEL_PX), anchor="end")
        svg.add("</g>")
        for si, name in enumerate(names):
            b = table[name][gi]
            cy = top + (si + 0.5) * sub_h
            small = "" if _finite(b.value) else " small"
            hover = _hover(f"{g} — {name}", b, value_format, None)
            svg.add(f'<g class="row{small}"><title>{esc(hover)}</title>')
            colour = SERIES_COLOURS[si % len(SERIES_COLOURS)]
            _bar_row(svg, ax, b, cy, bar_h, base, colour, ax.x1 + VALUE_GAP, value_format)
            svg.add("</g>")
    _reference(svg, ax, reference, y0, y1)
    svg.text((ax.x0 + ax.x1) / 2, y1 + 32, axis_label, anchor="middle", fill=MUTED)
    return svg.render(y1 + 40)


def _fit(points: list[Point]) -> tuple[float, float] | None:
    n = len(points)
    if n < 2:
        return None
    mx, my = sum(p.x for p in points) / n, sum(p.y for p in points) / n
    sxx = sum((p.x - mx) ** 2 for p in points)
    if sxx <= 1e-15:
        return None
    slope = sum((p.x - mx) * (p.y - my) for p in points) / sxx
    return my - slope * mx, slope


def _clip_line(
    a: float, b: float, xlo: float, xhi: float, ylo: float, yhi: float
) -> tuple[float, float, float, float] | None:
    """The segment of y = a + b x inside the box, or None."""
    xs = [xlo, xhi]
    if abs(b) > 1e-15:
        xs += [(ylo - a) / b, (yhi - a) / b]
    inside = sorted(
        x for x in xs if xlo - 1e-12 <= x <= xhi + 1e-12 and ylo - 1e-9 <= a + b * x <= yhi + 1e-9
    )
    if len(inside) < 2 or inside[-1] - inside[0] < 1e-12:
        return None
    return inside[0], a + b * inside[0], inside[-1], a + b * inside[-1]


def scatter(
    points: Sequence[Point | tuple],
    *,
    title: str,
    x_label: str,
    y_label: str,
    fit_line: bool = True,
    annotate: int = 5,
    diagonal: bool = False,
    diagonal_label: str = "y = x",
    x_domain: tuple[float, float] | None = None,
    y_domain: tuple[float, float] | None = None,
    x_format: str = "{:.0%}",
    y_format: str = "{:.0%}",
    width: float = 640,
    height: float = 440,
) -> str:
    """Points (`Point` or (x, y, label)) with axis ticks, an optional least-squares line and
    diagonal y = x; every point's label shows on hover, and the `annotate` points farthest from the
    line (or from the centre without a line) are labelled where the label does not overlap."""
    pts = []
    for p in points:
        q = p if isinstance(p, Point) else Point(*p)
        if _finite(q.x) and _finite(q.y):
            pts.append(q)
    if not pts:
        raise InvalidInputError("scatter needs at least one point with finite x and y")
    fit = _fit(pts) if fit_line else None
    xlo, xhi = _domain([p.x for p in pts], x_domain, 6)
    ylo, yhi = _domain([p.y for p in pts], y_domain, 6)
    left, right, top, bottom = 58.0, 16.0, 48.0, 46.0
    px0, px1, py0, py1 = left, width - right, top, height - bottom

    def sx(v: float) -> float:
        return px0 + (v - xlo) / (xhi - xlo) * (px1 - px0)

    def sy(v: float) -> float:
        return py1 - (v - ylo) / (yhi - ylo) * (py1 - py0)

    svg = _Svg(width, title)
    svg.text(0, 14, title, font_weight="600", font_size="13")
    legend = []
    if fit:
        legend.append(("fit", f"least-squares line (slope {fit[1]:.2f})"))
    if diagonal:
        legend.append(("diag", diagonal_label))
    _legend(svg, 0, 32, legend)
    for t in _ticks(xlo, xhi):
        svg.line(sx(t), py0, sx(t), py1, GRID)
        svg.text(sx(t), py1 + 15, _fmt(x_format, t), anchor="middle", fill=MUTED)
    for t in _ticks(ylo, yhi):
        svg.line(px0, sy(t), px1, sy(t), GRID)
        svg.text(px0 - 6, sy(t) + 4, _fmt(y_format, t), anchor="end", fill=MUTED)
    svg.add(
        f'<rect x="{_num(px0)}" y="{_num(py0)}" width="{_num(px1 - px0)}" height="{_num(py1 - py0)}" '
        f'fill="none" stroke="#bbb"/>'
    )
    svg.text((px0 + px1) / 2, height - 8, x_label, anchor="middle", fill=MUTED)
    cy = (py0 + py1) / 2
    svg.text(14, cy, y_label, anchor="middle", fill=MUTED, transform=f"rotate(-90 14 {_num(cy)})")
    if diagonal and (seg := _clip_line(0.0, 1.0, xlo, xhi, ylo, yhi)):
        svg.line(sx(seg[0]), sy(seg[1]), sx(seg[2]), sy(seg[3]), REFERENCE_COLOUR, stroke_width="1.2",
                 stroke_dasharray="4 3", class_="diagonal")  # fmt: skip
    if fit and (seg := _clip_line(fit[0], fit[1], xlo, xhi, ylo, yhi)):
        svg.line(sx(seg[0]), sy(seg[1]), sx(seg[2]), sy(seg[3]), SERIES_COLOURS[2], stroke_width="1.6",
                 class_="fit")  # fmt: skip
    if fit:
        distance = [abs(p.y - (fit[0] + fit[1] * p.x)) for p in pts]
    else:
        mx, my = sum(p.x for p in pts) / len(pts), sum(p.y for p in pts) / len(pts)
        distance = [math.hypot((p.x - mx) / (xhi - xlo), (p.y - my) / (yhi - ylo)) for p in pts]
    order = sorted(range(len(pts)), key=lambda i: (-distance[i], i))
    labelled = {i for i in order[: max(annotate, 0)] if pts[i].label}
    for i, p in enumerate(pts):
        hover = f"{p.label}: " if p.label else ""
        hover += f"{_fmt(x_format, p.x)}, {_fmt(y_format, p.y)}"
        stroke = (
            f' stroke="{INK}" stroke-width="1.2"' if i in labelled else ' stroke="#fff" stroke-width="0.8"'
        )
        svg.add(
            f'<circle class="point" cx="{_num(sx(p.x))}" cy="{_num(sy(p.y))}" r="4" '
            f'fill="{SERIES_COLOURS[0]}" fill-opacity="0.75"{stroke}><title>{esc(hover)}</title></circle>'
        )
    boxes: list[tuple[float, float, float, float]] = []
    for i in order:
        if i not in labelled:
            continue
        p, label = pts[i], _truncate(pts[i].label, 160)
        x, y, w = sx(p.x), sy(p.y), _text_px(label)
        for dx, dy, anchor in ((7, 4, "start"), (-7, 4, "end"), (7, -8, "start"), (7, 15, "start"),
                               (-7, -8, "end"), (-7, 15, "end")):  # fmt: skip
            bx0 = x + dx if anchor == "start" else x + dx - w
            box = (bx0, y + dy - 10, bx0 + w, y + dy + 2)
            if box[0] < 0 or box[2] > width or box[1] < py0 - 4 or box[3] > py1 + 4:
                continue
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
                continue
            boxes.append(box)
            svg.text(x + dx, y + dy, label, anchor=anchor, class_="annotation", font_size="11")
            break
    return svg.render(height)
