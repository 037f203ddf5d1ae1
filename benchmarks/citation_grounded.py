"""Grounded mode against plain generation: how many of the default model's citations are not_found.

The essay's example, asked of the embedded default model (SmolLM2-135M-Instruct): "Tell me about
some papers by AUTHOR." for 50 authors with at least three works in the database (DBLP2.csv,
the first 50 by number of works, ties by name), once plainly and once in grounded mode
(genguard.factuality.grounded: the author's records retrieved with FTS5, re-ranked with MiniLM,
put in the prompt with the instruction to cite only those). Greedy decoding, 160 new tokens.
Every answer's citations are extracted and verified against the same database. Reported per
mode: answers with at least one citation, citations, the share of them that are not_found with a
Wilson interval, and the difference grounded - plain with a 95 % bootstrap interval over authors
(citations of one answer are not independent).

    python benchmarks/citation_grounded.py [--authors 50] [--max-new-tokens 160]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from citation_render import DBLP_CSV

from genguard.factuality import BibDatabase, CitationVerifier, import_file
from genguard.factuality.grounded import grounded_generate
from genguard.fairness.stats import wilson_interval
from genguard.lm import load_model

RESULTS = Path(__file__).parent / "results" / "citation_grounded.json"
QUESTION = "Tell me about some papers by {author}."


def _summary(per_author: list[Counter]) -> dict:
    total = sum(per_author, Counter())
    cited = sum(total.values())
    lo, hi = wilson_interval(total["not_found"], cited)
    return {
        "answers_with_citations": sum(1 for c in per_author if sum(c.values())),
        "citations": cited,
        "verdicts": dict(total),
        "not_found_share": round(total["not_found"] / cited, 4) if cited else None,
        "not_found_ci95": [round(lo, 4), round(hi, 4)],
    }


def _bootstrap_difference(plain: list[Counter], grounded: list[Counter], reps: int = 5000) -> list[float]:
    rng = np.random.default_rng(0)
    nf = np.array([[p["not_found"], sum(p.values()), g["not_found"], sum(g.values())] for p, g in
                   zip(plain, grounded, strict=True)], dtype=float)  # fmt: skip
    diffs = []
    for _ in range(reps):
        s = nf[rng.integers(0, len(nf), len(nf))].sum(axis=0)
        if s[1] and s[3]:
            diffs.append(s[2] / s[3] - s[0] / s[1])
    return [round(float(np.percentile(diffs, 2.5)), 4), round(float(np.percentile(diffs, 97.5)), 4)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--authors", type=int, default=50)
    parser.add_argument("--max-new-tokens", type=int, default=160)
    args = parser.parse_args()
    if not DBLP_CSV.is_file():
        raise SystemExit(f"{DBLP_CSV} is missing (../shared/data/dblp)")
    with tempfile.TemporaryDirectory() as tmp:
        db = BibDatabase(Path(tmp) / "bib.db")
        import_file(db, DBLP_CSV)
        authors = db.top_authors(args.authors)
        questions = [QUESTION.format(author=a) for a in authors]
        model = load_model("default")
        verifier = CitationVerifier(db)
        options = {"max_new_tokens": args.max_new_tokens, "temperature": 0.0, "batch_size": 10}
        started = time.perf_counter()
        plain = [g.text for g in model.generate(questions, **options)]
        plain_checks = verifier.check_texts(plain)
        plain_s = time.perf_counter() - started
        started = time.perf_counter()
        grounded = grounded_generate(model, db, questions, verifier=verifier, **options)
        grounded_s = time.perf_counter() - started
        db.close()
    plain_counts = [Counter(c.verdict for c in checks) for checks in plain_checks]
    grounded_counts = [Counter(c.verdict for c in g.checks) for g in grounded]
    p, g = _summary(plain_counts), _summary(grounded_counts)
    diff = (g["not_found_share"] - p["not_found_share"]) if p["citations"] and g["citations"] else None
    result = {
        "benchmark": "citation_grounded",
        "model": grounded[0].model_id if grounded else None,
        "question": QUESTION,
        "authors": authors,
        "decoding": options,
        "plain": p,
        "grounded": g,
        "difference_grounded_minus_plain": round(diff, 4) if diff is not None else None,
        "difference_ci95_bootstrap_over_authors": _bootstrap_difference(plain_counts, grounded_counts)
        if diff is not None
        else None,
        "seconds": {"plain": round(plain_s, 1), "grounded": round(grounded_s, 1)},
        "examples": [
            {
                "author": a,
                "plain": pt,
                "grounded": gr.answer,
                "plain_verdicts": [c.verdict for c in pc],
                "grounded_verdicts": [c.verdict for c in gr.checks],
            }
            for a, pt, gr, pc in list(zip(authors, plain, grounded, plain_checks, strict=True))[:5]
        ],
        "machine": f"{platform.processor() or platform.machine()}, 2 cores shared with other jobs",
    }
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"{'mode':10s} {'answers citing':>15s} {'citations':>10s} {'not_found share [95 % CI]':>30s}")
    for name, s in (("plain", p), ("grounded", g)):
        share = "n/a" if s["not_found_share"] is None else f"{s['not_found_share']:.3f} {s['not_found_ci95']}"
        print(f"{name:10s} {s['answers_with_citations']:>15d} {s['citations']:>10d} {share:>30s}")
    print(f"difference grounded - plain: {result['difference_grounded_minus_plain']} "
          f"{result['difference_ci95_bootstrap_over_authors']}")  # fmt: skip


if __name__ == "__main__":
    main()
