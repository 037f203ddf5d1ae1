"""DP training with Opacus: the (epsilon, delta) spent is stated and within the target; bad
privacy parameters are refused."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import make_classification

from genguard.errors import ConfigError
from genguard.privacy.dp_torch import DPTorchClassifier


def test_dp_training_states_what_it_spent_and_still_learns():
    X, y = make_classification(600, 6, n_informative=4, class_sep=2.0, random_state=0)
    model = DPTorchClassifier(epsilon=2.0, hidden=(), epochs=4, batch_size=100, lr=0.5).fit(X[:500], y[:500])
    spent = model.privacy_spent()
    assert spent["accountant"] == "rdp" and 0 < spent["epsilon"] <= 2.0 + 1e-6
    assert math.isclose(spent["delta"], 1 / 5000) and spent["noise_multiplier"] > 0.5
    assert (model.predict(X[500:]) == y[500:]).mean() > 0.75


@pytest.mark.parametrize("epsilon", [0, -1.0, float("nan"), float("inf"), "3"])
def test_epsilon_must_be_positive_and_finite(epsilon):
    X, y = np.zeros((20, 2)), np.arange(20) % 2
    with pytest.raises(ConfigError, match="epsilon must be"):
        DPTorchClassifier(epsilon=epsilon).fit(X, y)
    with pytest.raises(ConfigError, match="unknown accountant"):
        DPTorchClassifier(accountant="moments").fit(X, y)
    with pytest.raises(ConfigError, match="delta must lie"):
        DPTorchClassifier(delta=1.5).fit(X, y)
