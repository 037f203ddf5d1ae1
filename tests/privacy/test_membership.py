"""Membership-inference audits: the metrics on known score sets, the threshold attack and LiRA on a
model that memorises against one that does not, and the refusals (sizes, shadows)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from genguard.errors import ConfigError, InvalidInputError
from genguard.privacy import evaluate_scores, lira_attack, membership_score, threshold_attack


@pytest.fixture(scope="module")
def population():
    # noisy labels (flip_y): a model that fits them has memorised its training records
    X, y = make_classification(1200, 12, n_informative=4, flip_y=0.25, random_state=0)
    member = np.zeros(len(y), bool)
    member[::2] = True
    return X, y, member


def test_separated_scores_give_auc_1_and_identical_ones_chance():
    rng = np.random.default_rng(0)
    perfect = evaluate_scores(rng.normal(5, 1, 2000) + 10, rng.normal(0, 1, 2000), "test", bootstrap=100)
    assert perfect.auc == 1.0 and perfect.tpr_at[0].tpr == 1.0 and perfect.tpr_at[1].tpr == 1.0
    same = evaluate_scores(rng.normal(0, 1, 2000), rng.normal(0, 1, 2000), "test", bootstrap=200)
    assert same.auc_ci[0] < 0.5 < same.auc_ci[1]
    assert same.tpr_at[1].tpr < 0.05 and same.tpr_at[1].ci[0] <= same.tpr_at[1].tpr <= same.tpr_at[1].ci[1]
    assert same.roc[-1] == (1.0, 1.0) and len(same.roc) <= 120


def test_too_few_non_members_for_a_low_fpr_is_cannot_decide():
    rng = np.random.default_rng(1)
    result = evaluate_scores(rng.normal(1, 1, 300), rng.normal(0, 1, 300), "test", bootstrap=50)
    low, one = result.tpr_at
    assert low.fpr == 0.001 and low.tpr is None and "needs >= 1,000 non-members, got 300" in low.note
    assert one.tpr is not None


def test_sets_of_very_different_sizes_are_refused_unless_balanced():
    rng = np.random.default_rng(2)
    with pytest.raises(InvalidInputError, match=r"5,000 members against 100 non-members \(50:1\)"):
        evaluate_scores(rng.normal(size=5000), rng.normal(size=100), "test")
    balanced = evaluate_scores(
        rng.normal(size=5000), rng.normal(size=100), "test", balance=True, bootstrap=50
    )
    assert balanced.members == balanced.non_members == 100 and "subsampled" in balanced.notes[0]
    with pytest.raises(InvalidInputError, match="at least 10"):
        evaluate_scores([1.0, 2.0], rng.normal(size=100), "test")
    with pytest.raises(InvalidInputError, match="NaN"):
        evaluate_scores([np.nan] * 20, rng.normal(size=20), "test")


def test_the_attacks_find_a_memorising_model_and_not_a_simple_one(population):
    X, y, member = population
    forest = RandomForestClassifier(n_estimators=40, random_state=0).fit(X[member], y[member])
    simple = LogisticRegression().fit(X[member], y[member])
    found = threshold_attack(forest.predict_proba(X), y, forest.classes_, member, bootstrap=200)
    missed = threshold_attack(simple.predict_proba(X), y, simple.classes_, member, bootstrap=200)
    assert found.auc_ci[0] > 0.7
    assert missed.auc_ci[0] < 0.5 + 0.03 and missed.auc < 0.56
    lira = lira_attack(
        RandomForestClassifier(n_estimators=40),
        X,
        y,
        member,
        forest.predict_proba(X),
        n_shadows=4,
        bootstrap=100,
    )
    assert lira.auc_ci[0] > 0.65 and lira.attack == "lira-4" and "4 shadow models" in lira.notes[-1]


def test_lira_bounds_its_shadows_and_scores_are_checked(population):
    X, y, member = population
    proba = np.full((len(y), 2), 0.5)
    for n in (0, 3, 66):
        with pytest.raises(ConfigError, match="even number from 2 to 64"):
            lira_attack(LogisticRegression(), X, y, member, proba, n_shadows=n)
    with pytest.raises(InvalidInputError, match="one 0/1 per record"):
        lira_attack(LogisticRegression(), X, y, member[:10], proba, n_shadows=2)
    with pytest.raises(InvalidInputError, match="not one of the model's classes"):
        membership_score(proba[:3], [0, 1, 7], [0, 1])
    assert np.allclose(membership_score([[0.2, 0.8]], [1], [0, 1], "confidence"), 0.8)
