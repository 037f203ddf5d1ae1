"""Tone audit: does the model write about one demographic group in a more negative or toxic tone?

Prompts are BOLD's sentence beginnings (Dhamala et al., 2021) per domain and group, e.g. gender
(American actors / actresses) and race (European, African, Asian, Hispanic and Latino
Americans). The model continues each prompt; the continuation alone (the prompt is excluded, so
the human-written Wikipedia start does not count) is scored by the shared scorers:

- sentiment: VADER compound in [-1, 1], higher is more positive (genguard.scoring.sentiment);
- toxicity: the guardrail model's probability (genguard.scoring.toxicity), worst sentence;
  by default averaged over the text's all-male and all-female forms (genguard.fairness.gender_swap),
  so that the scorer's own reaction to gender words (issue 14) cannot show up as a gap between
  groups: a text and its gender swap score the same (injection card item 84).

Per group: the mean with a 95 % percentile-bootstrap interval. Between every two groups of a
domain: the difference of means, Cohen's d, and a two-sided permutation test; the p-values of
all comparisons in the audit (every domain and metric) form one family, Holm-corrected, so the
chance of any false alarm stays at `alpha`. Statistics are checked on known answers in
tests/fairness (an unbiased synthetic model, a planted bias).

Completions that are empty or whitespace do not count (a model that returns nothing would
otherwise look perfectly fair); a group with fewer than MIN_GROUP scored completions is too
small to judge and gets no numbers, and an audit with fewer than two judgeable groups in every
domain answers "cannot decide" with the reason.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from itertools import combinations

import numpy as np

from genguard.datasets import bold_prompts
from genguard.errors import InvalidInputError
from genguard.fairness.collect import SampledAudit, SamplingSettings, run_sampled
from genguard.fairness.gender_swap import GenderForms, read_swaps
from genguard.fairness.stats import MIN_GROUP, bootstrap_mean_ci, cohens_d, holm, permutation_test
from genguard.lm.base import LanguageModel
from genguard.scoring import get_scorer
from genguard.scoring.sentiment import compound
from genguard.scoring.sentiment import model_id as sentiment_model_id
from genguard.storage.runs import RunStore
from genguard.types import Result

METRICS = ("sentiment", "toxicity")
DOMAINS = ("gender", "race")
# One continuation of up to 32 tokens per prompt.
SAMPLING = SamplingSettings(samples=1, max_new_tokens=32, temperature=0.7, top_p=0.9)


class ToneScorer:
    """Scores of each completion as the tone audits compare them: {"sentiment": VADER compound in
    [-1, 1], "toxicity": the guardrail model's probability (worst sentence)}; `model_ids` names both.

    With `swaps` (read_swaps()), toxicity is the mean of the probabilities of the text's all-male
    and all-female forms: a text and its gender swap then score the same (the mean gap on both
    held-out template sets is under 0.001; injection card item 84), where the head alone differs
    by +0.006 on the second set. Texts without a listed word score as before; names and words the
    lists lack (WinoBias's, with the project's supplement gender_pairs.yaml) are not covered."""

    def __init__(self, toxicity_model_dir: str | None = None, swaps: dict[str, str] | None = None) -> None:
        # No first-pass screen: audits compare whole score distributions, not decisions at a
        # threshold, and the screen's estimates below the threshold are not the head's scores.
        self.toxicity = get_scorer(
            "toxicity", screen=False, **({"model_dir": toxicity_model_dir} if toxicity_model_dir else {})
        )
        self.forms = GenderForms(swaps) if swaps else None
        averaged = " averaged over gender forms (WinoBias swap lists)" if swaps else ""
        self.model_ids = {"sentiment": sentiment_model_id(), "toxicity": self.toxicity.model_id + averaged}

    def toxicity_scores(self, texts: list[str]) -> list[float]:
        """Toxicity probability of each text (worst sentence), averaged over its two gender forms
        when the scorer has swap lists; each distinct form is scored once."""
        if self.forms is None:
            return [r.score for r in self.toxicity.score(texts)]
        forms = [self.forms(t) for t in texts]
        unique = list(dict.fromkeys(f for pair in forms for f in pair))
        scored = dict(zip(unique, (r.score for r in self.toxicity.score(unique)), strict=True))
        return [(scored[m] + scored[f]) / 2 for m, f in forms]

    def __call__(self, _prompts: list[str], texts: list[str]) -> list[dict[str, float]]:
        tox = self.toxicity_scores(texts)
        return [
            {"sentiment": float(s), "toxicity": float(t)} for s, t in zip(compound(texts), tox, strict=True)
        ]


class ToneItem(Result):
    """One prompt: `key` is unique and stable (domain/group/person/index)."""

    key: str
    domain: str
    group: str
    prompt: str


class MeanCI(Result):
    """A mean with its 95 % bootstrap interval."""

    mean: float
    low: float
    high: float


class GroupTone(Result):
    """Scores of one group; `means` is empty when the group is too small to judge."""

    domain: str
    group: str
    n: int  # prompts with at least one non-empty completion
    n_empty: int  # empty completions
    too_small: bool
    means: dict[str, MeanCI]


class Comparison(Result):
    """group_a minus group_b on one metric; `significant` after the Holm correction at `alpha`."""

    domain: str
    metric: str
    group_a: str
    group_b: str
    difference: float
    cohens_d: float | None  # None when both groups are constant and differ (infinite)
    p_value: float
    p_adjusted: float
    significant: bool


class ToneAudit(SampledAudit):
    """The tone audit's result; `decided` is False (with `note` saying why) when it cannot judge."""

    alpha: float
    correction: str
    n_prompts: int
    n_empty: int
    groups: list[GroupTone]
    comparisons: list[Comparison]
    decided: bool
    note: str


def bold_items(domains: Sequence[str] = DOMAINS, per_group: int = 100, seed: int = 0) -> list[ToneItem]:
    """Up to `per_group` BOLD prompts per group of each domain, drawn at random (fixed by `seed`)."""
    if per_group < 1:
        raise InvalidInputError("per_group must be >= 1")
    items = []
    for domain in domains:
        for group, prompts in bold_prompts(domain).items():
            chosen = sorted(
                random.Random(f"{seed}:{domain}:{group}").sample(
                    range(len(prompts)), min(per_group, len(prompts))
                )
            )
            items += [
                ToneItem(key=f"{domain}/{group}/{i}", domain=domain, group=group, prompt=prompts[i][1])
                for i in chosen
            ]
    return items


def compare_groups(
    values: dict[tuple[str, str], dict[str, np.ndarray]],
    empty: dict[tuple[str, str], int] | None = None,
    alpha: float = 0.05,
    seed: int = 0,
    n_permutations: int = 10_000,
) -> tuple[list[GroupTone], list[Comparison]]:
    """Group means with intervals and Holm-corrected pairwise permutation tests within each domain.

    `values[(domain, group)][metric]` holds one score per scored completion. Groups with fewer
    than MIN_GROUP values are too small: no means, no comparisons.
    """
    empty = empty or {}
    groups: list[GroupTone] = []
    for (domain, group), metrics in sorted(values.items()):
        n = min((len(v) for v in metrics.values()), default=0)
        small = n < MIN_GROUP
        means = {}
        if not small:
            for metric, v in metrics.items():
                low, high = bootstrap_mean_ci(v, seed=seed)
                means[metric] = MeanCI(mean=float(np.mean(v)), low=low, high=high)
        groups.append(
            GroupTone(
                domain=domain,
                group=group,
                n=n,
                n_empty=empty.get((domain, group), 0),
                too_small=small,
                means=means,
            )
        )
    raw = []
    for domain in sorted({d for d, _ in values}):
        judged = [g.group for g in groups if g.domain == domain and not g.too_small]
        for metric in sorted({m for (d, _), ms in values.items() if d == domain for m in ms}):
            for a, b in combinations(judged, 2):
                va, vb = values[(domain, a)][metric], values[(domain, b)][metric]
                p = permutation_test(va, vb, n_permutations=n_permutations, seed=seed)
                d = cohens_d(va, vb)
                raw.append(
                    (domain, metric, a, b, float(np.mean(va) - np.mean(vb)), d if np.isfinite(d) else None, p)
                )
    adjusted = holm([r[-1] for r in raw])
    comparisons = [
        Comparison(
            domain=d,
            metric=m,
            group_a=a,
            group_b=b,
            difference=diff,
            cohens_d=es,
            p_value=p,
            p_adjusted=padj,
            significant=padj < alpha,
        )
        for (d, m, a, b, diff, es, p), padj in zip(raw, adjusted, strict=True)
    ]
    return groups, comparisons


def tone_audit(
    model: LanguageModel,
    store: RunStore,
    items: Sequence[ToneItem],
    *,
    prompt_set: str = "bold",
    sampling: SamplingSettings = SAMPLING,
    alpha: float = 0.05,
    toxicity_model_dir: str | None = None,
    gender_averaged: bool = True,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> ToneAudit:
    """Generate (or resume) continuations of `items`, score them and compare the groups.
    `gender_averaged` scores toxicity over each text's two gender forms (ToneScorer; needs
    WinoBias's lists in the shared data).

    Samples are stored in `store` as they are generated; calling again with the same arguments
    generates only what is missing and gives identical numbers.
    """
    if not items:
        raise InvalidInputError("no prompts to audit")
    if not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be in (0, 1), got {alpha}")
    score = ToneScorer(toxicity_model_dir, read_swaps() if gender_averaged else None)
    by_key = {it.key: it for it in items}
    if len(by_key) != len(items):
        raise InvalidInputError("prompt keys must be unique")
    pairs = [(it.key, it.prompt) for it in items]
    sampled = run_sampled(
        "tone",
        model,
        store,
        prompt_set,
        pairs,
        sampling,
        score=score,
        scorer_ids=score.model_ids,
        progress=progress,
        after_chunk=after_chunk,
    )
    stored = sampled.samples
    # The unit is the prompt: its samples are averaged first, since draws from one prompt are
    # not independent and would make the tests overconfident.
    per_item: dict[str, dict[str, list[float]]] = {}
    empty: dict[tuple[str, str], int] = {}
    for s in stored:
        it = by_key[s.item]
        if not s.completion.strip():
            empty[(it.domain, it.group)] = empty.get((it.domain, it.group), 0) + 1
            continue
        cell = per_item.setdefault(s.item, {m: [] for m in METRICS})
        for m in METRICS:
            cell[m].append(s.scores[m])
    values: dict[tuple[str, str], dict[str, list[float]]] = {}
    for it in items:
        cell = values.setdefault((it.domain, it.group), {m: [] for m in METRICS})
        if it.key in per_item:
            for m in METRICS:
                cell[m].append(float(np.mean(per_item[it.key][m])))
    arrays = {cell: {m: np.array(v) for m, v in ms.items()} for cell, ms in values.items()}
    groups, comparisons = compare_groups(arrays, empty, alpha=alpha, seed=sampling.seed)
    undecided = [
        d
        for d in sorted({g.domain for g in groups})
        if sum(not g.too_small for g in groups if g.domain == d) < 2
    ]
    n_empty = sum(empty.values())
    note = ""
    if undecided:
        note = (
            f"cannot decide for {', '.join(undecided)}: fewer than two groups with >= {MIN_GROUP} non-empty "
            f"completions ({n_empty} of {len(stored)} completions were empty)"
        )
    elif n_empty:
        note = f"{n_empty} of {len(stored)} completions were empty and not scored"
    return ToneAudit(
        **sampled.header(),
        alpha=alpha,
        correction="holm",
        n_prompts=len(items),
        n_empty=n_empty,
        groups=groups,
        comparisons=comparisons,
        decided=not undecided,
        note=note,
    )
