"""Learned prompt-injection detector: a logistic-regression head on the toxicity model's MiniLM features.

The model (models/injection-minilm, see its model card) was trained on attacks and ordinary and
tricky-but-benign prompts written by the project, and BOLD Wikipedia sentences. It reads the same
text units and the same features as the toxicity model (toxicity.prepare of toxicity.chunk_spans
pieces, MiniLM layers 4 and 6), so that when both scorers see a text the embedder can serve the
second from what it computed for the first. A text scores its most suspicious piece.

Measured error rates at the model's threshold (held-out recall on attacks written before the
model and false-positive rates on ordinary and tricky-but-benign prompts, with intervals) are in
genguard/guard/error_rates.json (scorer "injection-model"), produced by
benchmarks/injection_quality.py; the model card has the full tables. Use it beside the rule-based
`injection` scorer, which catches the phrasings it knows with almost no false positives.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from genguard.scoring.base import check_texts, max_score, register
from genguard.scoring.embedder import SentenceEmbedder, default_embedder
from genguard.scoring.linear_head import LinearHead
from genguard.scoring.toxicity import chunk_spans, prepare
from genguard.types import Finding, ScoreResult, Span

__all__ = ["DEFAULT_MODEL_DIR", "LABEL", "InjectionHead", "InjectionModelScorer"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "injection-minilm"
LABEL = "INJECTION"


class InjectionHead(LinearHead):
    """A logistic-regression head over MiniLM features of chosen layers; `probabilities` gives
    P(injection). Saved as safetensors + JSON (see LinearHead)."""

    what = "an injection model"
    written_by = "models/injection-minilm/build.py"


class InjectionModelScorer:
    """P(injection) per text: the highest of its pieces'; findings are the pieces at or over the threshold."""

    name = "injection-model"
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
        """P(injection) of each text taken whole (no pieces; the embedder truncates at 256 word pieces)."""
        features = self.embedder.embed([prepare(t) for t in texts], layers=self.head.layers)
        return self.head.probabilities(features)

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: score = P(injection) of its most suspicious piece (0.0 for blank
        text), spans in characters of the text as given.

        InvalidInputError for a bare string, non-str items or texts over the size limit.
        """
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
                span = Span(start=s, end=e, label=LABEL)
                findings[i].append(
                    Finding(scorer=self.name, label=LABEL, score=round(float(p), 4), span=span)
                )
        return [
            ScoreResult(scorer=self.name, model_id=self.model_id, score=round(float(b), 4), findings=f)
            for b, f in zip(best, findings, strict=True)
        ]


@lru_cache(maxsize=8)
def _load_head(folder: Path) -> InjectionHead:
    return InjectionHead.load(folder)


register("injection-model", InjectionModelScorer)
