"""Green/red-list watermarking compatible with Kirchenbauer et al. (2023).

Schemes, logits processor, detector, keys and signed certificates.
"""

from genguard.watermark.certificate import Certificate, issue_certificate, serialize, verify_certificate
from genguard.watermark.detector import Detection, WatermarkDetector, WindowResult
from genguard.watermark.keys import WatermarkKey, load_public_key
from genguard.watermark.processor import WatermarkLogitsProcessor
from genguard.watermark.schemes import DEFAULT_SCHEME, SCHEMES, get_scheme

__all__ = [
    "DEFAULT_SCHEME",
    "SCHEMES",
    "Certificate",
    "Detection",
    "WatermarkDetector",
    "WatermarkKey",
    "WatermarkLogitsProcessor",
    "WindowResult",
    "get_scheme",
    "issue_certificate",
    "load_public_key",
    "serialize",
    "verify_certificate",
]
