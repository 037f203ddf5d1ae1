"""Cost of attribution's paraphrase layer beside the exact path, per query (issue 13).

Index: DOCS documents of about 1 KB, each BOLD Wikipedia paragraphs joined (real sentences).
Queries: 1 KB and 10 KB texts, half the sentences from indexed documents (some reworded by case
only) and half from paragraphs not indexed, so both layers have work to do. Per query, timed
separately: `attribute(paraphrase=False)` (the exact layer) and `paraphrase_search` (the
paraphrase layer, sentence vectors of the index cached). Also timed once: the first paraphrase
query on a fresh index, which embeds every document into `<index>.sentences`.

    python benchmarks/paraphrase_speed.py [--docs 300] [--queries 5]
Writes benchmarks/results/paraphrase_speed.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plagiarism.metrics import table

RESULTS = Path(__file__).resolve().parent / "results" / "paraphrase_speed.json"


def documents(paragraphs: list[str], size: int, count: int) -> list[str]:
    """`count` texts of about `size` characters, consecutive paragraphs joined."""
    out, current = [], ""
    for p in paragraphs:
        current = f"{current} {p}".strip()
        if len(current) >= size:
            out.append(current[: size + 200])
            current = ""
            if len(out) == count:
                break
    return out


def query(rng: random.Random, indexed: list[str], other: list[str], size: int) -> str:
    """About `size` characters: sentences of indexed documents and of unindexed text, alternating."""
    parts, total = [], 0
    while total < size:
        source = rng.choice(indexed) if len(parts) % 2 == 0 else rng.choice(other)
        sentences = [s for s in source.split(". ") if s]
        piece = rng.choice(sentences) + "."
        parts.append(piece.upper() if rng.random() < 0.2 else piece)
        total += len(piece) + 1
    return " ".join(parts)


def main() -> None:
    """Time both layers, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--queries", type=int, default=5, help="queries per size")
    args = parser.parse_args()
    from genguard.datasets import named_documents
    from genguard.provenance.attribution import attribute
    from genguard.provenance.index import ProtectedIndex
    from genguard.provenance.paraphrase_index import paraphrase_search
    from genguard.scoring.embedder import default_embedder

    paragraphs = [t for _, t in named_documents("wikipedia", max_chars=3_000_000)]
    pool = documents(paragraphs, 1000, 2 * args.docs)
    indexed, other = pool[: args.docs], pool[args.docs :]
    rng = random.Random(0)
    default_embedder().embed(["warm up"])  # model load is not part of a query's cost
    rows, results = [], {"docs": args.docs, "queries_per_size": args.queries, "machine": platform.processor()}
    with tempfile.TemporaryDirectory() as tmp, ProtectedIndex(Path(tmp) / "ix.sqlite") as ix:
        ix.add(indexed, keys=[f"d{i}" for i in range(len(indexed))])
        start = time.perf_counter()
        paraphrase_search(ix, [query(rng, indexed, other, 1000)])
        results["first_query_cold_s"] = time.perf_counter() - start
        for size in (1000, 10_000):
            texts = [query(rng, indexed, other, size) for _ in range(args.queries)]
            exact, para = [], []
            for text in texts:
                start = time.perf_counter()
                attribute(ix, [text])
                exact.append(time.perf_counter() - start)
                start = time.perf_counter()
                paraphrase_search(ix, [text])
                para.append(time.perf_counter() - start)
            e, p = float(np.median(exact)), float(np.median(para))
            results[f"{size // 1000}KB"] = {
                "exact_s": e,
                "paraphrase_s": p,
                "exact_all": exact,
                "paraphrase_all": para,
            }
            rows.append([f"{size // 1000} KB", f"{e * 1000:.0f}", f"{p * 1000:.0f}", f"{(e + p) / e:.1f}x"])
    print(f"{args.docs} indexed documents of ~1 KB; median of {args.queries} queries per size")
    print(table(["query", "exact layer ms", "paraphrase layer ms", "both / exact"], rows))
    print(
        f"first paraphrase query, fresh index (embeds every document): {results['first_query_cold_s']:.1f} s"
    )
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(RESULTS.parents[2])}")


if __name__ == "__main__":
    main()
