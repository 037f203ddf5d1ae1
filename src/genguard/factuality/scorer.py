"""The guard scorer "citations": works a text cites that the bibliographic database does not hold.

Registered through the `genguard.scorers` entry point, so a guard policy names it without the
guard importing factuality:

    output:
      citations: {threshold: 0.5, action: annotate, params: {db: bib.db}}

Per citation that is not_found: a CITATION_NOT_FOUND finding scoring its confidence (0.5 to 1);
per partially_correct one: a CITATION_PARTIALLY_CORRECT finding scoring half its confidence
(0.25 to 0.5), so threshold 0.5 acts on likely fabrications only and no threshold on both. Each
finding's span is the citation's. Verified and undecidable citations give no finding. A text's
score is its strongest finding's (0 for none). Error rates on benchmarks/citation_quality.py's
held-out split: see benchmarks/results/citation_quality.json (not_found precision and recall,
false not_found rate on real citations).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genguard.errors import ConfigError
from genguard.scoring.base import check_texts
from genguard.types import Finding, ScoreResult, Span

NOT_FOUND, PARTIAL = "CITATION_NOT_FOUND", "CITATION_PARTIALLY_CORRECT"


class CitationScorer:
    """Score in [0, 1] per text: its most doubtful citation (0 when all are verified or none)."""

    name = "citations"

    def __init__(self, db: str):
        from genguard.factuality.bibdb import BibDatabase
        from genguard.factuality.verify import CitationVerifier

        path = Path(db)
        if not path.is_file():
            raise ConfigError(
                f"citations: no bibliographic database at {path}; build one with `genguard cite import`"
            )
        self._db = BibDatabase(path)
        if self._db.count() == 0:
            raise ConfigError(f"citations: {path} holds no records; import some with `genguard cite import`")
        self._verifier = CitationVerifier(self._db)
        self.model_id = f"bibdb:{path.name}:{self._db.count()}-records"

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text (InvalidInputError for a bare string or non-str items)."""
        texts = check_texts(texts)
        results = []
        for checks in self._verifier.check_texts(texts):
            findings = []
            for check in checks:
                if check.verdict not in ("not_found", "partially_correct"):
                    continue
                label = NOT_FOUND if check.verdict == "not_found" else PARTIAL
                value = check.confidence if check.verdict == "not_found" else check.confidence / 2
                span = check.citation.span
                findings.append(Finding(scorer=self.name, label=label, score=round(value, 4),
                                        span=Span(start=span.start, end=span.end, label=label)))  # fmt: skip
            top = max((f.score for f in findings), default=0.0)
            results.append(
                ScoreResult(scorer=self.name, model_id=self.model_id, score=top, findings=findings)
            )
        return results
