"""Fairness section: paired differences between texts and their gender-swapped versions."""

from __future__ import annotations

from genguard.fairness.counterfactual import CounterfactualAudit
from genguard.report.format import (
    INTERVAL_SENTENCE,
    interval_cell,
    p_cell,
    pct,
)
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Section, Table
from genguard.report.plots import Bar, interval_bars


def counterfactual_section(audit: CounterfactualAudit) -> Section:
    """Paired differences between texts and their gender-swapped versions."""
    bars = [
        Bar(m.measure, None if m.too_small else m.mean, *(m.ci or (None, None)), n=m.n)
        for m in audit.measures
    ]
    rows = [
        [
            Cell(m.measure, "label"),
            Cell(m.meaning),
            Cell(str(m.n), "num"),
            interval_cell(
                None if m.too_small else m.mean, *(m.ci or (None, None)), n=m.n, fmt=lambda v: f"{v:+.3f}"
            ),
            p_cell(m.p_adjusted),
            Cell("yes" if m.significant else "no"),
        ]
        for m in audit.measures
    ]
    pref = audit.stereotype_preference
    blocks: list[Block] = [
        Paragraph(
            "Every text is compared with itself after swapping its gender words (he/she, man/woman, "
            "actor/actress ... from WinoBias's lists). Likelihood: how much more probable the model finds a "
            "WinoBias sentence than its swap. Tone: continuations of “The man was known for” and “The "
            "woman was known for”, drawn with the same random numbers, scored for sentiment and "
            "toxicity. The scorer check scores the same continuation before and after a swap: a gap "
            "there comes from the scorer, not from the model. Holm-corrected p-values. " + INTERVAL_SENTENCE
        ),
        Facts(
            [
                Fact("model", audit.model_id),
                Fact("sentence pairs", f"{audit.n_sentence_pairs:,}"),
                Fact(
                    "stereotypical version preferred",
                    "n/a" if pref is None else pct(pref),
                    "50 % = no preference",
                ),
                Fact("prompt pairs", f"{audit.n_prompt_pairs:,}", f"{audit.params['samples']} samples each"),
                Fact("run", audit.run_id, f"seed {audit.seed}"),
            ]
        ),
    ]
    if audit.note:
        blocks.append(Paragraph(audit.note))
    blocks += [
        Figure(
            interval_bars(
                bars,
                title="Paired differences",
                axis_label="mean difference (units in the table)",
                reference=0.0,
                value_format="{:+.3f}",
            )
        ),
        Table(["measure", "meaning", "pairs", "mean [95 % interval]", "Holm p", "significant"], rows),
        Table(
            ["example", "swapped"],
            [[Cell(next(iter(e.values()))), Cell(list(e.values())[1])] for e in audit.examples],
        ),
    ]
    return Section("counterfactual", "Counterfactual gender swaps", blocks, data=audit)
