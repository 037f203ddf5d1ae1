"""MinHash speed against datasketch, and LSH recall/precision on planted near-duplicates.

Speed: signatures per second for the same documents (BOLD Wikipedia paragraphs), the same
shingles (word 5-grams as genguard's 32-bit hashes) and num_perm 128: genguard's batch
`MinHasher.signatures` against datasketch's `MinHash.bulk` and `MinHash.update_batch`, measured in
this run (median of 3). Shingling is timed separately (both sides use the same shingles).

Quality: for 600 base paragraphs, copies with a share of their words replaced at random give
pairs over a range of true Jaccard similarities (computed exactly on the shingle sets). Copies
and 5,000 unrelated paragraphs are indexed with LSH at threshold 0.5 (genguard's LSHIndex and
datasketch's MinHashLSH, each with its own permutations); per true-Jaccard bin the share of
pairs found (recall) is compared with the S-curve 1 - (1 - J^r)^b averaged over the bin's pairs.
Precision: among the candidates returned for the bases, the share with true Jaccard >= 0.5.

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


def quality(paragraphs: list[str], bases: int, distractors: int) -> dict:
    rng = random.Random(0)
    long = [p for p in paragraphs if len(p.split()) >= 60]
    base = long[:bases]
    others = long[bases : bases + distractors]
    copies = [_edit(t, rng.choice([0.02, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.3]), rng) for t in base]
    base_sets, copy_sets, other_sets = (shingle_hashes(x, n=5) for x in (base, copies, others))
    truth = np.array(
        [len(np.intersect1d(a, b)) / len(np.union1d(a, b)) for a, b in zip(base_sets, copy_sets, strict=True)]
    )
    index_keys = [f"copy{i}" for i in range(len(copies))] + [f"other{i}" for i in range(len(others))]
    index_sets = copy_sets + other_sets

    hasher = MinHasher(NUM_PERM)
    ours = LSHIndex(THRESHOLD, NUM_PERM)
    ours.insert(index_keys, hasher.signatures(index_sets))
    found_ours = ours.query(hasher.signatures(base_sets))

    theirs = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for key, values in zip(index_keys, index_sets, strict=True):
        m = MinHash(num_perm=NUM_PERM, hashfunc=lambda x: x)
        m.update_batch(values.tolist())
        theirs.insert(key, m)
    found_theirs = []
    for values in base_sets:
        m = MinHash(num_perm=NUM_PERM, hashfunc=lambda x: x)
        m.update_batch(values.tolist())
        found_theirs.append(set(theirs.query(m)))

    sets_by_key = dict(zip(index_keys, index_sets, strict=True))

    def precision(found: list[set]) -> tuple[float, int]:
        good = total = 0
        for b, keys in zip(base_sets, found, strict=True):
            for k in keys:
                s = sets_by_key[k]
                total += 1
                good += len(np.intersect1d(b, s)) / len(np.union1d(b, s)) >= THRESHOLD
        return good / max(total, 1), total

    rows = []
    for lo, hi in BINS:
        idx = np.flatnonzero((truth >= lo) & (truth < hi))
        if idx.size == 0:
            continue
        rows.append(
            {
                "jaccard": f"{lo:.2f}-{min(hi, 1):.2f}",
                "pairs": int(idx.size),
                "genguard_recall": float(np.mean([f"copy{i}" in found_ours[i] for i in idx])),
                "datasketch_recall": float(np.mean([f"copy{i}" in found_theirs[i] for i in idx])),
                "s_curve": float(np.mean(s_curve(truth[idx], ours.bands, ours.rows))),
            }
        )
    p_ours, n_ours = precision(found_ours)
    p_theirs, n_theirs = precision(found_theirs)
    return {
        "bands": ours.bands,
        "rows": ours.rows,
        "datasketch_bands_rows": [theirs.b, theirs.r],
        "bins": rows,
        "genguard_precision": p_ours,
        "genguard_candidates": n_ours,
        "datasketch_precision": p_theirs,
        "datasketch_candidates": n_theirs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
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
    q = quality(paragraphs, 600, 5000)
    ds_b, ds_r = q["datasketch_bands_rows"]
    print(
        f"\nLSH at threshold {THRESHOLD}: bands x rows genguard {q['bands']}x{q['rows']}, datasketch "
        f"{ds_b}x{ds_r}; 600 planted pairs among 5,000 other paragraphs"
    )
    print(f"  {'true Jaccard':>12s} {'pairs':>6s} {'genguard':>9s} {'datasketch':>11s} {'S-curve':>8s}")
    for r in q["bins"]:
        print(
            f"  {r['jaccard']:>12s} {r['pairs']:>6d} {r['genguard_recall']:>9.3f} "
            f"{r['datasketch_recall']:>11.3f} {r['s_curve']:>8.3f}"
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
