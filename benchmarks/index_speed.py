"""Protected-content index at 100k documents: build rate, size, memory, query latency, recall.

Documents are word-bigram Markov text trained on BOLD's Wikipedia sentences (human vocabulary
and phrasing, every document distinct; BOLD alone has 23,679 sentences, too few for 100k
distinct documents). Three kinds of single-text queries, 300 each:
  near      an indexed document with 5 % of its words replaced (word 5-gram Jaccard about 0.6),
            its case and punctuation changed;
  excerpt   a 200-character stretch of an indexed document, upper-cased, inside new Markov text;
  unrelated new Markov text (any match is a false match).
The anchor is datasketch's in-memory MinHashLSH (same threshold and permutations), timed on the
same near-duplicate queries including building each query's MinHash; it answers only "which
candidates", with no exact Jaccard, no verbatim span and nothing stored on disk.
Then 1,000 documents are removed, the file is reopened, and none of them may come back.

    python benchmarks/index_speed.py [--docs 100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import random
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from genguard.datasets import bold_wikipedia_paragraphs
from genguard.provenance.index import ProtectedIndex
from genguard.provenance.shingles import shingle_hashes

RESULTS = Path(__file__).parent / "results" / "index_speed.json"


def _bigrams(texts: list[str]) -> dict[str, list[str]]:
    follow: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        words = text.split()
        for a, b in itertools.pairwise(words):
            follow[a].append(b)
    return follow


def _markov(follow: dict[str, list[str]], starts: list[str], rng: random.Random, words: int) -> str:
    out = [rng.choice(starts)]
    while len(out) < words:
        nxt = follow.get(out[-1])
        out.append(rng.choice(nxt) if nxt else rng.choice(starts))
    return " ".join(out)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _near(doc: str, rng: random.Random, vocabulary: list[str]) -> str:
    words = doc.split()
    for i in rng.sample(range(len(words)), len(words) // 20):
        words[i] = rng.choice(vocabulary)
    return ", ".join(" ".join(words[i : i + 7]).upper() for i in range(0, len(words), 7))


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "p50_ms": float(np.median(ms)),
        "p95_ms": float(np.percentile(ms, 95)),
        "mean_ms": float(ms.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(0)
    paragraphs = list(bold_wikipedia_paragraphs())
    follow = _bigrams(paragraphs)
    starts = [p.split()[0] for p in paragraphs if p]
    vocabulary = sorted(follow)
    t0 = time.perf_counter()
    docs = [_markov(follow, starts, rng, rng.randint(60, 120)) for _ in range(args.docs)]
    chars = sum(map(len, docs))
    print(f"{len(docs):,} documents, {chars / 1e6:.1f} M characters ({time.perf_counter() - t0:.1f} s)")
    rss_before = _rss_mb()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.db"
        index = ProtectedIndex(path)
        t0 = time.perf_counter()
        for b in range(0, len(docs), 5_000):
            index.add(docs[b : b + 5_000], keys=[str(i) for i in range(b, min(b + 5_000, len(docs)))])
        build_s = time.perf_counter() - t0
        index.close()
        index = ProtectedIndex(path)
        stats = index.stats()
        print(f"built in {build_s:.1f} s ({len(docs) / build_s:,.0f} docs/s); {stats}")

        targets = rng.sample(range(len(docs)), args.queries)
        queries: dict[str, list[tuple[str, str | None]]] = {"near": [], "excerpt": [], "unrelated": []}
        for t in targets:
            queries["near"].append((_near(docs[t], rng, vocabulary), str(t)))
            start = rng.randrange(max(1, len(docs[t]) - 200))
            excerpt = docs[t][start : start + 200].upper()
            filler = _markov(follow, starts, rng, 40), _markov(follow, starts, rng, 40)
            queries["excerpt"].append((f"{filler[0]} {excerpt} {filler[1]}", str(t)))
            queries["unrelated"].append((_markov(follow, starts, rng, 90), None))

        index.query([queries["near"][0][0]])  # warm the page cache and imports
        rows = {}
        for kind, items in queries.items():
            times, found, false = [], 0, 0
            for text, want in items:
                t0 = time.perf_counter()
                [matches] = index.query([text])
                times.append(time.perf_counter() - t0)
                keys = [m.key for m in matches]
                found += want is not None and want in keys
                false += sum(k != want for k in keys)
            rows[kind] = {
                **_percentiles(times),
                "recall": found / len(items) if kind != "unrelated" else None,
                "false_matches_per_query": false / len(items),
            }
        t0 = time.perf_counter()
        batch = [text for items in queries.values() for text, _ in items]
        index.query(batch)
        batch_qps = len(batch) / (time.perf_counter() - t0)
        rss_after = _rss_mb()

        removed = [str(i) for i in rng.sample(range(len(docs)), 1_000)]
        index.remove(removed)
        index.close()
        index = ProtectedIndex(path)
        back = index.query([docs[int(k)] for k in removed])
        returned = sum(m.key in set(removed) for ms in back for m in ms)
        still_found = sum(any(m.key == k for m in ms) for k, ms in zip(removed, back, strict=True))
        kept_probe = index.query([docs[int(k)] for k in map(str, targets[:100]) if k not in set(removed)])
        kept_found = sum(bool(ms) for ms in kept_probe) / len(kept_probe)
        index.close()

    anchor = _datasketch_anchor(docs, queries["near"])
    ours_p50 = rows["near"]["p50_ms"]
    print()
    print(f"{'query':<10} {'p50 ms':>8} {'p95 ms':>8} {'recall':>7} {'false/q':>8}")
    for kind, row in rows.items():
        recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        false = row["false_matches_per_query"]
        print(f"{kind:<10} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} {recall:>7} {false:>8.3f}")
    if anchor:
        print(
            f"datasketch MinHashLSH (in memory, candidates only): p50 {anchor['p50_ms']:.2f} ms, "
            f"recall {anchor['recall']:.3f}; genguard / datasketch p50 = {ours_p50 / anchor['p50_ms']:.2f}"
        )
    print(f"batch of {len(batch)} queries: {batch_qps:,.0f} queries/s")
    print(
        f"on disk {stats['bytes_on_disk'] / 1e6:.1f} MB ({stats['bytes_on_disk'] / len(docs):.0f} B/doc, "
        f"{stats['postings']:,} postings); peak RSS {rss_after:.0f} MB (corpus in memory {rss_before:.0f} MB)"
    )
    print(
        f"removal: 1,000 removed, {returned} returned after reopening ({still_found} found); "
        f"kept documents still found: {kept_found:.3f}"
    )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {platform.python_version()}",
                "documents": len(docs),
                "characters": sum(map(len, docs)),
                "build_seconds": build_s,
                "build_docs_per_s": len(docs) / build_s,
                "stats": stats,
                "bytes_per_doc": stats["bytes_on_disk"] / len(docs),
                "peak_rss_mb": rss_after,
                "rss_before_index_mb": rss_before,
                "queries": rows,
                "batch_queries_per_s": batch_qps,
                "datasketch_anchor": anchor,
                "removal": {"removed": 1_000, "returned_after_reopen": returned, "kept_found": kept_found},
            },
            indent=2,
        )
    )


def _datasketch_anchor(docs: list[str], near_queries: list[tuple[str, str | None]]) -> dict | None:
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("datasketch not installed: no anchor")
        return None
    sets = shingle_hashes(docs)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashers = MinHash.bulk([s.tolist() for s in sets], num_perm=128, hashfunc=int)
    with lsh.insertion_session() as session:
        for i, m in enumerate(hashers):
            session.insert(str(i), m)
    times, found = [], 0
    for q, want in near_queries:
        t0 = time.perf_counter()
        m = MinHash(num_perm=128, hashfunc=int)
        m.update_batch(shingle_hashes([q])[0].tolist())
        result = lsh.query(m)
        times.append(time.perf_counter() - t0)
        found += want in result
    return {**_percentiles(times), "recall": found / len(near_queries)}


if __name__ == "__main__":
    main()
