"""The demo's fairness section: every probe on a fast subset, and the German credit audit."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from genguard.datasets import shared_data_dir
from genguard.lm.base import LanguageModel
from genguard.types import Result


def _pp(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} pp"


def fairness_section(model: LanguageModel, out_dir: Path) -> tuple[dict[str, Result], Table, Path | None]:
    """Run the fast fairness subset; returns the results, a terminal table and the page written
    (None, with a one-row table saying why, when the shared data sets are absent)."""
    table = Table(title="Fairness (fast subset; full audit: genguard audit fairness)", show_lines=False)
    for column in ("probe", "finding", "judged"):
        table.add_column(column)
    if shared_data_dir() is None:
        table.add_row("all", "skipped: the shared data sets (Winogender, BOLD, WinoBias) are absent", "")
        return {}, table, None
    from genguard.fairness.audit import PROBES, FairnessOptions, run_fairness_audit
    from genguard.fairness.table import run_tabular_audit
    from genguard.report.fairness_report import write_fairness_report
    from genguard.storage.runs import RunStore

    with RunStore(out_dir / "runs.sqlite") as store:
        results = run_fairness_audit(model, PROBES, store, FairnessOptions.fast())
    results["tabular"] = run_tabular_audit(dataset="german-credit", groups=["sex", "age"], bootstrap=300)
    page, _ = write_fairness_report(out_dir, sections=results)

    p = results["pronoun"]
    table.add_row(
        "pronoun",
        f"skew {p.mean_absolute_skew:.2f}; r with labour statistics {p.correlation:.2f} "
        f"[{p.correlation_ci[0]:.2f}, {p.correlation_ci[1]:.2f}]",
        f"{len(p.occupations)} occupations",
    )
    for m in results["context"].modifiers:
        table.add_row(
            "context",
            f"'{m.modifier}': female share {m.shift:+.1%}",
            "as expected" if m.moves_as_expected else "NOT as expected",
        )
    t = results["tone"]
    gaps = [c for c in t.comparisons if c.significant]
    table.add_row(
        "tone",
        f"{len(gaps)} of {len(t.comparisons)} group gaps significant (Holm)"
        + "".join(f"; {c.metric} {c.group_a} - {c.group_b} {c.difference:+.3f}" for c in gaps[:2]),
        f"{t.n_prompts} prompts" if t.decided else t.note,
    )
    c = results["counterfactual"]
    for m in c.measures:
        if not m.too_small:
            table.add_row(
                "counterfactual",
                f"{m.measure}: {m.mean:+.3f}",
                "significant" if m.significant else "not significant",
            )
    for m in results["tabular"].mitigations:
        verdict = (
            "meets"
            if m.meets_epsilon
            else ("cannot tell" if m.miss_by is None else f"misses by {_pp(m.miss_by)}")
        )
        table.add_row(
            "credit",
            f"{m.attribute}: false-rejection gap {_pp(m.baseline_gap)} -> {_pp(m.constrained_gap)}",
            f"epsilon 1 %: {verdict}",
        )
    return results, table, page
