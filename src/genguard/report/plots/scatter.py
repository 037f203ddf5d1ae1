"""A scatter plot with a least-squares line, an optional diagonal and labelled outliers."""

from __future__ import annotations

import math
from collections.abc import Sequence

from genguard.errors import InvalidInputError
from genguard.report.plots.svg import (
    GRID,
    INK,
    MUTED,
    REFERENCE_COLOUR,
    SERIES_COLOURS,
    Point,
    Svg,
    draw_legend,
    esc,
    fit_domain,
    fmt_px,
    fmt_value,
    is_finite,
    text_px,
    tick_values,
    truncate,
)


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
        if is_finite(q.x) and is_finite(q.y):
            pts.append(q)
    if not pts:
        raise InvalidInputError("scatter needs at least one point with finite x and y")
    fit = _fit(pts) if fit_line else None
    xlo, xhi = fit_domain([p.x for p in pts], x_domain, 6)
    ylo, yhi = fit_domain([p.y for p in pts], y_domain, 6)
    left, right, top, bottom = 58.0, 16.0, 48.0, 46.0
    px0, px1, py0, py1 = left, width - right, top, height - bottom

    def sx(v: float) -> float:
        return px0 + (v - xlo) / (xhi - xlo) * (px1 - px0)

    def sy(v: float) -> float:
        return py1 - (v - ylo) / (yhi - ylo) * (py1 - py0)

    svg = Svg(width, title)
    svg.text(0, 14, title, font_weight="600", font_size="13")
    legend = []
    if fit:
        legend.append(("fit", f"least-squares line (slope {fit[1]:.2f})"))
    if diagonal:
        legend.append(("diag", diagonal_label))
    draw_legend(svg, 0, 32, legend)
    for t in tick_values(xlo, xhi):
        svg.line(sx(t), py0, sx(t), py1, GRID)
        svg.text(sx(t), py1 + 15, fmt_value(x_format, t), anchor="middle", fill=MUTED)
    for t in tick_values(ylo, yhi):
        svg.line(px0, sy(t), px1, sy(t), GRID)
        svg.text(px0 - 6, sy(t) + 4, fmt_value(y_format, t), anchor="end", fill=MUTED)
    svg.add(
        f'<rect x="{fmt_px(px0)}" y="{fmt_px(py0)}" width="{fmt_px(px1 - px0)}" height="{fmt_px(py1 - py0)}" '
        f'fill="none" stroke="#bbb"/>'
    )
    svg.text((px0 + px1) / 2, height - 8, x_label, anchor="middle", fill=MUTED)
    cy = (py0 + py1) / 2
    svg.text(14, cy, y_label, anchor="middle", fill=MUTED, transform=f"rotate(-90 14 {fmt_px(cy)})")
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
        hover += f"{fmt_value(x_format, p.x)}, {fmt_value(y_format, p.y)}"
        stroke = (
            f' stroke="{INK}" stroke-width="1.2"' if i in labelled else ' stroke="#fff" stroke-width="0.8"'
        )
        svg.add(
            f'<circle class="point" cx="{fmt_px(sx(p.x))}" cy="{fmt_px(sy(p.y))}" r="4" '
            f'fill="{SERIES_COLOURS[0]}" fill-opacity="0.75"{stroke}><title>{esc(hover)}</title></circle>'
        )
    boxes: list[tuple[float, float, float, float]] = []
    for i in order:
        if i not in labelled:
            continue
        p, label = pts[i], truncate(pts[i].label, 160)
        x, y, w = sx(p.x), sy(p.y), text_px(label)
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
