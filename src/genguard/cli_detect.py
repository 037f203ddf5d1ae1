"""`genguard detect FILE|-` and `genguard detect calibrate HUMAN.jsonl`: zero-shot machine-text
detection (genguard.detection) and its calibration on the user's own human texts.

`genguard detect FILE` is short for `genguard detect text FILE` (a first argument that is not a
command name is taken as the file). Input files, calibration and key files are read before the
model loads, so a mistake costs no waiting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from genguard.cli_common import (
    JsonOpt,
    ModelOpt,
    emit,
    err,
    in_range,
    input_file,
    load_model_with_spinner,
    open_unit,
    out,
    output_file,
    read_nonempty_text,
    require_content,
    show_progress,
    spinner,
)
from genguard.cli_watermark import GammaOpt, Scheme, SchemeOpt


class _TextByDefault(TyperGroup):
    """A group whose first argument, when it is not one of its commands (or an option), is the
    input of the `text` command: `genguard detect FILE` runs `genguard detect text FILE`."""

    def parse_args(self, ctx, args):  # click's hook: args are the words after `detect`
        if args and args[0] not in self.commands and (args[0] == "-" or not args[0].startswith("-")):
            args = ["text", *args]
        return super().parse_args(ctx, args)


detect_app = typer.Typer(
    cls=_TextByDefault,
    help="Zero-shot machine-text detection: `genguard detect FILE`, `genguard detect calibrate HUMAN.jsonl`.",
    no_args_is_help=True,
)

MaxTokensOpt = Annotated[
    int,
    typer.Option(
        min=1, max=1_000_000, help="Most tokens scored per text; longer ones: evenly spaced blocks."
    ),
]


@detect_app.command("text")
def detect_text(
    source: Annotated[Path, typer.Argument(callback=input_file, help="Text file to test, or - for stdin.")],
    calibration: Annotated[
        Path | None,
        typer.Option(callback=input_file, help="Calibration file from `genguard detect calibrate`."),
    ] = None,
    domain: Annotated[str | None, typer.Option(help="Use the calibration of this domain.")] = None,
    spans: Annotated[bool, typer.Option("--spans", help="Score sliding windows of the text.")] = False,
    key: Annotated[
        list[Path] | None,
        typer.Option(callback=input_file, help="Watermark key file: also test for the watermark."),
    ] = None,
    scheme: SchemeOpt = Scheme.selfhash,
    gamma: GammaOpt = 0.25,
    model: ModelOpt = "default",
    max_tokens: MaxTokensOpt = 8192,
    as_json: JsonOpt = False,
) -> None:
    """Is this text machine-generated? A calibrated verdict (machine_generated, not_detected or
    cannot_decide for short texts) with its false-positive rate; with --key also the watermark."""
    from genguard.detection.calibration import default_calibration, load_calibration

    if domain is not None and calibration is None:
        raise typer.BadParameter("--domain needs --calibration (the packaged calibration is pooled)")
    text = read_nonempty_text(source)
    cal = load_calibration(calibration).pick(domain) if calibration else default_calibration()
    marker = None
    if key:
        from genguard.watermark import WatermarkDetector, WatermarkKey

        keys = [WatermarkKey.load(k) for k in key]
    lm = load_model_with_spinner(model, show_progress(as_json))
    if key:
        marker = WatermarkDetector(lm.tokenizer, keys=keys, scheme=scheme.value, gamma=gamma)
    from genguard.detection import MachineTextDetector

    detector = MachineTextDetector(lm, cal, max_tokens=max_tokens)
    with spinner(f"scoring {len(text):,} characters", show_progress(as_json)):
        result = detector.detect([text], spans=spans, watermark=marker)[0]
    if as_json:
        emit(result.model_dump())
        return
    score = "n/a" if result.score is None else f"{result.score:.2f}"
    out.print(
        f"{result.decision}: score {score}, threshold {result.threshold:.2f} "
        f"({result.num_tokens_scored:,} of {result.num_tokens:,} tokens, {result.model_id})",
        markup=False,
    )
    out.print(result.reason, markup=False)
    if result.watermark is not None:
        w = result.watermark
        z = "n/a" if w.z_score is None else f"{w.z_score:.2f}"
        out.print(f"watermark: {w.decision} (z = {z}, key {w.key_id})", markup=False)
    out.print(f"evidence: {result.evidence}", markup=False)
    if result.spans is not None:
        flagged = [s for s in result.spans if s.flagged]
        out.print(
            f"spans: {len(flagged)} of {len(result.spans)} windows above {result.span_threshold:.2f}",
            markup=False,
        )
        for s in flagged[:20]:
            excerpt = " ".join(text[s.start : s.end].split()) if s.start is not None else ""
            out.print(f"  chars {s.start}-{s.end}  score {s.score:.2f}  {excerpt[:80]!r}", markup=False)


@detect_app.command("calibrate")
def detect_calibrate(
    human: Annotated[
        Path,
        typer.Argument(
            callback=input_file,
            help='JSONL of human texts: a JSON string per line, or {"text": ..., "domain": ...}.',
        ),
    ],
    out_path: Annotated[
        Path, typer.Option("--out", callback=output_file, help="Where to write the calibration JSON.")
    ] = Path("detect-calibration.json"),
    fpr: Annotated[
        float, typer.Option(callback=open_unit, help="Target false-positive rate on human text, in (0, 1).")
    ] = 0.01,
    span_tokens: Annotated[
        int, typer.Option(callback=in_range(8, 4096), help="Window length of --spans, in tokens.")
    ] = 64,
    model: ModelOpt = "default",
    max_tokens: MaxTokensOpt = 8192,
    as_json: JsonOpt = False,
) -> None:
    """Calibrate the threshold on your own human texts so that it holds --fpr on text like them;
    per domain too when the lines name one. Needs at least 1/fpr - 1 texts (99 for 1 %)."""
    from genguard.detection.calibration import read_human_jsonl, save_calibration

    require_content(human, "file")
    rows = read_human_jsonl(human)
    lm = load_model_with_spinner(model, show_progress(as_json))
    from genguard.detection import MachineTextDetector, calibrate

    detector = MachineTextDetector(lm, max_tokens=max_tokens)
    with spinner(f"scoring {len(rows):,} human texts", show_progress(as_json)):
        result = calibrate(
            detector,
            [t for t, _ in rows],
            [d for _, d in rows] if any(d is not None for _, d in rows) else None,
            target_fpr=fpr,
            span_tokens=span_tokens,
            source=f"user texts {human.name}",
        )
    save_calibration(result, out_path)
    if as_json:
        emit(result.model_dump())
        return
    for name, cal in [("pooled", result.pooled), *sorted(result.domains.items())]:
        t = cal.text
        out.print(
            f"{name}: threshold {t.threshold:.3f} on {t.n} texts ({cal.skipped_short} too short), "
            f"false-positive rate {t.expected_fpr:.2%} (95 % interval {t.fpr_interval[0]:.2%}-"
            f"{t.fpr_interval[1]:.2%})",
            markup=False,
        )
    err.print(f"calibration written to {out_path}", markup=False)
