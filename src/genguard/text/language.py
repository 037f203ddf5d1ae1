"""Which language a piece of text is in: langid.py's model (py3langid, 139 languages, BSD-3), with
a cheap test in front of it for plain English, the language the guard's models were trained on.

`looks_english` needs no model: at least 97 % of the letters ASCII and at least 12 % of the Latin
words among common English words that other Latin-script languages do not use as everyday words
("the", "you", "what"; not "is", "in", "a" or "me", which Dutch, German, Spanish and Italian
sentences are full of). It is a shortcut, not an identifier: a text it accepts is
taken to be English without langid.py's model, which costs most of the time (its load time and
both paths' texts per second: benchmarks/results/language_quality.json). A text it rejects goes
to the model (`distribution`).

How often the two together take English text for another language, and what the guard's
learned injection detector catches in prompts they mark as another language, is measured by
benchmarks/language_quality.py and benchmarks/injection_quality.py and kept in
genguard/guard/error_rates.json (scorers "language" and "injection-model").
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = [
    "MIN_LETTERS",
    "MIN_OTHER_SCRIPT_LETTERS",
    "NOT_LANGUAGE",
    "distribution",
    "letter_counts",
    "looks_english",
]

MIN_LETTERS = 20
"""Fewer letters than this cannot be told apart: a name, a number, "ok thanks" (`distribution`
gives None), unless most of them are outside ASCII (see MIN_OTHER_SCRIPT_LETTERS)."""
MIN_OTHER_SCRIPT_LETTERS = 8
"""Letters enough where most are outside ASCII: a Korean, Chinese or Russian sentence of 8-19
letters ("베이비시터 메모를 정리해 줄래?") is plainly not English, while 8-19 Latin letters are a
name or two words."""
NOT_LANGUAGE = "zxx"
"""langid.py's class for text with no linguistic content (hashes, base64, digits)."""

_COMMON_ENGLISH = re.compile(
    r"\b(?:the|and|you|your|this|that|what|with|please|are|were|have|would|should|could|they|their"
    r"|there|which|who|how|why|when|where|from|about|into|because|been|does|it|can|his|him|she|its"
    r"|not|by|after|first|other|only|some|such|these|those|during|known|born|many|between|since|both"
    r"|while|however|became|years|played|including)\b"
)
_LATIN_WORD = re.compile(r"[a-zA-Z]+")
_LOCK = threading.Lock()
_MODEL: list[Any] = []  # the loaded identifier, once


def letter_counts(text: str) -> tuple[int, int]:
    """(letters of any script in `text`, how many of them are outside ASCII)."""
    alpha = [c for c in text if c.isalpha()]
    return len(alpha), sum(not c.isascii() for c in alpha)


def looks_english(text: str) -> bool:
    """Whether `text` is plainly English: >= 97 % of its letters ASCII and >= 12 % of its Latin
    words among the common English words of `_COMMON_ENGLISH`. False for text without Latin words.
    A text that frames a document in another language, or quotes one at length, does not look
    English."""
    words = len(_LATIN_WORD.findall(text))
    if not words:
        return False
    if not text.isascii():  # most texts are ASCII: their letters are then all ASCII
        n, other = letter_counts(text)
        if n - other < 0.97 * n:
            return False
    return len(_COMMON_ENGLISH.findall(text.lower())) / words >= 0.12


def distribution(text: str) -> dict[str, float] | None:
    """langid.py's probability of each of its languages (ISO 639-1 or 639-3 codes, and NOT_LANGUAGE)
    for `text`, summing to 1; None ("cannot decide") for text of fewer than MIN_LETTERS letters
    (MIN_OTHER_SCRIPT_LETTERS where most are outside ASCII).
    Loads the model on first use (thread-safe)."""
    n, other = letter_counts(text)
    if n < (MIN_OTHER_SCRIPT_LETTERS if 2 * other > n else MIN_LETTERS):
        return None
    return dict(_identifier().rank(text))


def _identifier() -> Any:
    """langid.py's identifier with normalised probabilities, loaded once, under a lock."""
    with _LOCK:
        if not _MODEL:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _MODEL.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
    return _MODEL[0]
