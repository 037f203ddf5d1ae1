"""Membership-inference attacks on a classifier: the loss / confidence threshold attack (Yeom et al.
2018) and LiRA with a bounded number of shadow models (Carlini et al., "Membership Inference
Attacks From First Principles", IEEE S&P 2022).

Both take the target model's predicted probabilities on records whose membership is known (the
audit population: some were in its training data, some not) and return an AttackResult (see
`metrics`). LiRA trains `n_shadows` clones of the target's estimator, each on a random half of
the population, so that every record is in exactly half of them; it fits a Gaussian to the
logit-scaled confidence of the shadows that saw the record and another to those that did not
(one variance per side for all records, as Carlini et al. advise below 64 shadows), and scores
the target's confidence by the likelihood ratio.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from sklearn.base import clone

from genguard.errors import ConfigError, InvalidInputError
from genguard.privacy.metrics import AttackResult, evaluate_scores

MAX_SHADOWS = 64
EPS = 1e-300  # only keeps log() finite; float64 holds far smaller probabilities than 1e-12
Score = Literal["loss", "confidence", "logit"]


def true_class_probability(proba: Any, labels: Any, classes: Any) -> tuple[np.ndarray, np.ndarray]:
    """(P(true label), P(any other label)) of each row of `proba` (columns in the order of
    `classes`). The second is summed from the other columns, not taken as 1 - p: a confident
    model's small probabilities survive in float64 where 1 - p would round to 0."""
    proba, labels, classes = np.asarray(proba, dtype=float), np.asarray(labels), np.asarray(classes)
    if proba.ndim != 2 or proba.shape[1] != len(classes) or len(proba) != len(labels):
        raise InvalidInputError(
            f"probabilities of shape {proba.shape} do not fit {len(labels)} labels and {len(classes)} classes"
        )
    col = np.minimum(np.searchsorted(classes, labels), len(classes) - 1)
    unknown = classes[col] != labels
    if unknown.any():
        raise InvalidInputError(f"label {labels[unknown][0]!r} is not one of the model's classes")
    rows = np.arange(len(labels))
    p = proba[rows, col]
    return p, proba.sum(1) - p if proba.shape[1] > 2 else proba[rows, 1 - col]


def membership_score(proba: Any, labels: Any, classes: Any, score: Score = "loss") -> np.ndarray:
    """Per-record scores, higher for likelier members: "loss" = minus the cross-entropy loss,
    "confidence" = P(true label), "logit" = log(p / (1 - p)) of that probability (Carlini et al.'s
    statistic), with 1 - p summed from the other classes' probabilities."""
    p, rest = true_class_probability(proba, labels, classes)
    p, rest = np.clip(p, EPS, 1.0), np.clip(rest, EPS, 1.0)
    if score == "loss":
        return np.where(rest < 0.5, np.log1p(-np.minimum(rest, 0.5)), np.log(p))
    if score == "confidence":
        return p
    if score == "logit":
        return np.log(p) - np.log(rest)
    raise ConfigError(f"unknown score {score!r}; use loss, confidence or logit")


def _membership(is_member: Any, n: int) -> np.ndarray:
    m = np.asarray(is_member)
    if m.shape != (n,) or not np.isin(m, [0, 1, True, False]).all():
        raise InvalidInputError(f"is_member must hold one 0/1 per record ({n}), got shape {m.shape}")
    return m.astype(bool)


def threshold_attack(
    proba: Any,
    labels: Any,
    classes: Any,
    is_member: Any,
    score: Score = "loss",
    model: str = "",
    **kwargs: Any,
) -> AttackResult:
    """The threshold attack: a record is called a member when its score (see membership_score) is
    high. `kwargs` go to evaluate_scores (bootstrap, seed, balance)."""
    s = membership_score(proba, labels, classes, score)
    m = _membership(is_member, len(s))
    return evaluate_scores(s[m], s[~m], attack=f"{score}-threshold", model=model, **kwargs)


def _norm_logpdf(x: np.ndarray, mu: np.ndarray, sigma: float) -> np.ndarray:
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma)


def lira_attack(
    estimator: Any,
    X: Any,
    y: Any,
    is_member: Any,
    target_proba: Any,
    n_shadows: int = 16,
    seed: int = 0,
    model: str = "",
    fit: Callable[[Any, np.ndarray, np.ndarray], Any] | None = None,
    **kwargs: Any,
) -> AttackResult:
    """LiRA (online, fixed variance) against a model whose probabilities on (X, y) are
    `target_proba`; `estimator` is the unfitted training procedure (cloned per shadow; its
    random_state, if any, set to seed + shadow). `fit(model, X, y)` replaces `model.fit(X, y)`.
    n_shadows: an even number from 2 to MAX_SHADOWS (each is one full training run).
    ConfigError for another count; InvalidInputError for inputs that do not fit together.
    The result's notes give the number of shadows and their training time.
    """
    if not isinstance(n_shadows, int) or n_shadows < 2 or n_shadows > MAX_SHADOWS or n_shadows % 2:
        raise ConfigError(f"n_shadows must be an even number from 2 to {MAX_SHADOWS}, got {n_shadows!r}")
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise InvalidInputError(f"X has {len(X)} rows and y {len(y)} labels")
    m = _membership(is_member, len(y))
    classes = np.unique(y)
    target = membership_score(target_proba, y, classes, "logit")
    rng = np.random.default_rng(seed)
    # Every record in exactly half of the shadows (Carlini et al.'s assignment).
    keep = np.argsort(rng.random((n_shadows, len(y))), axis=0) < n_shadows // 2
    phi = np.empty((n_shadows, len(y)))
    start = time.perf_counter()
    for k in range(n_shadows):
        shadow = clone(estimator)
        if "random_state" in shadow.get_params():
            shadow.set_params(random_state=seed + k)
        rows = keep[k]
        if len(np.unique(y[rows])) < 2:
            raise InvalidInputError("a shadow's half of the records holds one class; give more records")
        (fit or (lambda est, a, b: est.fit(a, b)))(shadow, X[rows], y[rows])
        proba = np.zeros((len(y), len(classes)))
        proba[:, np.searchsorted(classes, shadow.classes_)] = shadow.predict_proba(X)
        phi[k] = membership_score(proba, y, classes, "logit")
    seconds = time.perf_counter() - start
    n_in = keep.sum(0)
    mu_in = np.where(keep, phi, 0).sum(0) / n_in
    mu_out = np.where(~keep, phi, 0).sum(0) / (n_shadows - n_in)
    sd_in = float(np.sqrt(np.mean((phi - mu_in)[keep] ** 2))) + 1e-6
    sd_out = float(np.sqrt(np.mean((phi - mu_out)[~keep] ** 2))) + 1e-6
    score = _norm_logpdf(target, mu_in, sd_in) - _norm_logpdf(target, mu_out, sd_out)
    result = evaluate_scores(score[m], score[~m], attack=f"lira-{n_shadows}", model=model, **kwargs)
    note = f"{n_shadows} shadow models, each on half of the {len(y):,} records, trained in {seconds:.1f} s"
    return result.model_copy(update={"notes": [*result.notes, note]})
