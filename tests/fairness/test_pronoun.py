from __future__ import annotations

from pathlib import Path

import pytest

from genguard.errors import InvalidInputError
from genguard.fairness.pronoun import (
    SAMPLING,
    TEMPLATES,
    context_probe,
    extract_pronoun,
    generation_probe,
    likelihood_probe,
    pronoun_token_ids,
    read_occupation_stats,
)
from genguard.storage.runs import RunStore

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


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        (" she would be back soon.", "female"),
        (" He said no.", "male"),
        (" they had lost the keys", "neutral"),
        (" the patient's family told him everything.", "male"),
        (" I was not sure. She left.", None),  # a first-person pronoun comes first
        (" it was raining. He left.", None),
        (" the weather was bad. She left.", None),  # only the first sentence counts
        ("", None),
        ("   \n", None),
    ],
)
def test_extract_pronoun(completion: str, expected: str | None) -> None:
    assert extract_pronoun(completion) == expected


def test_context_that_should_move_the_pronoun_moves_it(model) -> None:
    probe = context_probe(
        model,
        ["nurse", "secretary", "carpenter", "engineer", "teacher"],
        TEMPLATES[:3],
        modifiers={"who has a beard": "male", "who is pregnant": "female"},
    )
    by = {m.modifier: m for m in probe.modifiers}
    assert by["who has a beard"].shift < 0 and by["who has a beard"].moves_as_expected
    assert by["who is pregnant"].shift > 0
    with pytest.raises(InvalidInputError, match="male"):
        context_probe(model, ["nurse"], modifiers={"who is tall": "tall"})


def test_generation_mode_resumes_without_generating_anything_twice(model, tmp_path: Path) -> None:
    occupations, templates = ["nurse", "carpenter"], TEMPLATES[1:2]

    def crash(index: int) -> None:
        if index == 1:
            raise KeyboardInterrupt

    kwargs = {"sampling": SAMPLING.replace(samples=6, max_new_tokens=6, chunk_size=4)}
    with RunStore(tmp_path / "a.sqlite") as store, pytest.raises(KeyboardInterrupt):
        generation_probe(model, store, occupations, templates, after_chunk=crash, **kwargs)
    with RunStore(tmp_path / "a.sqlite") as store:
        first = {(s.item, s.sample): s for s in store.samples(store.runs()[0].run_id)}
        assert len(first) == 8  # two chunks of four stored before the crash
        resumed = generation_probe(model, store, occupations, templates, **kwargs)
        rows = store.samples(resumed.run_id)
    assert len(rows) == 12 and len({(s.item, s.sample) for s in rows}) == 12
    assert all(first[(s.item, s.sample)] == s for s in rows if (s.item, s.sample) in first)
    with RunStore(tmp_path / "b.sqlite") as store:
        straight = generation_probe(model, store, occupations, templates, **kwargs)
    assert resumed.model_dump() == straight.model_dump()
    assert resumed.n_samples == 12 and not resumed.decided  # 6 samples per occupation: too few to judge
    assert all(o.female_of_gendered is None for o in resumed.occupations)
