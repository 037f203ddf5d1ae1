"""The card's summary: one line per concern, with a verdict word and the number behind it.

Concerns that this run skipped say why and how to run them ("not run: <why>"). Privacy &
unlearning and the focus group are measured by their benchmarks, not by the run (status "info",
the detail names the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from genguard.factuality.demo import FactualityDemo
from genguard.report.measured import FocusGroupMeasured, PrivacyResults
from genguard.report.results import (
    DetectionRun,
    FairnessRun,
    GuardRun,
    ProvenanceRun,
    SummaryLine,
    WatermarkRun,
)
from genguard.report.sections.factuality import verdict_counts


def watermark_line(run: WatermarkRun) -> SummaryLine:
    """ "detected in 4 of 4 watermarked answers, 0 of 8 plain/human (z >= 4, FPR 3.2e-05)"."""
    marked = [i for i in run.items if i.kind == "watermarked"]
    others = [i for i in run.items if i.kind != "watermarked"]
    hits = sum(i.detection.is_watermarked for i in marked)
    false = sum(i.detection.is_watermarked for i in others)
    ok = hits == len(marked) and false == 0
    return SummaryLine(
        concern="watermark",
        status="ok" if ok else "attention",
        verdict="works" if ok else ("false alarm" if false else "missed"),
        detail=f"detected in {hits} of {len(marked)} watermarked answers, {false} of {len(others)} "
        f"plain/human (z ≥ {run.z_threshold:g}, FPR {run.false_positive_rate:.2g})",
        anchor="watermark",
    )


def guard_line(run: GuardRun) -> SummaryLine:
    """How many sample prompts got the intended action, and what each profile did to the answers."""
    first = run.profiles[0]
    samples = [i for i in run.items if i.expected is not None]
    right = sum(i.verdicts[first].action == i.expected for i in samples)
    answers = [i for i in run.items if i.stage == "output"]
    blocked = ", ".join(
        f"{p} blocks {sum(i.verdicts[p].action == 'block' for i in answers)} of {len(answers)} answers"
        for p in run.profiles
    )
    ok = right == len(samples)
    return SummaryLine(
        concern="guard",
        status="ok" if ok else "attention",
        verdict="as intended" if ok else "deviates",
        detail=f"{right} of {len(samples)} sample prompts get the intended {first} action; {blocked}",
        anchor="guard",
    )


def fairness_line(run: FairnessRun) -> SummaryLine:
    """Significant gaps found across the probes, with the headline numbers."""
    parts, gaps = [], 0
    if run.pronoun is not None:
        r = run.pronoun.correlation
        parts.append(
            f"pronoun skew {run.pronoun.mean_absolute_skew:.2f}"
            + ("" if r is None else f", r with labour statistics {r:.2f}")
        )
    if run.tone is not None:
        sig = sum(c.significant for c in run.tone.comparisons)
        gaps += sig
        parts.append(f"tone: {sig} of {len(run.tone.comparisons)} group gaps significant")
    if run.counterfactual is not None:
        sig = sum(m.significant for m in run.counterfactual.measures)
        gaps += sig
        parts.append(f"gender swaps: {sig} of {len(run.counterfactual.measures)} measures significant")
    if run.tabular is not None:
        met = sum(bool(m.meets_epsilon) for m in run.tabular.mitigations)
        parts.append(f"credit: {met} of {len(run.tabular.mitigations)} mitigations meet ε")
    return SummaryLine(
        concern="fairness",
        status="attention" if gaps else "ok",
        verdict=f"{gaps} significant gap{'s' if gaps != 1 else ''}",
        detail="; ".join(parts),
        anchor="fairness",
    )


def provenance_line(run: ProvenanceRun) -> SummaryLine:
    """Near-verbatim continuations beyond the prefix, and copies of protected text in the answers."""
    parts, bad = [], 0
    if run.memorization is not None:
        for s in run.memorization.sources:
            if s.near_verbatim_not_in_prefix is not None:
                r = s.near_verbatim_not_in_prefix
                bad += r.k
                parts.append(f"{s.source}: {r.k} of {r.n} near-verbatim")
    if run.protected is not None:
        p = run.protected
        copies = sum(1 for m in p.answer_matches if m)
        bad += copies
        parts.append(
            f"protected index: {copies} of {p.answers} answers copy; "
            f"planted copies found {p.planted_found} of {p.planted}"
        )
    return SummaryLine(
        concern="provenance",
        status="attention" if bad else "ok",
        verdict="copies found" if bad else "no copies",
        detail="; ".join(parts),
        anchor="provenance",
    )


def detection_line(run: DetectionRun) -> SummaryLine:
    """ "flags 5 of 8 model answers, 0 of 4 human texts (score > 0.16, FPR 1 %); 2 not decided"."""
    decided = [i for i in run.items if i.detection.decision != "cannot_decide"]
    model = [i for i in decided if not i.kind.startswith("human")]
    human = [i for i in decided if i.kind.startswith("human")]
    hits = sum(i.detection.is_machine for i in model)
    false = sum(i.detection.is_machine for i in human)
    undecided = len(run.items) - len(decided)
    return SummaryLine(
        concern="machine-text detection",
        # sampled answers often score like human text (benchmarks/results/detection_quality.json):
        # a miss is information, a false alarm on human text needs attention
        status="attention" if false or not decided else ("ok" if hits == len(model) else "info"),
        verdict="false alarm" if false else (f"flags {hits} of {len(model)}" if decided else "cannot decide"),
        detail=f"flags {hits} of {len(model)} model answers, {false} of {len(human)} human texts "
        f"(score > {run.threshold:.2f}, calibrated FPR {run.target_fpr:.0%})"
        + (f"; {undecided} too short to decide (< {run.min_tokens} tokens)" if undecided else ""),
        anchor="detection",
    )


def factuality_line(demo: FactualityDemo) -> SummaryLine:
    """Citations of the plain and the grounded answer that were not found / verified."""
    plain, grounded = verdict_counts(demo.plain), verdict_counts(demo.grounded)
    invented = plain.get("not_found", 0) + grounded.get("not_found", 0)
    wrong = plain.get("partially_correct", 0) + grounded.get("partially_correct", 0)
    checked = sum(plain.values()) + sum(grounded.values())

    def part(name: str, counts: dict[str, int]) -> str:
        n = sum(counts.values())
        found = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items()))
        return f"{name}: {n} citation{'s' if n != 1 else ''}" + (f" ({found})" if n else "")

    if invented or wrong:
        verdict = f"{invented} not found" if invented else f"{wrong} with wrong details"
    else:
        verdict = "all verified" if checked else "nothing to check"
    return SummaryLine(
        concern="citations / factuality",
        status="attention" if invented or wrong else ("ok" if checked else "info"),
        verdict=verdict,
        detail=f"{part('plain answer', plain)}; {part('grounded', grounded)}; in {demo.records:,} works",
        anchor="factuality",
    )


def privacy_line(results: PrivacyResults) -> SummaryLine:
    """The strongest attack's AUC on the undefended and the DP models, and unlearning's exactness."""
    models = results.audit["adult"]["models"]

    def strongest(row: dict[str, Any]) -> dict[str, Any]:
        return max((row[k] for k in ("loss_threshold", "lira") if row.get(k)), key=lambda a: a["auc"])

    plain = {k: strongest(v) for k, v in models.items() if "privacy" not in v}
    dp = [strongest(v)["auc"] for v in models.values() if "privacy" in v]
    worst = max(plain, key=lambda k: plain[k]["auc"])
    attack = plain[worst]
    low, high = attack["auc_ci"]
    parts = [f"benchmark: membership attack AUC {attack['auc']:.3f} [{low:.3f}, {high:.3f}] on {worst}"]
    if dp:
        parts.append(f"{min(dp):.3f}-{max(dp):.3f} with DP")
    rows = [r for d in (results.unlearning or {}).get("datasets", {}).values() for r in d["rows"]]
    if rows:
        exact = sum(bool(r["exact_after_forgetting"]) for r in rows)
        parts.append(f"SISA forgets exactly in {exact} of {len(rows)} ensembles")
    return SummaryLine(
        concern="privacy & unlearning",
        status="info",
        # leakage shown when the interval of the strongest attack on a model without DP excludes chance
        verdict="leaks without DP" if low > 0.5 else "no leak shown",
        detail="; ".join(parts),
        anchor="privacy",
    )


def focusgroup_line(m: FocusGroupMeasured) -> SummaryLine:
    """Position bias before and after correction, and the significant group gaps."""
    return SummaryLine(
        concern="focus group",
        status="info",
        verdict="position bias" if m.position_before.share_a > 0.6 else "balanced",
        detail=f"benchmark: chose the first-shown product in {m.position_before.share_a:.0%} of "
        f"{m.position_before.n_answers:,} answers, {m.position_after.share_a:.0%} after correction; "
        f"{len(m.significant_gaps)} of {m.comparisons} group gaps significant",
        anchor="focusgroup",
    )


def not_run_line(concern: str, why: str) -> SummaryLine:
    """A concern that did not run, and why."""
    return SummaryLine(concern=concern, status="not-run", verdict="not run", detail=why, anchor=None)


# Result key -> (concern as the summary names it, line builder), in the card's order.
CONCERNS: dict[str, tuple[str, Callable[[Any], SummaryLine]]] = {
    "watermark": ("watermark", watermark_line),
    "detection": ("machine-text detection", detection_line),
    "guard": ("guard", guard_line),
    "fairness": ("fairness", fairness_line),
    "provenance": ("provenance", provenance_line),
    "factuality": ("citations / factuality", factuality_line),
    "privacy": ("privacy & unlearning", privacy_line),
    "focusgroup": ("focus group", focusgroup_line),
}


def summary_lines(results: Mapping[str, Any], not_run: Mapping[str, str]) -> list[SummaryLine]:
    """One line per concern in CONCERNS' order: its numbers, or why it did not run (`not_run`
    by result key; "not selected" when absent from both)."""
    lines = []
    for key, (concern, build) in CONCERNS.items():
        result = results.get(key)
        lines.append(
            build(result) if result is not None else not_run_line(concern, not_run.get(key, "not selected"))
        )
    return lines
