"""Watermark detection from text alone: the tokenizer is needed, the model weights are not.

Scoring follows the reference detector (Kirchenbauer et al. 2023): every n-gram of
`scheme.ngram_size` tokens decides whether its last token is green, and
z = (green - gamma*T) / sqrt(T*gamma*(1-gamma)). `ignore_repeated` says what counts once:
"ngrams" and "none" reproduce the reference's ignore_repeated_ngrams=True/False exactly;
the default "pairs" counts each distinct (green-list seed, token) once. Different n-grams can
share a seed (selfhash seeds from the window's min-hash token and the token itself), and equal
(seed, token) pairs are the same coin, not new evidence: on 200 plain (unwatermarked) SmolLM2
generations, "ngrams" gave z with mean 0.62 and sd 1.26 and 2 texts over z = 4; "pairs" gave
mean 0.20, sd 0.89 and none (a calibrated null has mean 0, sd 1).
On top of the reference: an exact one-sided binomial p-value, an explicit "insufficient
evidence" answer for texts too short to reach the chosen false-positive rate, detection against
several keys (Bonferroni-corrected), WinMax search for a watermarked passage inside human
text (Bonferroni-corrected over every window it scans), normalisers, and batches: all n-grams of
all texts are deduplicated and scored in one vectorised pass.

Measured on the default model (benchmarks/watermark_quality.py, README): 0 false positives on
1,200 human texts of 200 tokens at z = 4; see the README for true-positive rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import bdtrc, ndtr  # scipy.special, not scipy.stats: 0.4 s instead of 2 s to import

from genguard.errors import ConfigError, InvalidInputError
from genguard.lm.base import Tokenizer
from genguard.text import check_texts, normalize
from genguard.types import Result
from genguard.watermark.keys import WatermarkKey
from genguard.watermark.schemes import DEFAULT_SCHEME, check_params, get_scheme

WINDOW_SCAN_ALL_SIZES = 2048  # longer texts scan a geometric grid of window sizes
# The level P(Z >= z) is a double: from z = 38 it underflows to 0, and a level of 0 has no finite
# number of tokens that reaches it. 37 is a false-positive rate of 5.7e-300, beyond any use.
MAX_Z_THRESHOLD = 37.0

# Per-token codes in Detection.green_mask.
GREEN, RED, UNSCORED, REPEATED = 1, 0, -1, -2

Decision = Literal["watermarked", "not_watermarked", "insufficient_evidence"]
Dedup = Literal["pairs", "ngrams", "none"]


class WindowResult(Result):
    """The most significant window found by WinMax, in token positions [start, end)."""

    start: int
    end: int
    num_tokens_scored: int
    num_green_tokens: int
    z_score: float
    p_value: float  # Bonferroni-corrected over `num_windows` windows (and the keys tested)
    num_windows: int


class Detection(Result):
    """Detection result for one text. `p_value` is exact (binomial), one-sided, corrected for keys."""

    decision: Decision
    is_watermarked: bool
    reason: str
    scheme: str
    gamma: float
    key_id: str | None
    keys_tested: int
    tokenizer_id: str
    ignore_repeated: Dedup
    num_tokens: int
    num_tokens_scored: int
    num_green_tokens: int
    green_fraction: float | None
    z_score: float | None
    p_value: float | None
    z_threshold: float
    false_positive_rate: float  # the level the decision is taken at: P(z >= z_threshold) under H0
    min_tokens_needed: int
    green_mask: list[int]  # per token: 1 green, 0 red, -1 not scored (context), -2 repeat, not counted
    window: WindowResult | None = None


def z_score(green: np.ndarray | int, scored: np.ndarray | int, gamma: float) -> np.ndarray | float:
    """The reference's z: (green - gamma*T) / sqrt(T*gamma*(1-gamma))."""
    return (green - gamma * scored) / np.sqrt(scored * gamma * (1.0 - gamma))


def p_value(green: np.ndarray | int, scored: np.ndarray | int, gamma: float) -> np.ndarray | float:
    """Exact one-sided p: P(X >= green) for X ~ Binomial(scored, gamma)."""
    return bdtrc(np.asarray(green) - 1, scored, gamma)  # P(X >= green), X ~ Binomial(scored, gamma)


def min_tokens_needed(gamma: float, alpha: float) -> int:
    """Fewest scored tokens with which an all-green text reaches p <= alpha (gamma**T <= alpha)."""
    return max(1, math.ceil(math.log(alpha) / math.log(gamma) - 1e-12))


