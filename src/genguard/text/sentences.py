"""Sentence pieces: the units the MiniLM scorers and the language scorer read, and the places
where a long text can be cut without changing them (the guard scores long texts piece by piece)."""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["CHUNK_CHARS", "MIN_WORDS", "chunk_spans", "sentence_cuts"]

CHUNK_CHARS = 400  # about 100 word pieces: the length of the tweets and sentences the models learnt from
MIN_WORDS = 5

# Full-width and ideographic stops end sentences too: a full-width text was one long chunk.
_SENTENCE_END = re.compile(r"(?<=[.!?\uff0e\uff01\uff1f\u3002])\s+|\n\s*")


def chunk_spans(text: str, max_chars: int = CHUNK_CHARS, min_words: int = MIN_WORDS) -> list[tuple[int, int]]:
    """[start, end) spans covering the text's non-blank parts: one per sentence, sentences of
    fewer than `min_words` words joined to a neighbour, none longer than `max_chars` (cut at
    spaces, else hard).

    Sentences are scored one by one because a head scores a text as a whole: "You are a worthless
    idiot." scores 0.98 alone and 0.15 between two ordinary sentences. Fragments are joined
    because a few words out of context ("He said") are unreliable.
    """
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        s, e = start, (m.start() if m else len(text))
        start = m.end() if m else start
        while e - s > max_chars:
            cut = text.rfind(" ", s + 1, s + max_chars)
            cut = cut if cut > s else s + max_chars
            pieces.append((s, cut))
            s = cut
        if text[s:e].strip():
            pieces.append((s, e))
    spans: list[tuple[int, int]] = []
    for s, e in pieces:
        short = (
            spans and min(len(text[spans[-1][0] : spans[-1][1]].split()), len(text[s:e].split())) < min_words
        )
        if short and e - spans[-1][0] <= max_chars:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def sentence_cuts(text: str, max_chars: int = CHUNK_CHARS, min_words: int = MIN_WORDS) -> Iterator[int]:
    """Positions, increasing, where `text` can be cut in two without changing its chunks: the
    chunk_spans of text[:c] and text[c:] (shifted by c) are together the chunk_spans of the text.

    A cut lies right after a sentence end, between two whole sentences of at least `min_words`
    words and at most `max_chars` characters each: neither is joined to a neighbour nor cut."""
    before_whole, start, cut = False, 0, 0  # the sentence ending at the last separator, and after it
    for m in _SENTENCE_END.finditer(text):
        whole = m.start() - start <= max_chars and len(text[start : m.start()].split()) >= min_words
        if whole and before_whole:
            yield cut
        before_whole, start, cut = whole, m.end(), m.end()
