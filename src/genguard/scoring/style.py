"""Style mimicry: how closely a text's style matches a protected author's corpus (Burrows' Delta).

The author's corpus (`corpus`: one or more UTF-8 text files) is cut into chunks of CHUNK_WORDS
words. Each chunk and each scored text becomes a profile of relative frequencies of FUNCTION_WORDS
(topic-free words whose rates are an author's habit) and of the corpus's TOP_NGRAMS most frequent
character 3-grams (spelling, punctuation, morphology). Burrows' Delta of a text is the mean
absolute z-score of its profile against the corpus chunks (each feature's mean and SD over the
chunks): small for the author's own writing, larger for other writers.

The score is calibrated on the author's own chunks: score = the share of corpus chunks whose
leave-one-out Delta is at least the text's Delta (with the +1 of a conformal p-value), so a new
text by the author scores about uniformly in [0, 1] and a text unlike the author near 0. A text
scores >= DEFAULT_THRESHOLD with chance about 1 - DEFAULT_THRESHOLD when it is the author's (of a
length like the chunks'); the false-positive rate on other writers is measured by
benchmarks/style_quality.py (benchmarks/results/style_quality.json). Texts under MIN_WORDS words
cannot be judged: they score 0.0 with no finding (frequencies of a few words are noise).

Finding: STYLE_MATCH (no span: style is a property of the whole text) when score >= threshold.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from genguard.errors import ConfigError
from genguard.files import decode_utf8, read_bytes
from genguard.scoring.base import check_texts, register
from genguard.text import normalize
from genguard.types import Finding, ScoreResult

__all__ = ["FUNCTION_WORDS", "StyleProfile", "StyleScorer"]

LABEL = "STYLE_MATCH"
CHUNK_WORDS = 200
MIN_WORDS = 50
MIN_CHUNKS = 10  # fewer corpus chunks give no usable SDs
TOP_NGRAMS = 100
DEFAULT_THRESHOLD = 0.1
MAX_CORPUS_CHARS = 50_000_000
_BASE = 0x110000  # code points per position of a trigram code
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# Common English function words (articles, pronouns, prepositions, conjunctions, auxiliaries).
_FUNCTION_WORDS = """a about above after again against all am an and any are as at be because been
    before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through thee thou thy to too under until up upon very was we were what when
    where which while who whom why will with would you your yours yourself yourselves shall may
    might must never yet though whose"""
FUNCTION_WORDS = tuple(_FUNCTION_WORDS.split())


def _words(text: str) -> list[str]:
    return _WORD.findall(normalize(text).lower())


def _trigram_codes(text: str) -> np.ndarray:
    """Every character 3-gram of the text (normalised, lower-cased, whitespace runs as one space) as
    one int64 code each."""
    flat = " ".join(normalize(text).lower().split())
    points = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if points.size < 3:
        return np.zeros(0, dtype=np.int64)
    return (points[:-2] * _BASE + points[1:-1]) * _BASE + points[2:]  # < 0x110000**3 < 2**63


def _ngram_counts(texts: Sequence[str], vocabulary: np.ndarray) -> np.ndarray:
    """Counts [text, gram] of the sorted trigram codes in `vocabulary` (float64)."""
    out = np.zeros((len(texts), vocabulary.size))
    for row, text in enumerate(texts):
        codes = _trigram_codes(text)
        at = np.searchsorted(vocabulary, codes)
        at[at == vocabulary.size] = 0
        hit = vocabulary[at] == codes if vocabulary.size else np.zeros(codes.size, dtype=bool)
        out[row] = np.bincount(at[hit], minlength=vocabulary.size)
    return out


class StyleProfile:
    """The author's profile: feature means and SDs over corpus chunks, and the calibration Deltas.

    Built from texts (`from_texts`) or files (`from_files`); `delta(texts)` returns Burrows' Delta
    per text (mean |z| over the features), `score(texts)` the calibrated score in [0, 1]."""

    def __init__(self, chunks: list[str], name: str) -> None:
        if len(chunks) < MIN_CHUNKS:
            raise ConfigError(
                f"style corpus {name!r} gives {len(chunks)} chunks of {CHUNK_WORDS} words; "
                f"needs at least {MIN_CHUNKS} ({MIN_CHUNKS * CHUNK_WORDS:,} words)"
            )
        self.name = name
        vocab = _corpus_grams(chunks)
        totals = _ngram_counts(chunks, vocab).sum(axis=0)
        self.ngrams = np.sort(vocab[np.argsort(-totals, kind="stable")[:TOP_NGRAMS]])
        features = self._features(chunks)
        self.mean = features.mean(axis=0)
        sd = features.std(axis=0, ddof=1)
        self.sd = np.where(sd > 0, sd, np.inf)  # a constant feature says nothing
        # Leave-one-out Deltas of the chunks: a chunk is not compared with a profile containing it.
        n = features.shape[0]
        loo_mean = (features.sum(axis=0) - features) / (n - 1)
        self.calibration = np.sort(np.abs((features - loo_mean) / self.sd).mean(axis=1))

    @classmethod
    def from_texts(cls, texts: Sequence[str], name: str = "texts") -> StyleProfile:
        words = [w for t in check_texts(texts) for w in t.split()]
        chunks = [
            " ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words) - CHUNK_WORDS + 1, CHUNK_WORDS)
        ]
        return cls(chunks, name)

    @classmethod
    def from_files(cls, paths: Sequence[str | Path]) -> StyleProfile:
        if isinstance(paths, str | Path):
            paths = [paths]
        if not paths:
            raise ConfigError("the style scorer needs corpus: one or more text files by the protected author")
        texts, total = [], 0
        for p in paths:
            path = Path(p)
            text = decode_utf8(read_bytes(path, ConfigError, "style corpus file"), path, ConfigError)
            total += len(text)
            if total > MAX_CORPUS_CHARS:
                raise ConfigError(f"style corpus exceeds {MAX_CORPUS_CHARS:,} characters; use a sample")
            texts.append(text)
        return cls.from_texts(texts, name="+".join(Path(p).name for p in paths))

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        words = [_words(t) for t in texts]
        index = {w: i for i, w in enumerate(FUNCTION_WORDS)}
        fw = np.zeros((len(texts), len(FUNCTION_WORDS)))
        for row, ws in enumerate(words):
            ids = [index[w] for w in ws if w in index]
            fw[row] = np.bincount(np.asarray(ids, dtype=np.int64), minlength=len(FUNCTION_WORDS))
            fw[row] /= max(len(ws), 1)
        grams = _ngram_counts(texts, self.ngrams)
        grams /= np.maximum(np.array([max(len(t) - 2, 1) for t in texts], dtype=np.float64)[:, None], 1)
        return np.hstack([fw, grams])

    def delta(self, texts: Sequence[str]) -> np.ndarray:
        """Burrows' Delta of each text to the author (mean |z| over features; 0 = the mean chunk)."""
        return np.abs((self._features(texts) - self.mean) / self.sd).mean(axis=1)

    def score(self, deltas: np.ndarray) -> np.ndarray:
        """Calibrated scores in (0, 1]: (1 + #chunks with Delta >= d) / (1 + #chunks)."""
        n = self.calibration.size
        at_least = n - np.searchsorted(self.calibration, deltas, side="left")
        return (1 + at_least) / (1 + n)


