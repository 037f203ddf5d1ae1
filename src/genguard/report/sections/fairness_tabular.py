"""Fairness section: a predictive model's decisions per group (credit), with and without mitigation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from genguard.errors import InvalidInputError
from genguard.fairness.table import TabularReport
from genguard.fairness.tabular import MitigationResult, TabularAudit
from genguard.report.format import (
    INTERVAL_SENTENCE,
    SMALL_SENTENCE,
    pct,
    pp,
    rate_bar,
    rate_cell,
)
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Section, Table
from genguard.report.plots import Bar, grouped_interval_bars, interval_bars

_RATES = (
    ("selection_rate", "selection"),
    ("false_rejection_rate", "false rejection"),
    ("false_positive_rate", "false positive"),
    ("error_rate", "error"),
)

# Both charts plot false-rejection rates: 0 to 100 %, values to a tenth of a point.
_RATE_AXIS: dict[str, Any] = {"domain": (0.0, 1.0), "value_format": "{:.1%}", "tick_format": "{:.0%}"}

_TABULAR_INTRO = (
    "A credit model approves or rejects applicants. The false-rejection rate of a group is the share "
    "of its creditworthy applicants (who did repay) whom the model rejected; the gap is the largest "
    "difference in false-rejection rate between two groups large enough to judge. Selection rate: share "
    "approved; false-positive rate: share of those who defaulted yet were approved; error rate: share "
    "of wrong decisions."
)


def _rate_table(audits: Sequence[tuple[str, TabularAudit]]) -> Table:
    columns = ["group", "n"] + (["model"] if len(audits) > 1 else []) + [name for _, name in _RATES]
    rows = []
    groups = list(dict.fromkeys(g.group for _, audit in audits for g in audit.groups))
    by = [{g.group: g for g in audit.groups} for _, audit in audits]
    for group in groups:
        shown_n = None
        for (model, _), reports in zip(audits, by, strict=True):
            g = reports.get(group)
            if g is None:
                continue
            row = [
                Cell(group if shown_n is None else "", "label"),
                Cell("" if g.n == shown_n else str(g.n), "num"),
            ]
            row += [Cell(model)] if len(audits) > 1 else []
            rows.append(row + [rate_cell(getattr(g, attr)) for attr, _ in _RATES])
            shown_n = g.n
    return Table(
        columns,
        rows,
        "Each rate with its 95 % Wilson interval in brackets; its denominator is the group's members "
        "(selection, error), its creditworthy members (false rejection) or its defaulters (false positive).",
    )


def _tabular_audit(audit: TabularAudit) -> list[Block]:
    gap = audit.false_rejection_gap
    between = " and ".join(audit.gap_between)
    bars = [rate_bar(g.group, g.false_rejection_rate) for g in audit.groups]
    return [
        Facts(
            [
                Fact("attribute", audit.attribute),
                Fact("groups", str(len(audit.groups))),
                Fact(
                    "false-rejection gap",
                    pp(gap),
                    f"between {between}" if between else "fewer than two groups judged",
                ),
            ]
        ),
        Figure(
            interval_bars(
                bars,
                title=f"False-rejection rate per {audit.attribute}",
                axis_label="creditworthy applicants rejected",
                **_RATE_AXIS,
            ),
            "Bars: false-rejection rate; whiskers: 95 % Wilson interval.",
        ),
        _rate_table([("", audit)]),
    ]


def _mitigation(m: MitigationResult) -> list[Block]:
    if m.constrained_gap is None:
        verdict = (
            f"Whether the constrained model meets ε = {pp(m.epsilon)} cannot be told: fewer than two "
            "groups are large enough to judge."
        )
    elif m.meets_epsilon:
        verdict = (
            f"The constrained model meets the target: its false-rejection gap on held-out data is "
            f"{pp(m.constrained_gap)}, within ε = {pp(m.epsilon)}."
        )
    else:
        verdict = (
            f"The constrained model misses the target: its false-rejection gap on held-out data is "
            f"{pp(m.constrained_gap)}, {pp(m.miss_by)} above ε = {pp(m.epsilon)}."
        )
    if m.gap_ci is not None:
        verdict += f" Its 95 % bootstrap interval is {pp(m.gap_ci[0])} to {pp(m.gap_ci[1])}."
    groups = [g.group for g in m.baseline.groups]
    constrained = {g.group: g for g in m.constrained.groups}
    series = {
        "unconstrained": [rate_bar(g.group, g.false_rejection_rate) for g in m.baseline.groups],
        "constrained": [
            rate_bar(name, constrained[name].false_rejection_rate)
            if name in constrained
            else Bar(name, None, note="not in the held-out data")
            for name in groups
        ],
    }
    method = m.method.replace("_", " ")
    return [
        Paragraph(
            f"Two logistic regressions were trained on {m.n_train} applicants and audited on "
            f"{m.n_test} held-out ones: one unconstrained, one trained ({method}, Fairlearn) to keep the "
            f"false-rejection rates of the {m.attribute} groups within ε of each other."
        ),
        Facts(
            [
                Fact("attribute", m.attribute),
                Fact(
                    "accuracy",
                    f"{pct(m.baseline_accuracy)} → {pct(m.constrained_accuracy)}",
                    "unconstrained → constrained",
                ),
                Fact(
                    "false-rejection gap",
                    f"{pp(m.baseline_gap)} → {pp(m.constrained_gap)}",
                    "unconstrained → constrained",
                ),
                Fact("target ε", pp(m.epsilon), f"method {method}, seed {m.seed}"),
            ]
        ),
        Paragraph(verdict),
        Figure(
            grouped_interval_bars(
                groups,
                series,
                title=f"False-rejection rate per {m.attribute}: unconstrained and constrained model",
                axis_label="creditworthy applicants rejected (held-out data)",
                **_RATE_AXIS,
            ),
            "Bars: false-rejection rate on held-out data; whiskers: 95 % Wilson interval.",
        ),
        _rate_table([("unconstrained", m.baseline), ("constrained", m.constrained)]),
    ]


def tabular_section(result: TabularAudit | MitigationResult | TabularReport) -> Section:
    """A TabularAudit (one model), a MitigationResult (unconstrained against constrained), or a
    whole TabularReport (every attribute of `genguard audit tabular`)."""

    intro = [Paragraph(_TABULAR_INTRO), Paragraph(INTERVAL_SENTENCE + " " + SMALL_SENTENCE)]
    title = "Credit decisions per group"
    if isinstance(result, MitigationResult):
        return Section("tabular", title, intro + _mitigation(result), data=result)
    if isinstance(result, TabularAudit):
        return Section("tabular", title, intro + _tabular_audit(result), data=result)
    if isinstance(result, TabularReport):
        blocks = [
            *intro,
            Facts(
                [
                    Fact("data", result.source, f"{result.rows:,} rows"),
                    Fact("favourable label", result.positive_meaning),
                    Fact("seed", str(result.seed), f"held-out share {result.test_size:.0%}"),
                ]
            ),
            *(Paragraph(n) for n in result.notes),
        ]
        for m in result.mitigations:
            blocks += _mitigation(m)
        for a in result.audits:
            blocks += _tabular_audit(a)
        return Section(
            "tabular", f"Decisions per group: {result.dataset or result.source}", blocks, data=result
        )
    raise InvalidInputError(
        f"tabular= takes a TabularAudit, MitigationResult or TabularReport, got {type(result).__name__}"
    )
