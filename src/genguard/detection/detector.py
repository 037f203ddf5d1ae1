"""Zero-shot machine-text detection on a local model: scores, calibrated verdicts, spans, and the
watermark detector beside them.

    detector = MachineTextDetector()                 # default model, packaged calibration
    [result] = detector.detect(["some text ..."], spans=True)
    result.decision                                  # machine_generated / not_detected / cannot_decide

The packaged calibration (default_calibration.json, written by benchmarks/detection_quality.py,
which holds the numbers) pools 200 human texts, BOLD Wikipedia paragraphs and Davidson tweets of
16-104 tokens: at the last run its threshold 0.159 has an expected false-positive rate of 1.0 %
(95 % interval 0.12-2.8 %), and on the held-out halves it flagged 2 % of Wikipedia and 3 % of tweet
texts; the true-positive rates per domain and generation setting are in
benchmarks/results/detection_quality.json and the README. Off those domains the rate is not
known: calibrate on your own human texts (`calibrate`, `genguard detect calibrate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genguard.detection.calibration import (
    Calibration,
    CalibrationFile,
    Threshold,
    default_calibration,
    fpr_threshold,
    now,
)
from genguard.detection.curvature import discrepancy, logprob_ratio
from genguard.detection.result import Decision, MachineTextDetection
from genguard.detection.spans import human_window_scores, span_scores
from genguard.detection.tokens import TokenCurve, score_tokens
from genguard.errors import InvalidInputError
from genguard.text import check_texts

DEFAULT_SPAN_TOKENS = 64


class MachineTextDetector:
    """Fast-DetectGPT (analytic) on `model` (default: the embedded SmolLM2-135M), deciding with
    `calibration` (default: the packaged one). Batch first: `detect` takes a list of texts.

    `max_tokens` bounds the work per text (longer texts are scored on evenly spaced blocks);
    `token_budget` bounds the positions per forward pass (memory)."""

    def __init__(
        self,
        model: Any = None,
        calibration: Calibration | None = None,
        *,
        max_tokens: int = 8192,
        token_budget: int = 1024,
    ) -> None:
        if model is None:
            from genguard.lm import load_default_model

            model = load_default_model()
        self.model = model
        if calibration is not None and not isinstance(calibration, Calibration):
            raise InvalidInputError(f"calibration must be a Calibration, got {type(calibration).__name__}")
        self._calibration = calibration
        self.max_tokens = max_tokens
        self.token_budget = token_budget

    @property
    def calibration(self) -> Calibration:
        """The calibration decisions use: the one given, else the packaged one (read on first use,
        so that scoring alone never needs it)."""
        if self._calibration is None:
            self._calibration = default_calibration()
        return self._calibration

    def curves(self, texts: Sequence[str]) -> list[TokenCurve]:
        """Per-token statistics of each text (genguard.detection.tokens)."""
        return score_tokens(self.model, texts, max_tokens=self.max_tokens, token_budget=self.token_budget)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """The discrepancy of each text, float64 [len(texts)] (nan for a text with no tokens)."""
        return np.asarray([discrepancy(c.stats) for c in self.curves(texts)], dtype=np.float64)

    def detect(
        self, texts: Sequence[str], *, spans: bool = False, watermark: Any = None
    ) -> list[MachineTextDetection]:
        """One MachineTextDetection per text, in input order.

        `spans` adds sliding-window scores; `watermark` (a WatermarkDetector built with the key)
        also runs the watermark detector and says which evidence is stronger. InvalidInputError for
        a non-list or non-str item; an empty or short text gets "cannot_decide"."""
        texts = check_texts(texts, "pass a list of texts")
        curves = self.curves(texts)
        marks = watermark.detect(texts) if watermark is not None and texts else [None] * len(texts)
        return [self._result(c, m, spans) for c, m in zip(curves, marks, strict=True)]

    def _result(self, curve: TokenCurve, mark: Any, want_spans: bool) -> MachineTextDetection:
        cal = self.calibration
        t = cal.text
        score = discrepancy(curve.stats)
        n = curve.num_tokens
        decision: Decision
        if n < cal.min_tokens:
            decision = "cannot_decide"
            reason = (
                f"{n} token(s); below {cal.min_tokens} tokens this detector was no better than chance on "
                "held-out text (benchmarks/detection_quality.py)"
            )
        elif not np.isfinite(score):
            decision, reason = "cannot_decide", "the model is certain of every token; no spread to compare"
        elif score > t.threshold:
            decision = "machine_generated"
            reason = (
                f"score {score:.2f} > threshold {t.threshold:.2f}, calibrated for a false-positive rate of "
                f"{t.target_fpr:.1%} (95 % interval {t.fpr_interval[0]:.2%}-{t.fpr_interval[1]:.2%})"
            )
        else:
            decision = "not_detected"
            reason = (
                f"score {score:.2f} <= threshold {t.threshold:.2f}: no evidence of machine generation, "
                "which does not show that a person wrote it (sampling at temperature 1, paraphrase or "
                "another model often score like human text)"
            )
        low, high = cal.text_tokens[0], cal.text_tokens[2]
        if decision != "cannot_decide" and not low <= n <= high:
            reason += (
                f"; the threshold was calibrated on texts of {low}-{high} tokens, so its false-positive "
                f"rate at {n} tokens is not measured"
            )
        if curve.coverage < 1:
            reason += f"; scored on {len(curve.positions):,} of {n:,} tokens (evenly spaced blocks)"
        spans = span_threshold = None
        if want_spans:
            size = cal.span.tokens if cal.span is not None and cal.span.tokens else DEFAULT_SPAN_TOKENS
            span_threshold = cal.span.threshold if cal.span is not None else t.threshold
            spans = span_scores(curve, size, span_threshold)
        ratio = logprob_ratio(curve.stats)
        return MachineTextDetection(
            decision=decision,
            is_machine=decision == "machine_generated",
            reason=reason,
            score=float(score) if np.isfinite(score) else None,
            threshold=t.threshold,
            target_fpr=t.target_fpr,
            fpr_interval=t.fpr_interval,
            logprob_ratio=ratio if np.isfinite(ratio) else None,
            num_tokens=n,
            num_tokens_scored=len(curve.positions),
            min_tokens=cal.min_tokens,
            coverage=curve.coverage,
            model_id=self.model.model_id,
            calibration=f"{cal.source}" + (f" (domain {cal.domain})" if cal.domain else ""),
            spans=spans,
            span_threshold=span_threshold,
            watermark=mark,
            evidence=evidence(mark, t),
        )


def evidence(mark: Any, t: Threshold) -> str:
    """Which answer weighs more for a text: the watermark's (exact) or the zero-shot (estimated)."""
    zero_shot = (
        f"the zero-shot score is a statistical estimate (false-positive rate {t.target_fpr:.1%} on text "
        "like the calibration texts, unknown on other text)"
    )
    if mark is None:
        return (
            f"zero-shot only: {zero_shot}; where the generator watermarks its output, the watermark "
            "detector with its key gives an exact p-value and is the stronger proof"
        )
    if mark.decision == "watermarked":
        return (
            f"the watermark is the stronger proof: key {mark.key_id} found with exact p = {mark.p_value:.2g} "
            f"(z = {mark.z_score:.1f}); {zero_shot}"
        )
    if mark.decision == "insufficient_evidence":
        return f"too short for the watermark to decide ({mark.reason}); {zero_shot}"
    return (
        f"no watermark of key {mark.key_id} (p = {mark.p_value:.2g}): not generated with this key, or "
        f"edited since; the zero-shot verdict rests on its own estimate: {zero_shot}"
    )


