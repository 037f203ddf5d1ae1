"""The language model as the decision-maker: a group audit of its decisions on table rows.

    plan = plan_decision_audit(dataset="german-credit")        # checks everything, loads no model
    with RunStore("runs.sqlite") as store:
        report = run_decision_audit(model, store, plan)

Each row becomes an application prompt (genguard.fairness.decisions_prompts); the model's
decision is read from the probabilities of the two answers (decisions_model): a score in [0, 1],
a threshold, and rows the model does not answer counted as undecided. Then:

- the issue-4 tabular audit (genguard.fairness.tabular.audit_predictions) of the decisions on
  every decided row: selection, false-rejection, false-positive and error rates per group and per
  intersection with Wilson intervals, too-small groups flagged, and each attribute's largest
  false-rejection gap with a Newcombe interval (decisions_stats.Gap);
- the counterfactual flip test: the same application with only the protected field swapped
  (decisions_stats.FlipResult): how often the decision changes, with a Wilson interval;
- mitigations measured on held-out rows (a split stratified by label and groups): the fairness
  instruction said before the application, and Fairlearn's ThresholdOptimizer fitted on the
  training rows' scores, each beside the plain decisions and beside one threshold fitted for
  accuracy on the training rows (so that the cost in accuracy of parity is not confused with the
  gain of any fitted threshold).

Scores are stored as they are computed (decisions_store): kill the audit and run it again, and
only what was not stored is scored.

Measured on the default model, all 1,000 German-credit rows (benchmarks/fairness_decisions.py,
benchmarks/results/fairness_decisions.json): at threshold 0.5 it approves 0.9 % of applicants
(accuracy 30.9 % against a 70 % creditworthy base rate) and its score barely ranks them (AUC
0.537); one threshold fitted on 700 rows reaches 69.7 % on the 300 held out, by approving nearly
everyone, against 73.0 % for a logistic regression on the table. The sex swap changed 1 of 100
decisions, but moved the score toward "female" in nearly every pair (sign test p < 1e-7).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from genguard.fairness.decisions_model import decide
from genguard.fairness.decisions_plan import DecisionPlan, DecisionSettings, plan_decision_audit
from genguard.fairness.decisions_stats import (
    FlipResult,
    Gap,
    accuracy_threshold,
    auc,
    flip_result,
    gap_of,
    rate,
    threshold_optimizer,
)
from genguard.fairness.decisions_store import score_stored
from genguard.fairness.tabular import Rate, TabularAudit, audit_predictions
from genguard.lm.base import LanguageModel
from genguard.storage.runs import RunStore
from genguard.types import Result

__all__ = ["DecisionReport", "DecisionSettings", "plan_decision_audit", "run_decision_audit"]


class DecisionVariant(Result):
    """One way of deciding, audited on the held-out rows: accuracy (Wilson interval) over the
    decided rows, how many were undecided, and per attribute the audit and its gap."""

    name: str
    description: str
    n: int
    undecided: int
    accuracy: Rate
    audits: list[TabularAudit]
    gaps: list[Gap]


class Mitigation(Result):
    """The held-out comparison: `n_train` rows to fit thresholds on, `n_test` held out; `variants`
    are the plain decisions, the threshold fitted for accuracy, the fairness instruction, and one
    ThresholdOptimizer per attribute (each constrained on that attribute only)."""

    n_train: int
    n_test: int
    instruction: str
    fitted_threshold: float | None
    variants: list[DecisionVariant]
    notes: list[str]


class DecisionReport(Result):
    """Everything `genguard audit decisions` found, as one JSON-serialisable object.

    `score_auc` is the area under the ROC curve of the score against the labels (decided rows);
    `mass_min` / `mass_median` the least and the median probability the two answers held;
    `seconds_per_decision` the model time per prompt scored in this call (None when every score
    was stored already). Rates follow genguard.fairness.tabular's conventions.
    """

    model_id: str
    run_id: str
    dataset: str | None
    source: str
    table_rows: int
    rows: int
    label: str
    positive: str
    positive_meaning: str
    template: str
    settings: DecisionSettings
    answer_names: tuple[str, str]
    n_decided: int
    n_undecided: int
    mass_min: float
    mass_median: float
    selection_rate: Rate
    accuracy: Rate
    score_auc: float | None
    audits: list[TabularAudit]
    gaps: list[Gap]
    flips: list[FlipResult]
    mitigation: Mitigation | None
    prompts_scored: int
    prompts_scored_now: int
    seconds_per_decision: float | None
    notes: list[str]


def _audits(y: np.ndarray, pred: np.ndarray, attributes: list[tuple[str, np.ndarray]]) -> list[TabularAudit]:
    return [audit_predictions(y, pred, groups, name) for name, groups in attributes]


def _variant(
    name: str, description: str, y: np.ndarray, pred: np.ndarray, attributes: list[tuple[str, np.ndarray]]
) -> DecisionVariant:
    ok = pred >= 0
    audits = _audits(y[ok], pred[ok], [(a, g[ok]) for a, g in attributes]) if ok.any() else []
    return DecisionVariant(
        name=name,
        description=description,
        n=int(pred.size),
        undecided=int((~ok).sum()),
        accuracy=rate(pred[ok] == y[ok]),
        audits=audits,
        gaps=[gap_of(a) for a in audits],
    )


def _mitigation(
    plan: DecisionPlan, score: np.ndarray, base: np.ndarray, instructed: np.ndarray
) -> Mitigation:
    s = plan.settings
    train, test, y = plan.train, plan.test, plan.labels
    attrs = [(a, g[test]) for a, g in plan.attributes]
    fit = train[base[train] >= 0]
    decided_test = base[test] >= 0
    variants = [
        _variant("plain", f"the model's decisions, threshold {s.threshold:g}", y[test], base[test], attrs),
        _variant(
            "instruction", "the fairness instruction said before the application", y[test], instructed, attrs
        ),
    ]
    fitted, notes = None, []
    if fit.size and len(np.unique(y[fit])) == 2:
        fitted = accuracy_threshold(score[fit], y[fit])
        pred = np.where(decided_test, (score[test] >= fitted).astype(np.int64), -1)
        variants.insert(
            1,
            _variant(
                "fitted threshold", f"one threshold ({fitted:.3f}) fitted for accuracy", y[test], pred, attrs
            ),
        )
        for name, groups in plan.attributes:
            pred = np.full(test.size, -1, dtype=np.int64)
            try:
                pred[decided_test] = threshold_optimizer(
                    score[fit],
                    y[fit],
                    groups[fit],
                    score[test][decided_test],
                    groups[test][decided_test],
                    s.seed,
                )
            except ValueError as exc:  # Fairlearn refuses a group with one label only in training
                notes.append(f"ThresholdOptimizer ({name}) not fitted: {exc}")
                continue
            variants.append(
                _variant(
                    f"ThresholdOptimizer ({name})",
                    f"Fairlearn ThresholdOptimizer, equal false-rejection rates per {name}",
                    y[test],
                    pred,
                    attrs,
                )
            )
    return Mitigation(
        n_train=int(train.size),
        n_test=int(test.size),
        instruction=s.instruction,
        fitted_threshold=fitted,
        variants=variants,
        notes=notes,
    )


def run_decision_audit(
    model: LanguageModel,
    store: RunStore,
    plan: DecisionPlan,
    *,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> DecisionReport:
    """Score every prompt of `plan` (resuming from `store`) and audit the decisions.

    `progress(n)` is called with the number of prompts finished; `after_chunk(i)` after each
    stored chunk. Returns a DecisionReport.
    """
    s = plan.settings
    prompts = plan.all_prompts()
    scored = score_stored(
        model,
        store,
        prompts,
        s.answers,
        chat=s.chat,
        batch_size=s.batch_size,
        chunk_size=s.chunk_size,
        progress=progress,
        after_chunk=after_chunk,
    )
    score_all, mass_all, decision_all = decide(scored.logprobs, s.threshold, s.min_mass)
    n = len(plan.prompts)
    score, mass, decision = score_all[:n], mass_all[:n], decision_all[:n]
    y, ok = plan.labels, decision >= 0
    notes = list(plan.notes)
    if (~ok).any():
        notes.append(
            f"{int((~ok).sum())} of {n} rows undecided: the two answers held less than {s.min_mass:g} of "
            "the model's probability; they are left out of every rate"
        )
    audits = _audits(y[ok], decision[ok], [(a, g[ok]) for a, g in plan.attributes]) if ok.any() else []
    flips, offset = [], n
    for f in plan.flips:
        k = len(f.prompts)
        pos = f.positions
        counter = (score_all[offset : offset + k], decision_all[offset : offset + k])
        flips.append(flip_result(f.field, f.swaps, f.originals, (score[pos], decision[pos]), counter, s.seed))
        offset += k
    mitigation = None
    if plan.test.size:
        instructed = decision_all[offset : offset + len(plan.instructed)]
        mitigation = _mitigation(plan, score, decision, instructed)
    return DecisionReport(
        model_id=model.model_id,
        run_id=scored.run.run_id,
        dataset=plan.dataset,
        source=plan.source,
        table_rows=plan.table_rows,
        rows=n,
        label=plan.label,
        positive=plan.positive,
        positive_meaning=plan.positive_meaning,
        template=plan.template,
        settings=s,
        answer_names=s.answers.names,
        n_decided=int(ok.sum()),
        n_undecided=int((~ok).sum()),
        mass_min=float(mass.min()),
        mass_median=float(np.median(mass)),
        selection_rate=rate(decision[ok] == 1),
        accuracy=rate(decision[ok] == y[ok]),
        score_auc=auc(y[ok], score[ok]) if ok.any() else None,
        audits=audits,
        gaps=[gap_of(a) for a in audits],
        flips=flips,
        mitigation=mitigation,
        prompts_scored=len(prompts),
        prompts_scored_now=scored.scored_now,
        seconds_per_decision=scored.seconds / scored.scored_now if scored.scored_now else None,
        notes=notes,
    )
