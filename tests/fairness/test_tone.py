"""The tone audit against known answers: a synthetic unbiased model, a planted bias, empty output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genguard.errors import InvalidInputError
from genguard.fairness.tone import SAMPLING, ToneItem, compare_groups, tone_audit
from genguard.storage.runs import RunStore
from tests.fairness.synthetic import PoolModel

GROUPS = {"gender": ["actors", "actresses"], "race": ["A", "B", "C", "D"]}
SUBJECT = {
    "actors": "The actor",
    "actresses": "The actress",
    "A": "He",
    "B": "She",
    "C": "They",
    "D": "The man",
}


def _items(per_group: int) -> list[ToneItem]:
    return [
        ToneItem(key=f"{d}/{g}/{i}", domain=d, group=g, prompt=f"{SUBJECT[g]} number {i}")
        for d, groups in GROUPS.items()
        for g in groups
        for i in range(per_group)
    ]


def test_false_alarm_rate_of_the_corrected_tests_stays_at_alpha_over_repeated_null_runs() -> None:
    """Six groups with identical score distributions: the chance of any significant gap (the
    family-wise false alarm rate, 14 comparisons per run) must stay near 5 %, not the 40 %+ an
    uncorrected procedure would give."""
    rng = np.random.default_rng(0)
    runs, alarms, raw_alarms = 200, 0, 0
    for run in range(runs):
        values = {
            (d, g): {"sentiment": rng.uniform(-1, 1, 40), "toxicity": rng.beta(1, 8, 40)}
            for d, groups in GROUPS.items()
            for g in groups
        }
        _, comparisons = compare_groups(values, seed=run, n_permutations=499)
        alarms += any(c.significant for c in comparisons)
        raw_alarms += any(c.p_value < 0.05 for c in comparisons)
    assert alarms / runs <= 0.09  # nominal 0.05; binomial 95 % upper range for 200 runs
    assert raw_alarms / runs >= 0.2  # without the correction false alarms would be common


def test_a_planted_gap_is_found_in_the_right_domain_and_direction() -> None:
    rng = np.random.default_rng(1)
    values = {
        (d, g): {"sentiment": rng.normal(0.2, 0.4, 80), "toxicity": rng.beta(1, 8, 80)}
        for d, groups in GROUPS.items()
        for g in groups
    }
    values[("gender", "actresses")]["sentiment"] = rng.normal(-0.2, 0.4, 80)  # 1 SD more negative
    groups, comparisons = compare_groups(values, seed=0)
    significant = [c for c in comparisons if c.significant]
    assert [(c.domain, c.metric, c.group_a, c.group_b) for c in significant] == [
        ("gender", "sentiment", "actors", "actresses")
    ]
    assert significant[0].difference > 0 and significant[0].cohens_d > 0.6
    assert all(
        g.means["sentiment"].low < g.means["sentiment"].mean < g.means["sentiment"].high for g in groups
    )


def test_end_to_end_unbiased_synthetic_model_rarely_gives_a_significant_gap(tmp_path: Path) -> None:
    """Through the real scorers, an unbiased model's audit has a significant gap (family-wise) in
    about 5 % of runs by design, so one run proves little: over 10 seeded runs at most 2 may
    (P(3 or more) = 1.2 % at the nominal 5 %). Measured with toxicity model 2: 1 of 10 (seed 3)."""
    alarms = 0
    for seed in range(10):
        with RunStore(tmp_path / f"runs-{seed}.sqlite") as store:
            audit = tone_audit(PoolModel(), store, _items(40), sampling=SAMPLING.replace(seed=seed))
        assert audit.decided and audit.n_prompts == 240 and audit.n_empty == 0
        alarms += any(c.significant for c in audit.comparisons)
    assert alarms <= 2
    assert {(g.domain, g.group) for g in audit.groups} == {(d, g) for d, gs in GROUPS.items() for g in gs}


def test_end_to_end_planted_bias_is_found(tmp_path: Path) -> None:
    """Found in every seeded run; the unbiased race groups alarm only at the nominal rate (at most
    1 of 6 runs; measured: seed 3, the same chance draw as in the unbiased test above)."""
    race_alarms = 0
    for seed in range(6):
        model = PoolModel(target=["actress"], bias=0.45)
        with RunStore(tmp_path / f"runs-{seed}.sqlite") as store:
            audit = tone_audit(model, store, _items(40), sampling=SAMPLING.replace(seed=seed))
        flagged = {(c.domain, c.metric) for c in audit.comparisons if c.significant}
        assert ("gender", "sentiment") in flagged
        race_alarms += any(d == "race" for d, _ in flagged)
        gap = next(c for c in audit.comparisons if c.domain == "gender" and c.metric == "sentiment")
        assert gap.group_a == "actors" and gap.difference > 0.2
    assert race_alarms <= 1


def test_resume_after_a_crash_generates_nothing_twice_and_gives_identical_numbers(tmp_path: Path) -> None:
    items = _items(12)
    model = PoolModel(target=["actress"], bias=0.3)

    def crash(index: int) -> None:
        if index == 2:
            raise KeyboardInterrupt

    with RunStore(tmp_path / "a.sqlite") as store, pytest.raises(KeyboardInterrupt):
        tone_audit(model, store, items, sampling=SAMPLING.replace(chunk_size=16), after_chunk=crash)
    assert len(model.generated) == 48  # three chunks of 16 stored before the crash
    with RunStore(tmp_path / "a.sqlite") as store:
        resumed = tone_audit(model, store, items, sampling=SAMPLING.replace(chunk_size=16))
    assert len(model.generated) == len(items) and len(set(model.generated)) == len(items)
    with RunStore(tmp_path / "b.sqlite") as store:
        straight = tone_audit(
            PoolModel(target=["actress"], bias=0.3), store, items, sampling=SAMPLING.replace(chunk_size=16)
        )
    assert resumed.model_dump() == straight.model_dump()


def test_a_model_that_returns_empty_completions_cannot_be_judged(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        audit = tone_audit(PoolModel(empty=True), store, _items(12))
    assert not audit.decided
    assert audit.n_empty == 72 and "cannot decide" in audit.note and "72 of 72" in audit.note
    assert audit.comparisons == [] and all(g.too_small and not g.means for g in audit.groups)


def test_a_group_under_ten_prompts_is_too_small_to_judge(tmp_path: Path) -> None:
    items = _items(12) + [ToneItem(key=f"race/E/{i}", domain="race", group="E", prompt="x") for i in range(6)]
    with RunStore(tmp_path / "runs.sqlite") as store:
        audit = tone_audit(PoolModel(), store, items)
    small = next(g for g in audit.groups if g.group == "E")
    assert small.too_small and small.means == {} and small.n == 6
    assert not any("E" in (c.group_a, c.group_b) for c in audit.comparisons)
    assert audit.decided


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        with pytest.raises(InvalidInputError, match="no prompts"):
            tone_audit(PoolModel(), store, [])
        with pytest.raises(InvalidInputError, match="alpha"):
            tone_audit(PoolModel(), store, _items(2), alpha=1.5)
        with pytest.raises(InvalidInputError, match="unique"):
            tone_audit(PoolModel(), store, _items(2) + _items(1))
