"""Run a focus-group study: ask every persona about every pair in both orders, collect the
free-text comments through the guard, and summarise.

    with RunStore("runs.sqlite") as store:
        result = run_study(model, store, load_study("study.yaml"))

Everything the model produces is stored as it goes (genguard.storage.runs), so calling again
with the same model, spec and store resumes and no answer is generated or scored twice; the
numbers are recomputed from the stored answers and come out identical.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.stats import wilson_interval
from genguard.fairness.tone import Comparison
from genguard.focusgroup.ask import ask, log_odds
from genguard.focusgroup.bias import BiasFigures, PairBias, position_bias
from genguard.focusgroup.comments import GuardScore, collect_comments, removal_counts
from genguard.focusgroup.groups import Preference, preferences
from genguard.focusgroup.personas import ATTRIBUTES
from genguard.focusgroup.prompts import ORDERS, item_key, survey_prompt
from genguard.focusgroup.spec import ProductPair, StudySpec
from genguard.lm.base import LanguageModel
from genguard.storage.runs import RunStore
from genguard.types import Result

# progress(task description, total units) -> advance(n), as the fairness audits take it
ProgressFactory = Callable[[str, int], Callable[[int], None]]


class Share(Result):
    """k of n with its 95 % Wilson interval (`share` None when n is 0)."""

    k: int
    n: int
    share: float | None
    ci: tuple[float, float]


def share(k: int, n: int) -> Share:
    """k of n as a Share."""
    return Share(k=k, n=n, share=k / n if n else None, ci=wilson_interval(k, n))


class GroupShare(Result):
    """A share within one demographic group (e.g. comments removed among women)."""

    attribute: str
    group: str
    value: Share


class CommentSummary(Result):
    """The free-text answers: how many, how many the guard `profile` removed (blocked) overall, by
    scorer and per group, how many it redacted, how many named neither A nor B, and a few kept ones."""

    run_id: str
    profile: str
    scorers: dict[str, str]
    n: int
    empty: Share
    removed: Share
    redacted: Share
    removed_by: dict[str, int]
    removed_per_group: list[GroupShare]
    neither: Share
    examples: list[str]


class FocusGroupResult(Result):
    """A study's result. `neither` counts questions whose most likely answer was neither " A" nor
    " B" (not guessed); `incomplete` the persona-pairs missing an answer in one or both orders
    (left out of the preferences). `position_before` / `position_after` and `per_pair_bias` are
    described in genguard.focusgroup.bias; `pairs`, `groups` and `comparisons` in .groups.
    `decided` is False (with `note`) when no pair has MIN_GROUP complete persona-pairs."""

    model_id: str
    run_id: str
    seed: int
    alpha: float
    question: str
    n_personas: int
    pair_specs: list[ProductPair]
    n_questions: int
    neither: Share
    neither_top_tokens: dict[str, int]
    incomplete: Share
    position_before: BiasFigures
    position_after: BiasFigures
    per_pair_bias: list[PairBias]
    pairs: list[Preference]
    groups: list[Preference]
    comparisons: list[Comparison]
    comments: CommentSummary | None
    decided: bool
    note: str


def _bar(progress: ProgressFactory | None, task: str, total: int) -> Callable[[int], None] | None:
    return progress(task, total) if progress else None


def run_study(
    model: LanguageModel,
    store: RunStore,
    spec: StudySpec,
    *,
    name: str = "study",
    progress: ProgressFactory | None = None,
    guard_score: GuardScore | None = None,
    n_permutations: int = 10_000,
    after_chunk: Callable[[int], None] | None = None,
) -> FocusGroupResult:
    """Ask, comment, analyse (see the module docstring). `name` names the prompt set in the store;
    `guard_score` reuses a loaded guard (built from spec.profile when None and comments are
    asked for); `after_chunk(i)` runs after each stored chunk of questions (tests kill runs there)."""
    if not spec.personas:
        raise InvalidInputError("the study has no personas")
    items = [
        (item_key(p.persona_id, pair.pair_id, order), survey_prompt(p, pair, order, spec.question))
        for p in spec.personas
        for pair in spec.pairs
        for order in ORDERS
    ]
    run, answers = ask(
        model,
        store,
        f"focusgroup:{name}",
        items,
        spec.seed,
        chunk_size=spec.chunk_size,
        progress=_bar(progress, "focus group: questions", len(items)),
        after_chunk=after_chunk,
    )
    lo = log_odds(answers).reshape(len(spec.personas), len(spec.pairs), len(ORDERS))
    logodds = {pair.pair_id: (lo[:, j, 0], lo[:, j, 1]) for j, pair in enumerate(spec.pairs)}
    ids = [p.persona_id for p in spec.personas]
    before, after, per_pair = position_bias(logodds, ids, spec.seed)
    corrected = {pid: (l0 - l1) / 2 for pid, (l0, l1) in logodds.items()}
    overall, groups, comparisons = preferences(
        spec.pairs, spec.personas, corrected, spec.alpha, spec.seed, n_permutations
    )
    neither = [a for a in answers if a.finish_reason != "answer"]
    tops: dict[str, int] = {}
    for a in neither:
        tops[a.completion] = tops.get(a.completion, 0) + 1
    n_incomplete = int(np.count_nonzero(np.isnan(lo).any(axis=2)))
    comments = None
    if spec.comments.samples:
        scorer = guard_score or GuardScore(spec.profile)
        comments = _comments(model, store, spec, name, scorer, progress)
    decided = any(not p.too_small for p in overall)
    note = (
        ""
        if decided
        else (
            f"cannot decide: no pair has enough personas answering A or B in both orders "
            f"({len(neither)} of {len(answers)} answers were neither)"
        )
    )
    return FocusGroupResult(
        model_id=model.model_id,
        run_id=run.run_id,
        seed=spec.seed,
        alpha=spec.alpha,
        question=spec.question,
        n_personas=len(spec.personas),
        pair_specs=spec.pairs,
        n_questions=len(answers),
        neither=share(len(neither), len(answers)),
        neither_top_tokens=dict(sorted(tops.items(), key=lambda kv: -kv[1])[:10]),
        incomplete=share(n_incomplete, len(spec.personas) * len(spec.pairs)),
        position_before=before,
        position_after=after,
        per_pair_bias=per_pair,
        pairs=overall,
        groups=groups,
        comparisons=comparisons,
        comments=comments,
        decided=decided,
        note=note,
    )


def _comments(
    model: LanguageModel,
    store: RunStore,
    spec: StudySpec,
    name: str,
    scorer: GuardScore,
    progress: ProgressFactory | None,
) -> CommentSummary:
    total = len(spec.personas) * spec.comments.samples
    run_id, rows = collect_comments(
        model,
        store,
        spec,
        f"focusgroup:{name}",
        scorer,
        progress=_bar(progress, "focus group: comments", total),
    )
    samples = [s for *_, s in rows]
    personas = {p.persona_id: p for p in spec.personas}
    per_group = []
    for attribute in ATTRIBUTES:
        labels = [personas[pid].group(attribute) for pid, *_ in rows]
        for group in sorted(set(labels)):
            mine = [s for s, g in zip(samples, labels, strict=True) if g == group]
            per_group.append(
                GroupShare(
                    attribute=attribute,
                    group=group,
                    value=share(sum(int(s.scores["removed"]) for s in mine), len(mine)),
                )
            )
    kept = [s.completion.strip() for s in samples if not s.scores["removed"] and s.completion.strip()]
    n = len(samples)
    return CommentSummary(
        run_id=run_id,
        profile=spec.profile,
        scorers=scorer.model_ids,
        n=n,
        empty=share(sum(not s.completion.strip() for s in samples), n),
        removed=share(sum(int(s.scores["removed"]) for s in samples), n),
        redacted=share(sum(int(s.scores["redacted"]) for s in samples), n),
        removed_by=removal_counts(samples),
        removed_per_group=per_group,
        neither=share(sum(s.scores["choice"] == 0 for s in samples), n),
        examples=kept[:5],
    )
