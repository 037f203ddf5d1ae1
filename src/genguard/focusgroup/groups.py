"""Product preferences per pair and per demographic group, from order-corrected answers.

A persona's preference for a pair's first product is d = (l0 - l1) / 2 (nats, see `bias`),
shown as P(first) = 1 / (1 + exp(-2 d)): the probability the model gives the first product when
the position pull is taken out (the mean of the two orders' log-odds, back on the probability
scale). Only persona-pairs answered in both orders count; the others are counted in the result.

- Per pair, over all personas: the share preferring the first product (d > 0, Wilson interval)
  and the mean P(first) (bootstrap interval); an exact two-sided sign test of "no preference"
  (genguard.fairness.paired), Holm-corrected over the pairs.
- Per attribute (age band, gender, occupation, location) and group: the same figures; between
  every two groups of an attribute, the difference in mean P(first) with a permutation test,
  all comparisons of the study Holm-corrected as one family (genguard.fairness.tone's
  `compare_groups`, which the tone audit uses), so any false alarm has chance <= alpha.
Groups with fewer than MIN_GROUP personas are reported as too small and not compared.
"""

from __future__ import annotations

import numpy as np

from genguard.fairness.paired import compare_paired
from genguard.fairness.stats import MIN_GROUP, bootstrap_mean_ci, holm, wilson_interval
from genguard.fairness.tone import Comparison, compare_groups
from genguard.focusgroup.personas import ATTRIBUTES, Persona
from genguard.focusgroup.spec import ProductPair
from genguard.types import Result


class Preference(Result):
    """Preference for `first` over `second` in one set of personas (all of them, or one group).

    `n` persona-pairs answered in both orders; `share_first` of them with d > 0 (95 % Wilson
    interval); `mean_p_first` the mean order-corrected P(first) with its 95 % bootstrap interval;
    `p_value` the two-sided exact sign test of d, `p_adjusted` Holm over the family it belongs
    to. Figures are None when `too_small` (n < MIN_GROUP).
    """

    pair_id: str
    first: str
    second: str
    attribute: str = "all"
    group: str = "all"
    n: int
    too_small: bool
    share_first: float | None
    share_first_ci: tuple[float, float]
    mean_p_first: float | None
    mean_p_first_ci: tuple[float, float] | None
    p_value: float | None
    p_adjusted: float | None = None
    significant: bool = False


def p_first(d: np.ndarray) -> np.ndarray:
    """Order-corrected P(first) from corrected log-odds d (nats): sigmoid(2 d)."""
    return 1.0 / (1.0 + np.exp(-2.0 * d))


def preference(
    pair: ProductPair, d: np.ndarray, attribute: str = "all", group: str = "all", seed: int = 0
) -> Preference:
    """Figures for one set of corrected log-odds `d` (NaN entries dropped)."""
    d = d[~np.isnan(d)]
    k = int(np.count_nonzero(d > 0))
    small = d.size < MIN_GROUP
    probs = p_first(d)
    return Preference(
        pair_id=pair.pair_id,
        first=pair.first,
        second=pair.second,
        attribute=attribute,
        group=group,
        n=int(d.size),
        too_small=small,
        share_first=None if small else k / d.size,
        share_first_ci=wilson_interval(k, int(d.size)),
        mean_p_first=None if small else float(probs.mean()),
        mean_p_first_ci=None if small else bootstrap_mean_ci(probs, seed=seed),
        p_value=None if small else compare_paired(d, "sign").p_value,
    )


def _holm(prefs: list[Preference], alpha: float) -> list[Preference]:
    tested = [i for i, p in enumerate(prefs) if p.p_value is not None]
    adjusted = holm([prefs[i].p_value for i in tested])
    out = list(prefs)
    for i, padj in zip(tested, adjusted, strict=True):
        out[i] = prefs[i].model_copy(update={"p_adjusted": padj, "significant": padj < alpha})
    return out


def preferences(
    pairs: list[ProductPair],
    personas: list[Persona],
    corrected: dict[str, np.ndarray],
    alpha: float = 0.05,
    seed: int = 0,
    n_permutations: int = 10_000,
) -> tuple[list[Preference], list[Preference], list[Comparison]]:
    """(per pair over all personas, per attribute group and pair, pairwise group comparisons).

    `corrected[pair_id]` holds d per persona (aligned with `personas`, NaN when not answered in
    both orders). Comparisons are tone's `Comparison` with domain = attribute and metric = pair
    id; their `difference` is mean P(first) of group_a minus group_b."""
    overall = _holm([preference(p, corrected[p.pair_id], seed=seed) for p in pairs], alpha)
    per_group: list[Preference] = []
    values: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for attribute in ATTRIBUTES:
        labels = np.array([p.group(attribute) for p in personas])
        for group in sorted(set(labels)):
            mask = labels == group
            for pair in pairs:
                d = corrected[pair.pair_id][mask]
                per_group.append(preference(pair, d, attribute, group, seed))
                values.setdefault((attribute, group), {})[pair.pair_id] = p_first(d[~np.isnan(d)])
    per_group = _holm(per_group, alpha)
    # compare_groups judges a group by its smallest metric, so a pair with few answers in a
    # group keeps that group out of every comparison; compare each pair on its own instead.
    comparisons: list[Comparison] = []
    raw: list[Comparison] = []
    for pair in pairs:
        sub = {cell: {pair.pair_id: v[pair.pair_id]} for cell, v in values.items()}
        raw += compare_groups(sub, alpha=alpha, seed=seed, n_permutations=n_permutations)[1]
    adjusted = holm([c.p_value for c in raw])
    for c, padj in zip(raw, adjusted, strict=True):
        comparisons.append(c.model_copy(update={"p_adjusted": padj, "significant": padj < alpha}))
    return overall, per_group, comparisons
