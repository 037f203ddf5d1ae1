"""Text normalisation shared by every check, so that an evasion trick is handled once."""

from genguard.text.normalize import (
    FOR_CLASSIFIERS,
    NORMALIZERS,
    in_leetspeak,
    leet_decoded,
    match_case,
    normalize,
    normalize_for_matching,
    normalize_with_offsets,
)
from genguard.text.validate import MAX_TEXT_CHARS, check_texts

__all__ = [
    "FOR_CLASSIFIERS",
    "MAX_TEXT_CHARS",
    "NORMALIZERS",
    "check_texts",
    "in_leetspeak",
    "leet_decoded",
    "match_case",
    "normalize",
    "normalize_for_matching",
    "normalize_with_offsets",
]