def calibrate(
    detector: MachineTextDetector,
    texts: Sequence[str],
    domains: Sequence[str | None] | None = None,
    *,
    target_fpr: float = 0.01,
    span_tokens: int = DEFAULT_SPAN_TOKENS,
    source: str = "user texts",
    min_tokens: int | None = None,
) -> CalibrationFile:
    """Calibrate on human `texts` (optionally each with a domain): a pooled calibration and one per
    domain that has enough texts for `target_fpr` (fewer: left out). Texts shorter than the
    detector's `min_tokens` are skipped (they would get "cannot_decide" anyway). InvalidInputError
    when the pooled texts are too few for `target_fpr`."""
    texts = check_texts(texts, "pass a list of human texts")
    if domains is not None and len(domains) != len(texts):
        raise InvalidInputError(f"{len(domains)} domains for {len(texts)} texts; give one per text")
    min_tokens = detector.calibration.min_tokens if min_tokens is None else min_tokens
    return calibrate_curves(
        detector.model.model_id,
        detector.curves(texts),
        domains,
        target_fpr=target_fpr,
        span_tokens=span_tokens,
        source=source,
        min_tokens=min_tokens,
    )


def calibrate_curves(
    model_id: str,
    curves: Sequence[TokenCurve],
    domains: Sequence[str | None] | None,
    *,
    target_fpr: float,
    span_tokens: int,
    source: str,
    min_tokens: int,
) -> CalibrationFile:
    """`calibrate` on texts already scored (their TokenCurves, in the same order as `domains`)."""
    labels = list(domains) if domains is not None else [None] * len(curves)
    pooled = _fit(model_id, list(curves), target_fpr, span_tokens, source, None, min_tokens)
    per_domain = {}
    for name in sorted({d for d in labels if d is not None}):
        subset = [c for c, d in zip(curves, labels, strict=True) if d == name]
        try:
            per_domain[name] = _fit(model_id, subset, target_fpr, span_tokens, source, name, min_tokens)
        except InvalidInputError:
            continue  # too few texts in this domain for the rate: only the pooled threshold
    return CalibrationFile(pooled=pooled, domains=per_domain)


def _fit(
    model_id: str,
    curves: list[TokenCurve],
    target_fpr: float,
    span_tokens: int,
    source: str,
    domain: str | None,
    min_tokens: int,
) -> Calibration:
    used = [c for c in curves if c.num_tokens >= min_tokens]
    scores = [discrepancy(c.stats) for c in used]
    text = fpr_threshold(scores, target_fpr)
    try:
        span = fpr_threshold(human_window_scores(used, span_tokens), target_fpr)
        span = span.model_copy(update={"tokens": span_tokens})
    except InvalidInputError:
        span = None  # too few windows of that size for the rate
    lengths = np.asarray([c.num_tokens for c in used])
    return Calibration(
        model_id=model_id,
        domain=domain,
        source=source,
        created=now(),
        min_tokens=min_tokens,
        text=text,
        span=span,
        text_tokens=(int(lengths.min()), int(np.median(lengths)), int(lengths.max())),
        skipped_short=len(curves) - len(used),
    )
