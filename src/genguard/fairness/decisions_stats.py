"""The numbers of the decision audit: false-rejection gaps with intervals, the counterfactual flip
test, and the two post-hoc thresholds (one fitted for accuracy, Fairlearn's ThresholdOptimizer).

Conventions as in genguard.fairness.tabular: label 1 = the favourable outcome, decision 1 = the
model grants it; a false rejection is a row labelled 1 that the model denies.
"""

from __future__ import annotations

import math

import numpy as np

from genguard.fairness.paired import PairedComparison, compare_paired
from genguard.fairness.stats import MIN_GROUP, wilson_interval
from genguard.fairness.tabular import Rate, TabularAudit
from genguard.types import Result


class Gap(Result):
    """The largest false-rejection gap of one attribute (`high` group minus `low` group, as a
    rate difference) with a 95 % Newcombe interval (hybrid score interval from the two groups'
    Wilson intervals). With more than two groups the pair is the most extreme one, so the interval
    is optimistic at its lower end. None values: fewer than two groups large enough to judge."""

    attribute: str
    value: float | None
    ci: tuple[float, float] | None
    between: list[str]


def gap_of(audit: TabularAudit) -> Gap:
    """The largest false-rejection gap of a TabularAudit between two distinct judged groups (the
    highest rate minus the lowest; equal to its `false_rejection_gap`), with a Newcombe interval."""
    judged = sorted(
        (g for g in audit.groups if g.false_rejection_rate.value is not None),
        key=lambda g: (g.false_rejection_rate.value, g.group),
    )
    if len(judged) < 2:
        return Gap(attribute=audit.attribute, value=None, ci=None, between=[])
    lo, hi = judged[0].false_rejection_rate, judged[-1].false_rejection_rate
    d = hi.value - lo.value
    low = d - math.sqrt((hi.value - hi.low) ** 2 + (lo.high - lo.value) ** 2)
    high = d + math.sqrt((hi.high - hi.value) ** 2 + (lo.value - lo.low) ** 2)
    return Gap(
        attribute=audit.attribute,
        value=d,
        ci=(max(-1.0, low), min(1.0, high)),
        between=[judged[0].group, judged[-1].group],
    )


def rate(hits: np.ndarray) -> Rate:
    """Share of True in `hits` with its 95 % Wilson interval (no value for fewer than MIN_GROUP)."""
    n, k = int(hits.size), int(np.count_nonzero(hits))
    if n < MIN_GROUP:
        return Rate(value=None, low=None, high=None, n=n)
    low, high = wilson_interval(k, n)
    return Rate(value=k / n, low=low, high=high, n=n)


def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Area under the ROC curve of `scores` for binary `labels` (None with one class only)."""
    if len(np.unique(labels)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


class FlipDirection(Result):
    """Pairs whose original value was `original`, changed to `counterfactual`: how many were decided
    both times, how many decisions changed (and to which side), and the change in score
    (counterfactual minus original, probability of the favourable answer) with a two-sided sign
    test; `score_change` is None for fewer than MIN_GROUP pairs."""

    original: str
    counterfactual: str
    n: int
    flipped: int
    to_unfavourable: int
    to_favourable: int
    flip_rate: Rate
    score_change: PairedComparison | None


class FlipResult(Result):
    """Counterfactual flip test for one field: the same applicant with only `field` changed.

    `n_pairs` rows had a value in `swaps`; `n_decided` of them were decided in both versions;
    `flip_rate` is the share of those whose decision changed (95 % Wilson interval).
    """

    field: str
    swaps: dict[str, str]
    n_pairs: int
    n_decided: int
    n_flipped: int
    flip_rate: Rate
    directions: list[FlipDirection]


def flip_result(
    field: str,
    swaps: dict[str, str],
    originals: np.ndarray,
    base: tuple[np.ndarray, np.ndarray],
    counter: tuple[np.ndarray, np.ndarray],
    seed: int = 0,
) -> FlipResult:
    """The FlipResult from each pair's original value and its (score, decision) in the original and
    the counterfactual prompt (decision -1 = undecided; such pairs are left out)."""
    (s0, d0), (s1, d1) = base, counter
    both = (d0 >= 0) & (d1 >= 0)
    changed = both & (d0 != d1)
    directions = []
    for value in sorted(set(originals.tolist())):
        sel = both & (originals == value)
        diffs = s1[sel] - s0[sel]
        directions.append(
            FlipDirection(
                original=value,
                counterfactual=swaps[value],
                n=int(sel.sum()),
                flipped=int((changed & sel).sum()),
                to_unfavourable=int((changed & sel & (d1 == 0)).sum()),
                to_favourable=int((changed & sel & (d1 == 1)).sum()),
                flip_rate=rate(changed[sel]),
                score_change=compare_paired(diffs, "sign", "two-sided", seed=seed)
                if diffs.size >= MIN_GROUP
                else None,
            )
        )
    return FlipResult(
        field=field,
        swaps=swaps,
        n_pairs=int(originals.size),
        n_decided=int(both.sum()),
        n_flipped=int(changed.sum()),
        flip_rate=rate(changed[both]),
        directions=directions,
    )


def accuracy_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The single score threshold that maximises accuracy on (scores, labels): the midpoint
    between two adjacent distinct scores (or just beyond the extremes), first best on ties."""
    values = np.unique(scores)
    cuts = np.concatenate([[values[0] - 1e-9], (values[:-1] + values[1:]) / 2, [values[-1] + 1e-9]])
    order = np.argsort(scores)
    s, y = scores[order], labels[order]
    # accuracy at cut c: labels 0 below c plus labels 1 at or above c
    below0 = np.searchsorted(s, cuts, side="left")
    zeros_before = np.concatenate([[0], np.cumsum(y == 0)])[below0]
    ones_after = int((y == 1).sum()) - np.concatenate([[0], np.cumsum(y == 1)])[below0]
    return float(cuts[int(np.argmax(zeros_before + ones_after))])


def threshold_optimizer(
    train_scores: np.ndarray,
    train_labels: np.ndarray,
    train_groups: np.ndarray,
    test_scores: np.ndarray,
    test_groups: np.ndarray,
    seed: int = 0,
) -> np.ndarray:
    """Fairlearn's ThresholdOptimizer (true-positive-rate parity, i.e. equal false-rejection rates,
    maximising accuracy) fitted on the training rows' scores and groups; returns its decisions (0/1)
    on the test rows. The estimator is a logistic regression on the score's logit, which is
    monotone in the score, so the per-group thresholds act on the model's own score. Its decisions
    are randomised between two thresholds where parity needs it (seeded)."""
    from fairlearn.postprocessing import ThresholdOptimizer
    from sklearn.linear_model import LogisticRegression

    def logit(s: np.ndarray) -> np.ndarray:
        s = np.clip(s, 1e-12, 1 - 1e-12)
        return np.log(s / (1 - s))[:, None]

    optimizer = ThresholdOptimizer(
        estimator=LogisticRegression(),
        constraints="true_positive_rate_parity",
        objective="accuracy_score",
        predict_method="predict_proba",
    )
    optimizer.fit(logit(train_scores), train_labels, sensitive_features=train_groups)
    return np.asarray(
        optimizer.predict(logit(test_scores), sensitive_features=test_groups, random_state=seed)
    ).astype(np.int64)
