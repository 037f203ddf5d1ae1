"""Reworded copies: sentence alignment of a text with a source, robust to paraphrase.

Both texts are split into sentences and embedded with the project's MiniLM embedder (layer 4:
it keeps more of the wording than the last layer and, on the tune topics, separates reworded
copies from independent answers better than layers 4 and 6 averaged). Each text sentence is
aligned to at most one source sentence by the best *monotone* alignment (sentences keep their
order, either side may skip some), which maximises the sum over aligned pairs of

    gain = char share of the text sentence * clip((cosine - BASELINE) / (1 - BASELINE), 0, 1).

That maximum is `alignment`: 1.0 for a copy. An answer written independently from the same notes
states the same facts in the same order, so it aligns about as well as a heavily reworded copy
(often better: it keeps the plain technical wording). What differs is the wording: a rewriter
replaces the source's words, a student writing from the same notes reuses them. So

    score = min(1, alignment + REWORDING * novel_words)

where `novel_words` is the share of the text's word tokens absent from the source. Layer-4
cosines of unrelated sentences run at 0.3-0.5, so the scale is compressed: an unrelated text of
another topic scores about 0.6 (tests: alignment 0.36, 79 % new words), independent answers on the
same facts 0.74-0.99, heavy paraphrases 0.93-0.96, copies and light rewordings 1.0 (tune topics).
Parameters were chosen on the plagiarism benchmark's 6 tune topics only; held-out figures in
benchmarks/results/plagiarism_text.json, the caveat under THRESHOLD.

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

LAYERS = (4,)
VECTORS = "minilm-l6-v2/layer4"
"""Names the sentence vectors (model and layers), so caches of other vectors are refreshed."""
BASELINE = 0.3
"""Cosine that earns nothing. Chosen on the benchmark's tune topics only (0.3, 0.4, 0.5 tried with
layer 4: 0.3 gives the highest AUC of copies against independent answers, 0.969)."""
REWORDING = 0.3
"""Weight of `novel_words` in `score`. Chosen on the tune topics only (0.1-0.5 tried): AUC of all
copies against independent answers 0.938 / 0.960 / 0.969 / 0.961 / 0.972 for 0.1 .. 0.5, and
from 0.4 on light copies start to rank below an independent answer; 0.3 keeps them all above."""
PAIR_COSINE = 0.8
"""A sentence pair at or above this cosine is reported as reworded (kept from the layer 4+6
vectors, not re-chosen for layer 4, whose cosines run higher: more pairs are reported)."""
THRESHOLD = 0.92
"""`score` at which a text is reported as a reworded copy of a source: just below the lowest heavy
paraphrase of the tune topics (0.925; copies and light ones score 1.0). It is not a clean cut:
there 5 of 18 independent answers score 0.92 or more (up to 0.992: one written from the same notes,
reusing most of the source's words and sentences). The ranking is what the score is good for
(tune AUC 0.969, heavy paraphrases 0.907; held-out, measured once after the choice: 0.969 and
0.907, heavy recall 0.50 at 1 % and 5 % FPR; benchmarks/results/plagiarism_text.json).
Read a score between 0.9 and 1.0 with little exact coverage as "same content in the same order,
in other words", to be checked by a person."""
MAX_SENTENCES = 4096  # per text: alignment costs (text sentences x source sentences)
# A sentence ends at . ! ? (and closing quotes or brackets) before white space, or at a blank line.
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')\]])\s+|\n\s*\n")
_WORD = re.compile(r"\w")
_WORDS = re.compile(r"\w+")


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
    """How much of a text rewords one source: `score` in [0, 1] from `alignment` and `novel_words`
    (see the module docstring), `reworded_coverage` (share of the text's characters in `pairs`),
    the aligned pairs."""

    key: str
    score: float
    alignment: float
    novel_words: float
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
    """One unit vector per sentence (float32, 384 dims): MiniLM layers LAYERS averaged (VECTORS)."""
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


def novel_words(text: str, source: str) -> float:
    """The share in [0, 1] of the text's (lower-cased) word tokens that never occur in the source;
    0.0 for a text without words."""
    words = _WORDS.findall(text.lower())
    if not words:
        return 0.0
    known = set(_WORDS.findall(source.lower()))
    return sum(w not in known for w in words) / len(words)


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
        return ParaphraseMatch(
            key=key, score=0.0, alignment=0.0, novel_words=0.0, reworded_coverage=0.0, pairs=[]
        )
    lengths = np.array([b - a for a, b in query.spans], dtype=float)
    sim = query.vectors @ source.vectors.T
    aligned, path = monotone_alignment(sim, lengths / lengths.sum())
    novel = novel_words(query.text, source.text)
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
    return ParaphraseMatch(
        key=key,
        score=min(aligned + REWORDING * novel, 1.0),
        alignment=min(aligned, 1.0),
        novel_words=novel,
        reworded_coverage=float(covered),
        pairs=pairs,
    )


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
        f"  {match.key}: reworded, score {match.score:.2f} (alignment {match.alignment:.2f}, "
        f"{match.novel_words:.0%} new words), {match.reworded_coverage:.0%} of the text in "
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
