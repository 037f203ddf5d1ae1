"""A linear head over hashed character and word n-grams: reads any language's words as written.

The MiniLM heads read what all-MiniLM-L6-v2 understands, which is English. A logistic regression
over n-grams of the raw text needs no encoder and learns the words of every language its
training data holds ("ignoriere", "instrucciones", "системный"), so an injection model folder may
fuse its logit with the MiniLM head's (genguard.scoring.injection_model). Injection model 13 did
(held-out set 17: recall 52.0 -> 63.5 %, tricky FPR 7.3 -> 4.3 %) and was withdrawn: a short text
made only of attack-associated words gets an extreme logit ("You are a helpful assistant." 5.4
nats), so it blocked common system prompts (injection model card, items 47-50). The shipped model
15 clips the n-gram logit to [-3, 3] and learns short benign messages and benign requests to send
to an address; its measured rates are in the card (items 55-56) and genguard/guard/error_rates.json.

Features, fixed by `NGRAM_FEATURES` and stored beside the weights so that a model cannot be read
with other ones: the text NFKC-folded and lower-cased (no homoglyph folding: Cyrillic stays
Cyrillic); character n-grams of 2-5 inside word boundaries and word unigrams and bigrams, each
family hashed (MurmurHash3, scikit-learn's HashingVectorizer) into its own `buckets` columns;
sublinear term frequency (1 + log tf), times the stored inverse document frequency, L2-normalised
over both families together. About 0.2 ms for one short prompt, most of it in scikit-learn's
hashing of the two families.
"""

from __future__ import annotations

import json
import math
import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file
from scipy import sparse

from genguard.errors import ModelLoadError
from genguard.scoring.linear_head import sigmoid

__all__ = [
    "NGRAM_FEATURES",
    "NgramFusion",
    "NgramHead",
    "fit_ngram_head",
    "fused_logit",
    "logit",
    "ngram_blocks",
    "ngram_counts",
    "tfidf",
]

NGRAM_FEATURES = {"char_wb": [2, 5], "word": [1, 2], "buckets": 2**17, "case": "lower", "unicode": "NFKC"}
"""The feature definition every NgramHead is fitted and read with (checked on load)."""

CACHE_ROWS = 4096
_WORD = r"(?u)\b\w+\b"  # single letters and digits count: many scripts write words of one character


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


class _Vectorizers:
    """The two hashing vectorizers (built once; they hold no fitted state)."""

    def __init__(self, buckets: int) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        common = {"n_features": buckets, "alternate_sign": False, "norm": None, "lowercase": False}
        self.char = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=_fold, **common)
        self.word = HashingVectorizer(
            analyzer="word", ngram_range=(1, 2), token_pattern=_WORD, preprocessor=_fold, **common
        )


_VECTORIZERS: dict[int, _Vectorizers] = {}


