"""Language coverage: the pieces of a text written in a language the guard's models were not
trained or measured on, so that a policy can say "cannot decide" where they are blind.

The toxicity model and the learned injection detector read MiniLM features of an encoder trained
on English. On the held-out injection sets the detector's recall is far lower on prompts in other
languages than on English ones; the measured figures, and how often this scorer takes English text
for another language, are in genguard/guard/error_rates.json (scorers "language" and
"injection-model"), written by benchmarks/language_quality.py and benchmarks/injection_quality.py.

Each sentence piece (genguard.text.sentences.chunk_spans) with letters enough to tell
(genguard.text.language.distribution: 20, or 8 mostly outside ASCII) that does not plainly look
English (genguard.text.language.looks_english) goes to langid.py's model; its score is the
probability that it is written in a language other than `languages`. A piece at or over
`threshold` is a finding labelled LANGUAGE_<code> of the likeliest other language (LANGUAGE_DE,
LANGUAGE_ZH, ...); consecutive pieces in the same language are one finding. Pieces the model finds
no language in (hashes, base64: langid.py's "zxx") and short pieces score 0: the scorer cannot
decide there, and says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib.metadata import version

from genguard.scoring.base import check_texts, max_score, register
from genguard.text import normalize
from genguard.text.language import NOT_LANGUAGE, distribution, looks_english
from genguard.text.sentences import chunk_spans
from genguard.types import Finding, ScoreResult, Span

LABEL_PREFIX = "LANGUAGE_"
_CODE = re.compile(r"[a-z]{2,3}")
# Folding homoglyphs would turn Cyrillic and Greek words into Latin lookalikes ("TekcT").
_FOLD = ("nfkc", "invisible")


class LanguageScorer:
    """Finds the pieces of a text outside `languages` (ISO 639-1 codes); `score` is the highest
    probability, over the text's pieces, of being outside them (0.0 when no piece can be decided)."""

    name = "language"
    combine = staticmethod(max_score)  # a text scores its most foreign piece

    def __init__(self, languages: Sequence[str] = ("en",), threshold: float = 0.99) -> None:
        # A typo ("english", "en-US") would match nothing and mark every English sentence.
        if (
            isinstance(languages, str)
            or not languages
            or not all(isinstance(c, str) and _CODE.fullmatch(c) for c in languages)
        ):
            raise ValueError(
                "languages must be a non-empty list of ISO 639-1 or 639-3 codes, e.g. ['en', 'de'], "
                f"got {languages!r}"
            )
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must lie in (0, 1], got {threshold}")
        self.languages = tuple(code.lower() for code in languages)
        self.threshold = threshold
        self.model_id = f"langid.py model (py3langid {version('py3langid')})"

    def score(self, texts: Sequence[str]) -> list[ScoreResult]:
        """One ScoreResult per text, findings in text order with spans on the text as given.

        InvalidInputError for a bare string, non-str items or texts over the size limit."""
        return [self._score_one(text) for text in check_texts(texts)]

    def outside(self, piece: str) -> tuple[float, str | None]:
        """(P(piece is written in a language other than `languages`), the likeliest such language)
        for one piece; (0.0, None) where it cannot be decided: too few letters, plain English
        while English is allowed, or no language found in it."""
        if "en" in self.languages and looks_english(piece):
            return 0.0, None
        probs = distribution(normalize(piece, _FOLD))
        if probs is None:
            return 0.0, None
        others = {code: p for code, p in probs.items() if code not in self.languages}
        top = max(others, key=others.__getitem__, default=NOT_LANGUAGE)
        if top == NOT_LANGUAGE:
            return 0.0, None
        return sum(others.values()) - others.get(NOT_LANGUAGE, 0.0), top

    def _score_one(self, text: str) -> ScoreResult:
        """The text's result: one finding per run of consecutive pieces in one language, so that a
        document is one finding, not one per sentence."""
        best = 0.0
        runs: list[tuple[int, int, str, float]] = []  # start, end, label, highest score
        last = -1  # index of the piece the last run ends with
        for k, (start, end) in enumerate(chunk_spans(text)):
            p, code = self.outside(text[start:end])
            p = round(p, 4)  # findings and the text's score agree at the threshold
            best = max(best, p)
            if code is None or p < self.threshold:
                continue
            label = LABEL_PREFIX + code.upper()
            if runs and last == k - 1 and runs[-1][2] == label:
                runs[-1] = (runs[-1][0], end, label, max(runs[-1][3], p))
            else:
                runs.append((start, end, label, p))
            last = k
        findings = [
            Finding(scorer=self.name, label=label, score=p, span=Span(start=s, end=e, label=label))
            for s, e, label, p in runs
        ]
        return ScoreResult(scorer=self.name, model_id=self.model_id, score=best, findings=findings)


register("language", LanguageScorer)
