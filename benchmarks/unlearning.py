"""SISA unlearning (genguard.unlearning.ShardedEnsemble): accuracy, and the time to forget, against
retraining from scratch in the same run.

Data (read in place from ../shared/data):
- Adult (UCI census income, via genguard's table preset "adult": label income >50K, every other
  column a feature, one-hot encoded by `features_from`), 80/20 split, seed 0;
- Davidson et al. (2017) tweets as MiniLM features (all-MiniLM-L6-v2, layers 4 and 6 mean-pooled,
  the toxicity model's features; toxic = hate speech or offensive), 80/20 split, seed 0. The
  features are computed once and cached in benchmarks/.cache/.

Constituents: "logreg" = StandardScaler + LogisticRegression (scikit-learn Pipeline, one slice
only), "mlp" = genguard's TorchClassifier (one hidden layer of 64, Adam, standardised inside the
model) trained for 4 epochs with one slice, or with R = 4 slices and 2 epochs per step (about the
same number of record passes). For S = 1, 5, 10, 20 shards:
- accuracy on the held-out 20 % with a 95 % Wilson interval;
- forget 1 record (3 single-record requests, median seconds) and 1 % of the training records (one
  request), each followed in the same run by retraining from scratch on the same remaining records:
  the same ensemble configuration (its fingerprint must equal the forgotten ensemble's: the
  exactness check; the script exits 1 otherwise) and the monolithic model (S = 1, R = 1);
  speedups are scratch seconds / forget seconds.

Torch and BLAS are held to one thread so that timings are comparable; the machine is shared (2
cores, other jobs running), so read ratios rather than absolute seconds.

Usage: python benchmarks/unlearning.py [--dataset adult davidson] [--shards 1 5 10 20]
Results go to benchmarks/results/unlearning.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from genguard.fairness.stats import wilson_interval
from genguard.unlearning import ShardedEnsemble, TorchClassifier

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "unlearning.json"
CACHE = HERE / ".cache"
SEED = 0


def adult_data() -> tuple[np.ndarray, np.ndarray]:
    """Adult's features (one-hot, numeric as is) and labels (1 = >50K), through the table preset."""
    from genguard.fairness.table import PRESETS, features_from, labels_from

    preset = PRESETS["adult"]
    df = preset.loader()
    return features_from(df, [preset.label]), labels_from(df, preset.label, preset.positive)


def davidson_features() -> tuple[np.ndarray, np.ndarray]:
    """MiniLM features (layers 4 and 6, 768 floats) of every Davidson tweet and labels (1 = toxic),
    cached in benchmarks/.cache/davidson_minilm_l4l6.npz (about 2 minutes to compute on 2 cores)."""
    from genguard.datasets import davidson_tweets

    path = CACHE / "davidson_minilm_l4l6.npz"
    texts, classes = davidson_tweets()
    labels = (np.asarray(classes) <= 1).astype(np.int64)
    if path.exists():
        cached = np.load(path)
        if len(cached["x"]) == len(texts):
            return cached["x"], labels
    from genguard.scoring.embedder import default_embedder
    from genguard.scoring.toxicity import prepare

    x = default_embedder().embed([prepare(t) for t in texts], layers=(4, 6))
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=x)
    return x, labels