def ngram_blocks(
    texts: Sequence[str], buckets: int = NGRAM_FEATURES["buckets"]
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Raw n-gram counts, (n, buckets) each: character n-grams, and words."""
    vec = _VECTORIZERS.get(buckets)
    if vec is None:
        vec = _VECTORIZERS[buckets] = _Vectorizers(buckets)
    texts = list(texts)
    return vec.char.transform(texts), vec.word.transform(texts)


def ngram_counts(texts: Sequence[str], buckets: int = NGRAM_FEATURES["buckets"]) -> sparse.csr_matrix:
    """An (n, 2 * buckets) sparse matrix of raw n-gram counts: character n-grams, then words."""
    return sparse.hstack(ngram_blocks(texts, buckets), format="csr")


def _weights(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Sublinear tf times idf, for stored counts and the idf of their columns."""
    return (1.0 + np.log(counts.astype(np.float32))) * idf


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf times `idf`, each row L2-normalised (an all-zero row stays zero)."""
    x = counts.astype(np.float32, copy=True)
    x.data = _weights(x.data, idf[x.indices])
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ x)


def fit_ngram_head(
    counts: sparse.csr_matrix, labels: np.ndarray, weights: np.ndarray | None = None, C: float = 16.0
) -> NgramHead:
    """An NgramHead fitted on raw `ngram_counts` rows: smooth idf as scikit-learn's TfidfTransformer
    (ln((1 + n) / (1 + df)) + 1), then an L2-regularised logistic regression (scikit-learn, lbfgs)."""
    from sklearn.linear_model import LogisticRegression

    labels = np.asarray(labels)
    if counts.shape[0] != len(labels) or len(set(labels.tolist())) != 2:
        raise ValueError("need one label per row and both classes")
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)
    lr = LogisticRegression(C=C, max_iter=5000).fit(tfidf(counts, idf), labels, sample_weight=weights)
    config = {
        "features": NGRAM_FEATURES,
        "C": C,
        "rows": int(counts.shape[0]),
        "positives": int(labels.sum()),
    }
    return NgramHead(idf, lr.coef_[0], float(lr.intercept_[0]), config)


class NgramHead:
    """Logistic regression over `tfidf(ngram_counts(texts), idf)`: `logits(texts)` in nats."""

    def __init__(self, idf: np.ndarray, coef: np.ndarray, bias: float, config: dict) -> None:
        self.idf = np.asarray(idf, np.float32)
        self.coef = np.asarray(coef, np.float32)
        self.bias = float(bias)
        self.config = config
        self.buckets = int(config.get("features", NGRAM_FEATURES)["buckets"])

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """log-odds per text (float64); a text with no n-gram gets the bias alone. Equal to
        `tfidf(ngram_counts(texts), idf) @ coef + bias`, computed per block without stacking them
        (stacking sparse blocks cost 0.5 ms per call, four times the counting)."""
        if not len(texts):
            return np.zeros(0)
        dot = np.zeros(len(texts))
        squares = np.zeros(len(texts))
        for k, block in enumerate(ngram_blocks(texts, self.buckets)):
            cols = block.indices + k * self.buckets
            rows = np.repeat(np.arange(len(texts)), np.diff(block.indptr))
            x = _weights(block.data, self.idf[cols])
            dot += np.bincount(rows, weights=x * self.coef[cols], minlength=len(texts))
            squares += np.bincount(rows, weights=x * x, minlength=len(texts))
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        return dot / norms + self.bias

    def save(self, path: Path) -> None:
        save_file({"idf": self.idf, "coef": self.coef, "bias": np.array([self.bias], np.float32)}, str(path))
        path.with_suffix(".json").write_text(json.dumps(self.config, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> NgramHead:
        """The head saved at `path` (safetensors) and its .json; ModelLoadError when unreadable or
        fitted with other features than NGRAM_FEATURES."""
        try:
            tensors = load_file(str(path))
            config = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            idf, coef, bias = tensors["idf"], tensors["coef"], float(tensors["bias"][0])
        except (OSError, ValueError, KeyError, IndexError, SafetensorError) as exc:
            raise ModelLoadError(f"cannot read the n-gram head {path}: {exc}") from exc
        if not isinstance(config, dict) or config.get("features") != NGRAM_FEATURES:
            raise ModelLoadError(f"{path}: fitted with other n-gram features than {NGRAM_FEATURES}")
        if idf.shape != coef.shape or idf.shape != (2 * NGRAM_FEATURES["buckets"],):
            raise ModelLoadError(
                f"{path}: idf and coef must both hold {2 * NGRAM_FEATURES['buckets']} numbers"
            )
        return cls(idf, coef, bias, config)


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) in nats, float64, with p clipped to [1e-7, 1 - 1e-7]."""
    p = np.clip(np.asarray(p, np.float64), 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def fused_logit(head_logits: np.ndarray, ngram_logits: np.ndarray, weight: float, clip: float) -> np.ndarray:
    """What NgramFusion calibrates: the MiniLM head's logit plus `weight` times the n-gram logit
    clipped to [-clip, clip] (nats). The builds fit the calibration on exactly this."""
    ngram = np.clip(np.asarray(ngram_logits, np.float64), -clip, clip)
    return head_logits + weight * ngram


class NgramFusion:
    """A MiniLM head's probabilities fused with an NgramHead's logits of the same texts:
    P = sigmoid(scale * (logit(p_head) + weight * ngram_logit) + shift), calibrated on held-out
    data by the build (the model card says which). The n-gram head reads a text whole, as it was
    trained (read piece by piece, a quoted attack in a benign report looks like an attack: card
    item 47); texts over `max_chars` get no n-gram term. `head_threshold` is the MiniLM head's own
    threshold, for its first-pass screen. `clip` bounds the n-gram logit to [-clip, clip] before it
    is weighted: a short text of a few attack-associated n-grams otherwise gets an extreme logit
    (model 13 scored "Repeat your last answer exactly." 0.999: item 49)."""

    def __init__(
        self,
        head: NgramHead,
        weight: float,
        scale: float,
        shift: float,
        head_threshold: float,
        max_chars: int = 4000,
        clip: float = math.inf,
    ) -> None:
        if not clip > 0:
            raise ValueError(f"clip must be > 0, got {clip}")
        self.head = head
        self.weight, self.scale, self.shift = float(weight), float(scale), float(shift)
        self.head_threshold = float(head_threshold)
        self.max_chars = int(max_chars)
        self.clip = float(clip)
        self._cache: dict[str, float] = {}  # insertion-ordered: the oldest goes first
        self._lock = threading.Lock()

    def text_logits(self, texts: Sequence[str]) -> np.ndarray:
        """The n-gram logit of each text of at most `max_chars` characters; 0.0 for longer ones.
        The last CACHE_ROWS texts' logits are remembered: the guard plans a text's embeddings
        before it scores it, and both need them."""
        out = np.zeros(len(texts))
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if len(text) > self.max_chars:
                continue
            hit = self._cache.get(text)
            if hit is None:
                todo.setdefault(text, []).append(i)
            else:
                out[i] = hit
        if todo:
            logits = self.head.logits(list(todo))
            with self._lock:  # the gateway scores from several threads
                for text, logit in zip(todo, logits, strict=True):
                    out[todo[text]] = logit
                    self._cache[text] = float(logit)
                while len(self._cache) > CACHE_ROWS:
                    self._cache.pop(next(iter(self._cache)))
        return out

    def fuse(self, probs: np.ndarray, ngram_logits: np.ndarray) -> np.ndarray:
        z = fused_logit(logit(probs), ngram_logits, self.weight, self.clip)
        return sigmoid(self.scale * z + self.shift)

    def config(self, file: str) -> dict:
        return {
            "file": file,
            "weight": self.weight,
            "calibration": [self.scale, self.shift],
            "head_threshold": self.head_threshold,
            "max_chars": self.max_chars,
            **({"clip": self.clip} if math.isfinite(self.clip) else {}),
        }

    @classmethod
    def load(cls, folder: Path, config: dict) -> NgramFusion:
        """The fusion a model folder's config.json describes under "ngram_fusion"."""
        try:
            scale, shift = (float(x) for x in config["calibration"])
            head = NgramHead.load(folder / str(config["file"]))
            weight, head_threshold = float(config["weight"]), float(config["head_threshold"])
            clip = float(config.get("clip", math.inf))
            return cls(head, weight, scale, shift, head_threshold, int(config["max_chars"]), clip)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelLoadError(f"{folder}/config.json: bad ngram_fusion entry ({exc})") from exc
