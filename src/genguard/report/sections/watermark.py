"""Report section: the watermark detected in the model's watermarked answers, and not elsewhere."""

from __future__ import annotations

from genguard.report.format import short
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Piece, Section, Table, Tokens
from genguard.report.plots import Bar, interval_bars
from genguard.report.results import WatermarkItem, WatermarkRun

# Green-list mask codes of a Detection -> CSS class and legend text.
TOKEN_CLASSES = {1: "g", 0: "r", -1: "u", -2: "rep"}
LEGEND = [
    Piece("green token", "g"),
    Piece("red token", "r"),
    Piece("not scored (context)", "u"),
    Piece("repeat (same seed and token), not counted", "rep"),
]


def token_pieces(tokens: list[str], mask: list[int]) -> list[Piece]:
    """One Piece per token, coloured by its green-list mask code."""
    return [Piece(t, TOKEN_CLASSES[code]) for t, code in zip(tokens, mask, strict=True)]


def _z(item: WatermarkItem) -> str:
    d = item.detection
    return "n/a" if d.z_score is None else f"{d.z_score:.2f}"


def watermark_section(run: WatermarkRun) -> Section:
    """Facts of the scheme, z-scores per text against the threshold, a table, and every text's tokens."""
    rows = [
        [
            Cell(str(i), "num"),
            Cell(item.kind, "label"),
            Cell(short(item.text, 70)),
            Cell(str(item.detection.num_tokens), "num"),
            Cell(str(item.detection.num_tokens_scored), "num"),
            Cell(str(item.detection.num_green_tokens), "num"),
            Cell(_z(item), "num"),
            Cell("n/a" if item.detection.p_value is None else f"{item.detection.p_value:.2g}", "num"),
            Cell(item.detection.decision.replace("_", " "), "label"),
        ]
        for i, item in enumerate(run.items, 1)
    ]
    bars = [
        Bar(f"{i}. {item.kind}", item.detection.z_score, note=item.detection.reason or "not scored")
        for i, item in enumerate(run.items, 1)
    ]
    blocks: list[Block] = [
        Paragraph(
            "The model answered each prompt twice: once with the watermark (a secret key makes a "
            f"{run.gamma:.0%} “green” share of the vocabulary more likely at every step) and once without. "
            "The detector counts green tokens; the z-score says how far their number lies above "
            "chance. Human texts (not written by the model) are tested too: they should never be "
            f"called watermarked. At z ≥ {run.z_threshold:g} a human text is called watermarked with "
            f"probability {run.false_positive_rate:.2g} (the exact binomial tail)."
        ),
        Facts(
            [
                Fact("model", run.model_id),
                Fact("tokenizer", run.tokenizer_id),
                Fact("scheme", run.scheme, f"gamma {run.gamma}, delta {run.delta}"),
                Fact("key", run.key_id, "the public reference key"),
                Fact(
                    "decision",
                    f"z ≥ {run.z_threshold:g}",
                    f"false-positive rate {run.false_positive_rate:.2g}",
                ),
                Fact("generation", f"up to {run.max_new_tokens} new tokens", f"seed {run.seed}"),
            ]
        ),
        Figure(
            interval_bars(
                bars,
                title="z-score of each text",
                axis_label="z-score (green tokens above chance, in standard deviations)",
                reference=run.z_threshold,
                reference_label=f"decision threshold z = {run.z_threshold:g}",
                value_format="{:.1f}",
            ),
            "Bars right of the dashed line are called watermarked.",
        ),
        Table(["#", "kind", "text", "tokens", "scored", "green", "z", "p", "verdict"], rows),
    ]
    for i, item in enumerate(run.items, 1):
        note = (f"Prompt: {item.prompt} · " if item.prompt else "") + item.detection.reason
        blocks.append(
            Tokens(
                f"{i}. {item.kind}: {item.detection.decision.replace('_', ' ')} (z = {_z(item)})",
                token_pieces(item.tokens, item.detection.green_mask),
                note=note,
                legend=LEGEND if i == 1 else [],
            )
        )
    return Section("watermark", "Watermark", blocks, data=run)
