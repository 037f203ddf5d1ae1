"""genguard: measurable safety checks for generative models.

The public API is re-exported here; see DESIGN.md for the architecture.
"""

from genguard.errors import (
    CertificateError,
    ConfigError,
    GenguardError,
    InvalidInputError,
    KeyFileError,
    ModelLoadError,
)

__version__ = "0.1.0"

__all__ = [
    "CertificateError",
    "ConfigError",
    "GenguardError",
    "InvalidInputError",
    "KeyFileError",
    "ModelLoadError",
    "__version__",
]
