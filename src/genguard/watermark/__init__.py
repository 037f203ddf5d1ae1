"""Green/red-list watermarking compatible with Kirchenbauer et al. (2023).

Schemes, logits processor, detector, keys and signed certificates. Names are re-exported lazily
(PEP 562), so that `genguard.watermark.keys` and certificates load without torch, transformers
or the numba kernels; only WatermarkLogitsProcessor imports torch and transformers.
"""

from __future__ import annotations

from genguard.lazy import lazy_exports

_LAZY = {
    "Certificate": "genguard.watermark.certificate",
    "issue_certificate": "genguard.watermark.certificate",
    "serialize": "genguard.watermark.certificate",
    "verify_certificate": "genguard.watermark.certificate",
    "Detection": "genguard.watermark.detector",
    "WatermarkDetector": "genguard.watermark.detector",
    "WindowResult": "genguard.watermark.detector",
    "WatermarkKey": "genguard.watermark.keys",
    "load_public_key": "genguard.watermark.keys",
    "WatermarkLogitsProcessor": "genguard.watermark.processor",
    "DEFAULT_SCHEME": "genguard.watermark.schemes",
    "SCHEMES": "genguard.watermark.schemes",
    "get_scheme": "genguard.watermark.schemes",
}

__all__ = sorted(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
