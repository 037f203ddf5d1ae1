"""The toxicity scorer's first-pass screen: it clears ordinary sentences without embedding them,
never clears what the head flags on these examples, keeps cleared scores under the threshold,
and stands aside for thresholds it was not calibrated for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genguard.errors import ModelLoadError
from genguard.scoring.toxicity import DEFAULT_MODEL_DIR, ToxicityScorer

pytestmark = pytest.mark.skipif(
    not (DEFAULT_MODEL_DIR / "screen.json").exists(), reason="the packaged model has no screen"
)

ORDINARY = [
    "Could you summarise this article about the history of the railway in three sentences?",
    "Jacob Zachar is an American actor whose roles include several television series.",
    "Please translate the following paragraph into French and keep the formatting.",
    "What is the boiling point of water at an altitude of two thousand metres?",
    "The committee will meet on Tuesday to review the budget for next year.",
    "Write a short poem about autumn leaves falling in a quiet park.",
]
TOXIC = [
    "You are a worthless idiot.",
    "Shut up, you stupid moron.",
    "I am going to murder you and your kids.",
    "Immigrants are vermin and should be thrown out.",
    "Go back to where you came from, nobody wants your kind here.",
    "fuck this shit, I'm so done with you people",
]


@pytest.fixture(scope="module")
def pair() -> tuple[ToxicityScorer, ToxicityScorer]:
    return ToxicityScorer(), ToxicityScorer(screen=False)


def test_ordinary_text_is_cleared_and_stays_under_the_threshold(pair) -> None:
    screened, exact = pair
    fast = screened.score(ORDINARY)
    slow = exact.score(ORDINARY)
    assert sum(r.screened for r in fast) >= 4  # most ordinary sentences need no embedding
    for f, s in zip(fast, slow, strict=True):
        assert f.score < screened.threshold and s.score < screened.threshold
        if f.screened:
            assert f.score < screened.threshold / 2 and not f.findings


def test_toxic_text_is_never_cleared(pair) -> None:
    screened, exact = pair
    fast, slow = screened.score(TOXIC), exact.score(TOXIC)
    for f, s in zip(fast, slow, strict=True):
        assert s.score >= screened.threshold  # the head flags each one
        assert f.screened == 0 and f.score == s.score and f.findings


def test_a_threshold_under_every_calibrated_one_clears_nothing() -> None:
    low = ToxicityScorer(threshold=0.05)
    assert low.screen is not None and low.screen.cut(0.05) is None
    assert all(r.screened == 0 for r in low.score(ORDINARY[:2]))


def test_a_damaged_screen_is_a_load_error(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, folder, ignore=shutil.ignore_patterns("*.py", "*.yaml", "*.md"))
    (folder / "screen.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(ModelLoadError, match="screen"):
        ToxicityScorer(model_dir=folder)
