"""Bring-your-own sentence-pair benchmarks: does the model prefer the first sentence of a pair?

Each pair holds a "more" sentence (e.g. the more stereotypical one), a "less" sentence and an
optional category. Every sentence is scored once (`score_sentences`: total log-probability in
nats after the start-of-text token, or its per-token mean), the difference more - less is taken
per pair, and the audit reports:

- the share of pairs where the first sentence scores higher (ties excluded), with a 95 % Wilson
  interval: 0.5 for a model without a preference;
- the chosen paired test (sign, Wilcoxon or permutation of the mean; `genguard.fairness.paired`)
  in the chosen direction, overall and per category with Holm correction over the categories;
- a null control beside it: the same pairs with their order flipped at random (seeded), run
  through the same test. Its share should be near 0.5 and its p-value uniform; it shows what the
  test says when the "more" label carries no information about the pair.

Pairs with an empty sentence or two identical sentences are counted (`n_empty`, `n_identical`)
and not scored. Categories with fewer than MIN_GROUP scored pairs are "too small", never tested.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.paired import TESTS, PairedComparison, compare_paired
from genguard.fairness.sentence_scores import StartToken, score_sentences
from genguard.fairness.stats import MIN_GROUP, check_alternative, holm
from genguard.lm.base import LanguageModel
from genguard.types import Result

# A scorer takes a list of texts and returns one number per text, higher meaning more likely.
Scorer = Callable[[list[str]], Sequence[float]]
SCORES = ("total", "mean")


class SentencePair(Result):
    """A pair of sentences: `more` (e.g. more stereotypical) first, `less` second, a category."""

    more: str
    less: str
    category: str = ""


class PairsRow(Result):
    """The test over one set of pairs ("all", "null control" or a category).

    `result` is None (and `too_small` True) under MIN_GROUP scored pairs. `p_adjusted` is the
    Holm-adjusted p over the categories (equal to the raw p for "all" and "null control");
    `significant` is p_adjusted < alpha.
    """

    name: str
    n: int
    too_small: bool
    result: PairedComparison | None
    p_adjusted: float | None
    significant: bool


class PairsAudit(Result):
    """A pairs audit: what was scored, by what, and the tests (see the module docstring).

    `n_pairs` were given; `n_empty` had an empty sentence and `n_identical` two identical ones
    (neither scored); `n_scored` were scored. `score` is "total" (log-probability of the sentence,
    nats) or "mean" (nats per token); `start` is the start-of-text token (None for a custom scorer).
    """

    model_id: str
    score: str
    start: StartToken | None
    test: str
    alternative: str
    alpha: float
    seed: int
    n_pairs: int
    n_empty: int
    n_identical: int
    n_scored: int
    overall: PairsRow
    null_control: PairsRow
    categories: list[PairsRow]


def as_pairs(pairs: Sequence[SentencePair | Sequence[str] | dict[str, Any]]) -> list[SentencePair]:
    """`pairs` as SentencePair objects: each may be one already, a (more, less[, category])
    tuple or a {"more", "less"[, "category"]} dict. InvalidInputError naming the first bad one."""
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Sequence):
        raise InvalidInputError(f"pairs must be a list of sentence pairs, got {type(pairs).__name__}")
    out = []
    for i, pair in enumerate(pairs):
        if isinstance(pair, SentencePair):
            out.append(pair)
            continue
        if isinstance(pair, dict):
            fields = pair
        elif isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) in (2, 3):
            fields = dict(zip(("more", "less", "category"), pair, strict=False))
        else:
            raise InvalidInputError(f"pair {i} must be (more, less[, category]), got {pair!r}")
        unknown = sorted(set(map(str, fields)) - {"more", "less", "category"})
        if unknown:
            raise InvalidInputError(f"pair {i} has unknown field(s) {unknown}; use more, less, category")
        bad = [k for k in ("more", "less", "category") if k in fields and not isinstance(fields[k], str)]
        if bad or not {"more", "less"} <= set(fields):
            raise InvalidInputError(f"pair {i} needs text fields 'more' and 'less', got {pair!r}")
        out.append(SentencePair(**fields))
    return out


def _scores(model_or_scorer: LanguageModel | Scorer, texts: list[str], score: str, batch_size: int):
    """(scores as float64 array, model id, start token or None) for `texts`."""
    if isinstance(model_or_scorer, LanguageModel):
        scored = score_sentences(model_or_scorer, texts, batch_size=batch_size)
        return scored.values(score), model_or_scorer.model_id, scored.start
    if not callable(model_or_scorer):
        raise InvalidInputError(
            f"model_or_scorer must be a LanguageModel or a callable, got {type(model_or_scorer).__name__}"
        )
    values = np.asarray(model_or_scorer(texts), dtype=np.float64)
    if values.shape != (len(texts),) or not np.isfinite(values).all():
        raise InvalidInputError(
            f"the scorer must return {len(texts)} finite numbers (one per text), got shape {values.shape}"
        )
    name = getattr(model_or_scorer, "model_id", None) or getattr(
        model_or_scorer, "__name__", type(model_or_scorer).__name__
    )
    return values, str(name), None


def _row(name: str, diffs: np.ndarray, test: str, alternative: str, seed: int) -> dict[str, Any]:
    if len(diffs) < MIN_GROUP:
        return {"name": name, "n": len(diffs), "too_small": True, "result": None}
    result = compare_paired(diffs, test, alternative, seed=seed)
    return {"name": name, "n": len(diffs), "too_small": False, "result": result}


def audit_pairs(
    model_or_scorer: LanguageModel | Scorer,
    pairs: Sequence[SentencePair | Sequence[str] | dict[str, Any]],
    *,
    test: str = "sign",
    alternative: str = "two-sided",
    score: str = "total",
    alpha: float = 0.05,
    seed: int = 0,
    batch_size: int = 32,
) -> PairsAudit:
    """Score both sentences of every pair and test whether the first is preferred.

    `model_or_scorer` is a LanguageModel (scored by `score_sentences`, `score` "total" or
    "mean") or a callable texts -> one number per text (higher = more likely). `test` is "sign",
    "wilcoxon" or "permutation", `alternative` "two-sided", "greater" (the first sentence is
    preferred) or "less"; choose both before seeing the data. `seed` seeds the null control's
    flips, the bootstrap and the permutations. Returns a PairsAudit. Raises InvalidInputError for
    malformed pairs, an unknown test, alternative or score, or no pair left to score.
    """
    if test not in TESTS:
        raise InvalidInputError(f"test must be one of {', '.join(TESTS)}; got {test!r}")
    check_alternative(alternative)
    if score not in SCORES:
        raise InvalidInputError(f"score must be one of {', '.join(SCORES)}; got {score!r}")
    if not 0.0 < alpha < 1.0:
        raise InvalidInputError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    given = as_pairs(pairs)
    empty, identical, usable = [], [], []
    for p in given:
        if not p.more.strip() or not p.less.strip():
            empty.append(p)
        elif p.more.split() == p.less.split():  # differing only in spacing: the same sentence
            identical.append(p)
        else:
            usable.append(p)
    if not usable:
        raise InvalidInputError(
            f"no pair to score: {len(given)} given, {len(empty)} with an empty sentence, "
            f"{len(identical)} with identical sentences"
        )
    texts = sorted({t for p in usable for t in (p.more, p.less)})  # each sentence scored once
    values, model_id, start = _scores(model_or_scorer, texts, score, batch_size)
    lookup = dict(zip(texts, values, strict=True))
    diffs = np.array([lookup[p.more] - lookup[p.less] for p in usable])
    flips = np.random.default_rng(seed).random(len(diffs)) < 0.5
    overall = _row("all", diffs, test, alternative, seed)
    null = _row("null control", np.where(flips, -diffs, diffs), test, alternative, seed)
    for row in (overall, null):
        row["p_adjusted"] = row["result"].p_value if row["result"] else None
        row["significant"] = row["p_adjusted"] is not None and row["p_adjusted"] < alpha
    categories = sorted({p.category for p in usable})
    rows = []
    if categories != [""]:
        labels = np.array([p.category for p in usable])
        rows = [_row(c, diffs[labels == c], test, alternative, seed) for c in categories]
    tested = [r for r in rows if r["result"] is not None]
    for r, p in zip(tested, holm([r["result"].p_value for r in tested]), strict=True):
        r["p_adjusted"] = p
    for r in rows:
        r.setdefault("p_adjusted", None)
        r["significant"] = r["p_adjusted"] is not None and r["p_adjusted"] < alpha
    return PairsAudit(
        model_id=model_id,
        score=score,
        start=start,
        test=test,
        alternative=alternative,
        alpha=alpha,
        seed=seed,
        n_pairs=len(given),
        n_empty=len(empty),
        n_identical=len(identical),
        n_scored=len(usable),
        overall=PairsRow(**overall),
        null_control=PairsRow(**null),
        categories=[PairsRow(**r) for r in rows],
    )
