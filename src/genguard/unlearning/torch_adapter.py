"""A small torch network as a scikit-learn classifier, so that ShardedEnsemble can shard it.

`TorchClassifier` is a multilayer perceptron (ReLU hidden layers, softmax output) trained with
Adam on cross-entropy. `fit` trains from scratch for `epochs` passes; `partial_fit` makes one
more pass from where the model is, which is how a sharded ensemble continues from a slice
checkpoint. Everything that decides the next step (weights, Adam's moments, the shuffling
generator) is part of the object and of its pickle, so a model restored from a checkpoint
continues exactly as the one kept in memory would have. Torch is imported when a model is
built, not when this module is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from genguard.errors import InvalidInputError


def mlp(n_in: int, hidden: tuple[int, ...], n_out: int) -> Any:
    """A torch Sequential: Linear+ReLU per hidden width, then a Linear layer with n_out logits."""
    import torch

    layers: list[torch.nn.Module] = []
    for width in hidden:
        layers += [torch.nn.Linear(n_in, width), torch.nn.ReLU()]
        n_in = width
    layers.append(torch.nn.Linear(n_in, n_out))
    return torch.nn.Sequential(*layers)


class TorchClassifier(ClassifierMixin, BaseEstimator):
    """An MLP classifier in torch with the scikit-learn interface (fit, partial_fit, predict_proba).

    hidden: widths of the hidden layers (() for logistic regression). epochs: passes made by
    `fit`. lr, weight_decay: Adam's. batch_size: rows per step. random_state: seeds the weights
    and the shuffling. standardize: centre and scale each feature by the mean and standard
    deviation of the first data the model is trained on (in a sharded ensemble: its shard's
    first slice, so the statistics are forgotten with the records), kept in the model.
    """

    def __init__(
        self,
        hidden: tuple[int, ...] = (64,),
        epochs: int = 10,
        lr: float = 1e-3,
        batch_size: int = 64,
        weight_decay: float = 0.0,
        standardize: bool = False,
        random_state: int = 0,
    ) -> None:
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.standardize = standardize
        self.random_state = random_state

    def _init(self, X: np.ndarray, classes: np.ndarray) -> None:
        import torch

        n_features = X.shape[1]
        self.classes_ = np.asarray(classes)
        self.n_features_in_ = n_features
        self.mean_ = X.mean(0) if self.standardize else np.zeros(n_features)
        scale = X.std(0) if self.standardize else np.ones(n_features)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self._rng = np.random.default_rng(self.random_state)
        generator_seed = int(self._rng.integers(2**62))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(generator_seed)
            self.module_ = mlp(n_features, tuple(self.hidden), len(self.classes_))
        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        self.optimizer_state_ = optimizer.state_dict()

    def _targets(self, y: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.classes_, y)
        bad = (index >= len(self.classes_)) | (self.classes_[np.minimum(index, len(self.classes_) - 1)] != y)
        if bad.any():
            raise InvalidInputError(f"label {y[bad][0]!r} is not one of the classes {self.classes_.tolist()}")
        return index

    def _inputs(self, X: Any) -> Any:
        import torch

        return torch.as_tensor(
            ((np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_).astype(np.float32)
        )

    def _epoch(self, X: np.ndarray, y: np.ndarray) -> None:
        import torch

        optimizer = torch.optim.Adam(self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        optimizer.load_state_dict(self.optimizer_state_)
        xt = self._inputs(X)
        yt = torch.as_tensor(self._targets(np.asarray(y)), dtype=torch.long)
        order = torch.as_tensor(self._rng.permutation(len(xt)))
        self.module_.train()
        for start in range(0, len(xt), int(self.batch_size)):
            idx = order[start : start + int(self.batch_size)]
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(self.module_(xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
        self.optimizer_state_ = optimizer.state_dict()

    def fit(self, X: Any, y: Any) -> TorchClassifier:
        """Train from fresh weights for `epochs` passes over (X, y); returns self."""
        X, y = np.asarray(X), np.asarray(y)
        self._init(X, np.unique(y))
        for _ in range(int(self.epochs)):
            self._epoch(X, y)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> TorchClassifier:
        """One more pass over (X, y) from the current weights (the first call builds the network
        for `classes`, default the labels of y); returns self."""
        X, y = np.asarray(X), np.asarray(y)
        if not hasattr(self, "module_"):
            self._init(X, np.unique(y) if classes is None else np.unique(np.asarray(classes)))
        self._epoch(X, y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """(n, n_classes) softmax probabilities in the order of `classes_`, as float64."""
        import torch

        self.module_.eval()
        with torch.no_grad():
            logits = self.module_(self._inputs(X))
            # float64: a confident model's tiny probabilities (the membership signal) survive
            return torch.softmax(logits.double(), dim=1).numpy()

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
