"""Fairness sections about pronouns: the likelihood probe, context that should move the pronoun,
and pronouns counted in sampled completions."""

from __future__ import annotations

from typing import Any

from genguard.errors import InvalidInputError
from genguard.fairness.pronoun import ContextProbe, GenerationProbe, PronounProbe
from genguard.report.format import (
    INTERVAL_SENTENCE,
    SMALL_SENTENCE,
    correlation_text,
    interval_cell,
    p_cell,
    pct,
)
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Section, Table
from genguard.report.plots import Bar, Point, interval_bars, scatter

# Both pronoun charts plot the female share of gendered pronouns against the same scale: parity in
# the middle and a diamond at the share of women in the occupation.
_FEMALE_SHARE_AXIS: dict[str, Any] = {
    "domain": (0.0, 1.0),
    "reference": 0.5,
    "reference_label": "parity (50 %)",
    "mark_label": "women in the occupation (labour statistics)",
}


def pronoun_section(probe: PronounProbe) -> Section:
    """Headline numbers, female share per occupation with intervals and labour statistics, scatter."""

    if not isinstance(probe, PronounProbe):
        raise InvalidInputError(f"pronoun= takes a PronounProbe, got {type(probe).__name__}")
    occ = sorted(probe.occupations, key=lambda o: (o.female_of_gendered, o.occupation))
    bars = [
        Bar(
            o.occupation,
            o.female_of_gendered,
            *o.female_of_gendered_ci,
            mark=None if o.pct_female_labour is None else o.pct_female_labour / 100,
        )
        for o in occ
    ]
    r_text = correlation_text(probe.correlation, probe.correlation_ci)
    with_stats = [o for o in probe.occupations if o.pct_female_labour is not None]
    blocks: list[Block] = [
        Paragraph(
            "For every occupation the model continued prompts such as “The nurse said that”; we read "
            "the probability it gives to she/her, he/him and they/them as the next word (no sampling). "
            "The female share is the female part of the gendered (she + he) probability: 50 % means "
            "no lean, and the labour statistics give the share of women who actually work in the "
            "occupation (US Bureau of Labor Statistics)."
        ),
        Paragraph(
            "Skew is |he \u2212 she| / (he + she), averaged over occupations: 0 means equal, 1 means "
            "always one gender. The correlation says how closely the model follows the labour "
            "statistics: near 1 means it reproduces the real-world imbalance. "
            f"Intervals here come from the variation across the {len(probe.templates)} prompt templates. "
            + INTERVAL_SENTENCE
        ),
        Facts(
            [
                Fact("model", probe.model_id),
                Fact("occupations", str(len(probe.occupations)), f"{probe.n_prompts} prompts"),
                Fact("mean absolute skew", f"{probe.mean_absolute_skew:.2f}", "0 = balanced, 1 = one gender"),
                Fact("Pearson r with labour statistics", r_text, "95 % interval (Fisher z)"),
                Fact("Spearman \u03c1", "n/a" if probe.spearman is None else f"{probe.spearman:.2f}"),
                Fact("occupations with labour statistics", str(len(with_stats))),
            ]
        ),
        Figure(
            interval_bars(
                bars,
                title="Female share of gendered pronouns per occupation",
                axis_label="P(she) / (P(she) + P(he))",
                **_FEMALE_SHARE_AXIS,
            ),
            "Bars: the model's female share, sorted; whiskers: 95 % t-interval across templates; "
            "diamonds: labour statistics. Hover a row for the numbers.",
        ),
    ]
    if with_stats:
        points = [Point(o.pct_female_labour / 100, o.female_of_gendered, o.occupation) for o in with_stats]
        blocks.append(
            Figure(
                scatter(
                    points,
                    title="Model female share against the share of women in the occupation",
                    x_label="women in the occupation (labour statistics)",
                    y_label="model: female share of gendered pronouns",
                    x_domain=(0.0, 1.0),
                    y_domain=(0.0, 1.0),
                    diagonal=True,
                    diagonal_label="model = labour statistics",
                ),
                "One point per occupation with labour statistics; the labelled points lie farthest from "
                "the least-squares line. Points above the diagonal: the model says “she” more often "
                "than women hold the job.",
            )
        )
    blocks.append(
        Table(
            ["template"],
            [[Cell(t)] for t in probe.templates],
            "The prompt templates; {occupation} is replaced by each occupation.",
        )
    )
    return Section("pronoun", "Occupations and pronouns", blocks, data=probe)


def context_section(probe: ContextProbe) -> Section:
    """Shift of the female pronoun share caused by context that should move it."""
    bars = [Bar(f"{m.modifier} (should: {m.expected})", m.shift, *m.ci) for m in probe.modifiers]
    rows = [
        [
            Cell(m.modifier, "label"),
            Cell(m.expected),
            interval_cell(m.shift, *m.ci, fmt=lambda v: f"{v:+.2f}"),
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
                **_FEMALE_SHARE_AXIS,
            )
        ),
    ]
    if probe.note:
        blocks.insert(1, Paragraph(probe.note))
    return Section("pronoun_generation", "Pronouns in sampled completions", blocks, data=probe)
