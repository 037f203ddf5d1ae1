"""SVG plots for the HTML reports, written by hand: no plotting library, inline in the page.

Every function returns one `<svg>` element as a string. The plots are deterministic (the same
input gives byte-identical SVG: coordinates are rounded to 0.1 px, nothing random, no ids) and
scale with the page: the size is set by `viewBox`, the width by CSS (`width: 100%`, up to the
drawn width). Labels come from user data (occupation names, CSV values) and are escaped here,
so a caller may place the string in a page as it is; characters that XML forbids are replaced.
Long labels wrap onto a second line instead of being cut; the full label is always in the hover.

- `interval_bars`: one horizontal bar per row with its interval, an optional marker per row and an
  optional vertical reference line (parity at 0.5, or 0 for differences, negative values
  included); a row without a value is greyed and says "too small to judge (n=...)".
- `grouped_interval_bars`: the same per group for several series (e.g. two models), with a legend.
- `scatter`: points with a least-squares line, optional diagonal y = x, ticks, hover labels and
  the labels of the few points farthest from the line.
"""

from genguard.report.plots.bars import grouped_interval_bars, interval_bars
from genguard.report.plots.scatter import scatter
from genguard.report.plots.svg import Bar, Point, esc

__all__ = ["Bar", "Point", "esc", "grouped_interval_bars", "interval_bars", "scatter"]
