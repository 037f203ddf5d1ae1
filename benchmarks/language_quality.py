"""Quality and speed of the `language` scorer (genguard.scoring.language), beside plain langid.py.

What is measured, with the built-in policy's threshold (0.99) and, for the trade-off, others:
- how often English text is marked as another language (a false annotation), per source: BOLD
  prompts (sentence beginnings about people), BOLD Wikipedia sentences of the gender and race
  domains, Davidson tweets (all classes: slang, misspellings), the hand-written benign prompts of
  benchmarks/data/injection_prompts.jsonl, and Tiny Shakespeare passages (Early Modern English,
  the hardest English here);
- how often text that is certainly not English is marked: every held-out injection prompt
  (benchmarks/data/injection_heldout*_*.jsonl, attacks and benign) of at least 40 letters with
  under half of them ASCII after NFKC (Cyrillic, CJK, Arabic, Devanagari ... scripts; English in
  full-width or mathematical letters is English). No data set here labels
  Latin-script languages, so their rate is not measured; the run prints how many held-out prompts
  the rough ASCII-and-common-words split (`looks_english`) and the scorer disagree on, for
  information only.
- texts per second, and the seconds to load langid.py's model;
- what the built-in policy's `inside: {language: annotate}` on toxicity does at input: how many of
  the held-out injection sets' ordinary prompts in other languages the toxicity model flags (the
  scorer's false-positive rate there) and how many the policy blocks, and how many Davidson
  offensive and hate tweets lose their block because their sentence is marked.

Anchor, same run: langid.py alone as its README uses it (`classify`: the text is marked when the
top language is not English), on the same texts. The scorer's rates at 0.99 go to
genguard/guard/error_rates.json (scorer "language"), the one place the policy, the report and the
docs read them from.

Usage: python benchmarks/language_quality.py
"""

from __future__ import annotations

import json
import random
import time
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from genguard.datasets import bold_prompts, bold_wikipedia_sentences, davidson_tweets, shakespeare_text
from genguard.guard.error_rates import RATES_FILE, replace_rates
from genguard.scoring.language import LanguageScorer
from genguard.text.language import letter_counts, looks_english

DATA = Path(__file__).parent / "data"
RESULTS = Path(__file__).parent / "results" / "language_quality.json"
THRESHOLD = 0.99  # the built-in policy's
THRESHOLDS = (0.9, 0.99, 0.999)
SEED = 0


def english_sources() -> dict[str, list[str]]:
    rng = random.Random(SEED)
    prompts = [p for domain in ("gender", "race") for ps in bold_prompts(domain).values() for _, p in ps]
    benign = [
        r["text"]
        for r in map(json.loads, (DATA / "injection_prompts.jsonl").read_text(encoding="utf-8").splitlines())
        if r.get("label") == "benign"
    ]
    passages = [p for p in shakespeare_text().split("\n\n") if letter_counts(p)[0] >= 40]
    return {
        "BOLD prompts (gender, race)": prompts,
        "BOLD sentences (gender, race)": bold_wikipedia_sentences(("gender", "race")),
        "Davidson tweets": rng.sample(davidson_tweets()[0], 5000),
        "hand-written benign prompts": benign,
        "Tiny Shakespeare passages": rng.sample(passages, 2000),
    }


