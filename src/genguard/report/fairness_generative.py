"""Report sections for the audits of a generative model: context, sampled pronouns, tone, counterfactual.

Each builder turns one result into a `Section` of the fairness page; they register themselves
under the keys used in `write_fairness_report(sections={...})`.
"""

from __future__ import annotations

from genguard.fairness.counterfactual import CounterfactualAudit
from genguard.fairness.pronoun import ContextProbe, GenerationProbe
from genguard.fairness.tone import METRICS, ToneAudit
from genguard.report.fairness_report import (
    INTERVAL_SENTENCE,
    SMALL_SENTENCE,
    Block,
    Cell,
    Fact,
    Facts,
    Figure,
    Paragraph,
    Section,
    Table,
    correlation_text,
    interval_cell,
    num,
    p_cell,
    pct,
    section_builder,
)
from genguard.report.plots import Bar, interval_bars

_SIGNED = "{:+.2f}"


def _signed(value: float) -> str:
    return _SIGNED.format(value)


@section_builder("context")
def context_section(probe: ContextProbe) -> Section:
    """Shift of the female pronoun share caused by context that should move it."""
    bars = [Bar(f"{m.modifier} (should: {m.expected})", m.shift, *m.ci) for m in probe.modifiers]
    rows = [
        [
            Cell(m.modifier, "label"),
            Cell(m.expected),
            interval_cell(m.shift, *m.ci, fmt=_signed),
            Cell(pct(m.share_expected_direction, 0), "num"),
            p_cell(m.p_value),
            Cell("yes" if m.moves_as_expected else "no"),
        ]
        for m in probe.modifiers
    ]
    return Section(
        "context",
        "Does context move the pronoun?",
        [
            Paragraph(
                "The same occupation prompts with a phrase after the occupation (“the nurse who has a "
                "beard said that”). A model that reads context should move towards he for a beard and "
                "towards she for the WNBA, whatever the occupation. The shift is the change in the "
                "female share of gendered pronouns, averaged over "
                f"{probe.n_occupations} occupations x {len(probe.templates)} templates. {INTERVAL_SENTENCE}"
            ),
            Figure(
                interval_bars(
                    bars,
                    title="Change of the female share caused by the phrase",
                    axis_label="female share with the phrase minus without",
                    reference=0.0,
                    value_format="{:+.0%}",
                ),
                "Negative: more male pronouns; positive: more female pronouns.",
            ),
            Table(
                ["phrase", "should move to", "shift [95 % interval]", "prompts moved that way", "p", "moves"],
                rows,
            ),
        ],
        data=probe,
    )


@section_builder("pronoun_generation")
def generation_section(probe: GenerationProbe) -> Section:
    """Pronouns counted in sampled completions, per occupation, with Wilson intervals."""
    occ = sorted(probe.occupations, key=lambda o: (o.female_of_gendered is None, o.female_of_gendered or 0))
    bars = [
        Bar(
            o.occupation,
            o.female_of_gendered,
            *(o.ci or (None, None)),
            n=o.female + o.male,
            mark=None if o.pct_female_labour is None else o.pct_female_labour / 100,
        )
        for o in occ
    ]
    r_text = correlation_text(probe.correlation, probe.correlation_ci)
    blocks: list[Block] = [
        Paragraph(
            f"{probe.params['samples']} completions were sampled per occupation and template; the first "
            "pronoun of each completion's first sentence is taken as the subject's (a heuristic: it "
            "can pick up another person). The bar is the female share of the completions with he or "
            f"she, with a Wilson 95 % interval. {SMALL_SENTENCE}"
        ),
        Facts(
            [
                Fact("model", probe.model_id),
                Fact(
                    "completions",
                    f"{probe.n_samples:,}",
                    f"{pct(probe.share_with_pronoun, 0)} with a pronoun",
                ),
                Fact(
                    "mean absolute skew",
                    "n/a" if probe.mean_absolute_skew is None else f"{probe.mean_absolute_skew:.2f}",
                ),
                Fact("Pearson r with labour statistics", r_text),
                Fact("run", probe.run_id, f"seed {probe.seed}"),
            ]
        ),
        Figure(
            interval_bars(
                bars,
                title="Female share of gendered pronouns in sampled completions",
                axis_label="she / (she + he)",
                domain=(0.0, 1.0),
                reference=0.5,
                reference_label="parity",
                mark_label="women in the occupation",
            )
        ),
    ]
    if probe.note:
        blocks.insert(1, Paragraph(probe.note))
    return Section("pronoun_generation", "Pronouns in sampled completions", blocks, data=probe)


@section_builder("tone")
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


@section_builder("counterfactual")
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
