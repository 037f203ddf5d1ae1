from __future__ import annotations

import difflib
import random

import numpy as np
import pytest

from genguard.errors import InvalidInputError
from genguard.provenance.shingles import normalize_for_shingles
from genguard.provenance.spans import (
    GUARANTEED_CHARS,
    longest_shared_run,
    normalize_with_map,
    shared_span,
    span_fingerprints,
)

WORDS = ["the", "a", "of", "and", "to", "in", "is", "was", "king", "queen", "lord", "my", "thy", "love"]
WORDS += ["death", "night", "day", "naïve", "ÉCOLE", "İstanbul"]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def test_normal_form_with_map_points_back_into_the_text() -> None:
    text = "  The KING, my Lord\u200b!! said: naïve—İstanbul_ok?"
    norm, where = normalize_with_map(text)
    assert norm == normalize_for_shingles(text)
    assert len(where) == len(norm)
    first_word = norm.split(" ")[0]
    assert text[where[0] : where[len(first_word) - 1] + 1] == "The"
    norm, where = normalize_with_map("!!! ...")
    assert norm == "" and where.size == 0


def test_longest_shared_run_equals_difflib_on_random_pairs() -> None:
    rng = random.Random(0)
    for t in range(150):
        a, b = _text(rng, rng.randint(3, 150)), _text(rng, rng.randint(3, 150))
        if t % 2:
            shared = _text(rng, rng.randint(5, 50))
            a, b = f"{a} {shared} {a}", f"{b} {shared}"
        a, b = normalize_for_shingles(a), normalize_for_shingles(b)
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        expected = matcher.find_longest_match(0, len(a), 0, len(b))
        run = longest_shared_run(a, b, 25)
        assert (run[2] if run else None) == (expected.size if expected.size >= 25 else None)
        if run:
            assert a[run[0] : run[0] + run[2]] == b[run[1] : run[1] + run[2]]


def test_copied_passage_survives_case_spacing_and_punctuation() -> None:
    rng = random.Random(1)
    doc = _text(rng, 300)
    passage = " ".join(doc.split()[100:140])
    disguised = passage.upper().replace(" ", " ,\n  ")
    query = f"As I was saying: {disguised} -- and that is all."
    norm, where = normalize_with_map(query)
    span = shared_span(norm, where, normalize_for_shingles(doc), 150)
    assert span is not None and span.chars >= len(normalize_for_shingles(passage))
    assert normalize_for_shingles(query[span.query_start : span.query_end]) == span.text
    assert normalize_for_shingles(passage) in span.text


def test_any_shared_run_of_the_guaranteed_length_shares_a_fingerprint() -> None:
    rng = random.Random(2)
    for _ in range(100):
        shared = normalize_for_shingles(_text(rng, 60))[: GUARANTEED_CHARS + rng.randint(0, 30)]
        a = f"{_text(rng, rng.randint(0, 200))} {shared} {_text(rng, 50)}"
        b = f"{_text(rng, 20)} {shared} {_text(rng, rng.randint(0, 200))}"
        assert np.intersect1d(span_fingerprints(a), span_fingerprints(b)).size > 0


def test_fingerprints_of_a_long_text_in_pieces_equal_the_whole(monkeypatch) -> None:
    from genguard.provenance import shingles

    text = _text(random.Random(3), 5000)
    whole = span_fingerprints(text)
    monkeypatch.setattr(shingles, "CHUNK_CHARS", 2000)
    assert np.array_equal(span_fingerprints(text), whole)
    assert span_fingerprints("").size == 0 and span_fingerprints("short").size == 0


def test_min_chars_below_the_kgram_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least 25"):
        longest_shared_run("abc", "abc", 5)
