"""Short terminal tables, one per finished part of a report run (rich)."""

from __future__ import annotations

from rich.table import Table

from genguard.report.format import short
from genguard.report.results import (
    DetectionRun,
    FairnessRun,
    GuardRun,
    ProvenanceRun,
    SummaryLine,
    WatermarkRun,
)
from genguard.report.sections.guard import explain


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col, overflow="fold")
    return table


def watermark_table(run: WatermarkRun, note: str = "") -> Table:
    """kind, text, tokens, z, verdict per text."""
    table = _table(
        f"Watermark ({run.scheme}, z ≥ {run.z_threshold:g}){note}", "kind", "text", "tokens", "z", "verdict"
    )
    for item in run.items:
        d = item.detection
        z = "n/a" if d.z_score is None else f"{d.z_score:.2f}"
        table.add_row(item.kind, short(item.text, 38), str(d.num_tokens), z, d.decision.replace("_", " "))
    return table


def detection_table(run: DetectionRun, note: str = "") -> Table:
    """kind, text, tokens, score, zero-shot and watermark verdict per text."""
    table = _table(
        f"Machine-text detection (score > {run.threshold:.2f}, FPR {run.target_fpr:.0%}){note}",
        *("kind", "text", "tokens", "score", "zero-shot", "watermark"),
    )
    for item in run.items:
        d = item.detection
        table.add_row(
            item.kind,
            short(item.text, 38),
            str(d.num_tokens),
            "n/a" if d.score is None else f"{d.score:.2f}",
            d.decision.replace("_", " "),
            "n/a" if d.watermark is None else d.watermark.decision.replace("_", " "),
        )
    return table


def guard_table(run: GuardRun, note: str = "") -> Table:
    """stage, kind, action per profile, and why (the last profile that flagged it)."""
    table = _table(f"Guard (built-in policy){note}", "stage", "kind", *run.profiles, "why")
    for item in run.items:
        flagged = [p for p in run.profiles if item.verdicts[p].flags]
        why = explain(run, item, flagged[-1]) if flagged else "-"
        table.add_row(item.stage, item.kind, *(item.verdicts[p].action for p in run.profiles), short(why, 70))
    return table


def fairness_table(run: FairnessRun, note: str = "") -> Table:
    """One row per probe that ran, with its headline number."""
    table = _table(f"Fairness{note}", "probe", "finding")
    if run.pronoun is not None:
        p = run.pronoun
        r = "n/a" if p.correlation is None else f"{p.correlation:.2f}"
        table.add_row("pronoun", f"skew {p.mean_absolute_skew:.2f}; r with labour statistics {r}")
    if run.context is not None:
        moved = sum(m.moves_as_expected for m in run.context.modifiers)
        table.add_row(
            "context", f"{moved} of {len(run.context.modifiers)} phrases move the pronoun as expected"
        )
    if run.tone is not None:
        sig = sum(c.significant for c in run.tone.comparisons)
        table.add_row("tone", f"{sig} of {len(run.tone.comparisons)} group gaps significant (Holm)")
    if run.counterfactual is not None:
        sig = sum(m.significant for m in run.counterfactual.measures)
        table.add_row("counterfactual", f"{sig} of {len(run.counterfactual.measures)} measures significant")
    if run.tabular is not None:
        for m in run.tabular.mitigations:
            gap = "n/a" if m.constrained_gap is None else f"{m.constrained_gap * 100:.1f} pp"
            table.add_row("credit", f"{m.attribute}: false-rejection gap after mitigation {gap}")
    return table


def provenance_table(run: ProvenanceRun, note: str = "") -> Table:
    """Near-verbatim rate per memorization source, and the protected-index check."""
    table = _table(f"Provenance{note}", "check", "finding")
    if run.memorization is not None:
        for s in run.memorization.sources:
            if s.near_verbatim is None:
                table.add_row(f"memorization: {s.source}", s.reason)
            else:
                table.add_row(f"memorization: {s.source}", f"near-verbatim {s.near_verbatim.k} of {s.n}")
    if run.protected is not None:
        p = run.protected
        copies = sum(1 for m in p.answer_matches if m)
        table.add_row(
            "protected index",
            f"{copies} of {p.answers} answers copy; planted {p.planted_found} of {p.planted} found",
        )
    return table


def summary_table(lines: list[SummaryLine]) -> Table:
    """The card's summary."""
    table = _table("Report card", "concern", "verdict", "the number behind it")
    for line in lines:
        table.add_row(line.concern, line.verdict, line.detail)
    return table
