"""The guard scorer "protected-content": outputs too close to a document in a protected index.

Registered through the `genguard.scorers` entry point, so a guard policy names it without the
guard importing provenance:

    output:
      protected-content: {action: redact, params: {index: protected.db, min_span: 150}}

A text gets one PROTECTED_CONTENT finding per matching document (see ProtectedIndex.query): its
span is the longest shared run in the text as given, so `redact` cuts out the copied passage; a
near duplicate without a long shared run has no span, and the guard blocks it instead. Finding
score: max(exact Jaccard, shared-run length / min_span capped at 1), so a run of `min_span`
characters or more scores 1. On the index benchmark (benchmarks/index_speed.py, 100k documents)
a 200-character excerpt inside new text is found every time and unrelated text never matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genguard.errors import ConfigError
from genguard.provenance.index import ProtectedIndex
from genguard.scoring.base import check_texts
from genguard.types import Finding, ScoreResult, Span

LABEL = "PROTECTED_CONTENT"


class ProtectedContentScorer:
    """Score in [0, 1] per text: the strongest match with an indexed document (0 if none)."""

    name = "protected-content"

    def __init__(self, index: str, min_span: int = 150, min_jaccard: float | None = None, top_k: int = 3):
        path = Path(index)
        if not path.is_file():
            raise ConfigError(
                f"protected-content: no index at {path}; build one with `genguard provenance index add`"
            )
        self._index = ProtectedIndex(path)
        self.min_span, self.min_jaccard, self.top_k = min_span, min_jaccard, top_k
        p = self._index.params
        self.model_id = f"protected-index:{path.name}:minhash{p.num_perm}-t{p.threshold}-w{p.shingle}{p.n}"

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text (InvalidInputError for a bare string or non-str items)."""
        texts = check_texts(texts)
        results = []
        for found in self._index.query(texts, self.top_k, self.min_jaccard, self.min_span):
            findings = []
            for match in found:
                run = match.span.chars if match.span else 0
                value = max(match.jaccard, min(1.0, run / self.min_span))
                span = (
                    Span(start=match.span.query_start, end=match.span.query_end, label=LABEL)
                    if match.span is not None and run >= self.min_span
                    else None
                )
                findings.append(Finding(scorer=self.name, label=LABEL, score=value, span=span))
            results.append(
                ScoreResult(
                    scorer=self.name,
                    model_id=self.model_id,
                    score=max((f.score for f in findings), default=0.0),
                    findings=findings,
                )
            )
        return results
