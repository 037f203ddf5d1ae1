"""Statistics for the fairness audits: known answers, calibration under the null, power, bad input.

Calibration tests run a few hundred seeded repeats with 999 permutations; their bounds are binomial
tolerances around the nominal rate (about 3 standard errors), so a biased test fails them.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from genguard.errors import InvalidInputError
from genguard.fairness.stats import (
    PairedTest,
    bootstrap_mean_ci,
    cohens_d,
    holm,
    paired_test,
    permutation_test,
)

ALPHA = 0.05


# ---- known answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("c", [0.1, -3.7, 0.0, 1e6])
def test_bootstrap_ci_of_a_constant_is_the_constant(c: float) -> None:
    assert bootstrap_mean_ci([c] * 37) == (c, c)
    assert bootstrap_mean_ci([c]) == (c, c)


def test_bootstrap_ci_brackets_the_mean_and_narrows_with_n() -> None:
    rng = np.random.default_rng(1)
    small = rng.normal(2.0, 1.0, 25)
    large = rng.normal(2.0, 1.0, 2500)
    lo_s, hi_s = bootstrap_mean_ci(small)
    lo_l, hi_l = bootstrap_mean_ci(large)
    assert lo_s < small.mean() < hi_s
    assert lo_l < large.mean() < hi_l
    # Width of a 95 % interval is about 2 * 1.96 * sd / sqrt(n).
    assert hi_l - lo_l == pytest.approx(2 * 1.96 * large.std(ddof=1) / 50, rel=0.1)
    assert hi_l - lo_l < (hi_s - lo_s) / 5


def test_bootstrap_is_reproducible_and_blocks_do_not_change_the_answer(monkeypatch) -> None:
    from genguard.fairness import stats as mod

    x = np.random.default_rng(2).exponential(size=400)
    assert bootstrap_mean_ci(x, seed=5) == bootstrap_mean_ci(x, seed=5)
    one_block = bootstrap_mean_ci(x, seed=5)
    monkeypatch.setattr(mod, "_BLOCK_BYTES", 400 * 16 * 7)  # 7 resamples per block
    assert bootstrap_mean_ci(x, seed=5) == one_block


def test_permutation_test_agrees_with_scipy_exact() -> None:
    a = [2.1, 3.4, 1.9, 5.0, 4.2]
    b = [4.8, 6.1, 3.9, 5.5, 7.2, 6.0]

    def abs_diff(x, y, axis):
        return np.abs(np.mean(x, axis=axis) - np.mean(y, axis=axis))

    # 462 distinct relabellings: scipy enumerates them all.
    exact = stats.permutation_test(
        (a, b), abs_diff, permutation_type="independent", alternative="greater", n_resamples=10_000
    ).pvalue
    ours = permutation_test(a, b, n_permutations=20_000, seed=3)
    se = math.sqrt(exact * (1 - exact) / 20_000)
    assert 0.005 < exact < 0.1  # an example where the answer is informative
    assert abs(ours - exact) < 4 * se + 1e-4


def test_permutation_test_counts_ties_on_discrete_data() -> None:
    # Scores on a 0.1 grid: many relabellings tie with the observed difference, and float sums
    # in another order land a few ulps either side of it. Exact answer in integer tenths.
    a, b = [0.1, 0.2, 0.3, 0.1, 0.7], [0.3, 0.6, 0.2, 0.7, 0.6]
    tenths = np.array([1, 2, 3, 1, 7, 3, 6, 2, 7, 6])
    observed = abs(tenths[:5].sum() - tenths[5:].sum())
    splits = [np.isin(np.arange(10), c) for c in itertools.combinations(range(10), 5)]
    exact = np.mean([abs(tenths[m].sum() - tenths[~m].sum()) >= observed for m in splits])
    ours = permutation_test(a, b, n_permutations=20_000, seed=1)
    assert abs(ours - exact) < 4 * math.sqrt(exact * (1 - exact) / 20_000) + 1e-4
    # Equal means: every relabelling is at least as extreme as observed, so p must be 1.
    assert permutation_test([0.1, 0.2, 0.3], [0.3, 0.1, 0.2], n_permutations=500) == 1.0


def test_permutation_p_is_never_zero() -> None:
    p = permutation_test(np.arange(30.0), np.arange(30.0) + 1000, n_permutations=999)
    assert p == pytest.approx(1 / 1000)


def test_paired_sign_flip_agrees_with_exact_enumeration() -> None:
    d = np.array([0.8, 1.3, -0.4, 0.9, 2.1, -0.2, 0.6, 1.1, -0.9, 0.5])
    signs = np.array(list(itertools.product([-1.0, 1.0], repeat=10)))
    sums = np.abs(signs @ d)
    exact = np.mean(sums >= abs(d.sum()) - 1e-12)
    res = paired_test(d, n_permutations=20_000, seed=4)
    se = math.sqrt(exact * (1 - exact) / 20_000)
    assert 0.005 < exact < 0.2
    assert abs(res.p_value - exact) < 4 * se + 1e-4
    assert res.wilcoxon_p == pytest.approx(stats.wilcoxon(d).pvalue)
    assert res.n == 10
    assert res.mean == pytest.approx(d.mean())
    assert res.share_positive == pytest.approx(0.7)
    assert res.ci[0] < d.mean() < res.ci[1]


def test_paired_sign_flip_counts_ties_on_discrete_data() -> None:
    d = np.array([0.1] * 7 + [-0.1] * 3)
    # |sum of 10 random signs| >= 4 happens for 3 or fewer / 7 or more positives: 352 of 1024.
    exact = 352 / 1024
    res = paired_test(d, n_permutations=20_000, seed=1)
    assert abs(res.p_value - exact) < 4 * math.sqrt(exact * (1 - exact) / 20_000) + 1e-4


def test_paired_all_zero_differences() -> None:
    res = paired_test([0.0] * 12)
    assert res.p_value == 1.0
    assert res.wilcoxon_p is None
    assert res.ci == (0.0, 0.0)
    assert res.share_positive == 0.0


def test_paired_single_difference_and_json_round_trip() -> None:
    res = paired_test([0.4], n_permutations=99)
    assert res.n == 1 and res.wilcoxon_p is None and res.ci == (0.4, 0.4)
    assert res.p_value == 1.0  # flipping one sign never makes |sum| smaller
    assert PairedTest.model_validate_json(res.model_dump_json()) == res


def test_holm_hand_worked_example() -> None:
    # Sorted: 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> raised to 0.06 for monotonicity.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9, 0.2]) == pytest.approx([1.0, 1.0, 0.6])
    assert holm([0.3]) == pytest.approx([0.3])
    assert holm([]) == []


def test_holm_is_monotone_capped_and_never_below_raw() -> None:
    p = np.random.default_rng(6).uniform(0, 0.3, 40)
    adj = np.array(holm(p))
    order = np.argsort(p)
    assert np.all(np.diff(adj[order]) >= 0)
    assert np.all(adj >= p) and np.all(adj <= 1.0)
    assert adj.max() == 1.0  # 40 * 0.3 > 1: some values hit the cap


def test_cohens_d() -> None:
    a, b = [1.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 6.0]
    # Both sds are sqrt(5/3); means differ by -2.
    assert cohens_d(a, b) == pytest.approx(-2 / math.sqrt(5 / 3))
    assert cohens_d(b, a) == pytest.approx(2 / math.sqrt(5 / 3))
    assert cohens_d([0.1] * 5, [0.1] * 3) == 0.0
    assert cohens_d([1.0, 1.0], [2.0, 2.0]) == -math.inf


# ---- calibration -----------------------------------------------------------------------------


def test_bootstrap_coverage_on_normal_samples() -> None:
    rng = np.random.default_rng(10)
    hits = 0
    for i in range(300):
        lo, hi = bootstrap_mean_ci(rng.normal(1.0, 2.0, 50), n_resamples=1000, seed=i)
        hits += lo <= 1.0 <= hi
    assert 0.90 <= hits / 300 <= 0.98


def test_permutation_false_alarm_rate() -> None:
    rng = np.random.default_rng(11)
    p = [permutation_test(rng.normal(size=30), rng.normal(size=30), 999, seed=i) for i in range(300)]
    rate = np.mean(np.array(p) < ALPHA)
    assert 0.02 <= rate <= 0.09
    # Under the null p is roughly uniform, not just right at 0.05.
    assert 0.4 <= np.mean(p) <= 0.6


def test_paired_false_alarm_rate() -> None:
    rng = np.random.default_rng(12)
    p = [paired_test(rng.laplace(size=30), 999, seed=i).p_value for i in range(300)]
    rate = np.mean(np.array(p) < ALPHA)
    assert 0.02 <= rate <= 0.09
    assert 0.4 <= np.mean(p) <= 0.6


def test_holm_controls_family_wise_false_alarms() -> None:
    rng = np.random.default_rng(13)
    any_raw = any_holm = 0
    repeats = 300
    for r in range(repeats):
        groups = rng.normal(size=(4, 20))
        p = [
            permutation_test(groups[i], groups[j], 999, seed=r * 10 + k)
            for k, (i, j) in enumerate(itertools.combinations(range(4), 2))
        ]
        any_raw += min(p) < ALPHA
        any_holm += min(holm(p)) < ALPHA
    assert any_holm / repeats <= 0.07
    assert any_raw / repeats >= 0.09  # uncorrected, 6 tests inflate it: the correction matters


# ---- power -----------------------------------------------------------------------------------


def test_permutation_power_half_sd_n100() -> None:
    rng = np.random.default_rng(20)
    p = [permutation_test(rng.normal(size=100), rng.normal(0.5, 1.0, 100), 999, seed=i) for i in range(100)]
    assert np.mean(np.array(p) < ALPHA) >= 0.90


def test_paired_power_half_sd_n50() -> None:
    rng = np.random.default_rng(21)
    p = [paired_test(rng.normal(0.5, 1.0, 50), 999, seed=i).p_value for i in range(100)]
    assert np.mean(np.array(p) < ALPHA) >= 0.90  # a t-test's power here is 0.93


# ---- bad input -------------------------------------------------------------------------------


BAD = [
    pytest.param([], id="empty"),
    pytest.param([1.0, float("nan")], id="nan"),
    pytest.param([1.0, float("inf")], id="inf"),
    pytest.param([[1.0, 2.0], [3.0, 4.0]], id="2d"),
    pytest.param(["a", "b"], id="strings"),
    pytest.param("123", id="one-string"),
    pytest.param([1.0, None], id="none"),
    pytest.param([[1.0], [2.0, 3.0]], id="ragged"),
]


@pytest.mark.parametrize("bad", BAD)
def test_bad_input_is_a_typed_error(bad) -> None:
    good = [1.0, 2.0, 3.0]
    for call in (
        lambda: bootstrap_mean_ci(bad),
        lambda: permutation_test(bad, good),
        lambda: permutation_test(good, bad),
        lambda: paired_test(bad),
        lambda: cohens_d(bad, good),
    ):
        with pytest.raises(InvalidInputError):
            call()
    if bad != []:
        with pytest.raises(InvalidInputError):
            holm(bad)


@pytest.mark.parametrize(
    "call",
    [
        lambda: bootstrap_mean_ci([1.0, 2.0], level=1.0),
        lambda: bootstrap_mean_ci([1.0, 2.0], level=0.0),
        lambda: bootstrap_mean_ci([1.0, 2.0], level=float("nan")),
        lambda: bootstrap_mean_ci([1.0, 2.0], n_resamples=0),
        lambda: permutation_test([1.0], [2.0], n_permutations=0),
        lambda: paired_test([1.0, 2.0], n_permutations=-5),
        lambda: holm([0.2, 1.5]),
        lambda: holm([-0.1]),
    ],
)
def test_bad_parameters_are_a_typed_error(call) -> None:
    with pytest.raises(InvalidInputError):
        call()


def test_large_input_stays_in_bounded_memory() -> None:
    import tracemalloc

    x = np.random.default_rng(30).normal(size=100_000)
    tracemalloc.start()
    bootstrap_mean_ci(x, n_resamples=50)
    permutation_test(x[:50_000], x[50_000:], n_permutations=20)
    paired_test(x, n_permutations=50)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 60e6
