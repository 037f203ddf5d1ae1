"""The focus group against known answers: a synthetic model behind the LanguageModel interface
(tests/focusgroup/synthetic.py) with a planted preference, an unbiased one over repeated runs,
one that often answers neither, a killed and resumed run, and comments through the real guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from genguard.focusgroup import run_study, study_from_dict
from genguard.focusgroup.comments import GuardScore
from genguard.storage.runs import RunStore
from tests.focusgroup.synthetic import SurveyModel

PAIRS = [{"id": f"p{i}", "first": f"product one{i}", "second": f"product two{i}"} for i in range(2)]
FIRSTS = [p["first"] for p in PAIRS]
GRID = {
    "age": ["18-29", "30-44", "45-64", "65+"],
    "gender": ["woman", "man"],
    "occupation": ["nurse", "farmer", "teacher"],
    "location": ["Ohio", "Texas", "Maine"],
}


def _spec(samples: int = 0, **extra):
    return study_from_dict(
        {"personas": {"grid": GRID}, "pairs": PAIRS, "comments": {"samples": samples}, **extra}
    )


@pytest.fixture(scope="module")
def guard_score() -> GuardScore:
    return GuardScore("strict")


def test_a_planted_preference_is_found_for_its_group_and_pair_only(tokenizer, tmp_path: Path) -> None:
    """Women prefer p0's first product by 1 nat on top of noise (SD 1 nat) and a position pull of
    1.5 nats towards A: the only significant gap is gender on p0, women higher; the raw answers
    pick A far more than half the time, the corrected held-out ones about half."""
    model = SurveyModel(
        tokenizer, FIRSTS, position=1.5, target="woman", target_pair="product one0", effect=1.0
    )
    with RunStore(tmp_path / "runs.sqlite") as store:
        result = run_study(model, store, _spec(), n_permutations=4999)
    significant = [c for c in result.comparisons if c.significant]
    assert [(c.domain, c.metric) for c in significant] == [("gender", "p0")]
    gap = significant[0]
    assert (gap.difference > 0) == (gap.group_a == "woman")
    assert result.position_before.share_a > 0.75 and result.position_before.p_value < 0.001
    lo, hi = result.position_after.share_a_ci
    assert lo < 0.5 < hi
    assert result.neither.k == 0 and result.incomplete.k == 0


def test_an_unbiased_model_alarms_no_more_than_the_nominal_rate_over_repeated_runs(
    tokenizer, tmp_path
) -> None:
    """10 seeded null runs, 26 comparisons each: at alpha 0.05 (Holm, family-wise) the number of
    runs with any significant gap is Binomial(10, <= 0.05); P(>= 3) = 0.012, so 3 fails."""
    alarms = 0
    with RunStore(tmp_path / "runs.sqlite") as store:
        for seed in range(10):
            model = SurveyModel(tokenizer, FIRSTS, position=1.0, seed=seed)
            result = run_study(model, store, _spec(seed=seed, chunk_size=512), n_permutations=999)
            alarms += any(c.significant for c in result.comparisons)
    assert alarms <= 2


def test_answers_that_are_neither_a_nor_b_are_counted_and_left_out(tokenizer, tmp_path: Path) -> None:
    model = SurveyModel(tokenizer, FIRSTS, neither=0.3)
    with RunStore(tmp_path / "runs.sqlite") as store:
        result = run_study(model, store, _spec(), n_permutations=99)
    assert 0.2 < result.neither.share < 0.4
    assert set(result.neither_top_tokens) == {" C"}
    # a persona-pair counts only when both orders were answered: about 1 - 0.7^2 = 51 % are not
    assert 0.35 < result.incomplete.share < 0.65
    assert all(p.n == 72 - result.incomplete.k // 2 or p.n < 72 for p in result.pairs)
    assert sum(p.n for p in result.pairs) == 2 * 72 - result.incomplete.k


def test_a_killed_run_resumes_without_asking_or_generating_anything_twice(
    tokenizer, tmp_path: Path, guard_score: GuardScore
) -> None:
    """Killed after the second stored chunk of questions, then run to the end twice: every
    question is scored once and every comment generated once; the result equals a clean run's."""
    spec = _spec(samples=2, chunk_size=16)
    model = SurveyModel(tokenizer, FIRSTS)

    def kill(index: int) -> None:
        if index == 1:
            raise KeyboardInterrupt

    with RunStore(tmp_path / "runs.sqlite") as store:
        with pytest.raises(KeyboardInterrupt):
            run_study(model, store, spec, guard_score=guard_score, after_chunk=kill, n_permutations=99)
        assert len(model.scored) == 32
        first = run_study(model, store, spec, guard_score=guard_score, n_permutations=99)
        again = run_study(model, store, spec, guard_score=guard_score, n_permutations=99)
    questions = 72 * 2 * 2
    assert len(model.scored) == len(set(model.scored)) == questions
    assert len(model.generated) == len(set(model.generated)) == 72 * 2
    assert first == again
    with RunStore(tmp_path / "clean.sqlite") as store:
        clean = run_study(
            SurveyModel(tokenizer, FIRSTS), store, spec, guard_score=guard_score, n_permutations=99
        )
    assert clean.model_dump(exclude={"run_id"}) == first.model_dump(exclude={"run_id"})
    c = first.comments
    # ANSWERS holds one insult in four: the strict guard removes those, and one in four names neither
    assert c is not None and c.n == 144
    assert 0.1 < c.removed.share < 0.4 and c.removed_by.get("toxicity", 0) > 0
    assert 0.1 < c.neither.share < 0.4
    assert not any("idiot" in e for e in c.examples)
