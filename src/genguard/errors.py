"""One exception hierarchy for genguard.

Every message says what was wrong and what to do about it. Nothing here ever carries
secret key material: messages name keys by their public key id only.
"""

from __future__ import annotations


class GenguardError(Exception):
    """Base class of every error genguard raises on purpose."""


class InvalidInputError(GenguardError, ValueError):
    """The caller passed something genguard cannot work with (empty, wrong type, bad encoding)."""


class ConfigError(GenguardError, ValueError):
    """A setting, scheme name or parameter is unknown or out of range."""


class KeyFileError(GenguardError):
    """A key file is missing, unreadable, corrupt or of the wrong kind."""


class CertificateError(GenguardError):
    """A certificate is malformed or its signature does not verify."""


class ModelLoadError(GenguardError):
    """A language model or tokenizer could not be located or loaded."""


class StorageError(GenguardError):
    """A genguard database is unreadable, corrupt, locked, or belongs to another store or version."""