@cache
def heldout_rows() -> tuple[dict, ...]:
    """Every row of the held-out injection sets (attacks and benign), read once."""
    rows = []
    for path in sorted(DATA.glob("injection_heldout*_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "text" in row:
                rows.append(row)
    return tuple(rows)


def heldout_prompts() -> list[str]:
    return list(dict.fromkeys(r["text"] for r in heldout_rows()))


@cache
def policy_language_scorer() -> LanguageScorer:
    """The scorer of the built-in policy's `language` rule (default profile, input stage), built
    as the guard builds it."""
    from genguard.guard.policy import Policy
    from genguard.scoring import get_scorer

    rule = next(r for r in Policy.load().profile("default").stages["input"] if r.scorer == "language")
    return get_scorer("language", threshold=rule.threshold, **rule.params)  # type: ignore[return-value]


def language_marks(texts: Sequence[str]) -> np.ndarray:
    """Whether the built-in policy's `language` rule marks each text as written in a language the
    guard's models were not measured on."""
    return np.array([bool(r.findings) for r in policy_language_scorer().score(list(texts))], bool)


def other_script(text: str) -> bool:
    """40+ letters, under half of them ASCII once full-width and styled letters are folded (NFKC)."""
    alpha = [c for c in unicodedata.normalize("NFKC", text) if c.isalpha()]
    return len(alpha) >= 40 and sum(c.isascii() for c in alpha) / len(alpha) < 0.5


def timed(fn: Callable[[list[str]], list[bool]], texts: list[str]) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    marks = np.asarray(fn(texts), bool)
    return marks, len(texts) / (time.perf_counter() - t0)


def rate(marks: np.ndarray) -> dict:
    return {"rate": round(float(marks.mean()), 4), "hits": int(marks.sum()), "n": len(marks)}


def main() -> None:
    from py3langid import langid

    t0 = time.perf_counter()
    langid.classify("warm the model up")
    load_s = time.perf_counter() - t0
    scorers = {t: LanguageScorer(threshold=t) for t in THRESHOLDS}

    def ours(threshold: float) -> Callable[[list[str]], list[bool]]:
        return lambda texts: [bool(r.findings) for r in scorers[threshold].score(texts)]

    def anchor(texts: Sequence[str]) -> list[bool]:
        return [langid.classify(t)[0] != "en" for t in texts]

    sources = english_sources()
    held = heldout_prompts()
    foreign = [t for t in held if other_script(t)]
    out: dict = {"threshold": THRESHOLD, "model_load_s": round(load_s, 2), "english": {}, "other_script": {}}
    print(
        f"language scorer (threshold {THRESHOLD}, the policy's) beside langid.py's classify; "
        f"model load {load_s:.2f} s"
    )
    print(
        f"\n{'English text marked as another language':48s} {'n':>6s}  "
        + "  ".join(f"{'at ' + str(t):>8s}" for t in THRESHOLDS)
        + f"  {'langid.py':>9s}  {'texts/s ours / langid.py':>24s}"
    )
    for name, texts in sources.items():
        row = {}
        for t in THRESHOLDS:
            marks, speed = timed(ours(t), texts)
            row[str(t)] = rate(marks) | ({"texts_per_s": round(speed)} if t == THRESHOLD else {})
        marks, speed = timed(anchor, texts)
        row["langid.py"] = rate(marks) | {"texts_per_s": round(speed)}
        out["english"][name] = row
        cells = "  ".join(f"{100 * row[str(t)]['rate']:7.2f}%" for t in THRESHOLDS)
        print(
            f"{name:48s} {len(texts):6d}  {cells}  {100 * row['langid.py']['rate']:8.2f}%  "
            f"{row[str(THRESHOLD)]['texts_per_s']:>10,d} / {row['langid.py']['texts_per_s']:,d}"
        )
    row = {str(t): rate(timed(ours(t), foreign)[0]) for t in THRESHOLDS}
    row["langid.py"] = rate(timed(anchor, foreign)[0])
    out["other_script"] = row
    cells = "  ".join(f"{100 * row[str(t)]['rate']:7.2f}%" for t in THRESHOLDS)
    print(
        f"\n{'held-out prompts in other scripts, marked':48s} {len(foreign):6d}  {cells}  "
        f"{100 * row['langid.py']['rate']:8.2f}%"
    )
    rough = np.array([not looks_english(t) for t in held])
    marked = np.asarray(ours(THRESHOLD)(held), bool)
    out["heldout_split_agreement"] = {
        "n": len(held),
        "rough_other_marked": int((rough & marked).sum()),
        "rough_other_not_marked": int((rough & ~marked).sum()),
        "rough_english_marked": int((~rough & marked).sum()),
    }
    print(
        f"\nall {len(held):,} held-out injection prompts, rough split (looks_english) against the "
        f"scorer at {THRESHOLD}: "
        f"{out['heldout_split_agreement']} (no labels: for information)"
    )
    out["policy_inside"] = policy_inside()
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"written: {RESULTS}")
    write_error_rates(out, len(foreign))


def policy_inside() -> dict:
    """The default input policy on ordinary held-out prompts the language rule marks and on
    Davidson offensive and hate tweets: texts with a toxicity flag, with a blocking one, and with a
    blocking one when no rule has `inside` (the policy before it)."""
    from genguard.guard.pipeline import Guard
    from genguard.guard.policy import Policy

    guard = Guard.from_policy()
    profile = Policy.load().profile("default")
    stages = {k: tuple(r.model_copy(update={"inside": {}}) for r in v) for k, v in profile.stages.items()}
    before = Guard(profile.model_copy(update={"stages": stages}))
    ordinary = [r["text"] for r in heldout_rows() if r.get("kind") == "ordinary"]
    ordinary = [t for t, marked in zip(ordinary, language_marks(ordinary), strict=True) if marked]
    tweets, labels = davidson_tweets()
    offensive = [t for t, y in zip(tweets, labels, strict=True) if y in (0, 1)]
    offensive = random.Random(SEED).sample(offensive, 5000)
    out = {}
    for name, texts in (
        ("ordinary held-out prompts in other languages", ordinary),
        ("Davidson offensive and hate tweets", offensive),
    ):
        flags, plain = (
            [[f for f in v.flags if f.scorer == "toxicity"] for v in g.check(texts, "input")]
            for g in (guard, before)
        )
        out[name] = {
            "n": len(texts),
            "toxicity_flagged": sum(bool(f) for f in flags),
            "blocked_for_toxicity": sum(any(x.action == "block" for x in f) for f in flags),
            "blocked_without_inside": sum(any(x.action == "block" for x in f) for f in plain),
        }
        print(f"default input policy, {name}: {out[name]}")
    return out


def write_error_rates(out: dict, n_foreign: int) -> None:
    """Replace the `language` entries of genguard/guard/error_rates.json with this run's."""
    fresh = [
        {
            "scorer": "language",
            "threshold": THRESHOLD,
            "measure": "false-positive rate",
            "value": row[str(THRESHOLD)]["rate"],
            "unit": "text",
            "data": f"{name}: English text marked as another language",
            "n": row[str(THRESHOLD)]["n"],
            "benchmark": "benchmarks/language_quality.py",
            "label": name,
        }
        for name, row in out["english"].items()
    ]
    fresh.append(
        {
            "scorer": "language",
            "threshold": THRESHOLD,
            "measure": "true-positive rate",
            "value": out["other_script"][str(THRESHOLD)]["rate"],
            "unit": "prompt",
            "data": "held-out injection prompts written mostly in other scripts than Latin (40+ letters, "
            "under half ASCII); Latin-script languages are not labelled anywhere here, so not measured",
            "n": n_foreign,
            "benchmark": "benchmarks/language_quality.py",
            "label": "prompts in other scripts",
        }
    )
    inside = out["policy_inside"]["ordinary held-out prompts in other languages"]
    toxicity = {
        "scorer": "toxicity",
        "threshold": 0.5,
        "measure": "false-positive rate",
        "value": round(inside["toxicity_flagged"] / inside["n"], 4),
        "unit": "prompt",
        "data": "ordinary prompts of the held-out injection sets that the language rule marks as another "
        "language; the built-in policy annotates these findings instead of blocking (`inside`)",
        "n": inside["n"],
        "benchmark": "benchmarks/language_quality.py",
        "label": "ordinary prompts in other languages",
    }
    replace_rates("language", "benchmarks/language_quality.py", fresh)
    replace_rates("toxicity", "benchmarks/language_quality.py", [toxicity])
    print(f"written: {RATES_FILE} ({len(fresh)} language entries, 1 toxicity entry)")


if __name__ == "__main__":
    main()
