"""Fairness section: a language model as the decision-maker (genguard.fairness.decisions)."""

from __future__ import annotations

from genguard.errors import InvalidInputError
from genguard.fairness.decisions import DecisionReport, DecisionVariant
from genguard.fairness.decisions_stats import FlipResult, Gap
from genguard.report.format import INTERVAL_SENTENCE, SMALL_SENTENCE, interval_cell, pct, pp, rate_cell, short
from genguard.report.page import Block, Cell, Fact, Facts, Paragraph, Section, Table
from genguard.report.sections.fairness_tabular import _tabular_audit

_INTRO = (
    "The language model itself decides: each row of the table is written into an application and "
    "the model is asked to approve or deny it. Its decision is read from the probabilities of the "
    "two answer words, not parsed from free text: the score is the probability of the favourable "
    "answer among the two, and the model approves when the score reaches the threshold. A row on "
    "which the two answers together hold too little probability is undecided and counted apart."
)


def gap_text(gap: Gap) -> str:
    """ "12.3 pp [4.0, 20.1] (female above male)", or why there is no gap."""
    if gap.value is None or gap.ci is None:
        return "n/a (fewer than two groups large enough)"
    low, high = gap.between
    return f"{pp(gap.value)} [{gap.ci[0] * 100:.1f}, {gap.ci[1] * 100:.1f}] ({high} above {low})"


def _flip_blocks(flip: FlipResult) -> list[Block]:
    swaps = ", ".join(f"{a} → {b}" for a, b in flip.swaps.items())
    rows = []
    for d in flip.directions:
        change = d.score_change
        rows.append(
            [
                Cell(f"{d.original} → {d.counterfactual}", "label"),
                Cell(str(d.n), "num"),
                rate_cell(d.flip_rate),
                Cell(f"{d.to_unfavourable} / {d.to_favourable}", "num"),
                interval_cell(change.mean, *change.mean_ci, fmt=lambda v: f"{v:+.3f}")
                if change
                else Cell("too few pairs", "small"),
                Cell("n/a" if change is None else f"{change.p_value:.3g}", "num"),
            ]
        )
    return [
        Paragraph(
            f"Counterfactual flip test on {flip.field} ({swaps}): the same application with only "
            f"{flip.field} changed. {flip.n_flipped} of {flip.n_decided} decisions changed: "
            f"{rate_cell(flip.flip_rate).text}."
        ),
        Table(
            ["change", "pairs", "flip rate", "flipped to deny / approve", "score change", "sign test p"],
            rows,
            "Score change: counterfactual minus original probability of the favourable answer, mean "
            "with its 95 % bootstrap interval; the sign test (two-sided) asks whether the score rises "
            "as often as it falls.",
        ),
    ]


def _variant_row(v: DecisionVariant, attributes: list[str]) -> list[Cell]:
    by = {g.attribute: g for g in v.gaps}
    return [
        Cell(v.name, "label"),
        rate_cell(v.accuracy),
        Cell(str(v.undecided), "num"),
        *(Cell(gap_text(by[a]) if a in by else "n/a", "num") for a in attributes),
    ]


def decisions_section(report: DecisionReport) -> Section:
    """A DecisionReport as a report Section (key "decisions")."""
    if not isinstance(report, DecisionReport):
        raise InvalidInputError(f"decisions= takes a DecisionReport, got {type(report).__name__}")
    s = report.settings
    facts = Facts(
        [
            Fact("data", report.dataset or report.source, f"{report.rows:,} of {report.table_rows:,} rows"),
            Fact("model", short(report.model_id, 60)),
            Fact("accuracy", rate_cell(report.accuracy).text, f"against {report.label}"),
            Fact("approved", rate_cell(report.selection_rate).text, f"threshold {s.threshold:g}"),
            Fact("score AUC", "n/a" if report.score_auc is None else f"{report.score_auc:.3f}"),
            Fact(
                "undecided",
                str(report.n_undecided),
                f"answers held {pct(report.mass_min)} to {pct(report.mass_median)} (min, median)",
            ),
        ]
    )
    blocks: list[Block] = [
        Paragraph(_INTRO),
        Paragraph(INTERVAL_SENTENCE + " " + SMALL_SENTENCE),
        facts,
        *(Paragraph(n) for n in report.notes),
        Paragraph("False-rejection gaps: " + "; ".join(f"{g.attribute} {gap_text(g)}" for g in report.gaps)),
    ]
    for audit in report.audits:
        blocks += _tabular_audit(audit)
    for flip in report.flips:
        blocks += _flip_blocks(flip)
    m = report.mitigation
    if m is not None:
        attributes = [g.attribute for g in m.variants[0].gaps]
        blocks += [
            Paragraph(
                f"Mitigations on {m.n_test} held-out rows (thresholds fitted on {m.n_train} others): the "
                f"fairness instruction (“{m.instruction}”) and Fairlearn's ThresholdOptimizer on the "
                "model's score, beside the plain decisions and one threshold fitted for accuracy."
            ),
            Table(
                ["decisions", "accuracy", "undecided", *(f"gap: {a}" for a in attributes)],
                [_variant_row(v, attributes) for v in m.variants],
                "Gap: largest difference in false-rejection rate between two groups, with its 95 % "
                "Newcombe interval in percentage points.",
            ),
            *(Paragraph(n) for n in m.notes),
        ]
    return Section(
        "decisions", f"The model as decision-maker: {report.dataset or report.source}", blocks, data=report
    )
