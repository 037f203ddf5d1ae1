from __future__ import annotations

import numpy as np
import pytest
from fairlearn.metrics import MetricFrame, false_negative_rate, false_positive_rate, selection_rate

from genguard.errors import InvalidInputError
from genguard.fairness.stats import wilson_interval
from genguard.fairness.tabular import audit_predictions, intersect


def _data(seed: int = 0, n: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    groups = rng.choice(["female", "male", "other"], size=n, p=[0.45, 0.45, 0.10])
    y_true = rng.integers(0, 2, n)
    # A planted bias: creditworthy women are rejected more often.
    reject = np.where(groups == "female", 0.35, 0.15)
    y_pred = np.where(y_true == 1, rng.random(n) > reject, rng.random(n) < 0.3).astype(int)
    return y_true, y_pred, groups


def test_per_group_rates_equal_fairlearn_metricframe() -> None:
    y_true, y_pred, groups = _data()
    audit = audit_predictions(y_true, y_pred, groups, "sex")
    frame = MetricFrame(
        metrics={"sel": selection_rate, "fnr": false_negative_rate, "fpr": false_positive_rate},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=groups,
    ).by_group
    for report in audit.groups:
        assert report.selection_rate.value == pytest.approx(frame.loc[report.group, "sel"], abs=1e-12)
        assert report.false_rejection_rate.value == pytest.approx(frame.loc[report.group, "fnr"], abs=1e-12)
        assert report.false_positive_rate.value == pytest.approx(frame.loc[report.group, "fpr"], abs=1e-12)
        rate = report.false_rejection_rate
        assert rate.low <= rate.value <= rate.high


def test_planted_gap_is_found_between_the_right_groups() -> None:
    audit = audit_predictions(*_data(), "sex")
    assert audit.gap_between[-1] == "female"
    assert 0.1 < audit.false_rejection_gap < 0.3


def test_group_under_ten_is_too_small_not_a_number() -> None:
    y_true, y_pred, groups = _data()
    groups = groups.copy()
    groups[:5] = "tiny"
    report = next(r for r in audit_predictions(y_true, y_pred, groups).groups if r.group == "tiny")
    assert report.too_small and report.false_rejection_rate.value is None and report.n == 5


def test_intersections_and_bad_input() -> None:
    assert intersect(["f", "m"], ["<25", "25+"]).tolist() == ["f x <25", "m x 25+"]
    with pytest.raises(InvalidInputError, match="differ in length"):
        audit_predictions([1, 0], [1, 0, 1], ["a", "b"])
    with pytest.raises(InvalidInputError, match="only 0 and 1"):
        audit_predictions([1, 2], [1, 0], ["a", "b"])
    with pytest.raises(InvalidInputError, match="non-empty"):
        audit_predictions([], [], [])


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 20)[0] == 0.0


@pytest.fixture(scope="module")
def german():
    from genguard.datasets import german_credit, shared_data_dir

    if shared_data_dir() is None:
        pytest.skip("../shared/data (German credit) is not available in this clone")
    df = german_credit()
    labels = df.pop("CLASSIFICATION").to_numpy()
    sex = np.where(df["PERSONAL_STATUS_AND_SEX"].isin(["A92", "A95"]), "female", "male")
    import pandas as pd

    return pd.get_dummies(df, dtype=float).to_numpy(), labels, sex


@pytest.mark.parametrize("method", ["exponentiated_gradient", "threshold_optimizer"])
def test_mitigation_on_german_credit_reports_both_models_on_held_out_data(german, method: str) -> None:
    from genguard.fairness.tabular import mitigate

    features, labels, sex = german
    result = mitigate(features, labels, sex, "sex", epsilon=0.01, method=method, seed=0, bootstrap=200)
    assert result.n_test == 300 and result.n_train == 700
    assert 0.6 < result.baseline_accuracy < 0.9 and 0.6 < result.constrained_accuracy < 0.9
    assert {g.group for g in result.constrained.groups} == {"female", "male"}
    assert result.meets_epsilon == (result.constrained_gap <= 0.01)
    if not result.meets_epsilon:
        assert result.miss_by == pytest.approx(result.constrained_gap - 0.01)
    low, high = result.gap_ci
    assert low <= result.constrained_gap <= high
    again = mitigate(features, labels, sex, "sex", epsilon=0.01, method=method, seed=0, bootstrap=200)
    assert again == result