def constituents() -> dict[str, tuple[object, int, int]]:
    """name -> (estimator, slices, epochs per slice)."""
    return {
        "logreg": (make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), 1, 1),
        "mlp": (TorchClassifier(hidden=(64,), epochs=4, batch_size=128, standardize=True), 1, 1),
        "mlp-R4": (TorchClassifier(hidden=(64,), epochs=4, batch_size=128, standardize=True), 4, 2),
    }


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def run_config(name, estimator, slices, epochs, shards, x_tr, y_tr, x_te, y_te, rng, monolithic):
    ids = np.arange(len(x_tr))

    def make():
        return ShardedEnsemble(
            estimator, n_shards=shards, n_slices=slices, epochs_per_slice=epochs, random_state=SEED
        )

    ens, fit_s = timed(lambda: make().fit(x_tr, y_tr, ids=ids))
    hits = int((ens.predict(x_te) == y_te).sum())
    lo, hi = wilson_interval(hits, len(y_te))
    row = {
        "constituent": name,
        "shards": shards,
        "slices": slices,
        "accuracy": hits / len(y_te),
        "accuracy_ci": [lo, hi],
        "fit_seconds": fit_s,
        "shard_sizes_min_max": [min(ens.fit_report_.shard_sizes), max(ens.fit_report_.shard_sizes)],
    }
    gone: set[int] = set()
    one_forget, one_scratch, one_mono, one_work = [], [], [], []
    for _ in range(3):
        target = int(rng.choice(np.setdiff1d(ids, list(gone))))
        report = ens.forget([target])
        gone.add(target)
        keep = np.setdiff1d(ids, list(gone))
        fresh, scratch_s = timed(lambda keep=keep: make().fit(x_tr[keep], y_tr[keep], ids=keep))
        _, mono_s = timed(lambda keep=keep: monolithic().fit(x_tr[keep], y_tr[keep]))
        if fresh.fingerprint() != ens.fingerprint():
            raise SystemExit(f"EXACTNESS FAILED: {name} S={shards} after forgetting {target}")
        one_forget.append(report.seconds)
        one_scratch.append(scratch_s)
        one_mono.append(mono_s)
        one_work.append(report.speedup_work)
    batch = rng.choice(np.setdiff1d(ids, list(gone)), size=len(ids) // 100, replace=False)
    report = ens.forget(batch.tolist())
    gone.update(batch.tolist())
    keep = np.setdiff1d(ids, list(gone))
    fresh, scratch_s = timed(lambda: make().fit(x_tr[keep], y_tr[keep], ids=keep))
    _, mono_s = timed(lambda: monolithic().fit(x_tr[keep], y_tr[keep]))
    exact = fresh.fingerprint() == ens.fingerprint() and np.array_equal(
        fresh.predict_proba(x_te), ens.predict_proba(x_te)
    )
    if not exact:
        raise SystemExit(f"EXACTNESS FAILED: {name} S={shards} after forgetting 1 %")
    hits_after = int((ens.predict(x_te) == y_te).sum())
    f1, s1, m1 = statistics.median(one_forget), statistics.median(one_scratch), statistics.median(one_mono)
    row.update(
        {
            "forget_1_seconds": f1,
            "scratch_same_config_seconds": s1,
            "scratch_monolithic_seconds": m1,
            "speedup_1_vs_same_config": s1 / f1,
            "speedup_1_vs_monolithic": m1 / f1,
            "work_ratio_1": statistics.median(one_work),
            "forget_1pct_records": len(batch),
            "forget_1pct_seconds": report.seconds,
            "forget_1pct_shards_retrained": len(report.shards_retrained),
            "forget_1pct_scratch_same_config_seconds": scratch_s,
            "forget_1pct_scratch_monolithic_seconds": mono_s,
            "speedup_1pct_vs_same_config": scratch_s / report.seconds,
            "speedup_1pct_vs_monolithic": mono_s / report.seconds,
            "work_ratio_1pct": report.speedup_work,
            "accuracy_after_forgetting": hits_after / len(y_te),
            "exact_after_forgetting": exact,
        }
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", nargs="+", default=["adult", "davidson"], choices=["adult", "davidson"])
    parser.add_argument("--shards", nargs="+", type=int, default=[1, 5, 10, 20])
    parser.add_argument(
        "--constituent", nargs="+", default=list(constituents()), choices=list(constituents())
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    load_start = os.getloadavg()[0]
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores shared with other jobs; 1 thread",
        "load_average_start": load_start,
        "seed": SEED,
        "datasets": {},
    }
    for dataset in args.dataset:
        x, y = adult_data() if dataset == "adult" else davidson_features()
        x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)
        rows = []
        print(f"\n{dataset}: {len(x_tr):,} training rows, {len(x_te):,} test rows, {x.shape[1]} features")
        header = (
            f"{'constituent':<9} {'S':>3} {'R':>2} {'acc %':>6} {'95% CI':>13} {'fit s':>6} {'forget1 s':>9} "
            f"{'x same':>7} {'x mono':>7} {'1% s':>6} {'shards':>6} {'x same':>7} {'x mono':>7} exact"
        )
        print(header)
        for name in args.constituent:
            estimator, slices, epochs = constituents()[name]
            base = constituents()["logreg" if name == "logreg" else "mlp"][0]
            mono = lambda base=base: ShardedEnsemble(base, n_shards=1, random_state=SEED)  # noqa: E731
            for shards in args.shards:
                rng = np.random.default_rng([SEED, shards, len(name)])
                r = run_config(name, estimator, slices, epochs, shards, x_tr, y_tr, x_te, y_te, rng, mono)
                rows.append(r)
                print(
                    f"{name:<9} {shards:>3} {slices:>2} {100 * r['accuracy']:>6.2f} "
                    f"[{100 * r['accuracy_ci'][0]:.1f}, {100 * r['accuracy_ci'][1]:.1f}] "
                    f"{r['fit_seconds']:>6.2f} "
                    f"{r['forget_1_seconds']:>9.3f} {r['speedup_1_vs_same_config']:>7.2f} "
                    f"{r['speedup_1_vs_monolithic']:>7.2f} {r['forget_1pct_seconds']:>6.2f} "
                    f"{r['forget_1pct_shards_retrained']:>6} {r['speedup_1pct_vs_same_config']:>7.2f} "
                    f"{r['speedup_1pct_vs_monolithic']:>7.2f} {r['exact_after_forgetting']}",
                    flush=True,
                )
        results["datasets"][dataset] = {
            "train_rows": len(x_tr),
            "test_rows": len(x_te),
            "features": int(x.shape[1]),
            "rows": rows,
        }
    results["load_average_end"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nload average {load_start:.1f} -> {results['load_average_end']:.1f}; written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
