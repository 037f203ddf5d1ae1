"""Sentiment with VADER (Hutto & Gilbert, 2014): a rule-based lexicon scorer tuned on social media.

`compound(texts)` returns VADER's compound score per text, in [-1, 1] (-1 most negative); this is
what the fairness tone audit compares between groups. The registered scorer `sentiment` turns it
into genguard's "higher is more concerning" convention: score = max(0, -compound), with a
NEGATIVE finding when compound <= -0.05 (VADER's own cut-off for negative text).

VADER knows words, not context: "killer performance" reads negative and sarcasm is missed, so a
gap between groups is evidence to look at, not proof. Texts go through the shared normaliser
first (NFKC, invisible characters, homoglyphs) so evasion tricks do not hide words from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib.metadata import version
from typing import Any

import numpy as np

from genguard.errors import ConfigError
from genguard.scoring.base import check_texts, register
from genguard.text import normalize
from genguard.types import Finding, ScoreResult

__all__ = ["NEGATIVE_CUTOFF", "SentimentScorer", "compound"]

NEGATIVE_CUTOFF = -0.05


@lru_cache(maxsize=1)
def _analyzer() -> Any:  # vaderSentiment has no type hints
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:
        raise ConfigError("the sentiment scorer needs vaderSentiment; pip install vaderSentiment") from exc
    return SentimentIntensityAnalyzer()


def model_id() -> str:
    """Names the lexicon version that produced the scores."""
    return f"vaderSentiment-{version('vaderSentiment')}"


def compound(texts: Sequence[str]) -> np.ndarray:
    """VADER compound score of each text, float64 in [-1, 1]; 0.0 for an empty text."""
    analyzer = _analyzer()
    folded = [normalize(t, ("nfkc", "invisible", "homoglyphs")) for t in check_texts(texts)]
    return np.array([analyzer.polarity_scores(t)["compound"] if t.strip() else 0.0 for t in folded])


class SentimentScorer:
    """Negativity of each text: max(0, -VADER compound) in [0, 1]; finding NEGATIVE at compound <= -0.05."""

    name = "sentiment"

    def __init__(self) -> None:
        self.model_id = model_id()

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text (InvalidInputError for a bare string or non-str items)."""
        results = []
        for value in compound(texts):
            negativity = max(0.0, -float(value))
            findings = (
                [Finding(scorer=self.name, label="NEGATIVE", score=negativity)]
                if value <= NEGATIVE_CUTOFF
                else []
            )
            results.append(
                ScoreResult(scorer=self.name, model_id=self.model_id, score=negativity, findings=findings)
            )
        return results


register("sentiment", SentimentScorer)
