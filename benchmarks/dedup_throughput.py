"""Corpus dedup: the streaming path against the Ray Data job (same kept set?), speed, and error rates.

Corpus (built in a temporary folder, read from ../shared/data in place): human-written documents
that are not duplicates of each other (BOLD Wikipedia paragraphs; Shakespeare passages of 80-160
words; "mixes" of 3-6 random BOLD sentences; short 1-4 word snippets), deduplicated by their
normalised text beforehand, and planted copies of some of them:
- pairs: one copy of a base, of one kind: exact, case, punctuation/spacing, homoglyphs (all equal
  after normalisation), or words replaced/inserted/deleted at 1, 2, 4, 8, 15 or 30 % of the words;
- clusters: 3-7 copies of a base (exact, case, punctuation, 1-2 % edits), for the occurrence cap.
Everything is shuffled into one JSONL file. A copy is a true duplicate when the exact Jaccard
similarity of its word 5-gram set with its base's is >= the threshold (0.8).

Measured, for max_occurrences 1 and 3:
- both paths on the same file (the Ray job in local mode on this machine's CPUs, Ray started
  beforehand, its start-up time given apart); the kept files and dropped maps must be
  byte-identical, else the script exits with status 1;
- throughput: documents/s and input MB/s, end to end (read, sketch, cluster, write);
- recall: share of the planted true duplicates removed (k=1: all copies of a family but one; k=3:
  families keep at most 3), and, per kind of copy, the share found in its base's cluster;
- false removals: non-planted documents dropped, and among them those with true Jaccard >= the
  threshold with their representative (duplicates already in the source data, not errors);
  dropped documents whose true Jaccard with their representative is < 0.5;
- anchor (k=1): datasketch's MinHashLSH, the usual greedy loop (a document is dropped when a
  document already kept has estimated Jaccard >= threshold, else inserted), same shingles, same
  threshold, its own permutations;
- one long document (default 50 MB, plus a copy of it in upper case and 100 small documents):
  the streaming path's peak resident memory in a fresh process, and the Ray job's identical output.

Usage: python benchmarks/dedup_throughput.py [--docs 56000] [--big-mb 50] [--num-cpus 2]
Results also go to benchmarks/results/dedup_throughput.json. On a 2-core machine shared with other
work, the load average at start and end is printed: competing work shows up directly here.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from genguard.datasets import bold_wikipedia_paragraphs, require_data, shakespeare_text
from genguard.provenance.dedup import dedup_jsonl
from genguard.provenance.shingles import normalize_for_shingles, shingle_hashes

OUT = Path(__file__).resolve().parent / "results" / "dedup_throughput.json"
THRESHOLD = 0.8
NUM_PERM = 128
EDIT_RATES = [0.01, 0.02, 0.04, 0.08, 0.15, 0.30]
HOMOGLYPHS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "x": "\u0445"}


# ---------------------------------------------------------------------------------------------
# The corpus


def bold_sentences() -> list[str]:
    out = []
    for path in sorted(require_data("bold/wikipedia").glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")).values():
            for sentences in group.values():
                out += [s.strip() for s in sentences if s.strip()]
    return out


def shakespeare_passages(rng: random.Random) -> list[str]:
    words = shakespeare_text().split()
    out, i = [], 0
    while i < len(words):
        k = rng.randint(80, 160)
        out.append(" ".join(words[i : i + k]))
        i += k
    return out


def unique_documents(rng: random.Random, mixes: int) -> list[tuple[str, str]]:
    """(source, text) of documents with distinct normalised texts."""
    sentences = sorted(set(bold_sentences()))
    docs = [("bold", p) for p in bold_wikipedia_paragraphs()]
    docs += [("shakespeare", p) for p in shakespeare_passages(rng)]
    docs += [("mix", " ".join(rng.sample(sentences, rng.randint(3, 6)))) for _ in range(mixes)]
    docs += [("short", " ".join(rng.choice(sentences).split()[: rng.randint(1, 4)])) for _ in range(3000)]
    seen, out = set(), []
    for source, text in docs:
        key = normalize_for_shingles(text)
        if key and key not in seen:
            seen.add(key)
            out.append((source, text))
    return out


def word_edit(text: str, rate: float, rng: random.Random, vocab: list[str]) -> str:
    words = text.split()
    for _ in range(max(1, round(rate * len(words)))):
        op, i = rng.random(), rng.randrange(len(words))
        if op < 0.6:
            words[i] = rng.choice(vocab)
        elif op < 0.8:
            words.insert(i, rng.choice(vocab))
        elif len(words) > 1:
            del words[i]
    return " ".join(words)


def variant(text: str, kind: str, rng: random.Random, vocab: list[str]) -> str:
    if kind == "exact":
        return text
    if kind == "case":
        return rng.choice([text.upper(), text.lower(), text.title()])
    if kind == "punct":
        words = [w.strip(".,;:!?'\"()") or w for w in text.split()]
        return "".join(w + rng.choice([" ", "  ", ", ", " - ", ".\n", "; ", "\t"]) for w in words).strip()
    if kind == "homoglyph":
        return "".join(HOMOGLYPHS.get(ch, ch) if rng.random() < 0.3 else ch for ch in text)
    return word_edit(text, float(kind.removeprefix("edit")), rng, vocab)


def build_corpus(docs: int, seed: int = 0) -> tuple[list[str], list[dict]]:
    """Texts in file order, and per text: source, family (base index or -1), kind."""
    rng = random.Random(seed)
    pairs, clusters = docs // 11, docs // 70
    cluster_copies = [rng.randint(3, 7) for _ in range(clusters)]
    uniques = docs - pairs - sum(cluster_copies)
    pool = unique_documents(rng, mixes=uniques)  # more than needed; trimmed below
    rng.shuffle(pool)
    bold_and_rest = pool[:uniques]
    vocab = sorted({w for _, t in bold_and_rest[:3000] for w in t.split()})
    texts = [t for _, t in bold_and_rest]
    meta = [{"source": s, "family": -1, "kind": "original"} for s, _ in bold_and_rest]
    long_enough = [i for i, t in enumerate(texts) if len(t.split()) >= 40]
    bases = rng.sample(long_enough, pairs + clusters)
    pair_kinds = ["exact", "case", "punct", "homoglyph"] + [f"edit{r}" for r in EDIT_RATES]
    copies: list[tuple[str, dict]] = []
    for j, base in enumerate(bases[:pairs]):
        kind = pair_kinds[j % len(pair_kinds)]
        copies.append((variant(texts[base], kind, rng, vocab), {"family": base, "kind": kind}))
    for base, count in zip(bases[pairs:], cluster_copies, strict=True):
        for _ in range(count):
            kind = rng.choice(["exact", "case", "punct", "edit0.01", "edit0.02"])
            copies.append(
                (variant(texts[base], kind, rng, vocab), {"family": base, "kind": kind, "cluster": 1})
            )
    for i in set(bases):
        meta[i]["family"] = i
    for text, m in copies:
        texts.append(text)
        meta.append({"source": meta[m["family"]]["source"], **m})
    order = list(range(len(texts)))
    rng.shuffle(order)
    position = {old: new for new, old in enumerate(order)}
    texts = [texts[i] for i in order]
    meta = [meta[i] for i in order]
    for m in meta:
        if m["family"] >= 0:
            m["family"] = position[m["family"]]
    return texts, meta


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    union = np.union1d(a, b).size
    return np.intersect1d(a, b, assume_unique=True).size / union if union else 1.0


# ---------------------------------------------------------------------------------------------
# Evaluation


def read_dropped(path: Path) -> dict[int, int]:
    return {d["id"]: d["duplicate_of"] for d in map(json.loads, path.read_text().splitlines())}


def evaluate(
    meta: list[dict], truth_j: np.ndarray, sets: list[np.ndarray], dropped: dict[int, int], cap: int
) -> dict:
    """Recall, false removals and the cap against the planted families."""
    n = len(meta)
    is_dropped = np.zeros(n, dtype=bool)
    is_dropped[list(dropped)] = True
    families: dict[int, list[int]] = defaultdict(list)
    for i, m in enumerate(meta):
        if m["family"] >= 0 and (m["kind"] == "original" or truth_j[i] >= THRESHOLD):
            families[m["family"]].append(i)
    expected = sum(max(0, len(f) - cap) for f in families.values())
    removed = sum(min(int(is_dropped[f].sum()), max(0, len(f) - cap)) for f in families.values())
    over_cap = sum(int((~is_dropped[f]).sum()) > cap for f in families.values())
    exact_cap = sum(int((~is_dropped[f]).sum()) == min(cap, len(f)) for f in families.values())
    originals = [i for i, m in enumerate(meta) if m["family"] < 0]
    false = [i for i in originals if is_dropped[i]]
    natural = [i for i in false if jaccard(sets[i], sets[dropped[i]]) >= THRESHOLD]
    low = [i for i in dropped if jaccard(sets[i], sets[dropped[i]]) < 0.5]
    below = [i for i, m in enumerate(meta) if m["kind"] != "original" and truth_j[i] < THRESHOLD]
    out = {
        "planted_true_duplicates_to_remove": expected,
        "recall": removed / max(expected, 1),
        "families": len(families),
        "families_over_cap": over_cap,
        "families_keeping_exactly_min_cap_size": exact_cap / max(len(families), 1),
        "non_planted_documents": len(originals),
        "non_planted_dropped": len(false),
        "non_planted_dropped_natural_duplicates": len(natural),
        "false_removal_rate": (len(false) - len(natural)) / max(len(originals), 1),
        "dropped_with_true_jaccard_below_0_5": len(low),
        "below_threshold_copies": len(below),
        "below_threshold_copies_dropped": int(is_dropped[below].sum()) if below else 0,
    }
    if cap == 1:
        rep = np.arange(n)
        for i, r in dropped.items():
            rep[i] = r
        by_kind: dict[str, list[bool]] = defaultdict(list)
        by_bin: dict[str, list[bool]] = defaultdict(list)
        for i, m in enumerate(meta):
            if m["kind"] == "original" or "cluster" in m:
                continue
            found = bool(rep[i] == rep[m["family"]])
            by_kind[m["kind"]].append(found)
            j = truth_j[i]
            label = next(f">={lo:.2f}" for lo in (0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.0) if j >= lo)
            by_bin[label].append(found)
        out["found_by_kind"] = {
            k: {"copies": len(v), "found": float(np.mean(v)), "mean_true_jaccard": None}
            for k, v in by_kind.items()
        }
        for k in out["found_by_kind"]:
            js = [truth_j[i] for i, m in enumerate(meta) if m["kind"] == k and "cluster" not in m]
            out["found_by_kind"][k]["mean_true_jaccard"] = float(np.mean(js))
        out["found_by_true_jaccard"] = {
            k: {"copies": len(v), "found": float(np.mean(v))} for k, v in by_bin.items()
        }
    return out


def datasketch_greedy(sets: list[np.ndarray]) -> tuple[dict[int, int], float]:
    """Dropped -> the kept document it matched, with datasketch's MinHashLSH; and the seconds it took."""
    from datasketch import MinHash, MinHashLSH

    started = time.perf_counter()
    lists = [s.tolist() if s.size else [0] for s in sets]
    hashes = MinHash.bulk(lists, num_perm=NUM_PERM, hashfunc=lambda x: x)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    dropped: dict[int, int] = {}
    for i, (s, m) in enumerate(zip(sets, hashes, strict=True)):
        if s.size == 0:
            continue
        match = [k for k in lsh.query(m) if hashes[k].jaccard(m) >= THRESHOLD]
        if match:
            dropped[i] = min(match)
        else:
            lsh.insert(i, m)
    return dropped, time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Runs


