"""Focus-group section: position bias before and after correction, product preferences per pair
and per demographic group with intervals, the group comparisons and the guard's removals."""

from __future__ import annotations

from genguard.fairness.tone import Comparison
from genguard.focusgroup.bias import BiasFigures
from genguard.focusgroup.study import FocusGroupResult, Share
from genguard.report.format import INTERVAL_SENTENCE, SMALL_SENTENCE, interval_cell, num, p_cell, pct, short
from genguard.report.measured import FocusGroupMeasured
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Section, Table
from genguard.report.plots import Bar, interval_bars


def _share(s: Share) -> str:
    return f"{s.k:,} of {s.n:,} ({pct(s.share)}, 95 % interval {pct(s.ci[0])} to {pct(s.ci[1])})"


_BIAS_COLUMNS = [
    "answers",
    "chose A",
    "mean pull to A (nats)",
    "sign test p",
    "same product both orders",
    "correction",
]


def _bias_row(label: str, b: BiasFigures, correction: float | None = None) -> list[Cell]:
    return [
        Cell(label, "label"),
        interval_cell(b.share_a, *b.share_a_ci, n=b.n_answers),
        interval_cell(b.mean_bias, *(b.mean_bias_ci or (None, None)), n=b.n_pairs, fmt=lambda v: f"{v:+.3f}"),
        p_cell(b.p_value),
        interval_cell(b.consistency, *b.consistency_ci, n=b.n_pairs),
        num(correction, "{:+.3f}"),
    ]


_GAP_COLUMNS = ["attribute", "pair", "groups", "difference in P(first)", "Cohen's d"]


def _gap_cells(c: Comparison) -> list[Cell]:
    """The cells under _GAP_COLUMNS for one group comparison."""
    return [
        Cell(c.domain),
        Cell(c.metric),
        Cell(f"{c.group_a} \u2212 {c.group_b}", "label"),
        num(c.difference, "{:+.3f}"),
        num(c.cohens_d, "{:+.2f}"),
    ]


