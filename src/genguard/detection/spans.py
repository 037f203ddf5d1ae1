"""Sliding-window scores: which parts of a text look machine-written.

Windows of `size` scored tokens, moved by `stride` (half a window by default), each scored with
the same discrepancy as a whole text but over its own tokens, and flagged above the span
threshold of the calibration (calibrated on windows of the same size cut from human texts, so a
window of human text is flagged at about the target rate). A long human text has many windows:
the chance that at least one of them is flagged grows with their number, so a flagged window is
a place to look, not a verdict; the verdict on the text is the whole-text score.
Windows never straddle a gap between the blocks of a long text scored on a sample of blocks.
"""

from __future__ import annotations

import numpy as np

from genguard.detection.curvature import window_discrepancies
from genguard.detection.result import SpanScore
from genguard.detection.tokens import TokenCurve


def span_scores(curve: TokenCurve, size: int, threshold: float, stride: int | None = None) -> list[SpanScore]:
    """SpanScore of every window of `size` scored tokens of `curve` (none when it has fewer)."""
    stride = stride or max(1, size // 2)
    starts, values = window_discrepancies(curve.stats, size, stride)
    positions = curve.positions
    out = []
    for i, value in zip(starts.tolist(), values.tolist(), strict=True):
        first, last = int(positions[i]), int(positions[i + size - 1])
        if last - first != size - 1 or not np.isfinite(value):  # crosses a gap between blocks
            continue
        start = end = None
        if curve.offsets is not None:
            start, end = int(curve.offsets[first, 0]), int(curve.offsets[last, 1])
        out.append(
            SpanScore(
                start=start,
                end=end,
                token_start=first,
                token_end=last + 1,
                score=float(value),
                flagged=bool(value > threshold),
            )
        )
    return out


def human_window_scores(curves: list[TokenCurve], size: int) -> np.ndarray:
    """Scores of non-overlapping windows of `size` tokens cut from (human) `curves`, for the span
    threshold: non-overlapping so that the calibration items are closer to independent."""
    scores = []
    for curve in curves:
        starts, values = window_discrepancies(curve.stats, size, size)
        for i, value in zip(starts.tolist(), values.tolist(), strict=True):
            contiguous = curve.positions[i + size - 1] - curve.positions[i] == size - 1
            if contiguous and np.isfinite(value) and (i % size == 0):
                scores.append(value)
    return np.asarray(scores, dtype=np.float64)
