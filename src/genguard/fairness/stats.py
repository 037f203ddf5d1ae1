"""Small-sample statistics shared by the fairness audits."""

from __future__ import annotations

import math

MIN_GROUP = 10  # below this many members a group's rate is reported as too small to judge


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval (95 % by default) for k successes in n trials; (0, 1) when n is 0.

    Unlike the normal approximation it stays inside [0, 1] and keeps close to its nominal
    coverage for small n and rates near 0 or 1, which is where group rates usually are.
    """
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)
