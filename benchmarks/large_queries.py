"""Long texts through the index query, attribution and the guard: time linear in the text, bounded memory.

Index: 300 BOLD Wikipedia paragraphs, 100 Shakespeare passages of 4,000 characters and the whole
of tinyshakespeare as one document. Queries of 50 KB / 200 KB / 1 MB / 5 MB: long copies of
Shakespeare (2-20 KB each) between runs of new text (BOLD words not indexed), about half and half.
`ProtectedIndex.query` and `attribute` run on the same text in the same process, so their ratio
is measured under the same load. Guard: the built-in policy's input stage on 1 MB and 5 MB of the
same kind of text, each in a fresh process; time and peak resident memory above the loaded guard.

    python benchmarks/large_queries.py [--sizes 50,200,1000,5000] [--guard 1000,5000]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "large_queries.json"

GUARD = """
import json, resource, sys, time
from genguard.guard.pipeline import Guard
text = open(sys.argv[1], encoding="utf-8").read()
guard = Guard.from_policy()
guard.check(["Warm up the model with one sentence."])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
[verdict] = guard.check([text], "input", progress=lambda n: None)
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "guard_mb": base, "extra_peak_mb": peak - base,
                  "action": verdict.action, "flags": len(verdict.flags)}))
"""


def corpus() -> tuple[list[str], list[str], str]:
    from genguard.datasets import bold_wikipedia_paragraphs, shakespeare_text

    paras = list(bold_wikipedia_paragraphs())
    rng = random.Random(0)
    picked = rng.sample(range(len(paras)), 300)
    shakespeare = shakespeare_text()
    docs = [paras[i] for i in picked] + [shakespeare[i : i + 4000] for i in range(0, 400_000, 4000)]
    docs.append(shakespeare)
    unused = set(range(len(paras))) - set(picked)
    words = " ".join(paras[i] for i in sorted(unused)[-20000:]).split()
    return docs, words, shakespeare


def query_text(size: int, words: list[str], shakespeare: str, seed: int = 1) -> str:
    rng = random.Random(seed)
    parts, n = [], 0
    while n < size:
        if rng.random() < 0.5:
            start = rng.randrange(len(shakespeare) - 20000)
            piece = shakespeare[start : start + rng.randrange(2000, 20000)]
        else:
            start = rng.randrange(len(words) - 3000)
            piece = " ".join(words[start : start + rng.randrange(300, 3000)])
        parts.append(piece)
        n += len(piece) + 1
    return " ".join(parts)[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,1000,5000", help="query sizes in KB")
    parser.add_argument("--guard", default="1000,5000", help="guard text sizes in KB ('' for none)")
    args = parser.parse_args()
    from genguard.provenance.attribution import attribute
    from genguard.provenance.index import ProtectedIndex

    docs, words, shakespeare = corpus()
    tmp = Path(tempfile.mkdtemp())
    # Rows not rerun keep their last figures (the guard rows want an idle machine, the index rows do not).
    out: dict = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    out.setdefault("index", {})
    out.setdefault("guard", {})
    print(
        f"{'text':>8} {'index query':>12} {'attribute':>10} {'query/attribute':>16} {'s per MB (query)':>17}"
    )
    with ProtectedIndex(tmp / "ix.db") as index:
        index.add(docs)
        for kb in [int(k) for k in args.sizes.split(",") if k]:
            text = query_text(kb * 1000, words, shakespeare)
            t0 = time.perf_counter()
            [matches] = index.query([text])
            t_query = time.perf_counter() - t0
            t0 = time.perf_counter()
            [attribution] = attribute(index, [text])
            t_attr = time.perf_counter() - t0
            out["index"][f"{kb} KB"] = {
                "query_s": t_query,
                "attribute_s": t_attr,
                "ratio": t_query / t_attr,
                "matches": len(matches),
                "longest_run": matches[0].span.chars if matches and matches[0].span else 0,
                "coverage": attribution.coverage,
            }
            per_mb = t_query / kb * 1000
            print(f"{kb:>6}KB {t_query:>11.2f}s {t_attr:>9.2f}s {t_query / t_attr:>16.2f} {per_mb:>17.2f}")
    print(f"\n{'guard check (input)':>20} {'time':>9} {'extra peak RSS':>15} {'verdict':>9}")
    for kb in [int(k) for k in args.guard.split(",") if k]:
        path = tmp / f"guard{kb}.txt"
        path.write_text(query_text(kb * 1000, words, shakespeare, seed=2), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", GUARD, str(path)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            out["guard"][f"{kb} KB"] = {"error": done.stderr.strip().splitlines()[-1]}
            print(f"{kb:>18}KB FAILED: {out['guard'][f'{kb} KB']['error']}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        out["guard"][f"{kb} KB"] = row
        print(f"{kb:>18}KB {row['seconds']:>8.1f}s {row['extra_peak_mb']:>12.0f} MB {row['action']:>9}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
