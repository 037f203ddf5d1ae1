"""How well scores separate members from non-members, reported as Carlini et al. (2022) ask:
ROC AUC and the true-positive rate at a low false-positive rate (0.1 %, 1 %), with bootstrap
intervals, plus the ROC curve on log axes.

Sizes: the TPR at a false-positive rate `a` needs at least 1/a non-members to be read at all
(0.1 % needs 1,000); with fewer it is None with a note ("cannot decide"), never a number made up
of one or zero false positives. Members and non-members whose counts differ more than tenfold
are refused unless `balance=True`, which subsamples the larger set (seeded): AUC does not depend
on the ratio, but a 100:1 audit reads the low-FPR region of the rare side off a handful of rows.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from genguard.errors import InvalidInputError
from genguard.types import Result

MIN_PER_SIDE = 10
MAX_RATIO = 10.0
FPRS = (0.001, 0.01)


class TprAtFpr(Result):
    """The attack's true-positive rate where its false-positive rate is at most `fpr`, with a 95 %
    bootstrap interval; tpr is None when there are too few non-members to read it (see `note`)."""

    fpr: float
    tpr: float | None
    ci: tuple[float, float] | None
    note: str = ""


class AttackResult(Result):
    """One membership-inference attack on one model: sizes, ROC AUC with its 95 % bootstrap
    interval (0.5 = chance, 1 = every member found), TPR at low FPRs, and the ROC curve as at most
    `ROC_POINTS` (fpr, tpr) points spaced evenly on a log FPR axis."""

    attack: str
    model: str = ""
    members: int
    non_members: int
    auc: float
    auc_ci: tuple[float, float]
    tpr_at: list[TprAtFpr]
    roc: list[tuple[float, float]]
    bootstrap: int
    notes: list[str] = Field(default_factory=list)


ROC_POINTS = 120


def _check(scores: object, name: str) -> np.ndarray:
    a = np.asarray(scores, dtype=float).ravel() if np.size(scores) else np.zeros(0)
    if len(a) < MIN_PER_SIDE:
        raise InvalidInputError(
            f"{name}: {len(a)} scores; an audit needs at least {MIN_PER_SIDE} on each side"
        )
    if not np.isfinite(a).all():
        raise InvalidInputError(f"{name} hold NaN or infinite scores; clip or drop them first")
    return a


def _roc(members: np.ndarray, non_members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates at every threshold (predict member when score >= t)."""
    scores = np.concatenate([members, non_members])
    is_member = np.concatenate([np.ones(len(members)), np.zeros(len(non_members))])
    order = np.argsort(-scores, kind="stable")
    scores, is_member = scores[order], is_member[order]
    last = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]  # last index of each tie run
    tp, fp = np.cumsum(is_member)[last], np.cumsum(1 - is_member)[last]
    return np.r_[0.0, fp / len(non_members)], np.r_[0.0, tp / len(members)]


def _auc(members: np.ndarray, non_members: np.ndarray) -> float:
    fpr, tpr = _roc(members, non_members)
    return float(np.trapezoid(tpr, fpr))


def _tpr_at(members: np.ndarray, non_members: np.ndarray, fpr_max: float) -> float:
    fpr, tpr = _roc(members, non_members)
    return float(tpr[fpr <= fpr_max + 1e-12].max())


def evaluate_scores(
    member_scores: object,
    non_member_scores: object,
    attack: str,
    model: str = "",
    bootstrap: int = 1000,
    seed: int = 0,
    balance: bool = False,
) -> AttackResult:
    """Score an attack whose scores are higher for likelier members; returns an AttackResult.

    InvalidInputError for fewer than 10 scores on a side, non-finite scores, or sizes that differ
    more than tenfold without `balance`.
    """
    members = _check(member_scores, "member scores")
    non_members = _check(non_member_scores, "non-member scores")
    notes: list[str] = []
    ratio = max(len(members), len(non_members)) / min(len(members), len(non_members))
    if ratio > MAX_RATIO:
        if not balance:
            raise InvalidInputError(
                f"{len(members):,} members against {len(non_members):,} non-members ({ratio:.0f}:1); give "
                f"sets within {MAX_RATIO:.0f}:1 of each other, or balance=True (--balance) to "
                "subsample the larger"
            )
        rng = np.random.default_rng(seed)
        n = min(len(members), len(non_members))
        if len(members) > n:
            notes.append(f"members subsampled from {len(members):,} to {n:,} to match the non-members")
            members = rng.choice(members, n, replace=False)
        else:
            notes.append(f"non-members subsampled from {len(non_members):,} to {n:,} to match the members")
            non_members = rng.choice(non_members, n, replace=False)
    rng = np.random.default_rng(seed)
    boot_auc = np.empty(bootstrap)
    boot_tpr = np.empty((bootstrap, len(FPRS)))
    for b in range(bootstrap):
        m = members[rng.integers(0, len(members), len(members))]
        nm = non_members[rng.integers(0, len(non_members), len(non_members))]
        fpr, tpr = _roc(m, nm)
        boot_auc[b] = np.trapezoid(tpr, fpr)
        boot_tpr[b] = [tpr[fpr <= a + 1e-12].max() for a in FPRS]
    tpr_at = []
    for i, a in enumerate(FPRS):
        if len(non_members) * a < 1:
            tpr_at.append(
                TprAtFpr(
                    fpr=a,
                    tpr=None,
                    ci=None,
                    note=f"cannot decide: {a:.1%} FPR needs >= {round(1 / a):,} non-members, "
                    f"got {len(non_members):,}",
                )
            )
            continue
        lo, hi = np.quantile(boot_tpr[:, i], [0.025, 0.975])
        tpr_at.append(TprAtFpr(fpr=a, tpr=_tpr_at(members, non_members, a), ci=(float(lo), float(hi))))
    fpr, tpr = _roc(members, non_members)
    lo, hi = np.quantile(boot_auc, [0.025, 0.975])
    return AttackResult(
        attack=attack,
        model=model,
        members=len(members),
        non_members=len(non_members),
        auc=_auc(members, non_members),
        auc_ci=(float(lo), float(hi)),
        tpr_at=tpr_at,
        roc=_thin(fpr, tpr, len(non_members)),
        bootstrap=bootstrap,
        notes=notes,
    )


def _thin(fpr: np.ndarray, tpr: np.ndarray, n_non_members: int) -> list[tuple[float, float]]:
    """At most ROC_POINTS points of the curve, evenly spaced in log FPR from 1/n to 1."""
    grid = np.geomspace(1.0 / max(n_non_members, 1), 1.0, ROC_POINTS)
    idx = np.searchsorted(fpr, grid, side="right") - 1
    return [(float(fpr[i]), float(tpr[i])) for i in sorted(set(idx.tolist()))]
