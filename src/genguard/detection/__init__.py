"""Zero-shot machine-text detection (Fast-DetectGPT's analytic sampling discrepancy on the
embedded model), calibration from the user's own human texts, sliding-window spans, and the
watermark detector beside it where the text carries a watermark.

Names are re-exported lazily (PEP 562): importing the package loads neither torch nor a model.
"""

from __future__ import annotations

from genguard.lazy import lazy_exports

_LAZY = {
    "Calibration": "genguard.detection.calibration",
    "CalibrationFile": "genguard.detection.calibration",
    "default_calibration": "genguard.detection.calibration",
    "fpr_threshold": "genguard.detection.calibration",
    "load_calibration": "genguard.detection.calibration",
    "read_human_jsonl": "genguard.detection.calibration",
    "save_calibration": "genguard.detection.calibration",
    "discrepancy": "genguard.detection.curvature",
    "logprob_ratio": "genguard.detection.curvature",
    "token_statistics": "genguard.detection.curvature",
    "MachineTextDetector": "genguard.detection.detector",
    "calibrate": "genguard.detection.detector",
    "paraphrase": "genguard.detection.paraphrase",
    "MachineTextDetection": "genguard.detection.result",
    "SpanScore": "genguard.detection.result",
    "score_tokens": "genguard.detection.tokens",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
