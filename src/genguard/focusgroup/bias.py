"""Position bias: how much the model favours the answer shown as A, before and after correction.

Every (persona, pair) is asked in both orders. With l0 and l1 the log-odds log P(A) - log P(B)
(nats) of the two orders, a model with a preference d for the pair's first product and a pull
b towards position A answers l0 = b + d and l1 = b - d. So per (persona, pair):

- position bias b = (l0 + l1) / 2, the part that does not depend on which product is where;
- corrected preference d = (l0 - l1) / 2, the part that follows the product (b cancels).

Figures before correction are on the raw answers: the share of answers choosing A (0.5 without
bias), the mean b, and the share of persona-pairs choosing the same product in both orders
(order consistency). After correction: the correction is estimated on one half of the personas
(the mean b per pair) and applied to the single-order answers of the other half, which were not
used to estimate it; the same figures are measured there. (The both-order average d, which the
group preferences use, has no position term at all by construction.)
"""

from __future__ import annotations

import hashlib

import numpy as np

from genguard.fairness.paired import compare_paired
from genguard.fairness.stats import MIN_GROUP, bootstrap_mean_ci, wilson_interval
from genguard.types import Result


class BiasFigures(Result):
    """Position-bias figures of one set of answers.

    `share_a`: answers (single orders) with log-odds > 0, of `n_answers`, with its 95 % Wilson
    interval. `mean_bias`: mean of (l0 + l1) / 2 over `n_pairs` persona-pairs answered in both
    orders (nats; 0 = no bias), 95 % bootstrap interval, and the two-sided sign test's p-value
    (H0: the bias is as often negative as positive). `consistency`: share of those persona-pairs
    choosing the same product in both orders (Wilson interval). None where there is nothing to
    measure (fewer than MIN_GROUP persona-pairs for the mean and the test).
    """

    n_answers: int
    share_a: float | None
    share_a_ci: tuple[float, float]
    n_pairs: int
    mean_bias: float | None
    mean_bias_ci: tuple[float, float] | None
    p_value: float | None
    consistency: float | None
    consistency_ci: tuple[float, float]


class PairBias(Result):
    """One product pair's position bias before and after the held-out correction (`correction`:
    the bias in nats estimated on the calibration half and subtracted on the test half)."""

    pair_id: str
    before: BiasFigures
    correction: float | None
    after: BiasFigures


def bias_figures(l0: np.ndarray, l1: np.ndarray, seed: int = 0) -> BiasFigures:
    """Figures for log-odds arrays of the two orders, aligned by persona-pair (NaN: unanswered)."""
    single = np.concatenate([l0, l1])
    single = single[~np.isnan(single)]
    k = int(np.count_nonzero(single > 0))
    both = ~np.isnan(l0) & ~np.isnan(l1)
    b = (l0[both] + l1[both]) / 2
    same = int(np.count_nonzero(np.sign(l0[both]) == -np.sign(l1[both])))
    enough = b.size >= MIN_GROUP
    return BiasFigures(
        n_answers=int(single.size),
        share_a=k / single.size if single.size else None,
        share_a_ci=wilson_interval(k, int(single.size)),
        n_pairs=int(b.size),
        mean_bias=float(b.mean()) if enough else None,
        mean_bias_ci=bootstrap_mean_ci(b, seed=seed) if enough else None,
        p_value=compare_paired(b, "sign").p_value if enough else None,
        consistency=same / b.size if b.size else None,
        consistency_ci=wilson_interval(same, int(b.size)),
    )


def calibration_half(persona_ids: list[str], seed: int) -> np.ndarray:
    """A boolean mask: True for the personas whose answers estimate the correction (about half,
    chosen by a hash of the seed and the persona id, so it is fixed for a study)."""
    return np.array(
        [hashlib.sha256(f"calibrate:{seed}:{p}".encode()).digest()[0] % 2 == 0 for p in persona_ids],
        dtype=bool,
    )


def corrected(
    l0: np.ndarray, l1: np.ndarray, calibrate: np.ndarray
) -> tuple[float | None, np.ndarray, np.ndarray]:
    """(correction, l0 - correction, l1 - correction) on the test half (`~calibrate`): the
    correction is the mean bias of the calibration half's complete persona-pairs (None, and the
    test half uncorrected, when it has fewer than MIN_GROUP)."""
    both = ~np.isnan(l0) & ~np.isnan(l1) & calibrate
    if np.count_nonzero(both) < MIN_GROUP:
        return None, l0[~calibrate], l1[~calibrate]
    c = float(((l0[both] + l1[both]) / 2).mean())
    return c, l0[~calibrate] - c, l1[~calibrate] - c


def position_bias(
    logodds: dict[str, tuple[np.ndarray, np.ndarray]], persona_ids: list[str], seed: int = 0
) -> tuple[BiasFigures, BiasFigures, list[PairBias]]:
    """(all pairs before, all pairs after, per pair) from `logodds[pair_id] = (l0, l1)`, arrays
    aligned with `persona_ids`. "After" pools the test halves, each pair corrected by its own
    calibration-half estimate."""
    calibrate = calibration_half(persona_ids, seed)
    per_pair, before0, before1, after0, after1 = [], [], [], [], []
    for pair_id, (l0, l1) in logodds.items():
        c, t0, t1 = corrected(l0, l1, calibrate)
        per_pair.append(
            PairBias(
                pair_id=pair_id,
                before=bias_figures(l0, l1, seed),
                correction=c,
                after=bias_figures(t0, t1, seed),
            )
        )
        before0.append(l0)
        before1.append(l1)
        after0.append(t0)
        after1.append(t1)
    pooled_before = bias_figures(np.concatenate(before0), np.concatenate(before1), seed)
    pooled_after = bias_figures(np.concatenate(after0), np.concatenate(after1), seed)
    return pooled_before, pooled_after, per_pair
