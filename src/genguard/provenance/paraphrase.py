"""Reworded copies: sentence alignment of a text with a source, robust to paraphrase.

Both texts are split into sentences and embedded with the project's MiniLM embedder (layers 4
and 6 averaged: layer 4 keeps more of the wording, layer 6 more of the meaning). Each text
sentence is aligned to at most one source sentence by the best *monotone* alignment (sentences
keep their order, either side may skip some), which maximises the sum over aligned pairs of

    gain = char share of the text sentence * clip((cosine - BASELINE) / (1 - BASELINE), 0, 1).

`score` is that maximum: 1.0 for a copy, near 0.5 for a heavily reworded one. Why monotone and
one-to-one: an independent answer on the same topic states the same facts, so many of its
sentences have a close source sentence, but in another order and grouping; a paraphrase keeps the
source's sentence order and grouping. On the plagiarism benchmark's tune topics (6 topics, 18
copies, 12 independent answers on the same facts) best-match averaging ("MiniLM alone") ranks
heavy paraphrases above independent answers at AUC 0.85, the monotone alignment at 1.00; see
benchmarks/results/plagiarism_text.json for the held-out topics.

`reworded_coverage` is the share of the text's characters in sentences aligned at cosine
PAIR_COSINE or more (the pairs reported).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from genguard.errors import InvalidInputError
from genguard.text import check_texts
from genguard.types import Result

LAYERS = (4, 6)
BASELINE = 0.3
"""Cosine that earns nothing. Chosen on the benchmark's tune topics only: every baseline from
0.15 to 0.4 separates heavy paraphrases from independent answers there (AUC 1.00); 0.3 gives the
widest gap between the lowest paraphrase and the highest independent answer."""
PAIR_COSINE = 0.8
"""A sentence pair at or above this cosine is reported as reworded (median cosine of the aligned
pairs on the tune topics: 0.83 for heavy paraphrases, 0.76 for independent answers)."""
THRESHOLD = 0.66
"""`score` at which a text is reported as a reworded copy of a source. On the tune topics the
highest independent answer scores 0.653 and the lowest heavy paraphrase 0.672 (0 of 12 false
positives there), but on the held-out topics 4 of 12 independent answers score 0.664-0.692: the
ranking carries over (AUC 0.94 heavy vs independent), the absolute level less so. Read a score
between 0.6 and 0.75 as "same content in the same order", to be checked by a person. (Figures of
the corpus with two independent answers per topic; with the harder third one, written in the
source's order, held-out AUC heavy vs independent falls to 0.80: benchmarks/results.)"""
MAX_SENTENCES = 4096  # per text: alignment costs (text sentences x source sentences)
# A sentence ends at . ! ? (and closing quotes or brackets) before white space, or at a blank line.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')\]])\s+|\n\s*\n")
_WORD = re.compile(r"\w")


class AlignedPair(Result):
    """A text sentence aligned to a source sentence: character ranges of each text as given."""

    query_start: int
    query_end: int
    source_start: int
    source_end: int
    query_text: str
    source_text: str
    cosine: float


class ParaphraseMatch(Result):
    """How much of a text rewords one source: `score` in [0, 1] (see the module docstring),
    `reworded_coverage` (share of the text's characters in `pairs`), the aligned pairs."""

    key: str
    score: float
    reworded_coverage: float
    pairs: list[AlignedPair]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The [start, end) ranges of the text's sentences (white space trimmed; pieces without a
    word character dropped), at most MAX_SENTENCES."""
    spans, start = [], 0
    for m in [*_BOUNDARY.finditer(text), None]:
        end = m.start() if m else len(text)
        piece = text[start:end]
        if _WORD.search(piece):
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = m.end() if m else len(text)
    return spans[:MAX_SENTENCES]


def sentence_vectors(sentences: Sequence[str]) -> np.ndarray:
    """One unit vector per sentence (float32, 384 dims): MiniLM layers LAYERS averaged."""
    from genguard.scoring.embedder import DIM, default_embedder

    if not sentences:
        return np.zeros((0, DIM), dtype=np.float32)
    raw = default_embedder().embed(list(sentences), layers=LAYERS)
    mean = raw.reshape(len(sentences), len(LAYERS), DIM).mean(axis=1)
    return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)


def monotone_alignment(sim: np.ndarray, weights: np.ndarray) -> tuple[float, list[tuple[int, int]]]:
    """The best order-keeping one-to-one alignment of rows (text sentences) to columns (source
    sentences): its summed gain (see the module docstring; in [0, weights.sum()]) and its
    (row, column) pairs. O(rows x columns), vectorised over columns."""
    gain = np.clip((sim - BASELINE) / (1.0 - BASELINE), 0.0, None) * weights[:, None]
    n, m = gain.shape
    table = np.zeros((n + 1, m + 1))
    for i in range(n):
        # Row i+1: match (i, j) after row i's best up to j-1, or skip row i; then skip columns.
        step = np.maximum(table[i, 1:], table[i, :-1] + gain[i])
        table[i + 1, 1:] = np.maximum.accumulate(step)
    pairs, i, j = [], n, m
    while i > 0 and j > 0:
        if table[i, j] == table[i - 1, j]:
            i -= 1
        elif table[i, j] == table[i, j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return float(table[n, m]), pairs[::-1]


@dataclass(frozen=True)
class Split:
    """A text, its sentence ranges and one unit vector per sentence."""

    text: str
    spans: list[tuple[int, int]]
    vectors: np.ndarray


def split_and_embed(texts: Sequence[str]) -> list[Split]:
    """Every text split into sentences, all sentences embedded in one batch (a sentence repeated
    across texts, as a source aligned with many texts, is embedded once)."""
    spans = [sentence_spans(t) for t in texts]
    sentences = [t[a:b] for t, ss in zip(texts, spans, strict=True) for a, b in ss]
    unique, inverse = np.unique(np.array(sentences, dtype=object), return_inverse=True)
    vectors = (
        sentence_vectors([str(s) for s in unique])[inverse.reshape(-1)] if sentences else np.zeros((0, 0))
    )
    bounds = np.cumsum([0] + [len(s) for s in spans])
    return [
        Split(t, ss, vectors[a:b])
        for t, ss, (a, b) in zip(texts, spans, itertools.pairwise(bounds), strict=True)
    ]


def match(query: Split, source: Split, key: str) -> ParaphraseMatch:
    """The ParaphraseMatch of one split and embedded text against one split and embedded source."""
    if not query.spans or not source.spans:
        return ParaphraseMatch(key=key, score=0.0, reworded_coverage=0.0, pairs=[])
    lengths = np.array([b - a for a, b in query.spans], dtype=float)
    sim = query.vectors @ source.vectors.T
    score, path = monotone_alignment(sim, lengths / lengths.sum())
    pairs = [
        AlignedPair(
            query_start=query.spans[i][0],
            query_end=query.spans[i][1],
            source_start=source.spans[j][0],
            source_end=source.spans[j][1],
            query_text=query.text[slice(*query.spans[i])],
            source_text=source.text[slice(*source.spans[j])],
            cosine=round(float(sim[i, j]), 4),
        )
        for i, j in path
        if sim[i, j] >= PAIR_COSINE
    ]
    covered = sum(p.query_end - p.query_start for p in pairs) / lengths.sum()
    return ParaphraseMatch(key=key, score=min(score, 1.0), reworded_coverage=float(covered), pairs=pairs)


def align(pairs: Sequence[tuple[str, str]], keys: Sequence[str] | None = None) -> list[ParaphraseMatch]:
    """One ParaphraseMatch per (text, source) pair, all sentences embedded in one batch; `keys`
    name the sources (default: their position)."""
    if isinstance(pairs, str | bytes) or not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise InvalidInputError("pass a list of (text, source) pairs")
    texts = check_texts([t for p in pairs for t in p], "pass a list of (text, source) pairs")
    keys = [str(i) for i in range(len(pairs))] if keys is None else list(keys)
    if len(keys) != len(pairs):
        raise InvalidInputError(f"got {len(keys)} keys for {len(pairs)} pairs")
    splits = split_and_embed(texts)
    return [match(splits[2 * k], splits[2 * k + 1], key) for k, key in enumerate(keys)]


def describe(match: ParaphraseMatch, width: int = 90) -> list[str]:
    """Lines for a terminal: the source, score and coverage, then each aligned pair (text sentence,
    cosine, source sentence), each cut to `width` characters."""
    lines = [
        f"  {match.key}: reworded, score {match.score:.2f}, {match.reworded_coverage:.0%} of the text in "
        f"{len(match.pairs)} aligned sentence(s)"
    ]
    for p in match.pairs:
        lines.append(f"    text {p.query_start}-{p.query_end} (cos {p.cosine:.2f}): {p.query_text[:width]}")
        lines.append(f"      ~ {p.source_text[:width]}")
    return lines


def combined_score(exact_coverage: float, paraphrase_score: float) -> float:
    """One copying score in [0, 1]: the larger of the exact coverage and the paraphrase score
    (an exact copy scores about 1 on both; a reworded one only on the second)."""
    return max(float(exact_coverage), float(paraphrase_score))
