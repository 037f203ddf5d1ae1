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


class MitigationResult(Result):
    """An unconstrained model against one trained under false-rejection-rate parity, on held-out data.

    `gap_ci` is a 95 % percentile-bootstrap interval of the constrained model's held-out gap over
    the groups large enough to judge. A largest-minus-smallest gap is biased upward when the true
    gap is near 0, so the point gap may lie below the interval: then read only its upper end.
    `miss_by` is how far the gap lies above epsilon (None when it meets it).
    """

    attribute: str
    epsilon: float
    method: str
    seed: int
    n_train: int
    n_test: int
    baseline_accuracy: float
    constrained_accuracy: float
    baseline_gap: float | None
    constrained_gap: float | None
    gap_ci: tuple[float, float] | None
    meets_epsilon: bool
    miss_by: float | None
    baseline: TabularAudit
    constrained: TabularAudit


def _frr_gap(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray) -> float:
    rates = [np.mean(y_pred[(groups == g) & (y_true == 1)] == 0) for g in np.unique(groups)]
    return float(max(rates) - min(rates))


def mitigate(
    features: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    groups: Sequence[str] | np.ndarray,
    attribute: str = "group",
    epsilon: float = 0.01,
    method: str = "exponentiated_gradient",
    test_size: float = 0.3,
    seed: int = 0,
    bootstrap: int = 1000,
) -> MitigationResult:
    """Train logistic regression without and with the constraint "false-rejection rates within
    epsilon" (Fairlearn: ExponentiatedGradient with TruePositiveRateParity, or ThresholdOptimizer
    with true_positive_rate_parity), split stratified by group and label, and audit both on the
    held-out split."""
    from fairlearn.postprocessing import ThresholdOptimizer
    from fairlearn.reductions import ExponentiatedGradient, TruePositiveRateParity
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    y = _binary("labels", labels)
    groups = np.asarray(groups).astype(str)
    x = np.asarray(features, dtype=float)
    if not len(x) == len(y) == len(groups):
        raise InvalidInputError(
            f"features, labels and groups differ in length ({len(x)}, {len(y)}, {len(groups)})"
        )
    if method not in {"exponentiated_gradient", "threshold_optimizer"}:
        raise InvalidInputError(
            f"unknown method {method!r}; use exponentiated_gradient or threshold_optimizer"
        )
    strata = np.char.add(groups, y.astype(str))
    train, test = train_test_split(np.arange(len(y)), test_size=test_size, random_state=seed, stratify=strata)
    scaler = StandardScaler().fit(x[train])
    xs = scaler.transform(x)
    baseline = LogisticRegression(max_iter=2000).fit(xs[train], y[train])
    if method == "exponentiated_gradient":
        model = ExponentiatedGradient(
            LogisticRegression(max_iter=2000), TruePositiveRateParity(difference_bound=epsilon)
        )
        model.fit(xs[train], y[train], sensitive_features=groups[train])
        constrained = model.predict(xs[test], random_state=seed)
    else:
        model = ThresholdOptimizer(
            estimator=baseline,
            constraints="true_positive_rate_parity",
            prefit=True,
            predict_method="predict_proba",
        )
        model.fit(xs[train], y[train], sensitive_features=groups[train])
        constrained = model.predict(xs[test], sensitive_features=groups[test], random_state=seed)
    base_pred = baseline.predict(xs[test])
    y_test, g_test = y[test], groups[test]
    base_audit = audit_predictions(y_test, base_pred, g_test, attribute)
    fair_audit = audit_predictions(y_test, constrained, g_test, attribute)
    # Only the groups judged on the held-out split take part, as in the point gap, and a resample
    # counts only if each still has MIN_GROUP creditworthy members: a rate from a handful of
    # people swings between 0 and 1 and would inflate the interval.
    judged = [g.group for g in fair_audit.groups if g.false_rejection_rate.value is not None]
    keep = np.isin(g_test, judged)
    yk, pk, gk = y_test[keep], constrained[keep], g_test[keep]
    rng = np.random.default_rng(seed)
    gaps = []
    for _ in range(bootstrap if len(judged) >= 2 else 0):
        i = rng.integers(0, len(yk), len(yk))
        if all(((gk[i] == g) & (yk[i] == 1)).sum() >= MIN_GROUP for g in judged):
            gaps.append(_frr_gap(yk[i], pk[i], gk[i]))
    ci = (float(np.percentile(gaps, 2.5)), float(np.percentile(gaps, 97.5))) if gaps else None
    gap = fair_audit.false_rejection_gap
    return MitigationResult(
        attribute=attribute,
        epsilon=epsilon,
        method=method,
        seed=seed,
        n_train=len(train),
        n_test=len(test),
        baseline_accuracy=float(np.mean(base_pred == y_test)),
        constrained_accuracy=float(np.mean(constrained == y_test)),
        baseline_gap=base_audit.false_rejection_gap,
        constrained_gap=gap,
        gap_ci=ci,
        meets_epsilon=gap is not None and gap <= epsilon,
        miss_by=None if gap is None or gap <= epsilon else gap - epsilon,
        baseline=base_audit,
        constrained=fair_audit,
    )
