"""Toxicity categories: the shipped model's per-category probabilities beside P(toxic), the
`allow` option (a creative profile tolerating profanity but not insults), and their serialisation."""

from __future__ import annotations

import numpy as np
import pytest

from genguard.errors import ConfigError
from genguard.scoring.toxicity import CATEGORIES, ToxicFinding, ToxicityHead, ToxicityResult, ToxicityScorer

PROFANE = "Fuck, the dishwasher flooded the kitchen again."
INSULT = "You are a pathetic, spineless little worm."
THREAT = "Come near my house again and I will break both your legs."
ORDINARY = "The library extended its opening hours for the exam season."


@pytest.fixture(scope="module")
def tox() -> ToxicityScorer:
    return ToxicityScorer()


def test_every_result_carries_all_categories(tox: ToxicityScorer) -> None:
    results = tox.score([PROFANE, INSULT, THREAT, ORDINARY, ""])
    for r in results:
        assert isinstance(r, ToxicityResult)
        assert tuple(r.categories) == CATEGORIES
        assert all(0.0 <= v <= 1.0 for v in r.categories.values())
    assert results[-1].categories == dict.fromkeys(CATEGORIES, 0.0)  # blank text: nothing scored


def test_the_strongest_category_names_the_kind_of_offence(tox: ToxicityScorer) -> None:
    profane, insult, threat, ordinary, _ = tox.score([PROFANE, INSULT, THREAT, ORDINARY, ""])
    assert max(profane.categories, key=profane.categories.get) == "profanity"
    assert max(insult.categories, key=insult.categories.get) == "insult"
    assert max(threat.categories, key=threat.categories.get) == "threat"
    assert max(ordinary.categories.values()) < 0.5
    for r in (profane, insult, threat):
        (finding,) = r.findings
        assert isinstance(finding, ToxicFinding)
        assert finding.categories == r.categories  # one sentence: its own categories are the text's


def test_allowing_profanity_keeps_insults_and_threats(tox: ToxicityScorer) -> None:
    creative = ToxicityScorer(allow=["profanity"])
    plain = tox.score([PROFANE, INSULT, THREAT])
    allowed = creative.score([PROFANE, INSULT, THREAT])
    assert plain[0].score >= tox.threshold
    assert allowed[0].score < creative.threshold and allowed[0].findings == []
    assert allowed[1].score >= creative.threshold
    assert allowed[2].score >= creative.threshold
    assert all(a.score <= p.score for a, p in zip(allowed, plain, strict=True))


def test_unknown_category_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot allow"):
        ToxicityScorer(allow=["swearing"])


def test_categories_serialise_with_the_result(tox: ToxicityScorer) -> None:
    (result,) = tox.score([INSULT])
    data = result.model_dump()
    assert set(data["categories"]) == set(CATEGORIES)
    assert set(data["findings"][0]["categories"]) == set(CATEGORIES)
    assert ToxicityResult.model_validate_json(result.model_dump_json()) == result


def test_category_heads_survive_save_and_load(tmp_path) -> None:
    rng = np.random.default_rng(0)
    head = ToxicityHead(
        rng.normal(size=8),
        0.1,
        (6,),
        {"name": "tiny", "threshold": 0.5},
        category_weight=rng.normal(size=(len(CATEGORIES), 8)),
        category_bias=np.zeros(len(CATEGORIES)),
    )
    head.save(tmp_path)
    loaded = ToxicityHead.load(tmp_path)
    x = rng.normal(size=(3, 8)).astype(np.float32)
    assert loaded.categories == CATEGORIES
    np.testing.assert_allclose(loaded.category_probabilities(x), head.category_probabilities(x), rtol=1e-6)
    no_cats = ToxicityHead(rng.normal(size=8), 0.0, (6,), {"name": "old", "threshold": 0.5})
    assert no_cats.categories == () and no_cats.category_probabilities(x).shape == (3, 0)
