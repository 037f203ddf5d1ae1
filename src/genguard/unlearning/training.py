"""Training one shard of a sharded ensemble, slice by slice, from a checkpoint.

A shard's records are cut into R slices. Step r trains the model left by step r-1 on slices
0..r (SISA's incremental training): with `partial_fit` (`epochs` passes over those slices), or
by refitting with `warm_start=True` from the previous step's parameters; step 0 starts from a
fresh clone of the template. Forgetting a record of slice r repeats steps r..R-1 from the
checkpoint of step r-1, which is exactly what training from scratch would have done there,
since steps 0..r-1 saw the same records in the same order.

A step whose records all carry one label gets a ConstantClassifier when the estimator cannot
learn from one class (scikit-learn's LogisticRegression and most full-batch fitters refuse it);
estimators with `partial_fit` are told every class of the ensemble and learn from it as usual.
"""

from __future__ import annotations

import inspect
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from genguard.errors import ConfigError

Mode = Literal["fit", "partial_fit", "warm_start"]


class ConstantClassifier(ClassifierMixin, BaseEstimator):
    """The constituent of a shard (or slice step) whose records all carry one label: it predicts
    that label with probability 1. `classes_` holds that one label."""

    def __init__(self, label: Any = None) -> None:
        self.label = label

    def fit(self, X: np.ndarray, y: np.ndarray) -> ConstantClassifier:
        """Remember the one label of `y`; returns self."""
        self.classes_ = np.unique(y)[:1]
        self.label = self.classes_[0]
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """An (n, 1) array of ones: probability 1 for the one label."""
        return np.ones((len(X), 1))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The one label for every row."""
        return np.full(len(X), self.classes_[0], dtype=self.classes_.dtype)


def continuation(estimator: BaseEstimator, n_slices: int) -> Mode:
    """How a step continues from the previous one: "fit" (one slice: from scratch),
    "partial_fit", or "warm_start". ConfigError when slices are asked for an estimator that can
    do neither (a random forest, a k-NN model): use n_slices=1 with it."""
    if n_slices == 1:
        return "fit"
    if hasattr(estimator, "partial_fit"):
        return "partial_fit"
    if "warm_start" in estimator.get_params():
        return "warm_start"
    raise ConfigError(
        f"{type(estimator).__name__} has neither partial_fit nor warm_start, so it cannot continue "
        "training from a slice checkpoint; use n_slices=1 with it"
    )


def _with_seed(estimator: BaseEstimator, seed: int) -> BaseEstimator:
    """A fresh clone of `estimator` with its random_state (if it has one) set to `seed`."""
    model = clone(estimator)
    if "random_state" in model.get_params():
        model.set_params(random_state=int(seed))
    return model


def _accepts_classes(estimator: BaseEstimator) -> bool:
    return "classes" in inspect.signature(estimator.partial_fit).parameters


def train_step(
    template: BaseEstimator,
    previous: BaseEstimator | None,
    X: np.ndarray,
    y: np.ndarray,
    classes: np.ndarray,
    mode: Mode,
    epochs: int,
    seed: int,
) -> BaseEstimator:
    """The model after one step: `previous` (None: a fresh clone seeded with `seed`) trained on
    (X, y), the records of slices 0..r in their stored order. `previous` is not modified."""
    fresh = previous is None or isinstance(previous, ConstantClassifier)
    one_class = len(np.unique(y)) < 2
    if mode == "partial_fit":
        model = _with_seed(template, seed) if fresh else clone_fitted(previous)
        kwargs = {"classes": classes} if _accepts_classes(model) else {}
        if one_class and not kwargs:
            return ConstantClassifier().fit(X, y)
        for _ in range(epochs):
            model.partial_fit(X, y, **kwargs)
        return model
    if one_class:
        return ConstantClassifier().fit(X, y)
    if mode == "warm_start" and not fresh:
        model = clone_fitted(previous)
        model.set_params(warm_start=True)
    else:
        model = _with_seed(template, seed)
        if mode == "warm_start":
            model.set_params(warm_start=True)
    return model.fit(X, y)


def clone_fitted(model: BaseEstimator) -> BaseEstimator:
    """A deep copy of a fitted model (its parameters and any random state it carries)."""
    import copy

    return copy.deepcopy(model)
