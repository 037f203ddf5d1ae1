"""The detector's answers: one MachineTextDetection per text, with spans when asked."""

from __future__ import annotations

from typing import Literal

from genguard.types import Result
from genguard.watermark.detector import Detection

Decision = Literal["machine_generated", "not_detected", "cannot_decide"]


class SpanScore(Result):
    """One window of `token_end - token_start` tokens: characters [start, end) of the text as given
    (None when the tokenizer gives no offsets), its discrepancy `score` (the same statistic as
    the whole text's, over the window only) and whether it is above the span threshold."""

    start: int | None
    end: int | None
    token_start: int
    token_end: int
    score: float
    flagged: bool


class MachineTextDetection(Result):
    """The zero-shot verdict on one text.

    `score` is Fast-DetectGPT's analytic sampling discrepancy (genguard.detection.curvature; in
    standard deviations, higher = more machine-like), `threshold` the calibrated value above which
    the text is called machine-generated, with the false-positive rate it was calibrated for
    (`target_fpr`) and the 95 % interval of that rate (`fpr_interval`) on text like the
    calibration texts (`calibration` names them). `logprob_ratio` is the one-model Binoculars score
    (lower = more machine-like; reported, not used for the decision). `num_tokens_scored` <
    `num_tokens` when a long text was scored on evenly spaced blocks (`coverage`).

    `watermark` holds the watermark detector's result when a key was given; `evidence` says which
    answer carries more weight (a watermark's p-value is exact, the zero-shot rate is estimated).
    """

    decision: Decision
    is_machine: bool
    reason: str
    score: float | None
    threshold: float
    target_fpr: float
    fpr_interval: tuple[float, float]
    logprob_ratio: float | None
    num_tokens: int
    num_tokens_scored: int
    min_tokens: int
    coverage: float
    model_id: str
    calibration: str
    spans: list[SpanScore] | None = None
    span_threshold: float | None = None
    watermark: Detection | None = None
    evidence: str
