"""The bibliographic database at scale: import rate, file size, verification latency per citation.

DBLP2.csv has 2,616 records; the database here holds N (default 1,000,000) records synthesised
from them: each copies a real record and replaces one to three of its title's content words with
words drawn (Zipf, s = 1.1) from a vocabulary of 200,000 made-up words, and one author's surname
with a made-up one, so titles are distinct and posting lists are as long as a large real
vocabulary gives, not as short as a tiny one. The synthetic CSV is written under
benchmarks/.cache (not committed) and imported with `import_file`, as `genguard cite import` does.

Verification: 300 citations, one at a time (the latency a user sees): 150 real ones rendered in
random styles from records in the database, 150 fabricated (titles composed from two records'
words). Interleaved with each one, the anchor: exact lookup of the normalised title (one index
probe). Reported: p50/p99 per citation, and the verdicts' not_found precision and recall at this
size (to show that the larger haystack does not produce false matches).

    python benchmarks/citation_scale.py [--records 1000000] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import resource
import shutil
import time
from pathlib import Path

import numpy as np
from citation_render import DBLP_CSV, load_records, render

from genguard.factuality import BibDatabase, CitationVerifier, extract_citations, import_file
from genguard.factuality.records import norm_title

RESULTS = Path(__file__).parent / "results" / "citation_scale.json"
CACHE = Path(__file__).parent / ".cache" / "citation_scale"
SYLLABLES = [
    a + b for a in "bcdfghjklmnprstvz" for b in ["a", "e", "i", "o", "u", "ai", "ou", "er", "an", "is"]
]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthesise(path: Path, n: int, seed: int = 0) -> int:
    """Write `n` synthetic records (CSV) derived from DBLP2.csv; returns the number written."""
    rng = random.Random(seed)
    base = [r for r in load_records() if r.authors]
    vocab = _vocabulary(rng, 200_000)
    ranks = np.random.default_rng(seed).zipf(1.1, size=3 * n + 10) % len(vocab)
    surnames = _vocabulary(random.Random(seed + 1), 50_000)
    k = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "title", "authors", "venue", "year"])
        for i in range(n):
            rec = base[i % len(base)]
            words = rec.title.split()
            slots = [j for j, w in enumerate(words) if len(w) > 3 and w.isalpha()] or [0]
            for j in rng.sample(slots, min(len(slots), rng.randint(1, 3))):
                words[j] = vocab[ranks[k]]
                k += 1
            authors = list(rec.authors)
            a = rng.randrange(len(authors))
            first = authors[a].split()[:-1]
            authors[a] = " ".join([*first, rng.choice(surnames).capitalize()])
            out.writerow(
                [f"synth/{i}", " ".join(words), ", ".join(authors), rec.venue, rec.year + rng.randint(-3, 3)]
            )
    return n


def _load() -> str:
    loadavg = Path("/proc/loadavg")
    return loadavg.read_text().split()[0] if loadavg.exists() else "?"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=150, help="real and fabricated citations each")
    parser.add_argument("--keep", action="store_true", help="keep the database in benchmarks/.cache")
    args = parser.parse_args()
    if not DBLP_CSV.is_file():
        raise SystemExit(f"{DBLP_CSV} is missing (../shared/data/dblp)")
    CACHE.mkdir(parents=True, exist_ok=True)
    synth, db_path = CACHE / "synthetic.csv", CACHE / "bib.db"
    for p in (db_path, db_path.with_name("bib.db-wal"), db_path.with_name("bib.db-shm")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    # about 2 % of synthetic records collide with another (same title and first author) and are
    # merged, so 3 % more are written to hold at least --records works
    synthesise(synth, int((args.records - 2616) * 1.03))
    synth_s = time.perf_counter() - started
    db = BibDatabase(db_path)
    real_report = import_file(db, DBLP_CSV)
    report = import_file(db, synth)
    size_mb = db_path.stat().st_size / 2**20
    n = db.count()

    rng = random.Random(1)
    real = [r for r in load_records() if r.authors]
    cases = []
    for rec in rng.sample(real, args.queries):
        cases.append(("real", render(rec, rng)[0]))
    for _ in range(args.queries):
        a, b = rng.sample(real, 2)
        wa, wb = a.title.split(), b.title.split()
        title = " ".join(wa[: max(2, len(wa) // 2)] + wb[len(wb) // 2 :])
        cases.append(("fabricated", render(a.model_copy(update={"title": title}), rng)[0]))
    rng.shuffle(cases)
    citations = extract_citations([f"1. {text}" for _, text in cases])
    verifier = CitationVerifier(db)
    ours, anchor, verdicts = [], [], []
    for (kind, _), found in zip(cases, citations, strict=True):
        if not found:
            verdicts.append((kind, None))
            continue
        t0 = time.perf_counter()
        check = verifier.verify(found[:1])[0]
        ours.append(time.perf_counter() - t0)
        verdicts.append((kind, check.verdict))
        norm = norm_title(found[0].title or "")
        t0 = time.perf_counter()
        db.conn.execute("SELECT id FROM records WHERE key >= ? AND key < ? LIMIT 1",
                        (norm + "|", norm + "|\U0010ffff")).fetchall()  # fmt: skip
        anchor.append(time.perf_counter() - t0)
    db.close()
    tp = sum(k == "fabricated" and v == "not_found" for k, v in verdicts)
    fp = sum(k == "real" and v == "not_found" for k, v in verdicts)
    fn = sum(k == "fabricated" and v != "not_found" for k, v in verdicts)
    ms = lambda xs, q: round(1000 * float(np.percentile(xs, q)), 2)  # noqa: E731
    result = {
        "benchmark": "citation_scale",
        "records_in_database": n,
        "synthesis_seconds": round(synth_s, 1),
        "import": {
            "entries": report.entries_read,
            "seconds": report.seconds,
            "entries_per_second": report.entries_per_second,
            "merged": report.merged,
            "dblp2_entries_per_second": real_report.entries_per_second,
        },
        "file_size_mb": round(size_mb, 1),
        "bytes_per_record": round(size_mb * 2**20 / n),
        "verify_ms": {"p50": ms(ours, 50), "p90": ms(ours, 90), "p99": ms(ours, 99), "n": len(ours)},
        "anchor_exact_title_ms": {"p50": ms(anchor, 50), "p99": ms(anchor, 99)},
        "ratio_p50_ours_to_anchor": round(float(np.percentile(ours, 50) / np.percentile(anchor, 50)), 1),
        "goal_p50_ms": 20,
        "not_found_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "not_found_recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "real_not_found": fp,
        "not_extracted": sum(v is None for _, v in verdicts),
        "peak_rss_mb": round(_rss_mb()),
        "machine": f"{platform.processor() or platform.machine()}, 2 cores shared with other jobs "
        f"(load average {_load()})",
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{n:,} records; import {report.entries_per_second:,.0f} entries/s ({report.seconds:.0f} s); "
          f"file {size_mb:,.0f} MB ({result['bytes_per_record']} bytes/record); "
          f"peak RSS {result['peak_rss_mb']} MB")  # fmt: skip
    print(f"{'per citation':24s} {'p50 ms':>8s} {'p99 ms':>8s}")
    print(f"{'genguard verify':24s} {result['verify_ms']['p50']:8.2f} {result['verify_ms']['p99']:8.2f}")
    print(f"{'exact-title lookup':24s} {result['anchor_exact_title_ms']['p50']:8.2f} "
          f"{result['anchor_exact_title_ms']['p99']:8.2f}")  # fmt: skip
    nf_p, nf_r = result["not_found_precision"], result["not_found_recall"]
    print(f"not_found precision {nf_p}, recall {nf_r} at this size")
    if not args.keep:
        shutil.rmtree(CACHE)


if __name__ == "__main__":
    main()
