"""genguard: measurable safety checks for generative models.

The public API, re-exported lazily so that `import genguard` stays cheap (torch, transformers
and the compiled kernels load on first use). See DESIGN.md for the architecture.
"""

from __future__ import annotations

import os
import sys

from genguard.errors import (
    CertificateError,
    ConfigError,
    GenguardError,
    InvalidInputError,
    KeyFileError,
    ModelLoadError,
)
from genguard.lazy import lazy_exports

# OpenMP threads that spin while waiting starve each other when the cores are shared. On this 2-core
# machine beside one other busy process, 4 prompts x 64 tokens from SmolLM2 took 7.1 s with
# PASSIVE and 20.1 s with ACTIVE, one MiniLM embedding 10.8 vs 14.2 ms (a spin count of 10,000:
# 17.9 s). The price on an idle machine: the same generation 8.3 vs 6.4 s, one MiniLM embedding of
# 30 word pieces 8.7 ms (one thread, see genguard.scoring.embedder.ONE_THREAD_TOKENS) vs 5.7 ms.
# A machine that runs nothing else may set OMP_WAIT_POLICY=ACTIVE before starting. Read by libgomp
# when torch loads, so it must be set before (genguard.errors and genguard.lazy do not load
# torch); a value the user has set wins.
OPENMP_PASSIVE = (
    "GOMP_SPINCOUNT" not in os.environ
    and (os.environ.get("OMP_WAIT_POLICY") or ("" if "torch" in sys.modules else "PASSIVE")).upper()
    == "PASSIVE"
)
"""Whether torch's OpenMP threads in this process wait passively (torch loaded before genguard
keeps libgomp's spinning default unless the user set a policy)."""
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# numpy's OpenBLAS starts a thread per core and lets it spin after each product. genguard's numpy
# products are small (heads and screens over a few hundred features per text) and run between
# torch's passes, so a second BLAS thread costs more than it saves, and its spinning starves torch's
# threads: one injection-head product of 3 units took 0.34 ms on one thread and 8-10 ms on two while
# another process kept both cores busy (0.28 vs 0.36 ms on an idle machine), and a guard check of a
# single prompt 6.5-6.7 vs 12.8-14.8 ms p50; on an idle machine the guard's batches of 256 ran at
# 369-383 vs 328-332 texts/s. Larger products elsewhere (paraphrase similarity matrices, fairness
# bootstraps) lose at most the second core. Read when numpy loads; a value the user set wins.
BLAS_ONE_THREAD = "numpy" not in sys.modules and os.environ.get("OPENBLAS_NUM_THREADS", "1") == "1"
"""Whether numpy's OpenBLAS runs one thread in this process (numpy loaded before genguard keeps its
default of one per core unless the user set OPENBLAS_NUM_THREADS)."""
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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
    "OPENMP_PASSIVE",
    "BLAS_ONE_THREAD",
    "__version__",
    *_LAZY,
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
