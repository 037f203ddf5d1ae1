"""Learned prompt-injection detector: a logistic-regression head on the toxicity model's MiniLM features.

The model (models/injection-minilm, see its model card) was trained on attacks and ordinary and
tricky-but-benign prompts written by the project, and BOLD Wikipedia sentences. It reads the same
features as the toxicity model (MiniLM layers 4 and 6 of toxicity.prepare'd text) and the same
pieces (toxicity.chunk_spans), so that when both scorers see a text the embedder serves the second
from what it computed for the first. A prompt of several pieces and at most WHOLE_MAX_CHARS
characters is also scored whole (one more embedding, not shared): many attacks are several
sentences that each look harmless. A text scores its most suspicious unit.

A first-pass screen (genguard.scoring.screen, the same kind as the toxicity model's; weights and
held-out miss rates in the model folder's screen.json) clears the units that MiniLM's input layer
alone shows to be far under the threshold, so ordinary prompts are mostly never embedded.

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

from genguard.scoring.base import check_texts, register
from genguard.scoring.embedder import SentenceEmbedder, default_embedder
from genguard.scoring.linear_head import LinearHead
from genguard.scoring.screen import packaged_screen
from genguard.scoring.toxicity import chunk_spans, prepare
from genguard.types import Finding, ScoreResult, Span

__all__ = [
    "DEFAULT_MODEL_DIR",
    "LABEL",
    "WHOLE_MAX_CHARS",
    "InjectionHead",
    "InjectionModelScorer",
    "unit_spans",
]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[3] / "models" / "injection-minilm"
LABEL = "INJECTION"
WHOLE_MAX_CHARS = 1000
"""Texts up to this long (about 250 word pieces, within MiniLM's 256) are also scored whole when
they have several pieces. Out of fold on the training data (models/injection-minilm/build.py),
adding the whole text raised recall at 1 % FPR on written benign prompts from 0.848 to 0.894."""


def unit_spans(text: str) -> tuple[list[tuple[int, int]], bool]:
    """([start, end) spans the model scores, whether the last one is the whole text): the
    toxicity.chunk_spans pieces, plus the span from the first piece's start to the last one's
    end when there are two or more pieces and the text is at most WHOLE_MAX_CHARS long."""
    spans = chunk_spans(text)
    if len(spans) > 1 and len(text) <= WHOLE_MAX_CHARS:
        return [*spans, (spans[0][0], spans[-1][1])], True
    return spans, False


class InjectionHead(LinearHead):
    """A logistic-regression head over MiniLM features of chosen layers; `probabilities` gives
    P(injection). Saved as safetensors + JSON (see LinearHead)."""

    what = "an injection model"
    written_by = "models/injection-minilm/build.py"


class InjectionModelScorer:
    """P(injection) per text: the highest of its pieces'; findings are the pieces at or over the threshold.

    `screen` (on by default, where the model folder has one): units the first-pass screen clears
    are not embedded and score a stand-in under half the threshold; off gives the head's exact
    scores (its held-out miss rate per threshold is in screen.json)."""

    name = "injection-model"
    # No `combine`: a prompt of at most WHOLE_MAX_CHARS is also scored whole, so a piece cut from a
    # long text would be scored as if it were a prompt, and the pieces' verdict would not be the
    # whole text's. The guard therefore hands this scorer whole texts.

    def __init__(
        self,
        model_dir: str | Path | None = None,
        threshold: float | None = None,
        embedder: SentenceEmbedder | None = None,
        screen: bool = True,
    ) -> None:
        folder = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.head = _load_head(folder.resolve())
        self.threshold = self.head.threshold if threshold is None else float(threshold)
        self.embedder = embedder or default_embedder()
        self.screen = packaged_screen(folder.resolve(), Path(self.embedder.folder)) if screen else None
        self.model_id = f"{self.head.config.get('name', folder.name)} on {self.embedder.model_id}"

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(injection) of each text taken whole (no pieces; the embedder truncates at 256 word pieces)."""
        features = self.embedder.embed([prepare(t) for t in texts], layers=self.head.layers)
        return self.head.probabilities(features)

    def _unit_scores(self, units: list[str]) -> np.ndarray:
        """P(injection) per unit; units the screen clears are not embedded and get its stand-in
        (under half the threshold, see Screen.stand_ins)."""
        prepared = [prepare(u) for u in units]
        if self.screen is None:
            cleared, probs = np.zeros(len(units), bool), np.zeros(len(units))
        else:
            cleared, probs = self.screen.stand_ins(prepared, self.threshold)
        rest = np.flatnonzero(~cleared)
        if len(rest):
            features = self.embedder.embed([prepared[k] for k in rest], layers=self.head.layers)
            probs[rest] = self.head.probabilities(features)
        return probs

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text: score = P(injection) of its most suspicious unit (see
        `unit_spans`; 0.0 for blank text), spans in characters of the text as given. Findings are
        the pieces at or over the threshold, or the whole text when only it is.

        InvalidInputError for a bare string, non-str items or texts over the size limit.
        """
        texts = check_texts(texts)
        owners: list[int] = []
        spans: list[tuple[int, int]] = []
        whole: list[bool] = []
        for i, text in enumerate(texts):
            units, has_whole = unit_spans(text)
            owners += [i] * len(units)
            spans += units
            whole += [False] * (len(units) - has_whole) + [True] * has_whole
        probs = self._unit_scores([texts[i][s:e] for i, (s, e) in zip(owners, spans, strict=True)])
        best = np.zeros(len(texts))
        findings: list[list[Finding]] = [[] for _ in texts]
        for i, (s, e), p, is_whole in zip(owners, spans, probs, whole, strict=True):
            best[i] = max(best[i], p)
            if p >= self.threshold and not (is_whole and findings[i]):  # pieces are the precise finding
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
