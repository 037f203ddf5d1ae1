"""genguard: measurable safety checks for generative models.

The public API, re-exported lazily so that `import genguard` stays cheap (torch, transformers
and the compiled kernels load on first use). See DESIGN.md for the architecture.
"""

from __future__ import annotations

from genguard.errors import (
    CertificateError,
    ConfigError,
    GenguardError,
    InvalidInputError,
    KeyFileError,
    ModelLoadError,
)
from genguard.lazy import lazy_exports

__version__ = "0.1.0"

_LAZY = {
    "WatermarkDetector": "genguard.watermark",
    "WatermarkKey": "genguard.watermark",
    "WatermarkLogitsProcessor": "genguard.watermark",
    "Detection": "genguard.watermark",
    "issue_certificate": "genguard.watermark",
    "verify_certificate": "genguard.watermark",
    "load_model": "genguard.lm",
    "load_tokenizer": "genguard.lm",
    "normalize": "genguard.text",
}

__all__ = [
    "CertificateError",
    "ConfigError",
    "GenguardError",
    "InvalidInputError",
    "KeyFileError",
    "ModelLoadError",
    "__version__",
    *_LAZY,
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
