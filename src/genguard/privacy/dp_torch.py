"""Differentially private training of a small torch network with Opacus (DP-SGD).

`DPTorchClassifier` is a scikit-learn classifier (an MLP; hidden=() is logistic regression)
trained with Opacus' `make_private_with_epsilon`: per-example gradients clipped to
`max_grad_norm`, Gaussian noise calibrated by the named accountant so that the whole training run
is (epsilon, delta)-DP at the record level, and Poisson-sampled batches. After `fit` it states
what was spent: `epsilon_` (from the accountant, at most the target), `delta_`, `accountant_`,
`noise_multiplier_`, `sample_rate_`, `steps_`.

What the guarantee covers: the training records given to `fit`. It does not cover anything
computed from them outside (feature scaling, the choice of hyper-parameters): scale features
with public or fixed constants. Accountants: "rdp" (Rényi DP, Mironov 2017; the default here,
valid at any epsilon) or "prv" (Gopi et al. 2021; tighter, but Opacus' implementation fails for
large epsilon, about > 10), or "gdp".
"""

from __future__ import annotations

import itertools
import math
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from genguard.errors import ConfigError, InvalidInputError

ACCOUNTANTS = ("rdp", "prv", "gdp")


def check_privacy(epsilon: Any, delta: Any) -> None:
    """ConfigError unless 0 < epsilon < inf and (delta None or 0 <= delta < 1)."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float) or not math.isfinite(epsilon):
        raise ConfigError(f"epsilon must be a positive finite number, got {epsilon!r}")
    if epsilon <= 0:
        raise ConfigError(f"epsilon must be > 0 (smaller is more private), got {epsilon}")
    if delta is not None and (not isinstance(delta, int | float) or not 0 <= delta < 1):
        raise ConfigError(f"delta must lie in [0, 1), got {delta!r}")


class DPTorchClassifier(ClassifierMixin, BaseEstimator):
    """An MLP trained with DP-SGD to a target (epsilon, delta); see the module docstring.

    delta None: 1 / (10 n) for n training records (below 1/n, as DP requires to mean anything).
    batch_size is the expected batch size (sample rate = batch_size / n). lr: SGD's rate
    (momentum 0.9). random_state seeds the weights, the sampling and the noise.
    """

    def __init__(
        self,
        epsilon: float = 3.0,
        delta: float | None = None,
        max_grad_norm: float = 1.0,
        hidden: tuple[int, ...] = (64,),
        epochs: int = 10,
        batch_size: int = 256,
        lr: float = 0.1,
        accountant: str = "rdp",
        random_state: int = 0,
    ) -> None:
        self.epsilon = epsilon
        self.delta = delta
        self.max_grad_norm = max_grad_norm
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.accountant = accountant
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> DPTorchClassifier:
        """Train from fresh weights; returns self with epsilon_, delta_ and the rest set."""
        import torch
        from opacus import PrivacyEngine

        check_privacy(self.epsilon, self.delta)
        if self.accountant not in ACCOUNTANTS:
            raise ConfigError(f"unknown accountant {self.accountant!r}; use {', '.join(ACCOUNTANTS)}")
        X, y = np.asarray(X, dtype=np.float32), np.asarray(y)
        if X.ndim != 2 or len(X) != len(y) or len(X) < 2:
            raise InvalidInputError(f"X must be 2-D with one label per row; got {X.shape} and {y.shape}")
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise InvalidInputError("y holds one label only; a classifier needs two or more")
        self.n_features_in_ = X.shape[1]
        n = len(X)
        delta = self.delta if self.delta is not None else 1.0 / (10 * n)
        generator = torch.Generator().manual_seed(int(self.random_state))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(self.random_state))
            module = _mlp(X.shape[1], tuple(self.hidden), len(self.classes_))
        targets = torch.as_tensor(np.searchsorted(self.classes_, y), dtype=torch.long)
        data = torch.utils.data.TensorDataset(torch.as_tensor(X), targets)
        loader = torch.utils.data.DataLoader(
            data, batch_size=min(int(self.batch_size), n), generator=generator
        )
        optimizer = torch.optim.SGD(module.parameters(), lr=self.lr, momentum=0.9)
        # Opacus warns that secure_mode is off: a CSPRNG matters against an attacker who can
        # predict the noise, not for training and auditing here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            engine = PrivacyEngine(accountant=self.accountant)
            private, optimizer, loader = engine.make_private_with_epsilon(
                module=module,
                optimizer=optimizer,
                data_loader=loader,
                target_epsilon=float(self.epsilon),
                target_delta=delta,
                epochs=int(self.epochs),
                max_grad_norm=float(self.max_grad_norm),
                noise_generator=torch.Generator().manual_seed(int(self.random_state) + 1),
            )
            steps = 0
            private.train()
            for _ in range(int(self.epochs)):
                for xb, yb in loader:
                    if len(xb) == 0:
                        continue
                    optimizer.zero_grad()
                    torch.nn.functional.cross_entropy(private(xb), yb).backward()
                    optimizer.step()
                    steps += 1
            self.epsilon_ = float(engine.get_epsilon(delta))
        self.module_ = private._module
        self.delta_ = float(delta)
        self.accountant_ = self.accountant
        self.noise_multiplier_ = float(optimizer.noise_multiplier)
        self.sample_rate_ = 1.0 / len(loader)
        self.steps_ = steps
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_classes) softmax probabilities in the order of `classes_`, as float64."""
        import torch

        self.module_.eval()
        with torch.no_grad():
            logits = self.module_(torch.as_tensor(np.asarray(X, dtype=np.float32)))
            # float64: a confident model's tiny probabilities (the membership signal) survive
            return torch.softmax(logits.double(), dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def privacy_spent(self) -> dict[str, Any]:
        """{"epsilon", "delta", "accountant", "noise_multiplier", "sample_rate", "steps"} of the last fit."""
        return {
            "epsilon": self.epsilon_,
            "delta": self.delta_,
            "accountant": self.accountant_,
            "noise_multiplier": self.noise_multiplier_,
            "sample_rate": self.sample_rate_,
            "steps": self.steps_,
        }


def _mlp(n_in: int, hidden: tuple[int, ...], n_out: int) -> Any:
    """Linear+ReLU per hidden width, then n_out logits: layers Opacus computes per-example gradients of."""
    import torch

    widths = [n_in, *hidden]
    layers: list[torch.nn.Module] = []
    for a, b in itertools.pairwise(widths):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], n_out))
