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

Learned detector (`injection-model`, models/injection-minilm) beside the rules, on sets it never
saw (`--part model`, results in benchmarks/results/injection_quality.json): the held-out sets
written for issue 14 before model 1 (benchmarks/data/injection_heldout_attacks.jsonl and
injection_heldout_benign.jsonl), after model 1, before model 2's training data
(injection_heldout2_*.jsonl), after model 2, before model 3's training data
(injection_heldout3_*.jsonl: 160 attacks, 159 ordinary and 315 tricky-but-benign prompts), and after
model 3, before model 4's training data (injection_heldout4_*.jsonl: 160 attacks, 150 ordinary and
306 tricky-but-benign prompts, a third of them reported speech), and after models 3 and 4, before
model 5's training data (injection_heldout5_*.jsonl: 208 attacks, 158 ordinary and 311
tricky-but-benign prompts, 146 of them reported speech), the
older hand-written prompts above, the third-party bastioncorpus 0.6.0 (MIT; skipped when not
installed; a dev set for model 2, see its model card) and BOLD prompts of the gender and race
domains (the model trained on other domains' sentences).
Rules alone, model alone and combined (flagged by either; score = the higher of the two):
recall per attack family, false-positive rates on ordinary and tricky-but-benign prompts with
95 % Wilson intervals, AUC with a 95 % bootstrap interval. Thresholds are the rules' 0.5 and
the model's own (chosen on out-of-fold scores of its training data, see its build.py); nothing
here is tuned on these sets. On sets 3-5 the model's recall and false-positive rates are also
shown at other thresholds (the trade-off, for information; the threshold is fixed before). Set 5 is
shown in totals only (no table per family or topic).

`--candidate DIR` also scores a model folder that is not shipped (head alone, at its own threshold)
on the same sets in the same run, totals only, beside the rules and the shipped model: how a new
build is measured once before deciding whether to ship it. Its figures go into RESULTS under
"candidate", not into error_rates.json.

Usage: python benchmarks/injection_quality.py [--show N] [--part all|rules|model] [--candidate DIR]
(--show prints N misses and false positives; none by default, so that no one tunes on held-out errors)
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from genguard.datasets import bold_prompts, require_data
from genguard.guard.error_rates import RATES_FILE, replace_rates
from genguard.scoring import get_scorer, injection, injection_model, lexicon

# imported for their side effect: they register "injection", "injection-model" and "lexicon"
assert injection and injection_model and lexicon

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


# --- the learned detector beside the rules --------------------------------------------------------
DATA = Path(__file__).parent / "data"
RESULTS = Path(__file__).parent / "results" / "injection_quality.json"
HELD2 = "held-out 2 attacks (written after model 1)"
HELD_TRICKY = "held-out tricky-but-benign prompts"
HELD_ORDINARY = "held-out ordinary prompts"
HELD3 = "held-out 3 attacks (written after model 2)"
HELD3_ORDINARY = "held-out 3 ordinary prompts"
HELD3_TRICKY = "held-out 3 tricky prompts"
HELD4 = "held-out 4 attacks (written after model 3)"
HELD4_ORDINARY = "held-out 4 ordinary prompts"
HELD4_TRICKY = "held-out 4 tricky prompts"
HELD5 = "held-out 5 attacks (written after models 3-4)"
HELD5_ORDINARY = "held-out 5 ordinary prompts"
HELD5_TRICKY = "held-out 5 tricky prompts"
SHORT_BENIGN = "held-out short benign chat messages"
SENDS_BENIGN = "held-out benign requests to send to an address"
# Benign-only held-out files (label "benign", a "kind" per row): set name -> file in DATA
BENIGN_ONLY = {
    SHORT_BENIGN: "injection_short_benign.jsonl",
    SENDS_BENIGN: "injection_benign_sends.jsonl",
}
# Sets written by other sessions, each after the one before was measured: n -> (ordinal, after what)
LATER_SETS = {
    6: ("sixth", "model 5"),
    7: ("seventh", "set 6"),
    8: ("eighth", "set 7"),
    9: ("ninth", "set 8"),
    10: ("tenth", "set 9"),
    11: ("eleventh", "set 10"),
    12: ("twelfth", "set 11"),
    13: ("thirteenth", "set 12"),
    14: ("fourteenth", "set 13"),
    15: ("fifteenth", "set 14"),
    16: ("sixteenth", "set 15"),
    17: ("seventeenth", "set 16"),
    18: ("eighteenth", "set 17"),
    19: ("nineteenth", "set 18"),
    20: ("twentieth", "set 19"),
    21: ("twenty-first", "set 20"),
    22: ("twenty-second", "set 21"),
    23: ("twenty-third", "set 22"),
    24: ("twenty-fourth", "set 23"),
    25: ("twenty-fifth", "set 24"),  # measured once, under card item 71's rule (the half-depth candidate)
    26: ("twenty-sixth", "set 25"),  # measured once, under card item 73's rule (model 21)
    27: ("twenty-seventh", "set 26"),  # measured once, under card item 85's rule (model 19 alone)
}


def later_set(n: int) -> tuple[str, str, str]:
    """The names of held-out set n's attacks, ordinary and tricky prompts (n in LATER_SETS)."""
    return (
        f"held-out {n} attacks (written after {LATER_SETS[n][1]})",
        f"held-out {n} ordinary prompts",
        f"held-out {n} tricky prompts",
    )


def _later_rate_rows() -> list[tuple[str, str, str, str, str]]:
    """error_rates.json rows of the later sets, newest first: the report shows a rule's first rate."""
    rows = []
    for n, (ordinal, after) in sorted(LATER_SETS.items(), reverse=True):
        attacks, ordinary, tricky = later_set(n)
        written = f"written by another session after {after} {'was shipped' if n == 6 else 'was measured'}"
        benign = _SET_DATA.format(n, "benign")
        rows += [
            (
                tricky,
                "false-positive rate",
                "tricky prompt",
                f"tricky prompts (set {n})",
                f"{ordinal} held-out set of tricky-but-benign prompts (135 of 300 reported speech: "
                f"documents to summarise, red-team findings, quoted attacks), {written} "
                f"({benign}, kind tricky)",
            ),
            (
                ordinary,
                "false-positive rate",
                "prompt",
                f"ordinary prompts (set {n})",
                f"{ordinal} held-out set of ordinary prompts ({benign}, kind ordinary)",
            ),
            (
                attacks,
                "true-positive rate",
                "prompt",
                f"held-out attacks (set {n})",
                f"{ordinal} held-out set of attacks, 10 families, {written} "
                f"({_SET_DATA.format(n, 'attacks')})",
            ),
        ]
    return rows


COLUMNS = ("rules", "model", "combined", "policy")
CURVE_THRESHOLDS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)
FAMILIES = [
    "direct_override",
    "persona_jailbreak",
    "indirect",
    "prompt_extraction",
    "obfuscation",
    "payload_splitting",
    "fake_turns",
    "developer_mode",
    "refusal_suppression",
    "social_engineering",
]


