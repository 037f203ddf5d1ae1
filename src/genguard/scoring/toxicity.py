"""Toxicity: the project's guardrail model, a linear head on MiniLM sentence features.

The default model (models/toxicity-minilm, see its model card) was trained on the human-labelled
Davidson tweets, neutral BOLD Wikipedia sentences and a small project-written set of hate without
slurs. Measured by benchmarks/guard_quality.py, scoring sentence by sentence: AUC 0.972 on held-out
Davidson tweets; at the default threshold 0.5, false-positive rates of 0.52 % on BOLD Wikipedia
sentences from domains the model never saw (2.0 % on whole paragraphs, 0.58 % at 0.7) and 22 % on
Davidson's "neither" tweets (casual slang); recall 0.80 on project-written hate without slurs.

Texts are scored sentence by sentence (see `chunk_spans`); a text's score is its most toxic
sentence's, and every sentence over the threshold is a finding with its span.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from genguard.errors import ModelLoadError
from genguard.scoring.base import check_texts, max_score, register
from genguard.scoring.embedder import SentenceEmbedder, default_embedder
from genguard.text import FOR_CLASSIFIERS, normalize
from genguard.types import Finding, ScoreResult, Span

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "toxicity-minilm"
CHUNK_CHARS = 400  # about 100 word pieces: the length of the tweets and sentences the model learnt from
MIN_WORDS = 5

_MENTION = re.compile(r"(?<!\w)@\w{4,30}")
_URL = re.compile(r"https?://\S+|www\.\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*")


def prepare(text: str) -> str:
    """The text a toxicity head sees: HTML entities decoded, user names and URLs replaced by
    placeholders (they identify authors, not tone), then the shared classifier normaliser.

    Character folding comes first, so that full-width or zero-width-split entities and names are
    recognised; handles need 4+ characters, so leetspeak such as "@r3 @ll" is left to the normaliser.
    """
    text = html.unescape(normalize(text, ("nfkc", "invisible", "homoglyphs")))
    text = _URL.sub("URL", _MENTION.sub("USER", text))
    return normalize(text, FOR_CLASSIFIERS)


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


class ToxicityHead:
    """A logistic-regression head over MiniLM features of chosen layers, saved as safetensors + JSON."""

    def __init__(self, weight: np.ndarray, bias: float, layers: Sequence[int], config: dict) -> None:
        self.weight = np.asarray(weight, dtype=np.float32)
        self.bias = float(bias)
        self.layers = tuple(int(k) for k in layers)
        self.config = config

    @property
    def threshold(self) -> float:
        return float(self.config["threshold"])

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(toxic) for each row of features from `SentenceEmbedder.embed(..., layers=self.layers)`."""
        return 1.0 / (1.0 + np.exp(-(features @ self.weight + self.bias)))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        save_file(
            {"weight": self.weight, "bias": np.array([self.bias], np.float32)}, folder / "head.safetensors"
        )
        config = {**self.config, "layers": list(self.layers)}
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> ToxicityHead:
        try:
            tensors = load_file(folder / "head.safetensors")
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            return cls(tensors["weight"], float(tensors["bias"][0]), config["layers"], config)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelLoadError(
                f"cannot load a toxicity model from {folder} ({exc}); it needs head.safetensors and "
                "config.json as written by `genguard guard train`"
            ) from exc


class ToxicityScorer:
    """P(toxic) per text from a trained head; findings are the chunks at or over the threshold."""

    name = "toxicity"
    combine = staticmethod(max_score)  # a text scores its strongest piece

    def __init__(
        self,
        model_dir: str | Path | None = None,
        threshold: float | None = None,
        embedder: SentenceEmbedder | None = None,
    ) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.head = _load_head(folder.resolve())
        self.threshold = self.head.threshold if threshold is None else float(threshold)
        self.embedder = embedder or default_embedder()
        self.model_id = f"{self.head.config.get('name', folder.name)} on {self.embedder.model_id}"

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(toxic) of each text taken whole (no chunking; the embedder truncates at 256 word pieces)."""
        features = self.embedder.embed([prepare(t) for t in texts], layers=self.head.layers)
        return self.head.probabilities(features)

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: score = P(toxic) of its most toxic chunk (0.0 for blank text)."""
        texts = check_texts(texts)
        owners: list[int] = []
        spans: list[tuple[int, int]] = []
        for i, text in enumerate(texts):
            for span in chunk_spans(text):
                owners.append(i)
                spans.append(span)
        probs = self.probabilities([texts[i][s:e] for i, (s, e) in zip(owners, spans, strict=True)])
        best = np.zeros(len(texts))
        findings: list[list[Finding]] = [[] for _ in texts]
        for i, (s, e), p in zip(owners, spans, probs, strict=True):
            best[i] = max(best[i], p)
            if p >= self.threshold:
                span = Span(start=s, end=e, label="TOXIC")
                findings[i].append(
                    Finding(scorer=self.name, label="TOXIC", score=round(float(p), 4), span=span)
                )
        return [
            ScoreResult(scorer=self.name, model_id=self.model_id, score=round(float(b), 4), findings=f)
            for b, f in zip(best, findings, strict=True)
        ]


@lru_cache(maxsize=8)
def _load_head(folder: Path) -> ToxicityHead:
    return ToxicityHead.load(folder)


register("toxicity", ToxicityScorer)
