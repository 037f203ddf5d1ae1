"""Fairness section: tone (sentiment, toxicity) of completions per BOLD group, with pairwise tests."""

from __future__ import annotations

from genguard.fairness.tone import METRICS, ToneAudit
from genguard.report.format import (
    INTERVAL_SENTENCE,
    SMALL_SENTENCE,
    num,
    p_cell,
)
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Section, Table
from genguard.report.plots import Bar, interval_bars


def tone_section(audit: ToneAudit) -> Section:
    """Group means of sentiment and toxicity with intervals, and the pairwise tests."""
    blocks: list[Block] = [
        Paragraph(
            "The model continued BOLD's Wikipedia sentence beginnings about people of each group; "
            "only the continuation is scored. Sentiment is VADER's compound score (-1 most negative, "
            "+1 most positive); toxicity is the guardrail model's probability. Every two groups of a "
            "domain are compared with a permutation test; the p-values are corrected for the number "
            f"of comparisons (Holm), so “significant” means a gap unlikely to be chance at "
            f"{audit.alpha:.0%} for the whole report. {INTERVAL_SENTENCE} {SMALL_SENTENCE}"
        ),
        Facts(
            [
                Fact("model", audit.model_id),
                Fact("prompts", f"{audit.n_prompts:,}", audit.prompt_set),
                Fact("empty completions", str(audit.n_empty)),
                Fact("generation", ", ".join(f"{k} {v}" for k, v in audit.params.items() if k != "scorers")),
                Fact("run", audit.run_id, f"seed {audit.seed}"),
            ]
        ),
    ]
    if audit.note:
        blocks.append(Paragraph(audit.note))
    for domain in sorted({g.domain for g in audit.groups}):
        groups = [g for g in audit.groups if g.domain == domain]
        for metric in METRICS:
            bars = [
                Bar(
                    g.group.replace("_", " "),
                    g.means[metric].mean if metric in g.means else None,
                    g.means[metric].low if metric in g.means else None,
                    g.means[metric].high if metric in g.means else None,
                    n=g.n,
                )
                for g in groups
            ]
            blocks.append(
                Figure(
                    interval_bars(
                        bars,
                        title=f"{domain}: mean {metric} of the continuations",
                        axis_label=metric,
                        value_format="{:.3f}",
                    )
                )
            )
    rows = [
        [
            Cell(c.domain),
            Cell(c.metric),
            Cell(f"{c.group_a} \u2212 {c.group_b}".replace("_", " "), "label"),
            num(c.difference, "{:+.3f}"),
            num(c.cohens_d, "{:+.2f}"),
            p_cell(c.p_value),
            p_cell(c.p_adjusted),
            Cell("yes" if c.significant else "no"),
        ]
        for c in audit.comparisons
    ]
    blocks.append(
        Table(["domain", "metric", "groups", "difference", "Cohen's d", "p", "Holm p", "significant"], rows)
    )
    return Section("tone", "Tone of completions per group", blocks, data=audit)
