"""MinHash speed against datasketch, and LSH recall/precision on planted near-duplicates.

Speed: signatures per second for the same documents (BOLD Wikipedia paragraphs), the same
shingles (word 5-grams as genguard's 32-bit hashes) and num_perm 128: genguard's batch
`MinHasher.signatures` against datasketch's `MinHash.bulk` and `MinHash.update_batch`, measured in
this run (median of 3). Shingling is timed separately (both sides use the same shingles).

Quality: each of 1,500 base paragraphs (60+ words) gets ten copies with 2-30 % of their words
replaced at random, giving 15,000 pairs over a range of true Jaccard similarities (computed
exactly on the shingle sets). Copies and up to 5,000 other paragraphs (20+ words; BOLD has
3,026 besides the bases) are indexed with LSH at
threshold 0.5 (genguard's LSHIndex and datasketch's MinHashLSH), once for each of 20
permutation seeds per library; per true-Jaccard bin the share of pairs found over all seeds
(recall; standard error at most 0.3 points with 30,000+ trials per bin) is compared with
datasketch's and with the S-curve 1 - (1 - J^r)^b averaged over the bin's pairs. Precision: among
the candidates returned for the bases, the share with true Jaccard >= 0.5.

Usage: python benchmarks/minhash_speed.py [--docs 20000]
Results also go to benchmarks/results/minhash_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from genguard.datasets import bold_wikipedia_paragraphs
from genguard.provenance.lsh import LSHIndex
from genguard.provenance.minhash import MinHasher, s_curve
from genguard.provenance.shingles import shingle_hashes

NUM_PERM = 128
THRESHOLD = 0.5
BINS = [(0.0, 0.2), (0.2, 0.35), (0.35, 0.45), (0.45, 0.55), (0.55, 0.65), (0.65, 0.8), (0.8, 1.01)]


def _median_time(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def speed(docs: list[str]) -> dict:
    started = time.perf_counter()
    sets = shingle_hashes(docs, n=5)
    shingle_s = time.perf_counter() - started
    lists = [s.tolist() for s in sets]
    hasher = MinHasher(NUM_PERM)
    ours = _median_time(lambda: hasher.signatures(sets))
    bulk = _median_time(lambda: MinHash.bulk(lists, num_perm=NUM_PERM, hashfunc=lambda x: x))

    def per_doc() -> None:
        for values in lists:
            MinHash(num_perm=NUM_PERM, hashfunc=lambda x: x).update_batch(values)

    update = _median_time(per_doc)
    n = len(docs)
    result = {
        "docs": n,
        "mean_shingles": float(np.mean([len(s) for s in sets])),
        "shingling_docs_per_s": n / shingle_s,
        "genguard_sig_per_s": n / ours,
        "datasketch_bulk_sig_per_s": n / bulk,
        "datasketch_update_batch_sig_per_s": n / update,
    }
    result["ratio_vs_bulk"] = result["genguard_sig_per_s"] / result["datasketch_bulk_sig_per_s"]
    result["ratio_vs_update_batch"] = (
        result["genguard_sig_per_s"] / result["datasketch_update_batch_sig_per_s"]
    )
    return result


def _edit(text: str, share: float, rng: random.Random) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), int(share * len(words))):
        words[i] = f"w{rng.randrange(10**9)}"
    return " ".join(words)


LEVELS = [0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3]  # share of words replaced


def _signatures_datasketch(sets: list[np.ndarray], seed: int) -> list[MinHash]:
    return MinHash.bulk([s.tolist() for s in sets], num_perm=NUM_PERM, seed=seed, hashfunc=int)


def quality(paragraphs: list[str], bases: int, distractors: int, seeds: int) -> dict:
    """Recall per true-Jaccard bin over `seeds` independent permutation sets of each library, and
    precision; every base has one copy at each edit level in LEVELS."""
    rng = random.Random(0)
    long = [p for p in paragraphs if len(p.split()) >= 60]
    base = long[:bases]
    others = [p for p in paragraphs if p not in set(base) and len(p.split()) >= 20][:distractors]
    copies = [_edit(t, level, rng) for t in base for level in LEVELS]
    owner = np.repeat(np.arange(len(base)), len(LEVELS))
    base_sets, copy_sets, other_sets = (shingle_hashes(x, n=5) for x in (base, copies, others))
    truth = np.array(
        [
            len(np.intersect1d(base_sets[o], c)) / len(np.union1d(base_sets[o], c))
            for o, c in zip(owner, copy_sets, strict=True)
        ]
    )
    index_keys = [f"copy{i}" for i in range(len(copies))] + [f"other{i}" for i in range(len(others))]
    index_sets = copy_sets + other_sets
    sets_by_key = dict(zip(index_keys, index_sets, strict=True))
    similar: dict[tuple[int, str], bool] = {}

    def precision(found: list[set]) -> tuple[int, int]:
        good = total = 0
        for b, keys in enumerate(found):
            for k in keys:
                if (b, k) not in similar:
                    s = sets_by_key[k]
                    union = len(np.union1d(base_sets[b], s))
                    similar[(b, k)] = len(np.intersect1d(base_sets[b], s)) / union >= THRESHOLD
                good += similar[(b, k)]
                total += 1
        return good, total

    hits = {"genguard": np.zeros(len(copies)), "datasketch": np.zeros(len(copies))}
    good_total = {"genguard": [0, 0], "datasketch": [0, 0]}
    for seed in range(1, seeds + 1):
        hasher = MinHasher(NUM_PERM, seed=seed)
        ours = LSHIndex(THRESHOLD, NUM_PERM)
        ours.insert(index_keys, hasher.signatures(index_sets))
        found = {"genguard": ours.query(hasher.signatures(base_sets))}
        theirs = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        with theirs.insertion_session() as session:
            for key, m in zip(index_keys, _signatures_datasketch(index_sets, seed), strict=True):
                session.insert(key, m, check_duplication=False)
        found["datasketch"] = [set(theirs.query(m)) for m in _signatures_datasketch(base_sets, seed)]
        for name, sets in found.items():
            hits[name] += [f"copy{i}" in sets[o] for i, o in enumerate(owner)]
            good, total = precision(sets)
            good_total[name][0] += good
            good_total[name][1] += total
    rows = []
    for lo, hi in BINS:
        idx = np.flatnonzero((truth >= lo) & (truth < hi))
        if idx.size == 0:
            continue
        expected = s_curve(truth[idx], ours.bands, ours.rows)
        rows.append(
            {
                "jaccard": f"{lo:.2f}-{min(hi, 1):.2f}",
                "pairs": int(idx.size),
                "trials": int(idx.size * seeds),
                "genguard_recall": float(hits["genguard"][idx].sum() / (idx.size * seeds)),
                "datasketch_recall": float(hits["datasketch"][idx].sum() / (idx.size * seeds)),
                "s_curve": float(np.mean(expected)),
                # Standard error of one library's recall in this bin: binomial over pairs x seeds.
                "standard_error": float(np.sqrt(np.mean(expected * (1 - expected)) / (idx.size * seeds))),
            }
        )
    return {
        "bands": ours.bands,
        "rows": ours.rows,
        "datasketch_bands_rows": [theirs.b, theirs.r],
        "pairs": len(copies),
        "distractors": len(others),
        "seeds": seeds,
        "bins": rows,
        "max_abs_diff_vs_datasketch": max(abs(r["genguard_recall"] - r["datasketch_recall"]) for r in rows),
        "max_abs_diff_vs_s_curve": max(abs(r["genguard_recall"] - r["s_curve"]) for r in rows),
        "genguard_precision": good_total["genguard"][0] / max(good_total["genguard"][1], 1),
        "genguard_candidates": good_total["genguard"][1],
        "datasketch_precision": good_total["datasketch"][0] / max(good_total["datasketch"][1], 1),
        "datasketch_candidates": good_total["datasketch"][1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--bases", type=int, default=1500, help="base paragraphs (x10 planted copies)")
    parser.add_argument("--seeds", type=int, default=20, help="independent permutation sets per library")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    paragraphs = list(bold_wikipedia_paragraphs())
    docs = (paragraphs * (args.docs // len(paragraphs) + 1))[: args.docs]
    s = speed(docs)
    print(
        f"\nspeed: {s['docs']:,} BOLD paragraphs, {s['mean_shingles']:.0f} word 5-gram shingles each, "
        f"num_perm {NUM_PERM}"
    )
    rows = [
        ("genguard MinHasher.signatures", s["genguard_sig_per_s"], ""),
        ("datasketch MinHash.bulk", s["datasketch_bulk_sig_per_s"], f"(genguard {s['ratio_vs_bulk']:.2f}x)"),
        (
            "datasketch MinHash.update_batch",
            s["datasketch_update_batch_sig_per_s"],
            f"(genguard {s['ratio_vs_update_batch']:.2f}x)",
        ),
    ]
    for name, rate, note in rows:
        print(f"  {name:38s} {rate:>10,.0f} signatures/s  {note}")
    print(f"  shingling (shared by both): {s['shingling_docs_per_s']:,.0f} docs/s")
    q = quality(paragraphs, args.bases, 5000, args.seeds)
    ds_b, ds_r = q["datasketch_bands_rows"]
    print(
        f"\nLSH at threshold {THRESHOLD}: bands x rows genguard {q['bands']}x{q['rows']}, datasketch "
        f"{ds_b}x{ds_r}; {q['pairs']:,} planted pairs among {q['distractors']:,} other paragraphs, "
        f"{q['seeds']} permutation seeds per library"
    )
    print(
        f"  {'true Jaccard':>12s} {'pairs':>6s} {'genguard':>9s} {'datasketch':>11s} {'S-curve':>8s} "
        f"{'std err':>8s}"
    )
    for r in q["bins"]:
        print(
            f"  {r['jaccard']:>12s} {r['pairs']:>6d} {r['genguard_recall']:>9.3f} "
            f"{r['datasketch_recall']:>11.3f} {r['s_curve']:>8.3f} {r['standard_error']:>8.4f}"
        )
    print(
        f"  largest recall difference: vs datasketch {100 * q['max_abs_diff_vs_datasketch']:.2f} points, "
        f"vs S-curve {100 * q['max_abs_diff_vs_s_curve']:.2f} points (target <= 1)"
    )
    print(
        f"  precision (true Jaccard >= {THRESHOLD}): genguard {q['genguard_precision']:.3f} of "
        f"{q['genguard_candidates']} candidates, datasketch {q['datasketch_precision']:.3f} of "
        f"{q['datasketch_candidates']}"
    )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    out = Path(__file__).resolve().parent / "results" / "minhash_speed.json"
    out.write_text(json.dumps({"speed": s, "quality": q}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
