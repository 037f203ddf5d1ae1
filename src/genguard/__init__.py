"""genguard: measurable safety checks for generative models.

The public API, re-exported lazily so that `import genguard` stays cheap (torch, transformers
and the compiled kernels load on first use). See DESIGN.md for the architecture.
"""

from __future__ import annotations

import os

# OpenMP threads that spin while waiting starve each other when the cores are shared: on this
# 2-core machine beside another busy process, a 4-prompt generation took 20-76 s with torch's
# default (active) wait policy and 6.7-8.5 s with PASSIVE; on an idle machine the two are within
# run-to-run noise (6.9-9.1 s vs 9.1-11.3 s). Read by libgomp when torch loads, so it must be set
# before; a value the user has set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