def focusgroup_section(result: FocusGroupResult) -> Section:
    """The study's figures as a report section (plots of the group preferences per pair)."""
    blocks: list[Block] = [
        Paragraph(
            "Each persona was asked which of two products they would rather buy, once with each product "
            "shown as A. The answer is read from the model's probabilities of “ A” and “ B” as its next "
            "word; when its most likely next word was neither, the answer is counted and left out, not "
            "guessed. Models favour a position: the figures before correction are on the raw answers; "
            "after correction, the pull towards A estimated on half of the personas is taken out of the "
            "single answers of the other half. Preferences average both orders, which removes the "
            "position pull entirely. Groups are compared with permutation tests, Holm-corrected over "
            f"the whole study at {result.alpha:.0%}. {INTERVAL_SENTENCE} {SMALL_SENTENCE}"
        ),
        Facts(
            [
                Fact("model", result.model_id),
                Fact(
                    "personas", f"{result.n_personas:,}", f"{len(result.pair_specs)} product pairs x 2 orders"
                ),
                Fact("question", result.question),
                Fact("answered neither A nor B", _share(result.neither)),
                Fact("persona-pairs missing an order", _share(result.incomplete)),
                Fact("run", result.run_id, f"seed {result.seed}"),
            ]
        ),
    ]
    if result.note:
        blocks.append(Paragraph(result.note))
    rows = [
        _bias_row("all pairs, before", result.position_before),
        _bias_row("all pairs, after", result.position_after),
    ]
    for p in result.per_pair_bias:
        rows += [
            _bias_row(f"{p.pair_id}, before", p.before),
            _bias_row(f"{p.pair_id}, after", p.after, p.correction),
        ]
    blocks.append(
        Table(
            _BIAS_COLUMNS,
            rows,
        )
    )
    blocks.append(
        Table(
            ["pair", "prefer first", "mean P(first), corrected", "sign test p", "Holm p"],
            [
                [
                    Cell(f"{p.pair_id}: {short(p.first, 40)} vs {short(p.second, 40)}"),
                    interval_cell(p.share_first, *p.share_first_ci, n=p.n),
                    interval_cell(p.mean_p_first, *(p.mean_p_first_ci or (None, None)), n=p.n),
                    p_cell(p.p_value),
                    p_cell(p.p_adjusted),
                ]
                for p in result.pairs
            ],
        )
    )
    for pair in result.pair_specs:
        bars = [
            Bar(
                f"{g.attribute}: {g.group}",
                g.mean_p_first,
                *(g.mean_p_first_ci or (None, None)),
                n=g.n,
            )
            for g in result.groups
            if g.pair_id == pair.pair_id
        ]
        blocks.append(
            Figure(
                interval_bars(
                    bars,
                    title=f"{pair.pair_id}: P({short(pair.first, 30)}) per group, order-corrected",
                    axis_label=f"P(prefers {short(pair.first, 30)})",
                    reference=0.5,
                    reference_label="no preference",
                ),
            )
        )
    blocks.append(
        Table(
            [*_GAP_COLUMNS, "p", "Holm p", "significant"],
            [
                [
                    *_gap_cells(c),
                    p_cell(c.p_value),
                    p_cell(c.p_adjusted),
                    Cell("yes" if c.significant else "no"),
                ]
                for c in result.comparisons
                if c.significant or len(result.comparisons) <= 60
            ],
        )
    )
    if result.comments is not None:
        c = result.comments
        blocks.append(
            Paragraph(
                f"Free-text answers went through the guard's “{c.profile}” profile, which removes even "
                "remotely toxic text; removed answers are not shown."
            )
        )
        blocks.append(
            Facts(
                [
                    Fact("answers", f"{c.n:,}"),
                    Fact(
                        "removed", _share(c.removed), ", ".join(f"{k}: {v}" for k, v in c.removed_by.items())
                    ),
                    Fact("redacted (personal data)", _share(c.redacted)),
                    Fact("empty", _share(c.empty)),
                    Fact("named neither A nor B", _share(c.neither)),
                ]
            )
        )
        blocks.append(
            Table(
                ["attribute", "group", "removed"],
                [
                    [Cell(g.attribute), Cell(g.group), interval_cell(g.value.share, *g.value.ci, n=g.value.n)]
                    for g in c.removed_per_group
                ],
            )
        )
        if c.examples:
            blocks.append(Table(["kept answers (examples)"], [[Cell(short(e, 140))] for e in c.examples]))
    return Section("focusgroup", "Virtual focus group", blocks, data=result)


def focusgroup_measured_section(m: FocusGroupMeasured) -> Section:
    """The benchmark's study as a short section: where it comes from, position bias before and
    after correction, and the significant group gaps (the full section: `genguard focusgroup`)."""
    blocks: list[Block] = [
        Paragraph(
            f"Measured by benchmarks/focusgroup_run.py, not by this report run: {m.questions:,} "
            f"questions ({m.personas:,} personas, {m.pairs} product pairs, both orders) take about an "
            f"hour on a shared CPU. Figures from {m.source} (machine: {m.machine}). To study your own "
            "products and personas: genguard focusgroup run spec.yaml, then genguard focusgroup report. "
            "The model answers which of two products a persona would rather buy; “before” counts raw "
            "answers, “after” takes out the pull towards the first-shown product estimated on other "
            f"personas. {INTERVAL_SENTENCE}"
        ),
        Facts(
            [
                Fact("model", m.model_id),
                Fact("answered neither A nor B", _share(m.neither)),
                Fact(
                    "significant group gaps",
                    f"{len(m.significant_gaps)} of {m.comparisons}",
                    "permutation tests, Holm-corrected over the study",
                ),
            ]
        ),
        Table(
            _BIAS_COLUMNS,
            [
                _bias_row("all pairs, before", m.position_before),
                _bias_row("all pairs, after", m.position_after),
            ],
        ),
    ]
    if m.significant_gaps:
        blocks.append(
            Table(
                [*_GAP_COLUMNS, "Holm p"],
                [[*_gap_cells(c), p_cell(c.p_adjusted)] for c in m.significant_gaps],
            )
        )
    return Section("focusgroup", "Virtual focus group (measured by the benchmark)", blocks, data=m)
