"""Membership-inference audit (genguard.privacy) of models with and without protection, and the
accuracy that differential privacy costs.

Part 1, Adult (via genguard's table preset; 105 one-hot/numeric features scaled with a
StandardScaler fitted on "public" rows outside the audit): an audit population of 2 x 2,000 rows
(seed 0); the target model trains on the 2,000 members; 5,000 other rows measure accuracy. Models
(same MLP family, torch):
- overfit: TorchClassifier, two hidden layers of 256, 100 epochs, no regularisation;
- normal: TorchClassifier, one hidden layer of 64, 8 epochs, weight decay 1e-4;
- DP at epsilon 1, 3, 8: DPTorchClassifier (Opacus make_private_with_epsilon, RDP accountant,
  delta = 1/(10 n) = 5e-6, clip 1.0, one hidden layer of 64, 20 epochs, expected batch 256);
- SISA: ShardedEnsemble of the overfit MLP, 5 shards.
Attacks: the loss-threshold attack, and LiRA with --shadows shadow models (default 4; each a full
training run of the same procedure on half of the population). Reported: ROC AUC and TPR at
0.1 % and 1 % FPR with 95 % bootstrap intervals (1,000 resamples), test accuracy with a Wilson
interval.

Part 2, the toxicity head with DP: a logistic-regression head on MiniLM features (layers 4 and 6,
cached by benchmarks/unlearning.py) of the Davidson tweets, trained on the 80 % training split of
models/toxicity-minilm (genguard.guard.train.split_indices, seed 0) and measured on its 10 % test
split: scikit-learn's LogisticRegression (C=1, balanced, the shipped head's recipe on Davidson
alone) against DPTorchClassifier(hidden=()) at epsilon 1, 3, 8 (clip 1.0, 10 epochs, batch 1,024,
lr 0.5). AUC and accuracy; the shipped model is not touched.

Usage: python benchmarks/privacy_audit.py [--shadows 4] [--skip-toxicity]
Results go to benchmarks/results/privacy_audit.json. Torch and BLAS run on one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from unlearning import adult_data, davidson_features

from genguard.fairness.stats import wilson_interval
from genguard.privacy import lira_attack, threshold_attack
from genguard.privacy.dp_torch import DPTorchClassifier
from genguard.unlearning import ShardedEnsemble, TorchClassifier

OUT = Path(__file__).resolve().parent / "results" / "privacy_audit.json"
SEED = 0
N_MEMBERS = 2000
N_TEST = 5000


def models() -> dict[str, object]:
    overfit = TorchClassifier(hidden=(256, 256), epochs=100, batch_size=64, lr=1e-3)
    return {
        "overfit": overfit,
        "normal": TorchClassifier(hidden=(64,), epochs=8, batch_size=64, lr=1e-3, weight_decay=1e-4),
        "dp-eps1": DPTorchClassifier(epsilon=1.0, hidden=(64,), epochs=20, batch_size=256, lr=0.1),
        "dp-eps3": DPTorchClassifier(epsilon=3.0, hidden=(64,), epochs=20, batch_size=256, lr=0.1),
        "dp-eps8": DPTorchClassifier(epsilon=8.0, hidden=(64,), epochs=20, batch_size=256, lr=0.1),
        "sisa-5": ShardedEnsemble(overfit, n_shards=5),
    }


def accuracy(pred: np.ndarray, y: np.ndarray) -> dict:
    hits = int((pred == y).sum())
    return {"accuracy": hits / len(y), "accuracy_ci": list(wilson_interval(hits, len(y)))}


def fmt_attack(r) -> str:
    low, one = r.tpr_at
    lo = "n/a" if low.tpr is None else f"{100 * low.tpr:.2f} [{100 * low.ci[0]:.2f}, {100 * low.ci[1]:.2f}]"
    return (
        f"AUC {r.auc:.3f} [{r.auc_ci[0]:.3f}, {r.auc_ci[1]:.3f}]  TPR@0.1% {lo}  "
        f"TPR@1% {100 * one.tpr:.2f} [{100 * one.ci[0]:.2f}, {100 * one.ci[1]:.2f}]"
    )


def audit_adult(shadows: int, names: list[str]) -> dict:
    x, y = adult_data()
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(y))
    pop, test, public = (
        order[: 2 * N_MEMBERS],
        order[2 * N_MEMBERS : 2 * N_MEMBERS + N_TEST],
        order[2 * N_MEMBERS + N_TEST :],
    )
    scaler = StandardScaler().fit(x[public])
    xp, yp = scaler.transform(x[pop]), y[pop]
    xt, yt = scaler.transform(x[test]), y[test]
    member = np.zeros(len(pop), bool)
    member[:N_MEMBERS] = True
    rows = {}
    print(
        f"Adult: population {len(pop):,} ({N_MEMBERS:,} members), test {len(test):,}, LiRA {shadows} shadows"
    )
    for name in names:
        estimator = models()[name]
        start = time.perf_counter()
        from sklearn.base import clone

        target = clone(estimator).fit(xp[member], yp[member])
        proba = target.predict_proba(xp)
        row = {"train_seconds": time.perf_counter() - start, **accuracy(target.predict(xt), yt)}
        row["train_accuracy"] = float((target.predict(xp[member]) == yp[member]).mean())
        if hasattr(target, "privacy_spent"):
            row["privacy"] = target.privacy_spent()
        loss = threshold_attack(proba, yp, target.classes_, member, model=name)
        lira = (
            lira_attack(estimator, xp, yp, member, proba, n_shadows=shadows, model=name) if shadows else None
        )
        row["loss_threshold"] = loss.model_dump()
        row["lira"] = lira.model_dump() if lira else None
        rows[name] = row
        eps = (
            f" epsilon {row['privacy']['epsilon']:.2f} (target {estimator.epsilon})"
            if "privacy" in row
            else ""
        )
        print(
            f"{name:<8} test acc {100 * row['accuracy']:.1f} % [{100 * row['accuracy_ci'][0]:.1f}, "
            f"{100 * row['accuracy_ci'][1]:.1f}], train acc {100 * row['train_accuracy']:.1f} %{eps}",
            flush=True,
        )
        print(f"   loss threshold: {fmt_attack(loss)}", flush=True)
        if lira:
            print(f"   LiRA-{shadows}:        {fmt_attack(lira)}  ({lira.notes[-1]})", flush=True)
    return {
        "population": len(pop),
        "members": N_MEMBERS,
        "test_rows": len(test),
        "public_rows_for_scaling": len(public),
        "shadows": shadows,
        "models": rows,
    }


def dp_toxicity_head() -> dict:
    from sklearn.linear_model import LogisticRegression

    from genguard.guard.train import split_indices

    x, y = davidson_features()
    train, _val, test = split_indices(y, SEED)
    out = {"train_rows": len(train), "test_rows": len(test), "heads": {}}
    print(f"\nToxicity head on Davidson MiniLM features: {len(train):,} training, {len(test):,} test tweets")
    candidates = {"non-private": LogisticRegression(C=1.0, max_iter=5000, class_weight="balanced")}
    for eps in (1.0, 3.0, 8.0):
        candidates[f"dp-eps{eps:g}"] = DPTorchClassifier(
            epsilon=eps, hidden=(), epochs=10, batch_size=1024, lr=0.5, max_grad_norm=1.0
        )
    for name, model in candidates.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x[train], y[train])
        p = model.predict_proba(x[test])[:, 1]
        row = {
            "auc": float(roc_auc_score(y[test], p)),
            **accuracy(model.predict(x[test]), y[test]),
            "seconds": time.perf_counter() - start,
        }
        if hasattr(model, "privacy_spent"):
            row["privacy"] = model.privacy_spent()
        out["heads"][name] = row
        eps = (
            f", epsilon {row['privacy']['epsilon']:.2f}, delta {row['privacy']['delta']:.1e}"
            if "privacy" in row
            else ""
        )
        print(
            f"{name:<12} AUC {row['auc']:.4f}  accuracy {100 * row['accuracy']:.2f} % "
            f"[{100 * row['accuracy_ci'][0]:.1f}, {100 * row['accuracy_ci'][1]:.1f}]{eps}",
            flush=True,
        )
    base = out["heads"]["non-private"]
    for row in out["heads"].values():
        row["auc_cost"] = base["auc"] - row["auc"]
        row["accuracy_cost"] = base["accuracy"] - row["accuracy"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shadows", type=int, default=4)
    parser.add_argument("--models", nargs="+", default=list(models()), choices=list(models()))
    parser.add_argument("--skip-toxicity", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    results = {"seed": SEED, "load_average_start": os.getloadavg()[0]}
    results["adult"] = audit_adult(args.shadows, args.models)
    if not args.skip_toxicity:
        results["toxicity_head"] = dp_toxicity_head()
    results["load_average_end"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
