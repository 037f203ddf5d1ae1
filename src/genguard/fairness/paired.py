"""Paired tests whose kind and direction are chosen before the data are seen.

Given differences d_i = score(first of pair i) - score(second), three tests of "no preference":

- `sign_test`: exact binomial test of the number of positive differences among the non-zero
  ones against Binomial(n, 1/2). It uses only the direction of each difference, so it tests the
  figure stereotype benchmarks publish (the share of pairs where the first sentence is preferred)
  and needs no assumption about the differences' distribution. Ties (d = 0) are dropped and
  counted.
- `wilcoxon_test`: Wilcoxon signed-rank test (scipy; zeros dropped, exact for n <= 50 without
  ties, normal approximation otherwise). Assumes the differences are symmetric about their centre.
- `permutation_test_mean`: sign-flip permutation test of the mean (seeded Monte Carlo, never 0).
  Assumes symmetry under the null; sensitive to a few large differences.

`alternative` follows scipy: "greater" means the first of a pair is preferred (d tends to be
positive), "less" the second, "two-sided" either. Choose it before looking at the data: picking
the direction after seeing the sign doubles the false alarm rate of a one-sided test.

Measured through `pairs.audit_pairs` with synthetic scorers (tests/fairness/test_pairs.py), n = 500
pairs, one-sided sign test at alpha 0.05, 200 seeded runs: a fair scorer was significant in 7 of
200 runs (3.5 %; the exact test's size there is 4.9 %), its null control in 11 of 200 (5.5 %); a
scorer preferring the first sentence in 60 % of pairs was found in 199 of 200 runs (the binomial
power is 0.998). On fair normal differences (n = 100, 200 runs, one-sided, alpha 0.05) Wilcoxon
was significant in 14 and the permutation test (999 flips) in 15 runs (7.0 % and 7.5 %, both
within the binomial spread of 5 %: P(>= 14 of 200) = 0.13).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

from genguard.errors import InvalidInputError
from genguard.fairness.stats import (
    _count,
    _sample,
    bootstrap_mean_ci,
    check_alternative,
    sign_flip_p,
    wilson_interval,
)
from genguard.types import Result

TESTS = ("sign", "wilcoxon", "permutation")


class Outcome(NamedTuple):
    """A test's statistic and p-value (unpacks like scipy's results)."""

    statistic: float
    p_value: float


class PairedComparison(Result):
    """One paired test, chosen up front, with the figures that describe the differences.

    `n` differences were given: `n_positive` > 0, `n_negative` < 0 and `n_ties` exactly 0.
    `share_positive` is n_positive / (n_positive + n_negative) (ties excluded; None when every
    difference is 0) with its 95 % Wilson interval `share_ci`; `mean` is the mean difference (in
    the differences' units) with a 95 % percentile-bootstrap interval `mean_ci`. `statistic` is
    the test's: the number of positive differences (sign), the signed-rank sum W+ (Wilcoxon) or
    the mean (permutation); `p_value` is for `alternative` ("two-sided", "greater", "less").
    """

    test: str
    alternative: str
    n: int
    n_positive: int
    n_negative: int
    n_ties: int
    share_positive: float | None
    share_ci: tuple[float, float]
    mean: float
    mean_ci: tuple[float, float]
    statistic: float
    p_value: float


def sign_test(differences: ArrayLike, alternative: str = "two-sided") -> Outcome:
    """Exact sign test: statistic = number of positive differences, p from Binomial(n, 1/2) over
    the non-zero differences (scipy.stats.binomtest). p = 1.0 when every difference is 0."""
    d = _sample(differences, "differences")
    check_alternative(alternative)
    k, n = int(np.count_nonzero(d > 0)), int(np.count_nonzero(d != 0))
    if n == 0:
        return Outcome(0.0, 1.0)
    return Outcome(float(k), float(sps.binomtest(k, n, 0.5, alternative=alternative).pvalue))


def wilcoxon_test(differences: ArrayLike, alternative: str = "two-sided") -> Outcome:
    """Wilcoxon signed-rank test, zeros dropped: statistic W+ (sum of the ranks of the positive
    differences), p from scipy.stats.wilcoxon. p = 1.0 when every difference is 0."""
    d = _sample(differences, "differences")
    check_alternative(alternative)
    nonzero = d[d != 0]
    if nonzero.size == 0:
        return Outcome(0.0, 1.0)
    ranks = sps.rankdata(np.abs(nonzero))
    w_plus = float(ranks[nonzero > 0].sum())
    p = float(sps.wilcoxon(nonzero, alternative=alternative, zero_method="wilcox").pvalue)
    return Outcome(w_plus, p if np.isfinite(p) else 1.0)


def permutation_test_mean(
    differences: ArrayLike, alternative: str = "two-sided", n_permutations: int = 10000, seed: int = 0
) -> Outcome:
    """Sign-flip permutation test of the mean: statistic = mean difference, p-value as in
    `stats.sign_flip_p` ((count + 1) / (n_permutations + 1), seeded, never 0)."""
    d = _sample(differences, "differences")
    return Outcome(float(d.mean()), sign_flip_p(d, alternative, n_permutations, seed))


def compare_paired(
    differences: ArrayLike,
    test: str = "sign",
    alternative: str = "two-sided",
    *,
    n_permutations: int = 10000,
    seed: int = 0,
) -> PairedComparison:
    """Run the chosen `test` ("sign", "wilcoxon" or "permutation") in the chosen direction.

    Returns a PairedComparison with the counts, the share of positive differences (Wilson
    interval), the mean (bootstrap interval, 2,000 resamples seeded by `seed`) and the test's
    statistic and p-value. Raises InvalidInputError for an unknown test or alternative, or
    differences that are empty, not 1-d or not finite. Callers enforce MIN_GROUP pairs.
    """
    if test not in TESTS:
        raise InvalidInputError(f"test must be one of {', '.join(TESTS)}; got {test!r}")
    check_alternative(alternative)
    d = _sample(differences, "differences")
    n_permutations = _count(n_permutations, "n_permutations")
    if test == "sign":
        outcome = sign_test(d, alternative)
    elif test == "wilcoxon":
        outcome = wilcoxon_test(d, alternative)
    else:
        outcome = permutation_test_mean(d, alternative, n_permutations, seed)
    positive, negative = int(np.count_nonzero(d > 0)), int(np.count_nonzero(d < 0))
    untied = positive + negative
    return PairedComparison(
        test=test,
        alternative=alternative,
        n=int(d.size),
        n_positive=positive,
        n_negative=negative,
        n_ties=int(d.size) - untied,
        share_positive=positive / untied if untied else None,
        share_ci=wilson_interval(positive, untied),
        mean=float(d.mean()),
        mean_ci=bootstrap_mean_ci(d, seed=seed),
        statistic=outcome.statistic,
        p_value=outcome.p_value,
    )
