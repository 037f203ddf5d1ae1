"""The shared normaliser undoes evasion tricks and leaves ordinary text alone."""

from __future__ import annotations

import pytest

from genguard.errors import ConfigError
from genguard.text import FOR_CLASSIFIERS, NORMALIZERS, normalize


@pytest.mark.parametrize(
    ("attacked", "plain"),
    [
        ("you are an 1d10t", "you are an idiot"),
        ("sh!t happens", "shit happens"),
        ("what an @ss", "what an ass"),
        ("the l@zy dog", "the lazy dog"),
        ("i d i o t", "idiot"),
        ("f.u.c.k you", "fuck you"),
        ("s-h-i-t", "shit"),
        ("h\u0435llo w\u200borld", "hello world"),  # Cyrillic e, zero-width space
        ("\uff26\uff35\uff2c\uff2c width", "FULL width"),  # full-width letters
        ("tab\t\tand   spaces", "tab and spaces"),
        # A text in leetspeak (two or more words with a leet character between letters): symbol-only
        # words, a lone "@" or "1", and words across apostrophes are read too (card item 81).
        ("1 th1nk y0u @r3 @n @$$ @nd 1$ $0 @nn0y1ng", "i think you are an ass and is so annoying"),
        ("1'm t1r3d, it'$ l@t3!!", "i'm tired, it's late!!"),
    ],
)
def test_evasion_tricks_are_undone(attacked: str, plain: str) -> None:
    assert normalize(attacked, FOR_CLASSIFIERS) == plain


@pytest.mark.parametrize(
    "ordinary",
    [
        "In 2024 we paid $3.50 for 2 apples!",
        "Wow!! great",
        "I am ok",
        "e-mail me at bob@example.com",
        "COVID-19 and B2B",
        "the U.S. economy",
        "IBAN DE89370400440532013000",
        "line one\nline two",
        # Leetspeak-like tokens in ordinary text stay: prices, years with 's, Turkish suffixes.
        "see $100 and 5$ or 1 item, 1 $",
        "the 1978's season ended at 15:00'te",
        "pay $33 @ 1 shop, 2 for $5",
    ],
)
def test_ordinary_text_is_unchanged(ordinary: str) -> None:
    assert normalize(ordinary, FOR_CLASSIFIERS) == ordinary


def test_idempotent_and_ordered() -> None:
    text = "Y0u  \u0430re an 1 d 1 o t\u200b!"
    once = normalize(text, FOR_CLASSIFIERS)
    assert normalize(once, FOR_CLASSIFIERS) == once
    assert normalize(text, list(reversed(FOR_CLASSIFIERS))) == once


def test_unknown_normaliser_and_defaults() -> None:
    with pytest.raises(ConfigError, match="rot13"):
        normalize("x", ["rot13"])
    assert set(FOR_CLASSIFIERS) <= set(NORMALIZERS)
    assert normalize("caf\u0065\u0301") == "caf\u00e9"  # default: NFC composition, invisible removed
    assert normalize("") == ""
