"""Privacy section: the measured membership-inference audit (ROC curves on log axes, as Carlini
et al. 2022 draw them), the accuracy DP costs, and what SISA unlearning costs and saves.

The figures are those of benchmarks/privacy_audit.py and benchmarks/unlearning.py, read from
benchmarks/results/ (`genguard.report.measured.load_privacy_results`, re-exported here); nothing
is copied here.
"""

from __future__ import annotations

import math

from genguard.report.measured import RESULTS, PrivacyResults, load_privacy_results
from genguard.report.page import Cell, Figure, Paragraph, Section, Table
from genguard.report.plots.svg import GRID, MUTED, SERIES_COLOURS, Svg, draw_legend, fmt_px

__all__ = ["RESULTS", "PrivacyResults", "load_privacy_results", "privacy_section", "roc_plot"]


def roc_plot(curves: list[tuple[str, list[tuple[float, float]]]], title: str, width: float = 560) -> str:
    """ROC curves on log-log axes (FPR and TPR from 1e-3 to 1) with the chance diagonal."""
    height, left, right, top, bottom = 420.0, 58.0, 16.0, 48.0 + 16 * ((len(curves) + 2) // 3), 46.0
    lo = -3.0
    px0, px1, py0, py1 = left, width - right, top, height - bottom

    def sx(v: float) -> float:
        return px0 + (math.log10(max(v, 10**lo)) - lo) / -lo * (px1 - px0)

    def sy(v: float) -> float:
        return py1 - (math.log10(max(v, 10**lo)) - lo) / -lo * (py1 - py0)

    svg = Svg(width, title)
    svg.text(0, 14, title, font_weight="600", font_size="13")
    draw_legend(svg, 0, 32, [])
    for t in (1e-3, 1e-2, 1e-1, 1.0):
        svg.line(sx(t), py0, sx(t), py1, GRID)
        svg.line(px0, sy(t), px1, sy(t), GRID)
        svg.text(sx(t), py1 + 15, f"{t:g}", anchor="middle", fill=MUTED)
        svg.text(px0 - 6, sy(t) + 4, f"{t:g}", anchor="end", fill=MUTED)
    svg.line(sx(1e-3), sy(1e-3), sx(1), sy(1), MUTED, stroke_dasharray="4 3")
    svg.text((px0 + px1) / 2, height - 8, "false-positive rate (log)", anchor="middle", fill=MUTED)
    cy = (py0 + py1) / 2
    svg.text(
        14,
        cy,
        "true-positive rate (log)",
        anchor="middle",
        fill=MUTED,
        transform=f"rotate(-90 14 {fmt_px(cy)})",
    )
    for i, (name, points) in enumerate(curves):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        path = " ".join(f"{fmt_px(sx(f))},{fmt_px(sy(t))}" for f, t in points if f > 0)
        svg.add(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        x, y = (i % 3) * (width / 3), 32 + 16 * (i // 3)
        svg.line(x, y - 4, x + 18, y - 4, colour, stroke_width="3")
        svg.text(x + 24, y, name)
    return svg.render(height)


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.2f} %"


def privacy_section(results: PrivacyResults) -> Section:
    """The section: attack table and ROC plot per model, DP accuracy cost, unlearning costs."""
    adult = results.audit["adult"]
    rows, curves = [], []
    for name, row in adult["models"].items():
        for key in ("loss_threshold", "lira"):
            attack = row.get(key)
            if not attack:
                continue
            low, one = attack["tpr_at"]
            privacy = row.get("privacy")
            rows.append(
                [
                    Cell(name, "label"),
                    Cell(attack["attack"]),
                    Cell(
                        f"{attack['auc']:.3f} [{attack['auc_ci'][0]:.3f}, {attack['auc_ci'][1]:.3f}]", "num"
                    ),
                    Cell(_pct(low["tpr"]), "num"),
                    Cell(_pct(one["tpr"]), "num"),
                    Cell(f"{100 * row['accuracy']:.1f} %", "num"),
                    Cell(f"{privacy['epsilon']:.2f} / {privacy['delta']:.0e}" if privacy else "none", "num"),
                ]
            )
            if key == "lira" or not row.get("lira"):
                curves.append((f"{name} ({attack['attack']})", [tuple(p) for p in attack["roc"]]))
    machine = (results.unlearning or {}).get("machine", "not recorded")
    blocks = [
        Paragraph(
            "Measured by the benchmarks, not by this report run (they train shadow models and "
            "ensembles for minutes): benchmarks/privacy_audit.py and benchmarks/unlearning.py, whose "
            "results benchmarks/results/privacy_audit.json and unlearning.json are those of this "
            f"version of genguard (unlearning measured on: {machine}). Rerun them with python "
            "benchmarks/privacy_audit.py and python benchmarks/unlearning.py. "
            "Membership inference: can an attacker tell whether a record was in a model's training data "
            f"from its outputs? Adult, {adult['members']:,} members against as many non-members; AUC 0.5 is "
            "chance. TPR at 0.1 % FPR is the share of members found while almost never accusing a non-member."
        ),
        Table(
            [
                "model",
                "attack",
                "AUC [95 % CI]",
                "TPR @ 0.1 % FPR",
                "TPR @ 1 % FPR",
                "test accuracy",
                "epsilon / delta",
            ],
            rows,
        ),
        Figure(roc_plot(curves, "Membership-inference ROC (Adult)"), "Log-log axes; dashed: chance."),
    ]
    heads = results.audit.get("toxicity_head", {}).get("heads", {})
    if heads:
        blocks.append(
            Table(
                ["toxicity head (Davidson test split)", "AUC", "accuracy", "AUC cost", "epsilon / delta"],
                [
                    [
                        Cell(name, "label"),
                        Cell(f"{h['auc']:.4f}", "num"),
                        Cell(f"{100 * h['accuracy']:.2f} %", "num"),
                        Cell(f"{h['auc_cost']:+.4f}", "num"),
                        Cell(
                            f"{h['privacy']['epsilon']:.2f} / {h['privacy']['delta']:.0e}"
                            if "privacy" in h
                            else "none"
                        ),
                    ]
                    for name, h in heads.items()
                ],
            )
        )
    if results.unlearning:
        urows = []
        for dataset, data in results.unlearning["datasets"].items():
            for r in data["rows"]:
                urows.append(
                    [
                        Cell(f"{dataset} {r['constituent']}", "label"),
                        Cell(f"{r['shards']} x {r['slices']}", "num"),
                        Cell(f"{100 * r['accuracy']:.1f} %", "num"),
                        Cell(f"{r['speedup_1_vs_monolithic']:.1f}x", "num"),
                        Cell(f"{r['speedup_1pct_vs_monolithic']:.1f}x", "num"),
                        Cell("yes" if r["exact_after_forgetting"] else "NO"),
                    ]
                )
        blocks.append(
            Table(
                ["SISA ensemble", "shards x slices", "accuracy", "forget 1 record", "forget 1 %", "exact"],
                urows,
                "Speed-ups against retraining the single model from scratch, measured in the same run.",
            )
        )
    return Section(key="privacy", title="Privacy and unlearning", blocks=blocks, data=results)
