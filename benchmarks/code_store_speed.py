"""The persistent code store (genguard.provenance.code_store): speed of adds and one-against-many
queries, and the measured error rate behind its DEFAULT_THRESHOLD.

Speed: N generated ~40-line programs (benchmarks/code_scan_speed.py's seeded generator: one task,
a tenth renamed copies) added in batches of BATCH (one transaction each), then Q generated programs
of another seed queried (top 10, with regions). Reported: programs added per second, the first
query (which loads the language's fragment sets into memory), and p50/p99 of the following ones.
The generator has little variety, so many stored programs are close to every query: the alignment
of REFINE candidates per query runs on real near-copies.

Threshold: the plagiarism corpus (benchmarks/plagiarism/code) with the protocol of
benchmarks/plagiarism_code.py. (a) per task, the store holds every file of the task but the
original, and the original is the query: the assignment protocol, one query per task; (b) one store
per language holds every non-original file of all 24 tasks, and each original is queried against it:
other tasks' programs change the rarity weights. The threshold is chosen on the tune tasks of (a)
and (b): the larger of the two lowest two-decimal values above every tune negative (FPR 0 on tune in
both); then FPR and recall per level at the library's DEFAULT_THRESHOLD, tune and held-out apart.

Usage: python benchmarks/code_store_speed.py [--n 5000] [--queries 100] [--seed 0]
Writes benchmarks/results/code_store_speed.json and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from genguard.provenance.code_store import DEFAULT_THRESHOLD, REFINE, CodeStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from code_scan_speed import submissions
from plagiarism.metrics import table
from plagiarism_code import LEVELS, load_tasks, task_pairs

RESULTS = Path(__file__).resolve().parent / "results" / "code_store_speed.json"
BATCH = 100


def speed(n: int, queries: int, seed: int, folder: Path) -> dict[str, Any]:
    """Seconds and rates of N adds and Q queries on a fresh store in `folder`."""
    programs = list(submissions(n, seed).items())
    asked = list(submissions(queries, seed + 1).values())
    lines = float(np.mean([s.count("\n") for _, s in programs]))
    with CodeStore(folder / "speed.db") as store:
        start = time.perf_counter()
        for at in range(0, n, BATCH):
            store.add(dict(programs[at : at + BATCH]), "python")
        t_add = time.perf_counter() - start
        again = time.perf_counter()
        store.add(dict(programs[:BATCH]), "python")  # unchanged: only hashes are compared
        t_again = time.perf_counter() - again
        times = []
        for source in asked:
            start = time.perf_counter()
            store.query(source, "python", top_k=10)
            times.append(time.perf_counter() - start)
        size = store.stats().bytes_on_disk
    warm = np.array(times[1:]) * 1000
    return {
        "programs": n,
        "mean_lines": lines,
        "batch": BATCH,
        "add_seconds": t_add,
        "adds_per_second": n / t_add,
        "readd_unchanged_batch_ms": t_again * 1000,
        "queries": queries,
        "refined_per_query": REFINE,
        "first_query_ms": times[0] * 1000,
        "query_p50_ms": float(np.percentile(warm, 50)),
        "query_p99_ms": float(np.percentile(warm, 99)),
        "bytes_on_disk": size,
    }


def _store_scores(path: Path, stored: dict[str, str], queries: dict[str, str], language: str) -> dict:
    """query name -> {stored name: score} with `stored` in a fresh store at `path`."""
    with CodeStore(path) as store:
        store.add(stored, language)
        return {
            q: {m.id: m.score for m in store.query(src, language, top_k=len(stored))}
            for q, src in queries.items()
        }


def protocol_scores(folder: Path) -> dict[str, list[tuple[str, str, str | None, float]]]:
    """Per protocol ('per task', 'per language'): (split, language, level or None, score) per pair."""
    tasks = load_tasks()
    out: dict[str, list[tuple[str, str, str | None, float]]] = {"per task": [], "per language": []}
    pooled: dict[str, dict[str, str]] = {}
    for number, t in enumerate(tasks):
        files = {f"{t['task']}/{f['path']}": f["source"] for f in t["files"]}
        names = list(files)
        originals = {names[i] for i, _, _ in task_pairs(t)}
        rest = {k: v for k, v in files.items() if k not in originals}
        pooled.setdefault(t["language"], {}).update(rest)
        per_task = {}
        for q in originals:  # the store holds the task's other files (other originals included)
            others = {k: v for k, v in files.items() if k != q}
            per_task |= _store_scores(
                folder / f"task{number}_{len(per_task)}.db", others, {q: files[q]}, t["language"]
            )
        for i, j, level in task_pairs(t):
            out["per task"].append((t["split"], t["language"], level, per_task[names[i]][names[j]]))
        t["_names"] = names
    for language, stored in pooled.items():
        mine = [t for t in tasks if t["language"] == language]
        queries = {t["_names"][i]: t["files"][i]["source"] for t in mine for i, _, _ in task_pairs(t)}
        scores = _store_scores(folder / f"pooled_{language}.db", stored, queries, language)
        for t in mine:
            for i, j, level in task_pairs(t):
                other = t["_names"][j]
                if other in scores[t["_names"][i]]:  # another original is not in the pooled store
                    out["per language"].append((t["split"], language, level, scores[t["_names"][i]][other]))
    return out


def threshold_on_tune(rows: Sequence[tuple[str, str, str | None, float]]) -> float:
    """The lowest two-decimal threshold above every tune negative."""
    negatives = [s for split, _, level, s in rows if split == "tune" and level is None]
    return math.floor(max(negatives) * 100 + 1) / 100


def rates(rows: Sequence[tuple[str, str, str | None, float]], split: str | None, threshold: float) -> dict:
    """FPR and recall per level at `threshold` over the rows of `split` (None: all)."""
    keep = [r for r in rows if split is None or r[0] == split]
    neg = np.array([s for _, _, level, s in keep if level is None])
    out: dict[str, Any] = {"negatives": int(neg.size), "fpr": float((neg >= threshold).mean())}
    for level in LEVELS:
        pos = np.array([s for _, _, lv, s in keep if lv == level])
        out[level] = float((pos >= threshold).mean()) if pos.size else None
    pos = np.array([s for _, _, lv, s in keep if lv is not None])
    out["recall"] = float((pos >= threshold).mean())
    return out


def main() -> None:
    """Measure, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fast = speed(args.n, args.queries, args.seed, Path(tmp))
        protocols = protocol_scores(Path(tmp))
    print(f"{fast['programs']} programs of {fast['mean_lines']:.0f} lines, {os.cpu_count()} cores")
    print(
        table(
            ["adds/s", "re-add 100 unchanged ms", "first query ms", "query p50 ms", "query p99 ms", "MB"],
            [
                [
                    f"{fast['adds_per_second']:.0f}",
                    f"{fast['readd_unchanged_batch_ms']:.0f}",
                    f"{fast['first_query_ms']:.0f}",
                    f"{fast['query_p50_ms']:.1f}",
                    f"{fast['query_p99_ms']:.1f}",
                    f"{fast['bytes_on_disk'] / 1e6:.1f}",
                ]
            ],
        )
    )
    chosen = {protocol: threshold_on_tune(scored) for protocol, scored in protocols.items()}
    quality: dict[str, Any] = {"threshold_chosen_on_tune": chosen, "library_threshold": DEFAULT_THRESHOLD}
    rows = []
    for protocol, scored in protocols.items():
        for split in ("tune", "heldout", None):
            r = rates(scored, split, DEFAULT_THRESHOLD)
            quality[f"{protocol} / {split or 'all'}"] = r
            rows.append(
                [protocol, split or "all", str(r["negatives"]), f"{r['fpr']:.3f}", f"{r['recall']:.2f}"]
                + [f"{r[level]:.2f}" if r[level] is not None else "-" for level in LEVELS]
            )
    print(
        f"lowest threshold above every tune negative: {chosen}; library DEFAULT_THRESHOLD {DEFAULT_THRESHOLD}"
    )
    print(table(["protocol", "split", "negatives", "FPR", "recall", *LEVELS], rows))
    result = {"speed": fast, "quality": quality, "seed": args.seed}
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(Path(__file__).resolve().parent.parent)}")


if __name__ == "__main__":
    main()