class WatermarkDetector:
    """Detects the green-list watermark in texts (or token ids) for one or several keys.

    `detect(texts)` returns one `Detection` per text. Texts are normalised with `normalizers`
    before tokenisation; `detect_ids` scores ids as given (no normaliser), like the reference.
    """

    def __init__(
        self,
        tokenizer: Tokenizer | None,
        *,
        keys: Sequence[WatermarkKey] | WatermarkKey | None = None,
        scheme: str = DEFAULT_SCHEME,
        gamma: float = 0.25,
        z_threshold: float = 4.0,
        ignore_repeated: Dedup = "pairs",
        normalizers: Sequence[str] = ("unicode", "invisible"),
        window: bool = False,
        min_window: int = 16,
        vocab_size: int | None = None,
    ) -> None:
        if keys is None:
            keys = [WatermarkKey.reference()]
        elif isinstance(keys, WatermarkKey):
            keys = [keys]
        self.keys = list(keys)
        if not self.keys:
            raise ConfigError("at least one watermark key is needed for detection")
        self.scheme = get_scheme(scheme)
        if tokenizer is None and vocab_size is None:
            raise ConfigError("pass a tokenizer, or vocab_size to score token ids only")
        self.tokenizer = tokenizer
        self.vocab_size = int(vocab_size if vocab_size is not None else tokenizer.vocab_size)  # type: ignore[union-attr]
        check_params(gamma, vocab_size=self.vocab_size)
        if isinstance(z_threshold, bool) or not isinstance(z_threshold, int | float):
            raise InvalidInputError(f"z_threshold must be a number, got {z_threshold!r}")
        if not 0 < z_threshold <= MAX_Z_THRESHOLD:
            raise InvalidInputError(
                f"z_threshold must be above 0 and at most {MAX_Z_THRESHOLD:g} (its false-positive rate "
                f"underflows to 0 beyond that), got {z_threshold!r}; 4 is the usual threshold"
            )
        if not isinstance(min_window, int) or min_window < 1:
            raise ConfigError(f"min_window must be a positive integer, got {min_window!r}")
        normalize("", normalizers)  # validates the names now rather than on the first text
        self.gamma = float(gamma)
        self.z_threshold = float(z_threshold)
        self.alpha = float(ndtr(-self.z_threshold))
        if ignore_repeated not in ("pairs", "ngrams", "none"):
            raise ConfigError(f"ignore_repeated must be 'pairs', 'ngrams' or 'none', got {ignore_repeated!r}")
        self.ignore_repeated = ignore_repeated
        self.normalizers = tuple(normalizers)
        self.window = window
        self.min_window = min_window
        self.tokenizer_id = tokenizer.tokenizer_id if tokenizer is not None else f"vocab-{self.vocab_size}"

    # -- public API -------------------------------------------------------------------------

    def detect(self, texts: Sequence[str]) -> list[Detection]:
        """One Detection per text; InvalidInputError for non-str items or texts over 10 M characters."""
        return self.detect_ids(self.encode(texts))

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """The token ids the detector scores for each text: normalised, then tokenised."""
        texts = check_texts(texts, "use detect_one() for a single text")
        if self.tokenizer is None:
            raise ConfigError("this detector has no tokenizer; use detect_ids()")
        cleaned = [normalize(t, self.normalizers) for t in texts]
        return self.tokenizer.encode(cleaned) if cleaned else []

    def detect_one(self, text: str) -> Detection:
        """Detection for a single text."""
        return self.detect([text])[0]

    def detect_ids(self, batch: Sequence[Sequence[int]]) -> list[Detection]:
        """One Detection per token-id sequence, scored exactly as given."""
        arrays = [self._check_ids(i, ids) for i, ids in enumerate(batch)]
        per_key = [self._score(arrays, key) for key in self.keys]
        results = []
        for t, ids in enumerate(arrays):
            candidates = [scores[t] for scores in per_key]
            best_k = min(range(len(self.keys)), key=lambda k: candidates[k]["rank_p"])
            results.append(self._result(ids, candidates[best_k], self.keys[best_k]))
        return results

    # -- scoring ------------------------------------------------------------------------------

    def _check_ids(self, index: int, ids: Sequence[int]) -> np.ndarray:
        try:
            arr = np.asarray(ids, dtype=np.int64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidInputError(f"sequence {index} is not a list of integer token ids") from exc
        if arr.ndim != 1:
            raise InvalidInputError(f"sequence {index} must be a flat list of token ids")
        if arr.size and (arr.min() < 0 or arr.max() >= self.vocab_size):
            raise InvalidInputError(f"sequence {index} has token ids outside 0..{self.vocab_size - 1}")
        return arr

    def _score(self, arrays: list[np.ndarray], key: WatermarkKey) -> list[dict]:
        n = self.scheme.ngram_size
        grams = [sliding_window_view(a, n) if len(a) >= n else np.empty((0, n), np.int64) for a in arrays]
        stacked = np.concatenate(grams) if grams else np.empty((0, n), np.int64)
        # Texts share most n-grams (and repeat their own): score each distinct n-gram once.
        uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        seeds, green_u = self.scheme.seeds_and_green(uniq, key.hash_key, self.vocab_size, self.gamma)
        green_all = green_u[inverse]
        if self.ignore_repeated == "pairs":
            identity = (seeds.astype(np.int64) * self.vocab_size + uniq[:, -1])[inverse]
        else:
            identity = inverse
        out, offset = [], 0
        for a, g in zip(arrays, grams, strict=True):
            m = len(g)
            green = green_all[offset : offset + m]
            counted = np.ones(m, dtype=bool)
            if self.ignore_repeated != "none" and m:
                counted[:] = False
                counted[np.unique(identity[offset : offset + m], return_index=True)[1]] = True
            offset += m
            out.append(self._stats(len(a), n, green, counted))
        return out

    def _stats(self, num_tokens: int, n: int, green: np.ndarray, counted: np.ndarray) -> dict:
        mask = np.full(num_tokens, UNSCORED, dtype=np.int64)
        if len(green):
            mask[n - 1 :] = np.where(counted, green.astype(np.int64), REPEATED)
        scored = int(counted.sum())
        hits = int(green[counted].sum())
        stats: dict = {"scored": scored, "green": hits, "mask": mask, "window": None}
        if scored:
            stats["z"] = float(z_score(hits, scored, self.gamma))
            stats["p"] = float(p_value(hits, scored, self.gamma))
        else:
            stats["z"] = stats["p"] = None
        if self.window:
            positions = np.nonzero(counted)[0] + n - 1  # token index of each counted n-gram
            stats["window"] = self._winmax(green[counted], positions)
        best = stats["window"]["p"] if stats["window"] else stats["p"]
        stats["rank_p"] = 1.0 if best is None else best
        return stats

    def _winmax(self, flags: np.ndarray, positions: np.ndarray) -> dict | None:
        total = len(flags)
        if total < self.min_window:
            return None
        if total <= WINDOW_SCAN_ALL_SIZES:
            sizes = np.arange(self.min_window, total + 1)
        else:
            sizes = np.unique(np.geomspace(self.min_window, total, 512).astype(np.int64))
        csum = np.concatenate([[0], np.cumsum(flags, dtype=np.int64)])
        best_green = np.empty(len(sizes), dtype=np.int64)
        best_start = np.empty(len(sizes), dtype=np.int64)
        for j, s in enumerate(sizes):
            counts = csum[s:] - csum[:-s]
            k = int(np.argmax(counts))
            best_green[j], best_start[j] = counts[k], k
        p = p_value(best_green, sizes, self.gamma)
        j = int(np.argmin(p))
        n_windows = int(np.sum(total - sizes + 1))
        s, start = int(sizes[j]), int(best_start[j])
        return {
            "start": int(positions[start]),
            "end": int(positions[start + s - 1]) + 1,
            "scored": s,
            "green": int(best_green[j]),
            "z": float(z_score(best_green[j], s, self.gamma)),
            "p": float(min(1.0, p[j] * n_windows)),
            "n_windows": n_windows,
        }

    # -- decision -----------------------------------------------------------------------------

    def _result(self, ids: np.ndarray, stats: dict, key: WatermarkKey) -> Detection:
        n_keys = len(self.keys)
        needed = min_tokens_needed(self.gamma, self.alpha / n_keys)
        p = None if stats["p"] is None else min(1.0, stats["p"] * n_keys)
        window = None
        if stats["window"] is not None:
            w = stats["window"]
            window = WindowResult(
                start=w["start"],
                end=w["end"],
                num_tokens_scored=w["scored"],
                num_green_tokens=w["green"],
                z_score=w["z"],
                p_value=min(1.0, w["p"] * n_keys),
                num_windows=w["n_windows"],
            )
        scored = stats["scored"]
        if scored < needed:
            decision: Decision = "insufficient_evidence"
            reason = (
                f"only {scored} token(s) could be scored; at least {needed} are needed to reach a "
                f"false-positive rate of {self.alpha:.2g} (z >= {self.z_threshold:g}) "
                "even if every token is green"
            )
        elif window is not None:
            hit = window.p_value <= self.alpha
            decision = "watermarked" if hit else "not_watermarked"
            reason = (
                f"best window (tokens {window.start}-{window.end}) has corrected p = {window.p_value:.3g}, "
                f"{'at or below' if hit else 'above'} {self.alpha:.2g}"
            )
        else:
            z_ok, p_ok = stats["z"] >= self.z_threshold, p <= self.alpha  # type: ignore[operator]
            decision = "watermarked" if z_ok and p_ok else "not_watermarked"
            if z_ok and not p_ok:
                verdict = (
                    f"reaches z >= {self.z_threshold:g}, but the exact p = {p:.3g} is above "
                    f"{self.alpha:.2g}: the normal approximation is too optimistic for this length"
                )
            else:
                verdict = f"{'reaches' if z_ok else 'does not reach'} z >= {self.z_threshold:g}, p = {p:.3g}"
            reason = f"z = {stats['z']:.2f} over {scored} scored tokens ({verdict})"
        return Detection(
            decision=decision,
            is_watermarked=decision == "watermarked",
            reason=reason,
            scheme=self.scheme.name,
            gamma=self.gamma,
            key_id=key.key_id,
            keys_tested=n_keys,
            tokenizer_id=self.tokenizer_id,
            ignore_repeated=self.ignore_repeated,
            num_tokens=len(ids),
            num_tokens_scored=scored,
            num_green_tokens=stats["green"],
            green_fraction=stats["green"] / scored if scored else None,
            z_score=stats["z"],
            p_value=p,
            z_threshold=self.z_threshold,
            false_positive_rate=self.alpha,
            min_tokens_needed=needed,
            green_mask=stats["mask"].tolist(),
            window=window,
        )
