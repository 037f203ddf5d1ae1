"""The `style` scorer (genguard.scoring.style) on texts by several writers, held out.

Writers: the 10 speakers of Tiny Shakespeare (../shared/data/tinyshakespeare, public domain) with
the most words. (No package on the index ships public-domain texts by several authors that works
offline; nltk's gutenberg corpus is not in its wheel. Speakers of one playwright are a hard case:
same period, same author, different characters; real authors differ more.) Each speaker's
speeches, in play order, are split: the first 60 % of words build the profile (the "protected
author's corpus"), the rest are cut into held-out texts of 200 words that no profile saw. Nothing
is tuned on the held-out texts: DEFAULT_THRESHOLD was fixed in the module before this ran.

Reported: attribution accuracy (the profile with the highest score, ties by smallest Delta,
names the right speaker; chance 10 %) with a Wilson interval; per profile and pooled, the share of
the speaker's own held-out texts scoring >= the default threshold (recall) and of other
speakers' held-out texts (false-positive rate), and the FPR on BOLD Wikipedia paragraphs of >= 50
words (other human writing, not Shakespeare); bad input: empty and 5-token texts, a 1 MB text
(time and score). Writes benchmarks/results/style_quality.json.

Usage: python benchmarks/style_quality.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULT = ROOT / "benchmarks" / "results" / "style_quality.json"
SPEAKERS = 10
HELD_OUT_WORDS = 200
SPLIT = 0.6


def speeches() -> dict[str, list[str]]:
    from genguard.datasets import shakespeare_text

    out: dict[str, list[str]] = defaultdict(list)
    for block in shakespeare_text().split("\n\n"):
        lines = block.strip().split("\n")
        if len(lines) >= 2 and lines[0].endswith(":"):
            out[lines[0][:-1]].append("\n".join(lines[1:]))
    return out


def split(texts: list[str]) -> tuple[str, list[str]]:
    """(profile text, held-out texts of HELD_OUT_WORDS words) from one speaker's speeches."""
    words = " ".join(texts).split()
    cut = int(SPLIT * len(words))
    rest = words[cut:]
    held = [
        " ".join(rest[i : i + HELD_OUT_WORDS])
        for i in range(0, len(rest) - HELD_OUT_WORDS + 1, HELD_OUT_WORDS)
    ]
    return " ".join(words[:cut]), held


