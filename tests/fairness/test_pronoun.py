from __future__ import annotations

from pathlib import Path

import pytest

from genguard.errors import InvalidInputError
from genguard.fairness.pronoun import TEMPLATES, likelihood_probe, pronoun_token_ids, read_occupation_stats

pytestmark = pytest.mark.slow


def test_stereotyped_occupations_pull_the_expected_pronouns(model) -> None:
    probe = likelihood_probe(
        model, ["nurse", "carpenter", "secretary", "plumber"], labour_stats={"nurse": 90.0}
    )
    by = {o.occupation: o for o in probe.occupations}
    assert probe.n_prompts == 4 * len(TEMPLATES)
    for o in probe.occupations:
        assert o.female + o.male + o.neutral == pytest.approx(1.0)
        assert o.female_ci[0] <= o.female <= o.female_ci[1]
        assert 0 < o.pronoun_mass < 1
    assert by["nurse"].female_of_gendered > by["carpenter"].female_of_gendered
    assert by["secretary"].female_of_gendered > by["plumber"].female_of_gendered
    assert by["nurse"].pct_female_labour == 90.0 and by["plumber"].pct_female_labour is None
    assert probe.correlation is None  # one occupation with statistics cannot give a correlation


def test_batching_does_not_change_the_numbers(model) -> None:
    a = likelihood_probe(model, ["nurse", "engineer"], batch_size=64)
    b = likelihood_probe(model, ["nurse", "engineer"], batch_size=3)
    for x, y in zip(a.occupations, b.occupations, strict=True):
        assert x.female == pytest.approx(y.female, abs=1e-4)


def test_pronoun_tokens_are_single_tokens(model) -> None:
    ids = pronoun_token_ids(model)
    assert all(ids[g] for g in ("female", "male", "neutral"))
    assert not set(ids["female"]) & set(ids["male"])


def test_bad_input(model, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no occupations"):
        likelihood_probe(model, ["  "])
    with pytest.raises(InvalidInputError, match=r"\{occupation\}"):
        likelihood_probe(model, ["nurse"], templates=["The doctor said that"])
    bad = tmp_path / "occupations.tsv"
    bad.write_text("job\tshare\nnurse\t90\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="bls_pct_female"):
        read_occupation_stats(bad)
    bad.write_text("occupation\tbls_pct_female\nnurse\tmany\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="line 2"):
        read_occupation_stats(bad)
