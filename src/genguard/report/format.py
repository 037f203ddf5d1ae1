"""Number formatting shared by the section builders: percentages, p-values, intervals."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from genguard.fairness.stats import MIN_GROUP
from genguard.report.page import Cell
from genguard.report.plots import Bar

if TYPE_CHECKING:
    from genguard.fairness.tabular import Rate

INTERVAL_SENTENCE = (
    "A 95 % interval is the range of values compatible with the data: had the measurement been "
    "repeated, it would cover the true value 95 times in 100. Where the intervals of two groups "
    "overlap a lot, the difference between them may be chance."
)
SMALL_SENTENCE = (
    f"Groups with fewer than {MIN_GROUP} members are not judged: they are shown as "
    "“too small to judge (n=…)”, with no number and no bar."
)


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage, "12.5 %"; "n/a" for None."""
    return "n/a" if value is None else f"{value * 100:.{digits}f} %"


def pp(value: float | None, digits: int = 1) -> str:
    """A difference of two rates in percentage points."""
    return "n/a" if value is None else f"{value * 100:.{digits}f} pp"


def num(value: float | None, fmt: str = "{:.2f}") -> Cell:
    """A right-aligned number cell, or a grey "n/a"."""
    return Cell("n/a", "small") if value is None else Cell(fmt.format(value), "num")


def p_cell(p: float | None) -> Cell:
    """A p-value: three significant digits, "< 0.001" below that."""
    if p is None:
        return Cell("n/a", "small")
    return Cell("< 0.001" if p < 0.001 else f"{p:.3g}", "num")


def correlation_text(r: float | None, ci: tuple[float, float] | None) -> str:
    """ "0.81 [0.71, 0.89]", or why there is no correlation."""
    if r is None:
        return "n/a (fewer than 4 occupations with labour statistics)"
    return f"{r:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def interval_cell(
    value: float | None,
    low: float | None,
    high: float | None,
    n: int | None = None,
    fmt: Callable[[float], str] = pct,
    bound_fmt: Callable[[float], str] | None = None,
) -> Cell:
    """A value with its interval, e.g. "12.0 % [8.1, 17.3]" (`fmt` for the value, `bound_fmt`,
    default `fmt`, for the bounds), or "too small to judge (n=4)" when the value is None."""
    if value is None:
        return Cell(f"too small to judge (n={n})" if n is not None else "too small to judge", "small")
    text = fmt(value)
    if low is not None and high is not None:
        bound = bound_fmt or fmt
        text += f" [{bound(low)}, {bound(high)}]"
    return Cell(text, "num")


def rate_cell(rate: Rate) -> Cell:
    """A rate in percent with its interval in brackets, the unit not repeated: "12.0 % [8.1, 17.3]"."""
    return interval_cell(rate.value, rate.low, rate.high, rate.n, bound_fmt=lambda v: f"{v * 100:.1f}")


def rate_bar(label: str, rate: Rate) -> Bar:
    """A plot bar for a fairness Rate (no bar when the group is too small)."""
    return Bar(label, rate.value, rate.low, rate.high, n=rate.n)


def short(text: str, limit: int = 90) -> str:
    """The text on one line, cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
