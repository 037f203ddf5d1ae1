"""The card's summary: one line per concern, with a verdict word and the number behind it.

Concerns whose capability has not landed yet are listed as "not run: not available yet"; landed
ones that this run skipped say why ("not run: <why>").
"""

from __future__ import annotations

from genguard.report.results import FairnessRun, GuardRun, ProvenanceRun, SummaryLine, WatermarkRun

# Capabilities of wave 2 (DESIGN.md) without a report section yet.
NOT_YET = ("citations / factuality", "privacy & unlearning", "machine-text detection", "focus group")


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


def not_run_line(concern: str, why: str) -> SummaryLine:
    """A concern that did not run, and why."""
    return SummaryLine(concern=concern, status="not-run", verdict="not run", detail=why, anchor=None)


def summary_lines(
    watermark: WatermarkRun | None,
    guard: GuardRun | None,
    fairness: FairnessRun | None,
    provenance: ProvenanceRun | None,
    not_run: dict[str, str],
) -> list[SummaryLine]:
    """Landed concerns in order (a line with numbers, or why not run), then the ones not landed yet."""
    lines = []
    builders = (
        ("watermark", watermark, watermark_line),
        ("guard", guard, guard_line),
        ("fairness", fairness, fairness_line),
        ("provenance", provenance, provenance_line),
    )
    for concern, result, build in builders:
        if result is not None:
            lines.append(build(result))
        else:
            lines.append(not_run_line(concern, not_run.get(concern, "not selected")))
    lines += [not_run_line(c, "not available yet") for c in NOT_YET]
    return lines
