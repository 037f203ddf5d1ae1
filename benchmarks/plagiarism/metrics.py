"""Metrics shared by the plagiarism benchmarks: ROC AUC with a bootstrap interval, recall at a
false-positive-rate budget, and the table printer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """ROC AUC = P(positive > negative) + P(tie) / 2, exact (Mann-Whitney)."""
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (pos.size * neg.size))


def auc_interval(
    pos: np.ndarray, neg: np.ndarray, reps: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """AUC and its 95 % percentile bootstrap interval (positives and negatives resampled apart)."""
    value = auc(pos, neg)
    if pos.size == 0 or neg.size == 0:
        return value, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    draws = [auc(rng.choice(pos, pos.size), rng.choice(neg, neg.size)) for _ in range(reps)]
    low, high = np.percentile(draws, [2.5, 97.5])
    return value, float(low), float(high)


def threshold_at(neg: np.ndarray, fpr: float) -> float:
    """The smallest score t with at most floor(fpr * n) negatives >= t (a positive must score >= t).

    With few negatives this is "above the highest negative": a tie with a negative does not count,
    so a method that scores independent solutions as high as copies gets no recall there."""
    allowed = int(np.floor(fpr * neg.size))
    ranked = np.sort(neg)[::-1]
    return float(np.nextafter(ranked[allowed], np.inf))


def recall_at(pos: np.ndarray, neg: np.ndarray, fpr: float) -> float:
    """Share of positives at or above threshold_at(neg, fpr)."""
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    return float((pos >= threshold_at(neg, fpr)).mean())


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table, columns padded to their widest cell."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
