"""Report section: the zero-shot machine-text detector on the watermark part's texts, with the
watermark detector's verdict beside each (the same texts, two kinds of evidence)."""

from __future__ import annotations

from genguard.report.format import short
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Section, Table
from genguard.report.plots import Bar, interval_bars
from genguard.report.results import DetectionRun


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "n/a" if value is None else fmt.format(value)


def detection_section(run: DetectionRun) -> Section:
    """Facts of the calibration, each text's score against the threshold, a table with the
    watermark verdict beside the zero-shot one, and which evidence weighs more."""
    rows = []
    for i, item in enumerate(run.items, 1):
        d, mark = item.detection, item.detection.watermark
        rows.append(
            [
                Cell(str(i), "num"),
                Cell(item.kind, "label"),
                Cell(short(item.text, 60)),
                Cell(str(d.num_tokens), "num"),
                Cell(_num(d.score), "num"),
                Cell(d.decision.replace("_", " "), "label"),
                Cell("n/a" if mark is None else mark.decision.replace("_", " "), "label"),
                Cell(short(d.evidence, 80)),
            ]
        )
    bars = [Bar(f"{i}. {item.kind}", item.detection.score, note=item.detection.decision.replace("_", " "))
            for i, item in enumerate(run.items, 1)]  # fmt: skip
    low, high = run.fpr_interval
    blocks: list[Block] = [
        Paragraph(
            "Can a text be recognised as written by a model without a watermark? The zero-shot detector "
            "(Fast-DetectGPT's analytic sampling discrepancy on the model itself, genguard.detection) "
            "scores the same texts as the watermark section: the model's watermarked and plain answers "
            "and human texts. A text is called machine-generated above the threshold, calibrated on "
            f"human text to a {run.target_fpr:.0%} false-positive rate (95 % interval {low:.1%} to "
            f"{high:.1%}); below {run.min_tokens} tokens it does not decide. The human texts come from "
            "the sources the packaged calibration was drawn from, so their rate here says little about "
            "other kinds of text: calibrate on your own (genguard detect calibrate). Sampled, "
            "paraphrased or other models' text often scores like human text; the watermark's verdict, "
            "an exact test, is shown beside it. Measured rates per setting: "
            "benchmarks/results/detection_quality.json."
        ),
        Facts(
            [
                Fact("model", run.model_id),
                Fact("calibration", run.calibration),
                Fact(
                    "decision",
                    f"score > {run.threshold:.3f}",
                    f"false-positive rate {run.target_fpr:.0%} (95 % interval {low:.1%}-{high:.1%})",
                ),
            ]
        ),
        Figure(
            interval_bars(
                bars,
                title="zero-shot score of each text",
                axis_label="sampling discrepancy (higher: more machine-like)",
                reference=run.threshold,
                reference_label=f"threshold {run.threshold:.2f}",
                value_format="{:.2f}",
            ),
            "Bars right of the dashed line are called machine-generated.",
        ),
        Table(["#", "kind", "text", "tokens", "score", "zero-shot", "watermark", "evidence"], rows),
    ]
    return Section("detection", "Machine-text detection", blocks, data=run)