def _jsonl(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "text" in r]  # the first line is the file's header


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a rate hits/n (fractions)."""
    if n == 0:
        return (math.nan, math.nan)
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(flags: Sequence[bool]) -> dict:
    hits, n = int(sum(flags)), len(flags)
    lo, hi = wilson(hits, n)
    return {
        "rate": round(hits / n, 4) if n else None,
        "hits": hits,
        "n": n,
        "ci95": [round(lo, 4), round(hi, 4)],
    }


def auc_ci(labels: np.ndarray, scores: np.ndarray, rounds: int = 1000) -> dict:
    """AUC with a 95 % percentile bootstrap interval (texts resampled within each class)."""
    rng = np.random.default_rng(0)
    pos, neg = np.where(labels == 1)[0], np.where(labels == 0)[0]
    boots = []
    for _ in range(rounds):
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        boots.append(roc_auc_score(labels[idx], scores[idx]))
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return {
        "auc": round(float(roc_auc_score(labels, scores)), 4),
        "ci95": [round(float(lo), 4), round(float(hi), 4)],
    }


def _fmt(r: dict) -> str:
    if not r["n"]:
        return "-"
    return (
        f"{100 * r['rate']:5.1f} % ({r['hits']}/{r['n']}) [{100 * r['ci95'][0]:.1f}-{100 * r['ci95'][1]:.1f}]"
    )


def tradeoff(which: str, attacks: np.ndarray, tricky: np.ndarray, ordinary: np.ndarray) -> list[dict]:
    """Recall and false-positive rates of the model at CURVE_THRESHOLDS on held-out set `which`;
    printed for information only (the model's threshold is fixed before, on its training data)."""
    print(
        f"\nModel at other thresholds, held-out set {which} (for information; the threshold is fixed before)"
    )
    print(f"  {'threshold':>9s} {'recall':>28s} {'tricky FPR':>28s} {'ordinary FPR':>28s}")
    curve = []
    for t in CURVE_THRESHOLDS:
        row = {"threshold": t, "recall": rate(attacks >= t), "tricky_fpr": rate(tricky >= t)}
        row["ordinary_fpr"] = rate(ordinary >= t)
        curve.append(row)
        cells = " ".join(f"{_fmt(row[k]):>28s}" for k in ("recall", "tricky_fpr", "ordinary_fpr"))
        print(f"  {t:9.2f} {cells}")
    return curve


_SET_DATA = "benchmarks/data/injection_heldout{}_{}.jsonl"
_RATE_ROWS = (  # (set, measure, unit, label, data): the model's rates the guard and report read
    (
        HELD_ORDINARY,
        "false-positive rate",
        "prompt",
        "ordinary prompts",
        f"held-out ordinary prompts written for issue 14 ({_SET_DATA.format('', 'benign')}, kind ordinary)",
    ),
    (
        HELD_TRICKY,
        "false-positive rate",
        "tricky prompt",
        "tricky-but-benign prompts",
        "held-out tricky-but-benign prompts written for issue 14 "
        f"({_SET_DATA.format('', 'benign')}, kind tricky)",
    ),
    (
        "held-out 2 tricky prompts",
        "false-positive rate",
        "tricky prompt",
        "tricky prompts (set 2)",
        "second held-out set of tricky-but-benign prompts, written after model 1 "
        f"({_SET_DATA.format('2', 'benign')}, kind tricky)",
    ),
    (
        HELD3_TRICKY,
        "false-positive rate",
        "tricky prompt",
        "tricky prompts (set 3)",
        "third held-out set of tricky-but-benign prompts, written after model 2, before model 3's "
        f"training data ({_SET_DATA.format('3', 'benign')}, kind tricky)",
    ),
    (
        HELD4_TRICKY,
        "false-positive rate",
        "tricky prompt",
        "tricky prompts (set 4)",
        "fourth held-out set of tricky-but-benign prompts (a third reported speech: documents to "
        "summarise, red-team findings, quoted attacks), written after model 3, before model 4's "
        f"training data ({_SET_DATA.format('4', 'benign')}, kind tricky)",
    ),
    (
        HELD4_ORDINARY,
        "false-positive rate",
        "prompt",
        "ordinary prompts (set 4)",
        f"fourth held-out set of ordinary prompts ({_SET_DATA.format('4', 'benign')}, kind ordinary)",
    ),
    (
        HELD5_TRICKY,
        "false-positive rate",
        "tricky prompt",
        "tricky prompts (set 5)",
        "fifth held-out set of tricky-but-benign prompts (146 of 311 reported speech: documents to "
        "summarise, red-team findings, quoted attacks), written after models 3 and 4, before model 5's "
        f"training data ({_SET_DATA.format('5', 'benign')}, kind tricky)",
    ),
    (
        HELD5_ORDINARY,
        "false-positive rate",
        "prompt",
        "ordinary prompts (set 5)",
        f"fifth held-out set of ordinary prompts ({_SET_DATA.format('5', 'benign')}, kind ordinary)",
    ),
    (
        HELD3_ORDINARY,
        "false-positive rate",
        "prompt",
        "ordinary prompts (set 3)",
        f"third held-out set of ordinary prompts ({_SET_DATA.format('3', 'benign')}, kind ordinary)",
    ),
    (
        "BOLD prompts, gender and race domains",
        "false-positive rate",
        "prompt",
        "BOLD prompts",
        "BOLD prompts of the gender and race domains (not trained on)",
    ),
    (
        "held-out attacks (issue 14)",
        "true-positive rate",
        "prompt",
        "held-out attacks",
        "held-out attacks of 10 families written for issue 14 before model 1 "
        f"({_SET_DATA.format('', 'attacks')})",
    ),
    (
        HELD2,
        "true-positive rate",
        "prompt",
        "held-out attacks (set 2)",
        "second held-out set of attacks, 10 families, written after model 1 and before model 2's "
        f"training data ({_SET_DATA.format('2', 'attacks')})",
    ),
    (
        HELD3,
        "true-positive rate",
        "prompt",
        "held-out attacks (set 3)",
        "third held-out set of attacks, 10 families, written after model 2 and before model 3's "
        f"training data ({_SET_DATA.format('3', 'attacks')})",
    ),
    (
        HELD4,
        "true-positive rate",
        "prompt",
        "held-out attacks (set 4)",
        "fourth held-out set of attacks, 10 families, written after model 3 and before model 4's "
        f"training data ({_SET_DATA.format('4', 'attacks')})",
    ),
    (
        HELD5,
        "true-positive rate",
        "prompt",
        "held-out attacks (set 5)",
        "fifth held-out set of attacks, 10 families, written after models 3 and 4 and before model 5's "
        f"training data ({_SET_DATA.format('5', 'attacks')})",
    ),
    (
        SHORT_BENIGN,
        "false-positive rate",
        "prompt",
        "short benign chat messages",
        "held-out short benign chat messages (system prompts, follow-ups such as 'repeat your last "
        "answer', revisions, role-play and format set-ups, meta questions, everyday trigger words, "
        "greetings; 45 % English, 45 other languages; benchmarks/data/injection_short_benign.jsonl, "
        "written after injection model card item 48)",
    ),
    (
        SENDS_BENIGN,
        "false-positive rate",
        "prompt",
        "benign requests to send to an address",
        "held-out benign requests that mail, forward, share, post or notify to an address (receipts to "
        "oneself, webhooks, markdown images, contact details, invites, support, automation; 45 % English, "
        "44 other languages; benchmarks/data/injection_benign_sends.jsonl, written after injection model "
        "card item 53)",
    ),
    (
        "bastioncorpus 0.6.0 attacks",
        "true-positive rate",
        "prompt",
        "bastioncorpus attacks",
        "third-party attacks: bastioncorpus 0.6.0 (MIT), malicious rows (a dev set for model 2: its "
        "benign rows' false positives were read)",
    ),
)


def write_error_rates(out: dict) -> None:
    """Replace the `injection-model` entries of genguard/guard/error_rates.json with this run's
    figures (the one place the guard, the report and the model card read them from); the sets the
    model was trained on (`out["trained_on_sets"]`) are left out: they are not held out for it."""
    t = out["model_threshold"]
    trained = trained_names(out["trained_on_sets"])
    fresh = []
    for name, measure, unit, label, data in (*_later_rate_rows(), *_RATE_ROWS):
        if name not in out["sets"] or name in trained:
            continue
        r = out["sets"][name]["model"]
        lo, hi = (100 * x for x in r["ci95"])
        entry = {"scorer": "injection-model", "threshold": t, "measure": measure, "value": r["rate"]}
        entry |= {"unit": unit, "data": f"{data}, 95 % interval {lo:.1f}-{hi:.1f} %", "n": r["n"]}
        fresh.append(entry | {"benchmark": "benchmarks/injection_quality.py", "label": label})
    for which, attacks, tricky in (
        ("3", HELD3, HELD3_TRICKY),
        ("4", HELD4, HELD4_TRICKY),
        ("5", HELD5, HELD5_TRICKY),
        *((str(n), later_set(n)[0], later_set(n)[2]) for n in LATER_SETS),
    ):
        if f"held-out {which}: attacks vs tricky prompts" not in out["auc"] or attacks in trained:
            continue
        auc = out["auc"][f"held-out {which}: attacks vs tricky prompts"]["model"]
        fresh.append(
            {
                "scorer": "injection-model",
                "threshold": None,
                "measure": "AUC",
                "value": auc["auc"],
                "unit": "prompt",
                "data": f"held-out set {which} attacks against its tricky-but-benign prompts, 95 % bootstrap "
                f"interval {auc['ci95'][0]:.3f}-{auc['ci95'][1]:.3f}",
                "n": out["sets"][attacks]["model"]["n"] + out["sets"][tricky]["model"]["n"],
                "benchmark": "benchmarks/injection_quality.py",
                "label": f"held-out attacks vs tricky prompts (set {which})",
            }
        )
    fresh += _language_rows(out.get("by_language", {}), t)
    replace_rates("injection-model", "benchmarks/injection_quality.py", fresh)
    print(f"written: {RATES_FILE} ({len(fresh)} injection-model entries)")


def _language_rows(split: dict, threshold: float) -> list[dict]:
    """error_rates.json entries of the head alone on the held-out later sets pooled
    (`by_language`'s "pooled"): recall and tricky FPR on the prompts the policy's language rule
    leaves alone and on those it marks as another language."""
    pooled = split.get("pooled_sets", [])
    sets = ("sets " if len(pooled) > 1 else "set ") + ", ".join(str(n) for n in pooled)
    rows = []
    for kind, measure, what in (
        ("attacks", "true-positive rate", "attacks"),
        ("tricky", "false-positive rate", "tricky-but-benign prompts"),
    ):
        for group, language, rule in (
            ("english", "English", "left alone by"),
            ("other", "other languages", "marked as another language by"),
        ):
            r = split.get("pooled", {}).get(kind, {}).get(group, {}).get("model")
            if not r or not r["n"]:
                continue
            lo, hi = (100 * x for x in r["ci95"])
            data = f"held-out {sets}: {what} {rule} the built-in policy's language rule"
            rows.append(
                {"scorer": "injection-model", "threshold": threshold, "measure": measure, "value": r["rate"]}
                | {"unit": "prompt", "data": f"{data}, 95 % interval {lo:.1f}-{hi:.1f} %", "n": r["n"]}
                | {"benchmark": "benchmarks/injection_quality.py", "label": f"held-out {what}, {language}"}
            )
    return rows


_PAIRS = (  # (set number, attacks, ordinary prompts, tricky prompts) of the held-out sets
    ("1", "held-out attacks (issue 14)", HELD_ORDINARY, HELD_TRICKY),
    ("2", HELD2, "held-out 2 ordinary prompts", "held-out 2 tricky prompts"),
    ("3", HELD3, HELD3_ORDINARY, HELD3_TRICKY),
    ("4", HELD4, HELD4_ORDINARY, HELD4_TRICKY),
    ("5", HELD5, HELD5_ORDINARY, HELD5_TRICKY),
    *((str(n), *later_set(n)) for n in LATER_SETS),
)


def trained_names(numbers: Sequence[int]) -> set[str]:
    """The names of the held-out sets' rows (attacks, ordinary, tricky) of the set `numbers`."""
    return {name for n, *names in _PAIRS if int(n) in numbers for name in names}


def at_recall(attacks: np.ndarray, tricky: np.ndarray, goal: float = 0.8) -> dict:
    """The highest 0.01-step threshold whose recall is >= goal, and the tricky FPR there (for
    comparing two models' curves; not a threshold either ships with)."""
    steps = np.round(np.arange(0.99, 0.0, -0.01), 2)
    t = next((float(x) for x in steps if (attacks >= x).mean() >= goal), 0.0)
    return {"threshold": t, "recall": rate(attacks >= t), "tricky_fpr": rate(tricky >= t)}


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for b texts flagged by one model only and c by the other only
    (binomial with p = 1/2 on the b + c discordant texts; 1.0 when there are none)."""
    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n)


def paired(shipped: np.ndarray, candidate: np.ndarray) -> dict:
    """Flags of the same texts by two policies: how many both flag, each alone, and McNemar's p.
    On the same texts this tests two models with less noise than comparing their two rates (card
    item 68)."""
    b, c = int((shipped & ~candidate).sum()), int((~shipped & candidate).sum())
    return {
        "both": int((shipped & candidate).sum()),
        "shipped_only": b,
        "candidate_only": c,
        "p": mcnemar_exact(b, c),
    }


def candidate_report(folder: Path, sets: dict, scores: dict, t_model: float) -> dict:
    """A model folder that is not shipped, head alone at its own threshold, on every set beside the
    rules and the shipped model: totals, AUC with bootstrap intervals and the tricky FPR at 80 %
    recall on held-out sets 1-5. Nothing per family, topic or text."""
    cand = injection_model.InjectionModelScorer(model_dir=folder, screen=False)
    t_cand = cand.threshold
    # the confirm step its build chose for the policy (config.json), else the shipped policy's
    chosen = injection_model.InjectionModelScorer.chosen("confirm", folder)
    c_confirm = policy_confirm() if chosen is None else chosen
    print(f"\ncandidate: {cand.model_id} ({folder}), flagged at >= {t_cand}; head alone; totals only")
    print(f"candidate policy: the candidate at {t_cand}, or the rules where it scores >= {c_confirm}")
    columns = ("rules", "model", "policy", "candidate", "candidate policy")
    print(f"{'set':44s} {'measure':8s} " + " ".join(f"{k:>28s}" for k in columns))
    out: dict = {"model": cand.model_id, "folder": str(folder), "threshold": t_cand, "sets": {}}
    out["policy_confirm"] = c_confirm
    out["trained_on_sets"] = cand.head.config.get("training", {}).get("heldout_sets_trained_on", [])
    trained = trained_names(out["trained_on_sets"])
    if trained:
        print(f"* the candidate was trained on held-out sets {out['trained_on_sets']}: training figures")
    for name, (texts, _groups) in sets.items():
        c = np.array([x.score for x in cand.score(texts)])
        scores[name]["candidate"] = c
        r = scores[name]["rules"]
        entry = {k: rate(scores[name][k] >= t) for k, t in (("rules", FLAG), ("model", t_model))}
        entry["policy"] = rate(scores[name]["flags"]["policy"])
        entry["candidate"] = rate(c >= t_cand)
        c_policy = (c >= t_cand) | ((r >= FLAG) & (c >= c_confirm))
        entry["candidate policy"] = rate(c_policy)
        entry["paired"] = paired(np.asarray(scores[name]["flags"]["policy"]), c_policy)
        out["sets"][name] = entry
        short = "recall" if "attack" in name else "FPR"
        cells = " ".join(f"{_fmt(entry[k]):>28s}" for k in columns)
        print(f"{name + ('*' if name in trained else ''):44s} {short:8s} {cells}")
    print("\nPaired, as the policies decide: texts both flag / the shipped model only / the candidate only")
    for name, entry in out["sets"].items():
        p = entry["paired"]
        if p["shipped_only"] + p["candidate_only"] and name not in trained:
            print(
                f"  {name:44s} {p['both']:5d} / {p['shipped_only']:3d} / {p['candidate_only']:3d}"
                f"   McNemar exact p {p['p']:.3f}"
            )
    out["auc"], out["at_80_recall"] = {}, {}
    print(
        "\nAUC (95 % bootstrap interval); tricky FPR at the highest 0.01-step threshold with >= 80 % recall"
    )
    for which, pos, ordinary, tricky in _PAIRS:
        if pos not in scores:
            continue
        for kind, neg in (("ordinary", ordinary), ("tricky", tricky)):
            labels = np.r_[np.ones(len(scores[pos]["model"])), np.zeros(len(scores[neg]["model"]))]
            row = {k: auc_ci(labels, np.r_[scores[pos][k], scores[neg][k]]) for k in ("model", "candidate")}
            out["auc"][f"held-out {which}: attacks vs {kind} prompts"] = row
            print(
                f"  set {which}, attacks vs {kind:8s}  shipped "
                + "  candidate ".join(
                    f"{row[k]['auc']:.3f} [{row[k]['ci95'][0]:.3f}-{row[k]['ci95'][1]:.3f}]"
                    for k in ("model", "candidate")
                )
            )
        row = {k: at_recall(scores[pos][k], scores[tricky][k]) for k in ("model", "candidate")}
        out["at_80_recall"][which] = row
        print(
            f"  set {which}, at 80 % recall:      shipped "
            + "  candidate ".join(
                f"{row[k]['threshold']:.2f}: {_fmt(row[k]['tricky_fpr'])}" for k in ("model", "candidate")
            )
        )
    return out


def by_language(sets: dict, scores: dict, trained: Sequence[int], first: int = 12) -> dict:
    """On the later sets from `first` on (written in many languages): recall and tricky FPR of
    the rows the built-in policy's language rule leaves alone ("english") and of those it marks
    ("other"), as the policy decides and by the head alone at its threshold, printed and returned
    as {set: {"attacks" | "tricky": {"english" | "other": {"policy" | "model": rate}}}}, plus
    "pooled": the same over the sets the model was not trained on (`trained`: set numbers)."""
    from language_quality import language_marks  # the policy's language rule, built once

    out: dict = {}
    pooled: dict = {}
    print("\nBy language (rows the policy's language rule leaves alone / marks), as the policy decides")
    for n in (n for n in LATER_SETS if n >= first):
        attacks, _ordinary, tricky = later_set(n)
        if attacks not in scores:
            continue
        out[str(n)] = {}
        for kind, name in (("attacks", attacks), ("tricky", tricky)):
            other = language_marks(sets[name][0])
            out[str(n)][kind] = {}
            for group, rows in (("english", ~other), ("other", other)):
                flags = {k: np.asarray(scores[name]["flags"][k])[rows] for k in ("policy", "model")}
                out[str(n)][kind][group] = {k: rate(v) for k, v in flags.items()}
                if n not in trained:
                    for k, v in flags.items():
                        pooled.setdefault(kind, {}).setdefault(group, {}).setdefault(k, []).extend(v)
            cells = "  ".join(f"{g} {_fmt(v['policy']):>28s}" for g, v in out[str(n)][kind].items())
            print(f"  set {n:2d} {kind:8s} {cells}")
    out["pooled"] = {
        kind: {g: {k: rate(v) for k, v in by.items()} for g, by in groups.items()}
        for kind, groups in pooled.items()
    }
    out["pooled_sets"] = [
        n for n in LATER_SETS if n >= first and n not in trained and later_set(n)[0] in scores
    ]
    return out


def policy_confirm() -> float:
    """The injection-model score at which the built-in policy's default input stage lets the
    rules block (its `confirm`); 0.0 where the rules block alone."""
    from genguard.guard.policy import Policy

    rule = next(r for r in Policy.load().profile("default").stages["input"] if r.scorer == "injection")
    return float(rule.confirm.get("injection-model", 0.0))


def model_report(show: int, candidate: Path | None = None) -> dict:
    """Rules, model and combined on the sets the model never saw; prints tables, writes RESULTS;
    with `candidate` also that model folder's totals beside them (`candidate_report`)."""
    # The head alone: the first-pass screen (models/injection-minilm/screen.*, distilled from a head)
    # is measured on and off in guard_quality/guard_speed; a screen distilled from an older head
    # would otherwise distort the head's rates here.
    rules, model = get_scorer("injection"), get_scorer("injection-model", screen=False)
    t_model = model.threshold
    confirm = policy_confirm()
    attacks = _jsonl(DATA / "injection_heldout_attacks.jsonl")
    benign = _jsonl(DATA / "injection_heldout_benign.jsonl")
    older = _jsonl(PROMPTS)
    sets: dict[str, tuple[list[str], list[str]]] = {}  # name -> (texts, groups)
    sets["held-out attacks (issue 14)"] = ([r["text"] for r in attacks], [r["family"] for r in attacks])
    sets["held-out ordinary prompts"] = ([r["text"] for r in benign if r["kind"] == "ordinary"], [])
    sets["held-out tricky-but-benign prompts"] = (
        [r["text"] for r in benign if r["kind"] == "tricky"],
        [r["topic"] for r in benign if r["kind"] == "tricky"],
    )
    attacks2 = _jsonl(DATA / "injection_heldout2_attacks.jsonl")
    benign2 = _jsonl(DATA / "injection_heldout2_benign.jsonl")
    sets[HELD2] = ([r["text"] for r in attacks2], [r["family"] for r in attacks2])
    for kind in ("ordinary", "tricky"):
        sets[f"held-out 2 {kind} prompts"] = ([r["text"] for r in benign2 if r["kind"] == kind], [])
    for n, attacks_name, ordinary_name, tricky_name in (
        (3, HELD3, HELD3_ORDINARY, HELD3_TRICKY),
        (4, HELD4, HELD4_ORDINARY, HELD4_TRICKY),
        (5, HELD5, HELD5_ORDINARY, HELD5_TRICKY),
        *((n, *later_set(n)) for n in LATER_SETS),
    ):
        if not (DATA / f"injection_heldout{n}_attacks.jsonl").exists():
            continue
        attacks_n = _jsonl(DATA / f"injection_heldout{n}_attacks.jsonl")
        benign_n = _jsonl(DATA / f"injection_heldout{n}_benign.jsonl")
        tricky_n = [r for r in benign_n if r["kind"] == "tricky"]
        sets[attacks_name] = ([r["text"] for r in attacks_n], [r["family"] for r in attacks_n])
        sets[ordinary_name] = ([r["text"] for r in benign_n if r["kind"] == "ordinary"], [])
        sets[tricky_name] = ([r["text"] for r in tricky_n], [r["topic"] for r in tricky_n])
    for split in SPLITS:
        for label in ("attack", "benign"):
            chosen = [r for r in older if r["split"] == split and r["label"] == label]
            sets[f"older prompts, {split} {label}s"] = (
                [r["text"] for r in chosen],
                [r["category"] for r in chosen],
            )
    try:
        from bastioncorpus import load_corpus

        corpus = load_corpus()
        for label, name in (("malicious", "attack"), ("benign", "benign")):
            chosen = [r for r in corpus if r.label == label]
            sets[f"bastioncorpus 0.6.0 {name}s"] = (
                [r.text.replace("{canary}", "CANARY-7F3A") for r in chosen],
                [r.category for r in chosen],
            )
    except ImportError:
        print("(bastioncorpus not installed: its rows are skipped; `pip install bastioncorpus==0.6.0`)")
    bold_texts = [p for domain in ("gender", "race") for g in bold_prompts(domain).values() for _n, p in g]
    sets["BOLD prompts, gender and race domains"] = (bold_texts, [])
    for name, file in BENIGN_ONLY.items():
        if (DATA / file).exists():
            rows = _jsonl(DATA / file)
            sets[name] = ([r["text"] for r in rows], [r["kind"] for r in rows])

    print(f"rules: {rules.model_id}, flagged at >= {FLAG}")
    print(f"model: {model.model_id}, flagged at >= {t_model}")
    print("combined: flagged by either; score = the higher of the two")
    print(
        f"policy: as the built-in policy's input stage decides: the model at {t_model}, or the rules "
        f"where the model confirms (>= {confirm})\n"
    )
    out: dict = {"rules": rules.model_id, "model": model.model_id, "rules_threshold": FLAG}
    out |= {"model_threshold": t_model, "model_screen": False, "policy_confirm": confirm}
    # Held-out sets the shipped model was trained on (its config.json): measured, but not held out.
    out["trained_on_sets"] = model.head.config.get("training", {}).get("heldout_sets_trained_on", [])
    if out["trained_on_sets"]:
        print(f"the model was trained on held-out sets {out['trained_on_sets']}: training figures there\n")
    out |= {"sets": {}, "auc": {}}
    scores: dict[str, dict[str, np.ndarray]] = {}
    for name, (texts, _groups) in sets.items():
        t0 = time.perf_counter()
        r = np.array([x.score for x in rules.score(texts)])
        m = np.array([x.score for x in model.score(texts)])
        scores[name] = {"rules": r, "model": m, "combined": np.maximum(r, m)}
        flags = {
            "rules": r >= FLAG,
            "model": m >= t_model,
            "combined": (r >= FLAG) | (m >= t_model),
            "policy": (m >= t_model) | ((r >= FLAG) & (m >= confirm)),
        }
        kind = "recall" if "attack" in name else "false-positive rate"
        entry = {
            "kind": kind,
            **{k: rate(v) for k, v in flags.items()},
            "seconds": round(time.perf_counter() - t0, 1),
        }
        if _groups:
            entry["by_group"] = {
                g: {
                    k: rate([f for f, gg in zip(v, _groups, strict=True) if gg == g])
                    for k, v in flags.items()
                }
                for g in dict.fromkeys(_groups)
            }
        out["sets"][name] = entry
        scores[name]["flags"] = flags  # type: ignore[assignment]
    print(f"{'set':44s} {'measure':8s} " + " ".join(f"{k:>28s}" for k in COLUMNS))
    for name, e in out["sets"].items():
        short = "recall" if e["kind"] == "recall" else "FPR"
        print(f"{name:44s} {short:8s} " + " ".join(f"{_fmt(e[k]):>28s}" for k in COLUMNS))
    for name in ("held-out attacks (issue 14)", HELD2, HELD3, HELD4):
        e = out["sets"][name]["by_group"]
        print(f"\nRecall per family, {name}")
        for fam in FAMILIES:
            cells = " ".join(f"{_fmt(e[fam][k]):>28s}" for k in COLUMNS)
            print(f"  {fam:42s} {cells}")
    for name in (HELD_TRICKY, HELD3_TRICKY, HELD4_TRICKY, *BENIGN_ONLY):
        if name not in out["sets"]:
            continue
        print(f"\nFPR per topic, {name}")
        for topic, row in out["sets"][name]["by_group"].items():
            print(f"  {topic[:42]:42s} " + " ".join(f"{_fmt(row[k]):>28s}" for k in COLUMNS))
    out["curve_set3"] = tradeoff(
        "3", scores[HELD3]["model"], scores[HELD3_TRICKY]["model"], scores[HELD3_ORDINARY]["model"]
    )
    out["curve_set4"] = tradeoff(
        "4", scores[HELD4]["model"], scores[HELD4_TRICKY]["model"], scores[HELD4_ORDINARY]["model"]
    )
    out["curve_set5"] = tradeoff(
        "5", scores[HELD5]["model"], scores[HELD5_TRICKY]["model"], scores[HELD5_ORDINARY]["model"]
    )
    for n, pos, tricky, ordinary in (
        *((n, later_set(n)[0], later_set(n)[2], later_set(n)[1]) for n in LATER_SETS),
    ):
        if pos in scores:
            out[f"curve_set{n}"] = tradeoff(
                str(n), scores[pos]["model"], scores[tricky]["model"], scores[ordinary]["model"]
            )

    for key, pos, neg in (
        ("attacks vs ordinary prompts", "held-out attacks (issue 14)", HELD_ORDINARY),
        ("attacks vs tricky-but-benign prompts", "held-out attacks (issue 14)", HELD_TRICKY),
        ("held-out 2: attacks vs ordinary prompts", HELD2, "held-out 2 ordinary prompts"),
        ("held-out 2: attacks vs tricky prompts", HELD2, "held-out 2 tricky prompts"),
        ("held-out 3: attacks vs ordinary prompts", HELD3, HELD3_ORDINARY),
        ("held-out 3: attacks vs tricky prompts", HELD3, HELD3_TRICKY),
        ("held-out 4: attacks vs ordinary prompts", HELD4, HELD4_ORDINARY),
        ("held-out 4: attacks vs tricky prompts", HELD4, HELD4_TRICKY),
        ("held-out 5: attacks vs ordinary prompts", HELD5, HELD5_ORDINARY),
        ("held-out 5: attacks vs tricky prompts", HELD5, HELD5_TRICKY),
        *(
            (f"held-out {n}: attacks vs {kind} prompts", later_set(n)[0], later_set(n)[k])
            for n in LATER_SETS
            for k, kind in ((1, "ordinary"), (2, "tricky"))
        ),
    ):
        if pos not in scores:
            continue
        labels = np.r_[np.ones(len(scores[pos]["model"])), np.zeros(len(scores[neg]["model"]))]
        out["auc"][key] = {
            k: auc_ci(labels, np.r_[scores[pos][k], scores[neg][k]]) for k in ("rules", "model", "combined")
        }
    out["by_language"] = by_language(sets, scores, out["trained_on_sets"])
    pos = "held-out attacks (issue 14)"
    print("\nAUC (95 % bootstrap interval), held-out attacks against")
    for name, row in out["auc"].items():
        print(
            f"  {name:42s} "
            + " ".join(
                f"{row[k]['auc']:.3f} [{row[k]['ci95'][0]:.3f}-{row[k]['ci95'][1]:.3f}]".rjust(28)
                for k in ("rules", "model", "combined")
            )
        )

    if candidate is not None:
        out["candidate"] = candidate_report(candidate, sets, scores, t_model)

    if show:
        fams = sets[pos][1]
        missed = [
            (f, t)
            for t, f, hit in zip(sets[pos][0], fams, scores[pos]["flags"]["combined"], strict=True)
            if not hit
        ]
        print(f"\nheld-out attacks missed by both ({len(missed)}), first {show}:")
        for fam, t in missed[:show]:
            print(f"   {fam}: {t[:120]!r}")
        for neg in ("held-out ordinary prompts", "held-out tricky-but-benign prompts"):
            fps = [t for t, hit in zip(sets[neg][0], scores[neg]["flags"]["model"], strict=True) if hit]
            print(f"model false positives on {neg[9:]} ({len(fps)}):")
            for t in fps[:show]:
                print(f"   {t[:120]!r}")
    RESULTS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS}")
    write_error_rates(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show",
        type=int,
        default=0,
        help="misses and false positives to print (default none: the held-out sets are for measuring, "
        "and a change made after reading their errors would tune on them)",
    )
    parser.add_argument("--part", choices=["all", "rules", "model"], default="all")
    parser.add_argument(
        "--candidate",
        type=Path,
        default=None,
        help="a model folder that is not shipped, measured beside the shipped model (totals only)",
    )
    args = parser.parse_args()
    if args.part != "rules":
        model_report(args.show, args.candidate)
    if args.part != "model":
        rules_report(args.show)


def rules_report(show: int) -> None:

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

    if show:
        print(f"\nfalse positives ({len(examples)}), first {show}:")
        for t in examples[:show]:
            print("  ", repr(t[:140]))
        print(f"missed attacks as written ({len(misses)}), first {show}:")
        for t in misses[:show]:
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
