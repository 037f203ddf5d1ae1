"""The SVG primitives the plots share: escaping, number format, axes ticks, legend, labels."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from genguard.errors import InvalidInputError

FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif"
INK, MUTED, GRID, BAND = "#222", "#666", "#e4e4e4", "#f5f5f5"
SERIES_COLOURS = ("#3b6ea8", "#0a6b2d", "#a06000", "#7a2a8a", "#b00020", "#4a4a4a")
MARK_COLOUR, REFERENCE_COLOUR, SMALL_COLOUR = "#b00020", "#555", "#999"
CHAR_PX = 7.4  # a 12 px sans-serif character at its widest common font (DejaVu Sans), for layout
MAX_LABEL_PX = 300.0  # the label column grows up to this; longer labels wrap onto a second line
LINE_PX = 13.0  # between the lines of a wrapped label
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


def fmt_px(v: float) -> str:
    s = f"{v:.1f}"
    s = s[:-2] if s.endswith(".0") else s
    return "0" if s == "-0" else s


def is_finite(v: float | None) -> bool:
    return v is not None and isinstance(v, int | float) and math.isfinite(v)


def fmt_value(value_format: str, v: float) -> str:
    return value_format.format(v)


def truncate(label: str, max_px: float) -> str:
    max_chars = max(4, int(max_px / CHAR_PX))
    return label if len(label) <= max_chars else label[: max_chars - 1].rstrip() + "…"


def wrap(label: str, max_px: float, max_lines: int = 2) -> list[str]:
    """The label in lines of at most `max_px` (broken at spaces); only a label that needs more than
    `max_lines` lines is cut, with an ellipsis (its hover text keeps it whole)."""
    max_chars = max(4, int(max_px / CHAR_PX))
    lines: list[str] = []
    current = ""
    for word in label.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], truncate(" ".join(lines[max_lines - 1 :]), max_px)]
    return [truncate(line, max_px) for line in lines]


def text_px(text: str) -> float:
    return len(text) * CHAR_PX


def as_bar(row: object, label: str | None = None) -> Bar:
    """A Bar from a Bar or a tuple (label, value, low, high, ...); given `label`: (value, low, high, ...)."""
    if isinstance(row, Bar):
        return row
    if isinstance(row, Sequence) and not isinstance(row, str) and row:
        return Bar(*row) if label is None else Bar(label, *row)
    raise InvalidInputError(f"a bar must be a plots.Bar or a tuple (label, value, low, high); got {row!r}")


def nice_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def fit_domain(values: list[float], domain: tuple[float, float] | None, target: int) -> tuple[float, float]:
    if domain is not None:
        lo, hi = float(domain[0]), float(domain[1])
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
            raise InvalidInputError(f"domain must be (low, high) with low < high; got {domain!r}")
        return lo, hi
    finite = [v for v in values if is_finite(v)] or [0.0, 1.0]
    lo, hi = min(finite), max(finite)
    if hi - lo < 1e-12:
        lo, hi = lo - (abs(lo) or 1) * 0.5, hi + (abs(hi) or 1) * 0.5
    step = nice_step(hi - lo, target)
    return math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step


def tick_values(lo: float, hi: float, target: int = 6) -> list[float]:
    step = nice_step(hi - lo, target)
    first = math.ceil(lo / step - 1e-9)
    ticks, i = [], first
    while i * step <= hi + step * 1e-9:
        ticks.append(round(i * step, 12))
        i += 1
    return ticks


def svg_attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{v}"' for k, v in attrs.items())


class Svg:
    def __init__(self, width: float, title: str) -> None:
        self.width, self.title, self.parts = width, title, []

    def add(self, s: str) -> None:
        self.parts.append(s)

    def text(self, x: float, y: float, s: str, *, anchor: str = "start", **attrs: str) -> None:
        extra = svg_attrs(attrs)
        self.add(f'<text x="{fmt_px(x)}" y="{fmt_px(y)}" text-anchor="{anchor}"{extra}>{esc(s)}</text>')

    def label(self, x: float, cy: float, lines: list[str], *, anchor: str = "end", **attrs: str) -> None:
        """A (wrapped) label centred vertically on `cy`: one <text>, one <tspan> per extra line."""
        if len(lines) == 1:
            self.text(x, cy + 4, lines[0], anchor=anchor, **attrs)
            return
        extra = svg_attrs(attrs)
        y = cy + 4 - LINE_PX * (len(lines) - 1) / 2
        spans = "".join(
            f'<tspan x="{fmt_px(x)}" dy="{fmt_px(0 if i == 0 else LINE_PX)}">{esc(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        self.add(f'<text x="{fmt_px(x)}" y="{fmt_px(y)}" text-anchor="{anchor}"{extra}>{spans}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, **attrs: str) -> None:
        extra = svg_attrs(attrs)
        self.add(
            f'<line x1="{fmt_px(x1)}" y1="{fmt_px(y1)}" x2="{fmt_px(x2)}" y2="{fmt_px(y2)}" '
            f'stroke="{stroke}"{extra}/>'
        )

    def render(self, height: float) -> str:
        w, h = fmt_px(self.width), fmt_px(height)
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            f'style="width:100%;max-width:{w}px;height:auto" role="img" aria-label="{esc(self.title)}" '
            f'font-family="{FONT}" font-size="12" fill="{INK}">'
            f"<title>{esc(self.title)}</title>"
        )
        return head + "".join(self.parts) + "</svg>"


def draw_legend(svg: Svg, x: float, y: float, items: list[tuple[str, str]]) -> None:
    """Legend items (kind, label) in one line from x.

    Kinds: 'swatch:#hex', 'interval', 'mark', 'ref', 'fit', 'diag'.
    """
    for kind, label in items:
        if kind.startswith("swatch:"):
            svg.add(f'<rect x="{fmt_px(x)}" y="{fmt_px(y - 9)}" width="12" height="10" fill="{kind[7:]}"/>')
        elif kind == "interval":
            svg.line(x, y - 4, x + 14, y - 4, INK, stroke_width="1.2")
            svg.line(x, y - 8, x, y, INK, stroke_width="1.2")
            svg.line(x + 14, y - 8, x + 14, y, INK, stroke_width="1.2")
        elif kind == "mark":
            svg.add(diamond(x + 6, y - 4, MARK_COLOUR, cls="legend"))
        elif kind in ("ref", "diag"):
            svg.line(x, y - 4, x + 14, y - 4, REFERENCE_COLOUR, stroke_width="1.2", stroke_dasharray="4 3")
        elif kind == "fit":
            svg.line(x, y - 4, x + 14, y - 4, SERIES_COLOURS[2], stroke_width="1.6")
        svg.text(x + 20, y, label, fill=MUTED)
        x += 20 + text_px(label) + 16


def diamond(cx: float, cy: float, colour: str, r: float = 4.5, cls: str = "mark") -> str:
    d = (
        f"M{fmt_px(cx)} {fmt_px(cy - r)}L{fmt_px(cx + r)} {fmt_px(cy)}"
        f"L{fmt_px(cx)} {fmt_px(cy + r)}L{fmt_px(cx - r)} {fmt_px(cy)}Z"
    )
    return f'<path class="{cls}" d="{d}" fill="{colour}" stroke="#fff" stroke-width="1"/>'


def hover_text(label: str, bar: Bar, value_format: str, mark_label: str | None) -> str:
    parts = [label]
    if is_finite(bar.value):
        s = fmt_value(value_format, bar.value)
        if is_finite(bar.low) and is_finite(bar.high):
            s += f" (95 % interval {fmt_value(value_format, bar.low)} to {fmt_value(value_format, bar.high)})"
        parts.append(s)
    else:
        parts.append(bar.note or TOO_SMALL)
    if bar.n is not None:
        parts.append(f"n={bar.n}")
    if is_finite(bar.mark):
        parts.append(f"{mark_label or 'mark'}: {fmt_value(value_format, bar.mark)}")
    return ": ".join(parts[:2]) + "".join(f", {p}" for p in parts[2:])
