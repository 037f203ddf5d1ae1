"""The `style` scorer (genguard.scoring.style) on texts by several writers, held out.

Writers: speakers of Tiny Shakespeare (../shared/data/tinyshakespeare, public domain). No package
on the index ships public-domain texts by several authors that works offline (nltk's gutenberg
corpus is not in its wheel). Speakers of one playwright are a hard case: same period, same
author, different characters; real authors differ more. Other human writing: BOLD Wikipedia
text (CC BY-SA 4.0), consecutive paragraphs from the end of the list joined and cut to length.
Nothing is tuned on the held-out texts (see the style module's docstring for what was chosen
after which run).

1. Attribution: the 10 speakers with the most words; each speaker's first 60 % of words (in play
   order) build a profile, the rest are cut into held-out texts of 200 words; a text goes to the
   profile with the smallest Burrows' Delta (chance 10 %).
2. The scorer at its default threshold, speakers as authors: speakers with >= 4,400 words;
   profile = their first 4,000 words (the scorer's minimum), held-out 400-word texts from the
   rest: recall on the speaker's own, false-positive rate on the other speakers' (same author!).
3. Shakespeare as one protected author: profiles from the first 5k / 20k / 80k words, recall on
   400- and 800-word texts from the last 60k words, FPR on BOLD Wikipedia texts of that length.
4. Bad input: empty, 5-token and 399-word texts (cannot decide: 0), a 1 MB text (time, score).
Writes benchmarks/results/style_quality.json. Usage: python benchmarks/style_quality.py
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


def speeches() -> dict[str, list[str]]:
    """Each speaker's speeches in play order."""
    from genguard.datasets import shakespeare_text

    out: dict[str, list[str]] = defaultdict(list)
    for block in shakespeare_text().split("\n\n"):
        lines = block.strip().split("\n")
        if len(lines) >= 2 and lines[0].endswith(":"):
            out[lines[0][:-1]].append("\n".join(lines[1:]))
    return out


def pieces(words: list[str], length: int, limit: int | None = None) -> list[str]:
    """Consecutive `length`-word texts from `words` (at most `limit`)."""
    out = [" ".join(words[i : i + length]) for i in range(0, len(words) - length + 1, length)]
    return out[:limit] if limit else out


def share(k: int, n: int) -> dict:
    from genguard.fairness.stats import wilson_interval

    return {"k": k, "n": n, "rate": k / n if n else None, "ci": wilson_interval(k, n)}


def attribution(by_speaker: dict[str, list[str]]) -> dict:
    from genguard.scoring.style import StyleProfile

    top = sorted(by_speaker, key=lambda k: -sum(len(s.split()) for s in by_speaker[k]))[:10]
    profiles, texts = {}, []
    for name in top:
        words = " ".join(by_speaker[name]).split()
        cut = int(0.6 * len(words))
        profiles[name] = StyleProfile(words[:cut], name)
        texts += [(name, t) for t in pieces(words[cut:], 200)]
    deltas = np.array([profiles[n].delta([t for _, t in texts]) for n in top])
    pick = deltas.argmin(axis=0)
    truth = np.array([top.index(n) for n, _ in texts])
    return {
        "speakers": top,
        "text_words": 200,
        "accuracy": share(int((pick == truth).sum()), len(texts)),
        "chance": 0.1,
    }


def speakers_at_threshold(by_speaker: dict[str, list[str]], tmp: Path) -> dict:
    from genguard.scoring import get_scorer
    from genguard.scoring.style import DEFAULT_THRESHOLD

    chosen = [n for n, s in by_speaker.items() if sum(len(x.split()) for x in s) >= 4_400]
    scorers, held = {}, {}
    for name in chosen:
        words = " ".join(by_speaker[name]).split()
        path = tmp / f"{name.replace(' ', '_')}.txt"
        path.write_text(" ".join(words[:4_000]), encoding="utf-8")
        scorers[name] = get_scorer("style", corpus=str(path))
        held[name] = pieces(words[4_000:], 400)
    own_k = own_n = other_k = other_n = 0
    rows = []
    for name in chosen:
        own = [r.score >= DEFAULT_THRESHOLD for r in scorers[name].score(held[name])]
        others = [t for n in chosen if n != name for t in held[n]]
        other = [r.score >= DEFAULT_THRESHOLD for r in scorers[name].score(others)]
        own_k, own_n, other_k, other_n = (
            own_k + sum(own),
            own_n + len(own),
            other_k + sum(other),
            other_n + len(other),
        )
        rows.append(
            {"speaker": name, "recall": share(sum(own), len(own)), "fpr": share(sum(other), len(other))}
        )
    return {
        "speakers": chosen,
        "recall": share(own_k, own_n),
        "fpr_other_speakers": share(other_k, other_n),
        "rows": rows,
    }