def main() -> None:
    from genguard.datasets import bold_wikipedia_paragraphs
    from genguard.fairness.stats import wilson_interval
    from genguard.scoring import get_scorer
    from genguard.scoring.style import DEFAULT_THRESHOLD, MIN_WORDS

    by_speaker = speeches()
    top = sorted(by_speaker, key=lambda k: -sum(len(s.split()) for s in by_speaker[k]))[:SPEAKERS]
    tmp = Path(tempfile.mkdtemp())
    scorers, held = {}, {}
    started = time.perf_counter()
    for name in top:
        corpus, held[name] = split(by_speaker[name])
        path = tmp / f"{name.replace(' ', '_')}.txt"
        path.write_text(corpus, encoding="utf-8")
        scorers[name] = get_scorer("style", corpus=str(path))
    build_s = (time.perf_counter() - started) / len(top)
    texts = [(name, t) for name in top for t in held[name]]
    bold = [p for p in bold_wikipedia_paragraphs() if len(p.split()) >= MIN_WORDS][:500]
    started = time.perf_counter()
    scores = np.array(
        [[r.score for r in scorers[n].score([t for _, t in texts])] for n in top]
    )  # [profile, text]
    deltas = np.array([scorers[n].profile.delta([t for _, t in texts]) for n in top])
    score_s = time.perf_counter() - started
    bold_scores = np.array([[r.score for r in scorers[n].score(bold)] for n in top])
    truth = np.array([top.index(n) for n, _ in texts])
    # highest score wins; ties (common: scores are ranks) broken by the smaller Delta
    pick = np.lexsort((deltas, -scores), axis=0)[0]
    correct = int(np.count_nonzero(pick == truth))
    per_profile, own_hits, own_n, other_hits, other_n = [], 0, 0, 0, 0
    for i, name in enumerate(top):
        own = scores[i, truth == i] >= DEFAULT_THRESHOLD
        other = scores[i, truth != i] >= DEFAULT_THRESHOLD
        fp_bold = bold_scores[i] >= DEFAULT_THRESHOLD
        own_hits, own_n = own_hits + int(own.sum()), own_n + own.size
        other_hits, other_n = other_hits + int(other.sum()), other_n + other.size
        per_profile.append(
            {
                "speaker": name,
                "held_out_texts": int(own.size),
                "recall": float(own.mean()),
                "fpr_other_speakers": float(other.mean()),
                "fpr_bold_wikipedia": float(fp_bold.mean()),
            }
        )
    bold_hits = int((bold_scores >= DEFAULT_THRESHOLD).sum())
    scorer = scorers[top[0]]
    bad: dict = {}
    for label, text in (("empty", ""), ("5 tokens", "to be or not to")):
        r = scorer.score([text])[0]
        bad[label] = {"score": r.score, "findings": len(r.findings)}
    big = ("Now is the winter of our discontent made glorious summer by this sun of York. " * 14_000)[
        :1_000_000
    ]
    started = time.perf_counter()
    r = scorer.score([big])[0]
    bad["1 MB text"] = {"seconds": round(time.perf_counter() - started, 2), "score": r.score}
    report = {
        "data": f"Tiny Shakespeare, top {SPEAKERS} speakers; profile = first {SPLIT:.0%} of words; "
        f"held-out texts of {HELD_OUT_WORDS} words; BOLD Wikipedia paragraphs >= {MIN_WORDS} words",
        "threshold": DEFAULT_THRESHOLD,
        "speakers": top,
        "held_out_texts": len(texts),
        "attribution_accuracy": correct / len(texts),
        "attribution_ci": wilson_interval(correct, len(texts)),
        "chance": 1 / SPEAKERS,
        "recall": own_hits / own_n,
        "recall_ci": wilson_interval(own_hits, own_n),
        "fpr_other_speakers": other_hits / other_n,
        "fpr_other_speakers_ci": wilson_interval(other_hits, other_n),
        "fpr_bold_wikipedia": bold_hits / bold_scores.size,
        "fpr_bold_wikipedia_ci": wilson_interval(bold_hits, int(bold_scores.size)),
        "bold_texts": len(bold),
        "per_profile": per_profile,
        "bad_input": bad,
        "seconds_per_profile_build": round(build_s, 2),
        "texts_per_second": round(len(texts) * len(top) / score_s, 1),
        "machine": "2-core CPU shared with other jobs",
    }
    RESULT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(
        f"{len(texts)} held-out texts of {HELD_OUT_WORDS} words by {SPEAKERS} speakers; threshold {DEFAULT_THRESHOLD}"
    )
    lo, hi = report["attribution_ci"]
    print(
        f"attribution accuracy {report['attribution_accuracy']:.1%} [{lo:.1%}, {hi:.1%}] (chance {1 / SPEAKERS:.0%})"
    )
    print(f"{'speaker':<18} {'n':>4} {'recall':>7} {'FPR others':>11} {'FPR BOLD':>9}")
    for p in per_profile:
        print(
            f"{p['speaker']:<18} {p['held_out_texts']:>4} {p['recall']:>7.1%} {p['fpr_other_speakers']:>11.1%} "
            f"{p['fpr_bold_wikipedia']:>9.1%}"
        )
    print(
        f"{'pooled':<18} {own_n:>4} {report['recall']:>7.1%} {report['fpr_other_speakers']:>11.1%} "
        f"{report['fpr_bold_wikipedia']:>9.1%}"
    )
    print(f"bad input: {bad}")


if __name__ == "__main__":
    main()
