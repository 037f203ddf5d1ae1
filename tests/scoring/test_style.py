"""The style scorer: calibrated on the author's chunks, found by name, bad input refused or
answered with "cannot decide" (score 0, no finding), usable in a guard policy."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.guard.pipeline import Guard
from genguard.guard.policy import Policy
from genguard.scoring import get_scorer
from genguard.scoring.style import DEFAULT_THRESHOLD, LABEL, StyleScorer

CONTENT = "garden river market winter letter window mountain orange paper silver morning".split()  # noqa: SIM905
# Two synthetic writers with different function-word habits over the same content words.
HABITS = {
    "x": ["the", "of", "and", "the", "to", "a", "in", "the", "of", "and"],
    "y": ["thee", "thou", "upon", "thy", "yet", "whose", "shall", "thee", "must", "nor"],
}


def _writer(name: str, words: int, seed: int) -> str:
    rng = random.Random(f"{name}:{seed}")
    return " ".join(
        rng.choice(HABITS[name]) if rng.random() < 0.5 else rng.choice(CONTENT) for _ in range(words)
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("style") / "x.txt"
    path.write_text(_writer("x", 6000, 0), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scorer(corpus: Path) -> StyleScorer:
    return get_scorer("style", corpus=str(corpus))


def test_the_author_scores_high_and_another_writer_near_zero(scorer: StyleScorer) -> None:
    own = scorer.score([_writer("x", 400, s) for s in range(1, 21)])
    other = scorer.score([_writer("y", 400, s) for s in range(1, 21)])
    # own held-out texts are calibrated to score about uniformly: most pass the threshold
    assert sum(r.score >= DEFAULT_THRESHOLD for r in own) >= 15
    assert all(r.findings[0].label == LABEL for r in own if r.score >= DEFAULT_THRESHOLD)
    assert max(r.score for r in other) < DEFAULT_THRESHOLD and not any(r.findings for r in other)


def test_short_and_empty_texts_cannot_be_decided(scorer: StyleScorer) -> None:
    for result in scorer.score(["", "the of and the to", "   ", _writer("x", 399, 3)]):
        assert result.score == 0.0 and result.findings == []
    with pytest.raises(InvalidInputError):
        scorer.score("a bare string")
    with pytest.raises(InvalidInputError):
        scorer.score([b"bytes"])


def test_a_large_text_is_scored(scorer: StyleScorer) -> None:
    text = _writer("x", 180_000, 7)  # about 1 MB
    assert len(text) > 900_000
    assert 0 < scorer.score([text])[0].score <= 1


def test_missing_small_or_undecodable_corpora_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs params"):
        get_scorer("style")
    with pytest.raises(ConfigError, match="not found"):
        get_scorer("style", corpus=str(tmp_path / "missing.txt"))
    small = tmp_path / "small.txt"
    small.write_text("the of and " * 100, encoding="utf-8")
    with pytest.raises(ConfigError, match="at least 10"):
        get_scorer("style", corpus=str(small))
    medium = tmp_path / "medium.txt"
    medium.write_text("the of and " * 1000, encoding="utf-8")  # 3,000 words: no 400-word calibration
    with pytest.raises(ConfigError, match="needs at least 4,000 words"):
        get_scorer("style", corpus=str(medium))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 " * 5000)
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        get_scorer("style", corpus=str(bad))
    with pytest.raises(ConfigError, match="threshold"):
        StyleScorer(corpus=str(small), threshold=0)


def test_a_policy_blocks_mimicry_of_the_protected_author(corpus: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "profiles:\n  protect:\n    output:\n"
        f"      style: {{threshold: {DEFAULT_THRESHOLD}, action: block, reason: imitates a protected author,"
        f" params: {{corpus: '{corpus}'}}}}\n",
        encoding="utf-8",
    )
    guard = Guard(Policy.load(policy).profile("protect"))
    mimic, other = guard.check([_writer("x", 500, 99), _writer("y", 500, 99)], stage="output")
    assert mimic.action == "block" and "imitates a protected author" in mimic.reasons[0]
    assert other.action == "allow"


def test_speakers_held_out_text_scores_above_wikipedia(tmp_path: Path) -> None:
    from genguard.datasets import bold_wikipedia_paragraphs, shared_data_dir

    if shared_data_dir() is None or not (shared_data_dir() / "tinyshakespeare").exists():
        pytest.skip("../shared/data/tinyshakespeare is absent")
    from genguard.datasets import shakespeare_text

    words = shakespeare_text().split()
    corpus = tmp_path / "shakespeare.txt"
    corpus.write_text(" ".join(words[:40_000]), encoding="utf-8")
    scorer = StyleScorer(corpus=str(corpus))
    held = [" ".join(words[i : i + 400]) for i in range(100_000, 108_000, 400)]
    wiki_words = " ".join(list(bold_wikipedia_paragraphs())[:600]).split()
    wiki = [" ".join(wiki_words[i : i + 400]) for i in range(0, 8000, 400)]
    own = [r.score for r in scorer.score(held)]
    other = [r.score for r in scorer.score(wiki)]
    assert sum(s >= DEFAULT_THRESHOLD for s in own) >= 14  # of 20
    assert sum(s >= DEFAULT_THRESHOLD for s in other) <= 4  # of 20