def _corpus_grams(chunks: Sequence[str]) -> np.ndarray:
    """Every character 3-gram code of the chunks, sorted and unique (the candidate vocabulary)."""
    return np.unique(np.concatenate([_trigram_codes(c) for c in chunks]))


class StyleScorer:
    """Calibrated stylometric similarity to the author of `corpus` (file path or list of paths);
    STYLE_MATCH finding when score >= `threshold` (default DEFAULT_THRESHOLD). See the module
    docstring for what the score means and its measured error rates."""

    name = "style"

    def __init__(
        self, corpus: str | Path | Sequence[str | Path] = (), threshold: float = DEFAULT_THRESHOLD
    ) -> None:
        paths = [corpus] if isinstance(corpus, str | Path) else list(corpus)
        if not paths:
            raise ConfigError("the style scorer needs params: {corpus: [author.txt, ...]}")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold <= 1:
            raise ConfigError(f"style threshold must be in (0, 1], got {threshold!r}")
        self.profile = StyleProfile.from_files(paths)
        self.threshold = float(threshold)
        digest = hashlib.sha256(
            np.concatenate([self.profile.mean, self.profile.calibration]).tobytes()
        ).hexdigest()
        self.model_id = f"style-delta-fw{len(FUNCTION_WORDS)}-c3x{TOP_NGRAMS}@{digest[:12]}"

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: the calibrated score (0.0 for texts under MIN_WORDS words)."""
        texts = check_texts(texts)
        long_enough = [i for i, t in enumerate(texts) if len(_words(t)) >= MIN_WORDS]
        scores = np.zeros(len(texts))
        if long_enough:
            deltas = self.profile.delta([texts[i] for i in long_enough])
            scores[long_enough] = self.profile.score(deltas)
        return [
            ScoreResult(
                scorer=self.name,
                model_id=self.model_id,
                score=float(s),
                findings=[Finding(scorer=self.name, label=LABEL, score=float(s))]
                if s >= self.threshold
                else [],
            )
            for s in scores
        ]


register("style", StyleScorer)