def run_paths(path: Path, work: Path, cap: int, num_cpus: int) -> dict:
    from genguard.pipeline import ray_dedup_jsonl

    s = dedup_jsonl(path, work / f"stream{cap}.jsonl", max_occurrences=cap)
    r = ray_dedup_jsonl(path, work / f"ray{cap}.jsonl", max_occurrences=cap)
    same_out = (work / f"stream{cap}.jsonl").read_bytes() == (work / f"ray{cap}.jsonl").read_bytes()
    same_map = (work / f"stream{cap}.dropped.jsonl").read_bytes() == (
        work / f"ray{cap}.dropped.jsonl"
    ).read_bytes()
    return {"streaming": s.model_dump(), "ray": r.model_dump(), "identical": same_out and same_map}


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec.
_BIG_CHILD = """
import json, re, sys
from pathlib import Path
from genguard.provenance.dedup import dedup_jsonl
stats = dedup_jsonl(sys.argv[1], sys.argv[2])
hwm = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"peak_rss_mb": hwm / 1024, "seconds": stats.seconds, "dropped": stats.dropped}))
"""


def big_document(work: Path, megabytes: float, sentences: list[str]) -> dict:
    """One long line (and its upper-case copy) through the streaming path in a fresh process, and
    the Ray job on the same file."""
    from genguard.pipeline import ray_dedup_jsonl

    rng = random.Random(5)
    parts, size = [], 0
    while size < megabytes * 1e6:
        s = rng.choice(sentences)
        parts.append(s)
        size += len(s) + 1
    big = " ".join(parts)
    del parts
    path = work / "big.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps({"text": big}) + "\n")
        for s in rng.sample(sentences, 100):
            f.write(json.dumps({"text": s}) + "\n")
        f.write(json.dumps({"text": big.upper()}) + "\n")
    line_mb = len(big) / 1e6
    del big
    tiny = work / "tiny.jsonl"
    tiny.write_text(json.dumps({"text": "a b c"}) + "\n")
    baseline = json.loads(
        subprocess.run(
            [sys.executable, "-c", _BIG_CHILD, str(tiny), str(work / "tiny_out.jsonl")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    child = json.loads(
        subprocess.run(
            [sys.executable, "-c", _BIG_CHILD, str(path), str(work / "big_out.jsonl")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    r = ray_dedup_jsonl(path, work / "big_ray.jsonl")
    identical = (work / "big_out.jsonl").read_bytes() == (work / "big_ray.jsonl").read_bytes()
    return {
        "line_mb": line_mb,
        "file_mb": path.stat().st_size / 1e6,
        "streaming_seconds": child["seconds"],
        "streaming_peak_rss_mb": child["peak_rss_mb"],
        "baseline_peak_rss_mb": baseline["peak_rss_mb"],
        "dropped": child["dropped"],
        "ray_seconds": r.seconds,
        "ray_identical": identical,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=56000)
    parser.add_argument("--big-mb", type=float, default=50.0, help="0 skips the long-document run")
    parser.add_argument("--num-cpus", type=int, default=2)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")

    texts, meta = build_corpus(args.docs)
    sets = shingle_hashes(texts, "word", 5)
    truth_j = np.array(
        [jaccard(sets[i], sets[m["family"]]) if m["kind"] != "original" else 1.0 for i, m in enumerate(meta)]
    )
    counts = Counter(m["kind"] for m in meta)
    import ray

    results: dict = {"docs": len(texts), "kinds": dict(counts), "threshold": THRESHOLD, "num_perm": NUM_PERM}
    failed = False
    with tempfile.TemporaryDirectory(prefix="genguard-dedup-bench-") as tmp:
        work = Path(tmp)
        path = work / "corpus.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for i, t in enumerate(texts):
                f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")
        results["megabytes"] = path.stat().st_size / 1e6
        print(
            f"corpus: {len(texts):,} documents, {results['megabytes']:.1f} MB; "
            f"{sum(v for k, v in counts.items() if k != 'original'):,} planted copies"
        )
        started = time.perf_counter()
        ray.init(
            num_cpus=args.num_cpus,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
        results["ray_init_seconds"] = time.perf_counter() - started
        # Warm-up: the first job starts Ray's worker processes (and imports genguard in them).
        from genguard.pipeline import ray_dedup_jsonl

        warm = work / "warm.jsonl"
        warm.write_text("".join(f"{json.dumps({'text': t})}\n" for t in texts[:500]), encoding="utf-8")
        started = time.perf_counter()
        ray_dedup_jsonl(warm, work / "warm_out.jsonl")
        results["ray_warmup_seconds"] = time.perf_counter() - started
        try:
            for cap in (1, 3):
                run = run_paths(path, work, cap, args.num_cpus)
                run["quality"] = evaluate(
                    meta, truth_j, sets, read_dropped(work / f"stream{cap}.dropped.jsonl"), cap
                )
                results[f"max_occurrences_{cap}"] = run
                failed |= not run["identical"]
            ds_dropped, ds_seconds = datasketch_greedy(sets)
            results["datasketch"] = {
                "seconds_minhash_and_lsh_only": ds_seconds,
                "quality": evaluate(meta, truth_j, sets, ds_dropped, 1),
            }
            ours = set(read_dropped(work / "stream1.dropped.jsonl"))
            results["datasketch"]["dropped_overlap"] = {
                "both": len(ours & set(ds_dropped)),
                "only_genguard": len(ours - set(ds_dropped)),
                "only_datasketch": len(set(ds_dropped) - ours),
            }
            if args.big_mb > 0:
                results["long_document"] = big_document(work, args.big_mb, bold_sentences())
                failed |= not results["long_document"]["ray_identical"]
        finally:
            ray.shutdown()
    report(results)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if failed:
        print("FAILED: the streaming path and the Ray job kept different documents", file=sys.stderr)
        sys.exit(1)


def report(r: dict) -> None:
    print(
        f"\nthroughput ({r['docs']:,} documents, {r['megabytes']:.1f} MB; not counted: Ray start-up "
        f"{r['ray_init_seconds']:.1f} s and a 500-document warm-up job {r['ray_warmup_seconds']:.1f} s)"
    )
    print(
        f"  {'path':<28s} {'seconds':>8s} {'docs/s':>9s} {'MB/s':>6s} {'kept':>7s} {'dropped':>8s} identical"
    )
    for cap in (1, 3):
        run = r[f"max_occurrences_{cap}"]
        same = "yes" if run["identical"] else "NO"
        for name in ("streaming", "ray"):
            s = run[name]
            label = f"{name} (max_occurrences={cap})"
            print(
                f"  {label:<28s} {s['seconds']:>8.1f} {s['docs_per_s']:>9,.0f} {s['mb_per_s']:>6.2f} "
                f"{s['kept']:>7,d} {s['dropped']:>8,d} {same}"
            )
    ds_seconds = r["datasketch"]["seconds_minhash_and_lsh_only"]
    print(f"  datasketch MinHashLSH greedy (MinHash + LSH only, shingles given): {ds_seconds:.1f} s")
    print(f"\nquality (threshold {r['threshold']}, true Jaccard on word 5-grams)")
    header = ["recall", "false removals", "natural dups", "J<0.5 drops", "over cap"]
    print(f"  {'':<24s} {header[0]:>7s} {header[1]:>16s} {header[2]:>13s} {header[3]:>12s} {header[4]:>9s}")
    rows = [
        ("genguard k=1", r["max_occurrences_1"]["quality"]),
        ("genguard k=3", r["max_occurrences_3"]["quality"]),
        ("datasketch greedy k=1", r["datasketch"]["quality"]),
    ]
    for name, q in rows:
        natural = q["non_planted_dropped_natural_duplicates"]
        false = f"{q['non_planted_dropped'] - natural} of {q['non_planted_documents']}"
        print(
            f"  {name:<24s} {q['recall']:>7.4f} {false:>16s} {natural:>13d} "
            f"{q['dropped_with_true_jaccard_below_0_5']:>12d} {q['families_over_cap']:>9d}"
        )
    q1, qd = r["max_occurrences_1"]["quality"], r["datasketch"]["quality"]
    print("\n  share of single planted copies found in their base's cluster (k=1)")
    print(f"  {'kind':<12s} {'copies':>7s} {'true J':>7s} {'genguard':>9s} {'datasketch':>11s}")
    for kind, v in q1["found_by_kind"].items():
        theirs = qd["found_by_kind"][kind]["found"]
        mean_j = v["mean_true_jaccard"]
        print(f"  {kind:<12s} {v['copies']:>7d} {mean_j:>7.3f} {v['found']:>9.3f} {theirs:>11.3f}")
    print(f"  {'true J':<12s} {'copies':>7s} {'':>7s} {'genguard':>9s} {'datasketch':>11s}")
    for label in sorted(q1["found_by_true_jaccard"], reverse=True):
        v = q1["found_by_true_jaccard"][label]
        theirs = qd["found_by_true_jaccard"][label]["found"]
        print(f"  {label:<12s} {v['copies']:>7d} {'':>7s} {v['found']:>9.3f} {theirs:>11.3f}")
    o = r["datasketch"]["dropped_overlap"]
    print(
        f"  dropped by both {o['both']:,}, only genguard {o['only_genguard']:,}, "
        f"only datasketch {o['only_datasketch']:,}"
    )
    below, dropped_below = q1["below_threshold_copies"], q1["below_threshold_copies_dropped"]
    print(f"  copies below the threshold dropped (k=1): {dropped_below} of {below}")
    if "long_document" in r:
        b = r["long_document"]
        print(
            f"\nlong document: a {b['line_mb']:.1f} MB line and its upper-case copy "
            f"({b['file_mb']:.0f} MB file): streaming {b['streaming_seconds']:.1f} s, peak RSS "
            f"{b['streaming_peak_rss_mb']:.0f} MB (same process on a 1-line file: "
            f"{b['baseline_peak_rss_mb']:.0f} MB); Ray {b['ray_seconds']:.1f} s, "
            f"identical {'yes' if b['ray_identical'] else 'NO'}; dropped {b['dropped']}"
        )


if __name__ == "__main__":
    main()
