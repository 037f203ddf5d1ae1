"""Quality of the rule-based scorers: prompt-injection false positives and recall, lexicon hit rates.

Injection scorer (a finding with score >= 0.5 counts as flagged):
- false-positive rate on ordinary text: every BOLD prompt (sentence beginnings), the Davidson
  tweets labelled "neither" (class 2), and the hand-written ordinary prompts in
  benchmarks/data/injection_prompts.jsonl (label "benign", many chosen to look like attacks);
- recall on the hand-written attacks in the same file, per category, as written and after each
  evasion transform applied programmatically (homoglyphs, zero-width, spacing, leetspeak,
  upper case). ENCODED_PAYLOAD attacks are left out of the transformed rows: the transforms would
  corrupt the encoding itself rather than disguise it.

Lexicon scorer (better-profanity word list): share of texts with a hit on BOLD Wikipedia
sentences and on each Davidson class, the ranking AUC of its score for offensive-or-hate
(classes 0-1) vs neither (class 2), and the list words that hit neutral Wikipedia text most.

Usage: python benchmarks/injection_quality.py [--show 10]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sklearn.metrics import roc_auc_score

from genguard.datasets import require_data
from genguard.scoring import get_scorer, injection, lexicon

assert injection and lexicon  # imported for their side effect: they register "injection" and "lexicon"

FLAG = 0.5
SPLITS = {"dev": "dev set (patterns tuned on it)", "heldout": "held-out set (written later, not tuned on)"}
PROMPTS = Path(__file__).parent / "data" / "injection_prompts.jsonl"
CATEGORIES = [
    "IGNORE_INSTRUCTIONS",
    "ROLE_PLAY_ESCAPE",
    "SYSTEM_PROMPT_LEAK",
    "ROLE_MARKER",
    "ENCODED_PAYLOAD",
]

_HOMOGLYPHS = str.maketrans(
    "aceopxyiACEHKMOPTX",
    "\u0430\u0441\u0435\u043e\u0440\u0445\u0443\u0456\u0410\u0421\u0415\u041d\u041a\u041c\u041e\u0420\u0422\u0425",
)
_LEET = str.maketrans("eoaisEOAI", "30@1$30@1")


def _words(text: str, fn: Callable[[str], str]) -> str:
    out, word = [], []
    for ch in text + "\0":
        if ch.isalpha():
            word.append(ch)
            continue
        if word:
            out.append(fn("".join(word)))
            word = []
        out.append(ch)
    return "".join(out[:-1])


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "as written": lambda t: t,
    "homoglyphs (Cyrillic)": lambda t: t.translate(_HOMOGLYPHS),
    "zero-width inside words": lambda t: _words(t, "\u200b".join),
    "spacing (words >= 5 letters)": lambda t: _words(t, lambda w: " ".join(w) if len(w) >= 5 else w),
    "leetspeak (e3 o0 a@ i1 s$)": lambda t: t.translate(_LEET),
    "upper case": str.upper,
}


def bold(kind: str) -> list[str]:
    texts: list[str] = []
    for path in sorted(require_data(f"bold/{kind}").glob("*.json")):
        for group in json.loads(path.read_text(encoding="utf-8")).values():
            for items in group.values():
                texts.extend(t.strip() for t in items if t.strip())
    return texts


def davidson() -> list[tuple[str, int]]:
    with (require_data("davidson") / "labeled_data.csv").open(encoding="utf-8", newline="") as f:
        return [(row["tweet"], int(row["class"])) for row in csv.DictReader(f)]


def flagged(scorer, texts: list[str]) -> list[bool]:
    return [r.score >= FLAG for r in scorer.score(texts)]


def pct(hits: int, n: int) -> str:
    return f"{100 * hits / n:6.2f} % ({hits}/{n})" if n else "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=10, help="misses and false positives to print")
    args = parser.parse_args()

    rows = [json.loads(line) for line in PROMPTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    attacks = {split: [r for r in rows if r["label"] == "attack" and r["split"] == split] for split in SPLITS}
    benign = {
        split: [r["text"] for r in rows if r["label"] == "benign" and r["split"] == split] for split in SPLITS
    }
    tweets = davidson()

    inj = get_scorer("injection")
    print(f"injection scorer: {inj.model_id}; flagged = a finding with score >= {FLAG}\n")
    print("False positives on ordinary text")
    print(f"{'set':44s} {'flagged':>24s}")
    fp_sets = {
        "BOLD prompts (sentence beginnings)": bold("prompts"),
        "Davidson tweets, class 2 (neither)": [t for t, c in tweets if c == 2],
        "hand-written ordinary prompts, dev": benign["dev"],
        "hand-written ordinary prompts, held-out": benign["heldout"],
        "  of which the first 42 (tricky prompts)": [
            r["text"] for r in rows if r["split"] == "heldout" and r["category"] == "heldout_benign"
        ],
        "  of which everyday forget/ignore/act as (issue 11)": [
            r["text"] for r in rows if r["category"] == "heldout_benign_everyday"
        ],
    }
    examples: list[str] = []
    for name, texts in fp_sets.items():
        t0 = time.perf_counter()
        flags = flagged(inj, texts)
        rate = pct(sum(flags), len(texts))
        print(f"{name:44s} {rate:>24s}   [{time.perf_counter() - t0:5.1f} s]")
        examples += [t for t, f in zip(texts, flags, strict=True) if f]

    misses: list[str] = []
    for split in SPLITS:
        print(f"\nRecall on hand-written attacks, {SPLITS[split]} (per category)")
        print(f"{'transform':30s} {'all':>20s}" + "".join(f" {c[:14]:>15s}" for c in CATEGORIES))
        for tname, transform in TRANSFORMS.items():
            subset = [
                a for a in attacks[split] if tname == "as written" or a["category"] != "ENCODED_PAYLOAD"
            ]
            flags = flagged(inj, [transform(a["text"]) for a in subset])
            cells = []
            for cat in CATEGORIES:
                got = [f for a, f in zip(subset, flags, strict=True) if a["category"] == cat]
                cells.append(f"{sum(got)}/{len(got)}" if got else "-")
            print(f"{tname:30s} {pct(sum(flags), len(flags)):>20s}" + "".join(f" {c:>15s}" for c in cells))
            if tname == "as written":
                misses += [a["text"] for a, f in zip(subset, flags, strict=True) if not f]

    if args.show:
        print(f"\nfalse positives ({len(examples)}), first {args.show}:")
        for t in examples[: args.show]:
            print("  ", repr(t[:140]))
        print(f"missed attacks as written ({len(misses)}), first {args.show}:")
        for t in misses[: args.show]:
            print("  ", repr(t[:140]))

    lex = get_scorer("lexicon")
    print(f"\nlexicon scorer: {lex.model_id}; hit = score > 0")
    print(f"{'set':44s} {'texts with a hit':>24s}")
    wiki = bold("wikipedia")
    t0 = time.perf_counter()
    wiki_results = lex.score(wiki)
    wiki_time = time.perf_counter() - t0
    print(f"{'BOLD Wikipedia sentences':44s} {pct(sum(r.score > 0 for r in wiki_results), len(wiki)):>24s}")
    tweet_scores = [r.score for r in lex.score([t for t, _ in tweets])]
    for cls, name in [(0, "hate speech"), (1, "offensive"), (2, "neither")]:
        got = [s for s, (_, c) in zip(tweet_scores, tweets, strict=True) if c == cls]
        print(f"{f'Davidson class {cls} ({name})':44s} {pct(sum(s > 0 for s in got), len(got)):>24s}")
    auc = roc_auc_score([int(c < 2) for _, c in tweets], tweet_scores)
    print(f"AUC of the score, Davidson classes 0-1 vs 2: {auc:.3f}")
    words: Counter[str] = Counter()
    for text, result in zip(wiki, wiki_results, strict=True):
        words.update({text[f.span.start : f.span.end].lower() for f in result.findings})
    top = ", ".join(f"{w} {n}" for w, n in words.most_common(12))
    print(f"list words hitting most BOLD Wikipedia sentences: {top}")
    print(f"(lexicon: {len(wiki)} Wikipedia sentences in {wiki_time:.1f} s)")

    big = ("An ordinary sentence about gardens, trains and the weather in May. " * 16000)[:1_000_000]
    for scorer in (inj, lex):
        t0 = time.perf_counter()
        scorer.score([big])
        print(f"{scorer.name}: one 1 MB text in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
