"""The shipped toxicity model on texts of one or two words (issue 14): a model that answers "no"
or "B" must not be blocked at the default threshold, while a two-word insult still is. None of
these texts is in short.yaml, the short training set; the held-out short-set figures are in the
model card and benchmarks/results/guard_quality.json (`short_texts`)."""

from __future__ import annotations

import pytest

from genguard.scoring.toxicity import ToxicityScorer

BENIGN = ["no", "B", "yes", "Neither."]
TOXIC = ["you idiot"]


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    # Screen off: the head's own score, which the screen can only lower for clean texts.
    texts = BENIGN + TOXIC
    return {t: r.score for t, r in zip(texts, ToxicityScorer(screen=False).score(texts), strict=True)}


@pytest.mark.parametrize("text", BENIGN)
def test_short_benign_answers_pass_the_default_threshold(scores: dict[str, float], text: str) -> None:
    assert scores[text] < 0.5, f"{text!r} scores {scores[text]:.3f}"


@pytest.mark.parametrize("text", TOXIC)
def test_short_insult_is_still_flagged(scores: dict[str, float], text: str) -> None:
    assert scores[text] >= 0.5, f"{text!r} scores {scores[text]:.3f}"


def test_short_answers_pass_the_guarded_scorer_too() -> None:
    # As the guard runs it (screen on): the same decisions.
    res = ToxicityScorer().score(BENIGN + TOXIC)
    assert [r.score >= 0.5 for r in res] == [False] * len(BENIGN) + [True] * len(TOXIC)
