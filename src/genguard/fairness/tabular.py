"""Group-fairness audit of a predictive model's decisions, and training under a fairness constraint.

Conventions (consumer lending): label 1 = creditworthy (repaid), prediction 1 = approve.
- selection rate: share approved;
- false-rejection rate: creditworthy applicants predicted to default, P(pred 0 | label 1);
- false-positive rate: applicants who defaulted but were approved, P(pred 1 | label 0);
- error rate: P(pred != label).
Each rate comes with a 95 % Wilson interval over its own denominator; a group whose denominator
has fewer than MIN_GROUP members gets no number, only `too_small`, because a rate from a handful
of people would be read as a finding. Per-group values equal Fairlearn's MetricFrame on the same
predictions (tests/fairness/test_tabular.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.stats import MIN_GROUP, wilson_interval
from genguard.types import Result


class Rate(Result):
    """A rate with its 95 % Wilson interval and denominator; value None when the group is too small."""

    value: float | None
    low: float | None
    high: float | None
    n: int


class GroupReport(Result):
    """The four rates of one group (or intersection of groups)."""

    group: str
    n: int
    selection_rate: Rate
    false_rejection_rate: Rate
    false_positive_rate: Rate
    error_rate: Rate
    too_small: bool


class TabularAudit(Result):
    """Per-group rates for one attribute, and the largest false-rejection gap between judgeable groups."""

    attribute: str
    groups: list[GroupReport]
    false_rejection_gap: float | None
    gap_between: list[str]


def _rate(hits: np.ndarray) -> Rate:
    n = int(hits.size)
    if n < MIN_GROUP:
        return Rate(value=None, low=None, high=None, n=n)
    k = int(hits.sum())
    low, high = wilson_interval(k, n)
    return Rate(value=k / n, low=low, high=high, n=n)


def _binary(name: str, values: Sequence[int] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidInputError(f"{name} must be a non-empty 1-d sequence of 0/1 values")
    if not np.isin(arr, (0, 1)).all():
        bad = arr[~np.isin(arr, (0, 1))][:3].tolist()
        raise InvalidInputError(f"{name} must hold only 0 and 1 (found {bad})")
    return arr.astype(np.int64)


def audit_predictions(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    groups: Sequence[str] | np.ndarray,
    attribute: str = "group",
) -> TabularAudit:
    """Per-group selection, false-rejection, false-positive and error rates with intervals."""
    y_true, y_pred = _binary("y_true", y_true), _binary("y_pred", y_pred)
    groups = np.asarray(groups).astype(str)
    if not len(y_true) == len(y_pred) == len(groups):
        raise InvalidInputError(
            f"y_true, y_pred and groups differ in length ({len(y_true)}, {len(y_pred)}, {len(groups)})"
        )
    reports = []
    for g in sorted(set(groups.tolist())):
        t, p = y_true[groups == g], y_pred[groups == g]
        rates = {
            "selection_rate": _rate(p == 1),
            "false_rejection_rate": _rate(p[t == 1] == 0),
            "false_positive_rate": _rate(p[t == 0] == 1),
            "error_rate": _rate(p != t),
        }
        too_small = any(r.value is None for r in rates.values())
        reports.append(GroupReport(group=g, n=int(t.size), too_small=too_small, **rates))
    judged = [r for r in reports if r.false_rejection_rate.value is not None]
    gap, between = None, []
    if len(judged) >= 2:
        lo = min(judged, key=lambda r: r.false_rejection_rate.value)
        hi = max(judged, key=lambda r: r.false_rejection_rate.value)
        gap = hi.false_rejection_rate.value - lo.false_rejection_rate.value
        between = [lo.group, hi.group]
    return TabularAudit(attribute=attribute, groups=reports, false_rejection_gap=gap, gap_between=between)


def intersect(*columns: Sequence[str] | np.ndarray) -> np.ndarray:
    """Intersection groups ("female x under 25") from several group columns of equal length."""
    arrays = [np.asarray(c).astype(str) for c in columns]
    if len({len(a) for a in arrays}) != 1:
        raise InvalidInputError("group columns to intersect differ in length")
    return np.array([" x ".join(parts) for parts in zip(*arrays, strict=True)])
