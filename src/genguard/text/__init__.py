"""Text normalisation shared by every check, so that an evasion trick is handled once."""

from genguard.text.normalize import NORMALIZERS, normalize

__all__ = ["NORMALIZERS", "normalize"]
