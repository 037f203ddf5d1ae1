"""Style mimicry: how closely a text's style matches a protected author's corpus (Burrows' Delta).

The author's corpus (`corpus`: one or more UTF-8 text files) is cut into chunks of CHUNK_WORDS
words. Each chunk and each scored text becomes a profile of relative frequencies of FUNCTION_WORDS
(topic-free words whose rates are an author's habit) and of the corpus's TOP_NGRAMS most frequent
character 3-grams (spelling, punctuation, morphology). Burrows' Delta of a text is the mean
absolute z-score of its profile against the corpus chunks (each feature's mean and SD over the
chunks): small for the author's own writing, larger for other writers.

The score is calibrated on the author's own writing, at the text's length: the corpus is also
cut into chunks of each length in LENGTHS (400, 800 words), and each chunk's Delta is taken
against the mean of the base chunks it does not overlap (leave-out, so no chunk is compared with
a profile containing it). A text is scored in up to MAX_WINDOWS evenly spaced windows of the
longest calibrated length it reaches; a window's score is the share of calibration chunks of
that length whose Delta is at least the window's (with the +1 of a conformal p-value), and the
text's score is the median over its windows. So a new text by the author scores roughly
uniformly in [0, 1] at any length (about 1 - DEFAULT_THRESHOLD of them reach the threshold), and
a text unlike the author scores near 0. Without the per-length calibration, long texts by other
writers looked typical (less sampling noise) and short texts by the author did not. The scorer
needs MIN_CHUNKS chunks of MIN_WORDS words (4,000 words) by the author.

Texts under MIN_WORDS (400) whitespace-separated words cannot be judged: they score 0.0 with no
finding. Why: function-word rates of a few dozen words are noise. With a Shakespeare profile,
BOLD Wikipedia text reached the threshold in 30 of 30 50-word pieces and 15 of 30 100-word
pieces (probe on BOLD's first 3,000 paragraphs), and in benchmarks/style_quality.py 16 to 27 of
60 200-word texts (profiles of 5k-80k words; BOLD's last 4,000 paragraphs), against 0 of 60 at
400 and 800 words. The minimum was raised from 200 to 400 words after that benchmark run, so its
400- and 800-word BOLD figures are not blind to this choice (DEFAULT_THRESHOLD was not changed).
Measured error rates: benchmarks/results/style_quality.json.

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
LENGTHS = (400, 800)  # word counts the score is calibrated at (shorter texts: cannot decide)
MIN_WORDS = LENGTHS[0]
MAX_WINDOWS = 9  # windows scored per long text (median taken): bounded cost for a 1 MB text
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
    """The author's profile: feature means and SDs over CHUNK_WORDS-word corpus chunks, and the
    calibration Deltas of the corpus cut into chunks of each length in LENGTHS.

    Built from `words` (the corpus split at whitespace) or files (`from_files`); `delta(texts)`
    returns Burrows' Delta per text (mean |z| over the features), `score_texts(texts)` the
    calibrated score of each text in [0, 1] (see the module docstring)."""

    def __init__(self, words: list[str], name: str) -> None:
        base = [
            " ".join(words[i : i + CHUNK_WORDS]) for i in range(0, len(words) - CHUNK_WORDS + 1, CHUNK_WORDS)
        ]
        if len(base) < MIN_CHUNKS:
            raise ConfigError(
                f"style corpus {name!r} gives {len(base)} chunks of {CHUNK_WORDS} words; "
                f"needs at least {MIN_CHUNKS} ({MIN_CHUNKS * CHUNK_WORDS:,} words)"
            )
        self.name = name
        vocab = _corpus_grams(base)
        totals = _ngram_counts(base, vocab).sum(axis=0)
        self.ngrams = np.sort(vocab[np.argsort(-totals, kind="stable")[:TOP_NGRAMS]])
        features = self._features(base)
        self.mean = features.mean(axis=0)
        sd = features.std(axis=0, ddof=1)
        self.sd = np.where(sd > 0, sd, np.inf)  # a constant feature says nothing
        self.calibration = self._calibrate(words, features)

    def _calibrate(self, words: list[str], base: np.ndarray) -> dict[int, np.ndarray]:
        """Sorted Deltas of the corpus cut into chunks of each length in LENGTHS (those giving at
        least MIN_CHUNKS chunks), each against the mean of the base chunks it does not overlap,
        so no chunk is compared with a profile that contains it."""
        n, total = base.shape[0], base.sum(axis=0)
        out: dict[int, np.ndarray] = {}
        for length in LENGTHS:
            if length <= CHUNK_WORDS:  # sub-chunks of a base chunk: leave that base chunk out
                per = CHUNK_WORDS // length
                spans = [(j, j + 1, j * CHUNK_WORDS + k * length) for j in range(n) for k in range(per)]
            else:  # runs of whole base chunks: leave all of them out
                per = length // CHUNK_WORDS
                spans = [(j, j + per, j * CHUNK_WORDS) for j in range(0, n - per + 1, per)]
            if len(spans) < MIN_CHUNKS or n - (spans[0][1] - spans[0][0]) < 2:
                continue
            texts = [" ".join(words[start : start + length]) for _, _, start in spans]
            cuts = np.array([b.sum(axis=0) for b in (base[lo:hi] for lo, hi, _ in spans)])
            left = np.array([n - (hi - lo) for lo, hi, _ in spans], dtype=np.float64)[:, None]
            loo_mean = (total - cuts) / left
            out[length] = np.sort(np.abs((self._features(texts) - loo_mean) / self.sd).mean(axis=1))
        return out

    @classmethod
    def from_texts(cls, texts: Sequence[str], name: str = "texts") -> StyleProfile:
        """The profile of the author of `texts` (joined in order)."""
        return cls([w for t in check_texts(texts) for w in t.split()], name)

    @classmethod
    def from_files(cls, paths: Sequence[str | Path]) -> StyleProfile:
        """The profile of the author of the UTF-8 text files `paths` (ConfigError naming a file
        that is missing, unreadable or not UTF-8, or a corpus over MAX_CORPUS_CHARS)."""
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

    def windows(self, text: str) -> tuple[int, list[str]]:
        """(calibrated length L, up to MAX_WINDOWS evenly spaced L-word windows covering the text);
        L is the longest calibrated length the text reaches; (0, []) when it reaches none."""
        words = text.split()
        fitting = [length for length in self.calibration if length <= len(words)]
        if not fitting:
            return 0, []
        length = max(fitting)
        count = min(MAX_WINDOWS, -(-len(words) // length))
        starts = np.linspace(0, len(words) - length, count).round().astype(int)
        return length, [" ".join(words[s : s + length]) for s in starts]

    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated score per text in [0, 1] (0.0 for texts under the shortest calibrated length):
        the median over the text's windows of (1 + #calibration chunks with Delta >= window's
        Delta) / (1 + #calibration chunks), with chunks of the window's length."""
        plans = [self.windows(t) for t in texts]
        flat = [w for _, ws in plans for w in ws]
        deltas = self.delta(flat) if flat else np.zeros(0)
        out, at = np.zeros(len(texts)), 0
        for i, (length, ws) in enumerate(plans):
            if not ws:
                continue
            ref = self.calibration[length]
            d = deltas[at : at + len(ws)]
            at += len(ws)
            out[i] = float(np.median((1 + ref.size - np.searchsorted(ref, d, side="left")) / (1 + ref.size)))
        return out


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
        if MIN_WORDS not in self.profile.calibration:
            raise ConfigError(
                f"style corpus {self.profile.name!r} is too small to calibrate {MIN_WORDS}-word texts: "
                f"needs at least {MIN_CHUNKS * MIN_WORDS:,} words by the author"
            )
        self.threshold = float(threshold)
        digest = hashlib.sha256(
            np.concatenate([self.profile.mean, *self.profile.calibration.values()]).tobytes()
        ).hexdigest()
        self.model_id = f"style-delta-fw{len(FUNCTION_WORDS)}-c3x{TOP_NGRAMS}@{digest[:12]}"

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: the calibrated score (0.0, no finding, for texts shorter than
        the shortest calibrated length: they cannot be judged)."""
        scores = self.profile.score_texts(check_texts(texts))
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