def corpus_sizes(bold_words: list[str], tmp: Path) -> list[dict]:
    from genguard.datasets import shakespeare_text
    from genguard.scoring import get_scorer
    from genguard.scoring.style import DEFAULT_THRESHOLD

    words = shakespeare_text().split()
    held = words[-60_000:]
    rows = []
    for size in (5_000, 20_000, 80_000):
        path = tmp / f"shakespeare_{size}.txt"
        path.write_text(" ".join(words[:size]), encoding="utf-8")
        scorer = get_scorer("style", corpus=str(path))
        for length in (400, 800):
            own = [r.score >= DEFAULT_THRESHOLD for r in scorer.score(pieces(held, length, 60))]
            bold = [r.score >= DEFAULT_THRESHOLD for r in scorer.score(pieces(bold_words, length, 60))]
            rows.append(
                {
                    "corpus_words": size,
                    "length": length,
                    "recall": share(sum(own), len(own)),
                    "fpr_bold_wikipedia": share(sum(bold), len(bold)),
                }
            )
    return rows


def bad_input(tmp: Path) -> dict:
    from genguard.datasets import shakespeare_text
    from genguard.scoring import get_scorer

    words = shakespeare_text().split()
    path = tmp / "bad.txt"
    path.write_text(" ".join(words[:20_000]), encoding="utf-8")
    scorer = get_scorer("style", corpus=str(path))
    out = {}
    for label, text in (
        ("empty", ""),
        ("5 tokens", "to be or not to"),
        ("399 words", " ".join(words[-399:])),
    ):
        r = scorer.score([text])[0]
        out[label] = {"score": r.score, "findings": len(r.findings)}
    big = " ".join(words[20_000:])
    big = (big * (1_000_000 // len(big) + 1))[:1_000_000]
    started = time.perf_counter()
    r = scorer.score([big])[0]
    out["1 MB text"] = {"seconds": round(time.perf_counter() - started, 3), "score": r.score}
    return out


def main() -> None:
    from genguard.datasets import bold_wikipedia_paragraphs
    from genguard.scoring.style import DEFAULT_THRESHOLD

    by_speaker = speeches()
    bold_words = " ".join(list(bold_wikipedia_paragraphs())[-4000:]).split()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        started = time.perf_counter()
        report = {
            "threshold": DEFAULT_THRESHOLD,
            "attribution": attribution(by_speaker),
            "speakers_at_threshold": speakers_at_threshold(by_speaker, tmp),
            "shakespeare_by_corpus_size": corpus_sizes(bold_words, tmp),
            "bad_input": bad_input(tmp),
        }
        report["seconds"] = round(time.perf_counter() - started, 1)
    report["machine"] = "2-core CPU shared with other jobs"
    RESULT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")

    def fmt(s: dict) -> str:
        return f"{s['rate']:.1%} [{s['ci'][0]:.1%}, {s['ci'][1]:.1%}] (n={s['n']})"

    a = report["attribution"]
    print(f"attribution, 10 speakers, 200-word held-out texts: {fmt(a['accuracy'])}, chance 10 %")
    s = report["speakers_at_threshold"]
    print(f"speakers as authors (4,000-word profiles, 400-word texts), threshold {DEFAULT_THRESHOLD}:")
    for row in s["rows"]:
        print(f"  {row['speaker']:<18} recall {fmt(row['recall'])}  FPR other speakers {fmt(row['fpr'])}")
    print(
        f"  pooled             recall {fmt(s['recall'])}  FPR other speakers {fmt(s['fpr_other_speakers'])}"
    )
    print("Shakespeare as the protected author vs BOLD Wikipedia:")
    for row in report["shakespeare_by_corpus_size"]:
        print(
            f"  corpus {row['corpus_words']:>6,} words, {row['length']}-word texts: "
            f"recall {fmt(row['recall'])}  "
            f"BOLD FPR {fmt(row['fpr_bold_wikipedia'])}"
        )
    print(f"bad input: {report['bad_input']}")


if __name__ == "__main__":
    main()
