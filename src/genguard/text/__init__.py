"""Text normalisation shared by every check, so that an evasion trick is handled once."""

from genguard.text.normalize import FOR_CLASSIFIERS, NORMALIZERS, normalize, normalize_with_offsets

__all__ = ["FOR_CLASSIFIERS", "NORMALIZERS", "normalize", "normalize_with_offsets"]
