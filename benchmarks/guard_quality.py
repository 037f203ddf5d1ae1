# ruff: noqa: RUF001  (the homoglyph transform is made of look-alike characters on purpose)
"""Quality of the toxicity guardrail model against the lexicon baseline, and how evasion tricks fare.

Rows: the toxicity model (`ToxicityScorer()`, the default threshold from its config.json; whole
texts scored with `probabilities()`), the lexicon baseline (`LexiconScorer()`, flagged = any list
word, i.e. score > 0; its score ranks texts for AUC) and, as an external anchor, the off-the-shelf
`alt-profanity-check` package (`predict_prob`, flagged at 0.5; skipped if it does not import). Its
training data included every Davidson tweet (its README says so), so its Davidson column is
optimistic by construction.

Evaluation sets, each named in the output:
- Davidson et al. (2017) held-out test split: the exact 10 % the model was trained without,
  rebuilt with `genguard.guard.train.split_indices` and the seed in models/toxicity-minilm/config.json
  (checked: the toxicity AUC must equal the model card's to 3 decimals). Toxic = class 0 or 1.
  AUC, F1, FPR and TPR at the default threshold, and recall on the hate-speech class (0) alone.
- BOLD Wikipedia sentences from the domains held out of training (gender, race): human-written,
  non-toxic; false-positive rate with a 95 % Wilson interval, and the 5 highest-scoring sentences.
- benchmarks/data/toxicity_probe.jsonl: a small (140 sentences) out-of-distribution probe written
  by the project: AUC, and recall / FPR per category.
- a threshold sweep of the toxicity model over the three sets.
- an evasion suite: toxic texts the model catches as written (300 sampled Davidson test positives
  plus the probe's caught toxic sentences) and ~100 synthetic PII sentences the PII scorer catches
  as written, each rewritten with homoglyphs, zero-width characters, spacing, leetspeak,
  full-width characters and upper case (transforms written here, not in the library); catch rate
  per transform for the toxicity model (screen on, and off: the head's own decisions), the
  lexicon, profanity-check and the PII scorer.

- issue 14: benchmarks/data/toxicity_registers_test.jsonl (214 project-written sentences in four
  registers, written before the training data they test): AUC per register with bootstrap
  intervals, FPR per kind of hard negative, the category heads' AUC, and recall with
  `allow=["profanity"]`; the counterfactual gender gap of the scorer on held-out templates
  (benchmarks/data/toxicity_gender_templates.txt); and a cross-source table: a head trained on
  each labelled source (Davidson, augment.yaml, written.yaml, short.yaml) tested on the others, the
  held-out sets and BOLD's held-out domains (skip it with --no-cross).
- issue 14, short texts: benchmarks/data/toxicity_short_heldout.jsonl (330 texts of 1-8 words:
  answers, option letters, numbers, yes/no in several languages, replies, greetings, preferences,
  questions; short insults, profanity, threats, sexual, identity attacks; written before
  short.yaml): AUC [bootstrap], FPR and TPR at the threshold [Wilson], screen on and off, flag
  rate per kind.
- issue 14, the gender gap again on a second, later template set (toxicity_gender_templates2.txt).
- issue 14, tweets from other hands: benchmarks/data/toxicity_tweets_heldout.jsonl (600 tweets
  written by two helper sessions that read nothing of the project, labelled by an offensive-language
  guideline: any swear word or an insult aimed at a person or group is offensive; hard negatives
  on the same heated topics): AUC [bootstrap], recall and FPR per writer for every scorer, flag
  rate per kind; `--against EARLIER.json` adds the paired AUC difference on the same tweets. The
  same for the later tweet sets (heldout2-4) and for held-out prose (toxicity_prose_heldout.jsonl:
  sentences that quote, title, report or discuss offensive words, which are not offensive, and
  prose that offends in the writer's own voice; injection card item 82).

Numbers are also written to benchmarks/results/guard_quality.json.

Usage: python benchmarks/guard_quality.py [--evasion-sample 300] [--out benchmarks/results/guard_quality.json]
About 5 minutes on a 2-core CPU (1-2 with --no-cross).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from genguard.datasets import bold_wikipedia_paragraphs, bold_wikipedia_sentences, davidson_tweets
from genguard.fairness.gender_swap import read_swaps, swap_gender
from genguard.fairness.tone import ToneScorer
from genguard.guard.train import evaluate, split_indices
from genguard.lazy import load_script
from genguard.scoring.lexicon import LexiconScorer
from genguard.scoring.pii import PIIScorer, iban_valid, luhn_valid
from genguard.scoring.toxicity import DEFAULT_MODEL_DIR, ToxicityScorer

PROBE = Path(__file__).parent / "data" / "toxicity_probe.jsonl"
OUT = Path(__file__).parent / "results" / "guard_quality.json"
SWEEP = (0.2, 0.3, 0.5, 0.7, 0.9)
LEXICON_FLAG = 0.5  # lexicon score = 1 - 0.5 ** (distinct words), so >= 0.5 is exactly "score > 0"
PROFANITY_CHECK_FLAG = 0.5  # the package's own predict() threshold
SEED = 0

Scores = np.ndarray


# --- small helpers ------------------------------------------------------------------------------


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion k/n."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{digits}f} %"


def rate(flags: np.ndarray) -> float | None:
    return float(flags.mean()) if len(flags) else None


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a plain-text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    print(f"\n{title}")

    def line(cells: Sequence[str]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in pairs)

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))


# --- evasion transforms (benchmark-only; the library's normaliser is what they test) -------------

_HOMOGLYPHS = str.maketrans("aeocpxiAEOCPXI", "аеосрхіАЕОСРХІ")
_ZW = "\u200b"
_WORD = re.compile(r"[^\W\d_]{2,}")
_LONG_WORD = re.compile(r"(?<!\w)[^\W\d_]{5,}(?!\w)")
_LEET = {"e": "3", "i": "1", "o": "0", "s": "$"}


def homoglyphs(text: str) -> str:
    """Cyrillic look-alikes for a/e/o/c/p/x/i (and their capitals) everywhere in the text."""
    return text.translate(_HOMOGLYPHS)


def zero_width_words(text: str) -> str:
    """U+200B between the letters of every word."""
    return _WORD.sub(lambda m: _ZW.join(m.group(0)), text)


def leetspeak(text: str) -> str:
    """Letters only (digits untouched): a -> @ at the start of a word, else 4; e 3, i 1, o 0, s $."""
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        if low == "a":
            out.append("@" if i == 0 or not text[i - 1].isalnum() else "4")
        else:
            out.append(_LEET.get(low, ch))
    return "".join(out)


def full_width(text: str) -> str:
    """ASCII to its full-width form (U+FF01-FF5E; space to U+3000)."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def spaced_spans(text: str, spans: Sequence[tuple[int, int]], sep: str = " ") -> str:
    """`text` with the characters of each span separated by `sep` ("idiot" -> "i d i o t")."""
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + sep.join(text[s:e].replace(" ", "")) + text[e:]
    return text


# Each transform gets the text and the spans of its "sensitive" parts: for toxic texts the
# offensive words (used by spacing only), for PII the value (zero-width and spacing go inside it).
Transform = Callable[[str, Sequence[tuple[int, int]]], str]
TRANSFORMS: dict[str, tuple[Transform, Transform]] = {  # name -> (toxic text, PII text)
    "as written": (lambda t, s: t, lambda t, s: t),
    "homoglyphs (Cyrillic a e o c p x i)": (lambda t, s: homoglyphs(t), lambda t, s: homoglyphs(t)),
    "zero-width U+200B (in words / in value)": (
        lambda t, s: zero_width_words(t),
        lambda t, s: spaced_spans(t, s, _ZW),
    ),
    "spacing (i d i o t / 4 1 1 1 ...)": (lambda t, s: spaced_spans(t, s), lambda t, s: spaced_spans(t, s)),
    "leetspeak (a4/@ e3 i1 o0 s$)": (lambda t, s: leetspeak(t), lambda t, s: leetspeak(t)),
    "full-width characters": (lambda t, s: full_width(t), lambda t, s: full_width(t)),
    "upper case": (lambda t, s: t.upper(), lambda t, s: t.upper()),
}


# --- synthetic PII ------------------------------------------------------------------------------

_FIRST = [
    "anna",
    "james",
    "maria",
    "oscar",
    "li",
    "sofia",
    "peter",
    "aisha",
    "carlos",
    "emma",
    "noah",
    "olga",
]
_LAST = ["smith", "garcia", "chen", "okafor", "schmidt", "rossi", "novak", "patel", "silva", "jones"]
_DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "uni.example.edu"]
_AREAS = ["212", "415", "650", "312", "617", "206", "303", "512", "646", "202"]
_TEMPLATES = {
    "EMAIL": ["Please send the invoice to {v} by Friday.", "You can reach me at {v} if anything changes."],
    "CREDIT_CARD": ["My card number is {v}, it expires next year.", "Charge it to {v} please."],
    "IBAN": ["Wire the deposit to IBAN {v} before the 5th.", "Our account is {v} at the local bank."],
    "US_SSN": ["His social security number is {v}.", "Fill in {v} as the SSN on the form."],
    "PHONE": ["Call me on {v} after six.", "The landlord's number is {v}, text first."],
    "IP_ADDRESS": ["The attack came from {v} last night.", "Whitelist {v} on the firewall."],
}


def _luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def _iban(country: str, bban: str) -> str:
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def pii_values(rng: np.random.Generator, per_type: int) -> list[tuple[str, str]]:
    """(type, value) pairs: valid-checksum cards and IBANs, SSNs outside the invalid ranges, ..."""

    def digits(n: int) -> str:
        return "".join(str(d) for d in rng.integers(0, 10, n))

    def letters(n: int) -> str:
        return "".join(chr(65 + int(c)) for c in rng.integers(0, 26, n))

    out: list[tuple[str, str]] = []
    for i in range(per_type):
        first, last = _FIRST[i % len(_FIRST)], _LAST[(3 * i) % len(_LAST)]
        name = [f"{first}.{last}", f"{first}{last[0]}{rng.integers(1, 99)}", f"{last}_{first}"][i % 3]
        out.append(("EMAIL", f"{name}@{_DOMAINS[i % len(_DOMAINS)]}"))
        prefix = ["4", "51", "55", "2221", "37"][i % 5]
        card = _luhn_complete(prefix + digits((15 if prefix == "37" else 16) - len(prefix) - 1))
        card = card if i % 2 else " ".join(card[j : j + 4] for j in range(0, len(card), 4))
        out.append(("CREDIT_CARD", card))
        country, bban = [
            ("DE", digits(18)),
            ("GB", letters(4) + digits(14)),
            ("FR", digits(10) + letters(1) + digits(12)),
            ("NL", letters(4) + digits(10)),
        ][i % 4]
        iban = _iban(country, bban)
        assert iban_valid(iban)
        iban = iban if i % 2 else " ".join(iban[j : j + 4] for j in range(0, len(iban), 4))
        out.append(("IBAN", iban))
        area = int(rng.integers(1, 900))
        area = area + 1 if area == 666 else area
        out.append(("US_SSN", f"{area:03d}-{rng.integers(1, 100):02d}-{rng.integers(1, 10000):04d}"))
        a, ex, num = _AREAS[i % len(_AREAS)], int(rng.integers(201, 999)), digits(4)
        out.append(("PHONE", [f"({a}) {ex}-{num}", f"{a}-{ex}-{num}", f"+1 {a} {ex} {num}"][i % 3]))
        if i % 3 == 2:
            groups = ":".join(f"{int(g):x}" for g in rng.integers(0, 65536, 6))
            out.append(("IP_ADDRESS", f"2001:db8:{groups}"))
        else:
            out.append(("IP_ADDRESS", ".".join(str(int(b)) for b in rng.integers(1, 255, 4))))
    return out


def pii_examples(pii: PIIScorer, per_type: int) -> list[tuple[str, str, tuple[int, int]]]:
    """(text, type, value span) for synthetic sentences whose value the PII scorer finds as written."""
    rng = np.random.default_rng(SEED)
    examples = []
    seen: dict[str, int] = {}
    for kind, value in pii_values(rng, per_type):
        seen[kind] = seen.get(kind, -1) + 1
        template = _TEMPLATES[kind][seen[kind] % len(_TEMPLATES[kind])]
        start = template.index("{v}")
        examples.append((template.format(v=value), kind, (start, start + len(value))))
    results = pii.score([t for t, _, _ in examples])
    return [ex for ex, r in zip(examples, results, strict=True) if any(f.label == ex[1] for f in r.findings)]


# --- issue 14: cross-source, register test set, categories, gender counterfactual --------------

REGISTERS = Path(__file__).parent / "data" / "toxicity_registers_test.jsonl"
SHORT = Path(__file__).parent / "data" / "toxicity_short_heldout.jsonl"
GENDER_TEMPLATES = Path(__file__).parent / "data" / "toxicity_gender_templates.txt"
GENDER_TEMPLATES2 = Path(__file__).parent / "data" / "toxicity_gender_templates2.txt"
# results key -> (held-out set written by other hands, what it holds, label in error_rates.json);
# injection card items 78-80 and 82
LABELLED = {
    f"tweets{k}": (
        Path(__file__).parent / "data" / f"toxicity_tweets_heldout{k}.jsonl",
        "tweets",
        f"held-out tweets{suffix}",
    )
    for k, suffix in (("", ""), ("2", ", second set"), ("3", ", third set"), ("4", ", fourth set"))
} | {
    f"prose{k}": (
        Path(__file__).parent / "data" / f"toxicity_prose_heldout{k}.jsonl",
        "prose sentences",
        f"held-out prose quoting offensive words{suffix}",
    )
    for k, suffix in (("", ""), ("2", ", second set"))
}


def bootstrap_auc(labels: np.ndarray, scores: np.ndarray, n: int = 1000) -> tuple[float, float, float]:
    """AUC and its 95 % bootstrap interval (resampling texts, seed 0)."""
    rng = np.random.default_rng(SEED)
    aucs = []
    for _ in range(n):
        idx = rng.integers(0, len(labels), len(labels))
        if 0 < labels[idx].sum() < len(idx):
            aucs.append(roc_auc_score(labels[idx], scores[idx]))
    lo, hi = np.percentile(aucs, [2.5, 97.5])
    return float(roc_auc_score(labels, scores)), float(lo), float(hi)


def registers_section(tox: ToxicityScorer, results: dict) -> None:
    """The project-written held-out register set: AUC per register, recall per category, FPR per
    kind of hard negative, category heads' AUC, and what `allow=["profanity"]` changes."""
    rows = [json.loads(x) for x in REGISTERS.read_text(encoding="utf-8").splitlines() if x.strip()]
    rows = [r for r in rows if "text" in r]
    texts = [r["text"] for r in rows]
    labels = np.array([r["label"] for r in rows])
    res = tox.score(texts)
    s = np.array([r.score for r in res])
    flag = s >= tox.threshold
    out: dict = {"n": len(rows), "positives": int(labels.sum())}
    auc, lo, hi = bootstrap_auc(labels, s)
    out["auc"], out["auc95"] = auc, [lo, hi]
    out["fpr"], out["tpr"] = rate(flag[labels == 0]), rate(flag[labels == 1])
    table_rows = [
        ["all", str(len(rows)), f"{auc:.3f} [{lo:.3f}, {hi:.3f}]", pct(out["tpr"]), pct(out["fpr"])]
    ]
    out["per_register"] = {}
    for reg in dict.fromkeys(r["register"] for r in rows):
        m = np.array([r["register"] == reg for r in rows])
        a, lo, hi = bootstrap_auc(labels[m], s[m])
        cell = {"n": int(m.sum()), "auc": a, "auc95": [lo, hi]}
        cell |= {"tpr": rate(flag[m & (labels == 1)]), "fpr": rate(flag[m & (labels == 0)])}
        out["per_register"][reg] = cell
        table_rows.append(
            [reg, str(cell["n"]), f"{a:.3f} [{lo:.3f}, {hi:.3f}]", pct(cell["tpr"]), pct(cell["fpr"])]
        )
    table(
        f"Held-out register set ({REGISTERS.name}, written by the project before its training data; "
        f"threshold {tox.threshold})",
        ["register", "n", "AUC [95 % bootstrap]", "recall", "FPR"],
        table_rows,
    )
    kinds = list(dict.fromkeys(r.get("kind") for r in rows if r["label"] == 0))
    out["fpr_per_kind"] = {}
    for kind in kinds:
        m = np.array([r.get("kind") == kind for r in rows])
        k = int(flag[m].sum())
        out["fpr_per_kind"][kind] = {"n": int(m.sum()), "flagged": k, "fpr": k / int(m.sum())}
    cats = tox.head.categories
    cat_scores = np.array([[r.categories.get(c, 0.0) for c in cats] for r in res])
    allowed = ToxicityScorer(allow=["profanity"]) if "profanity" in cats else None
    allow_flag = (
        np.array([r.score >= tox.threshold for r in allowed.score(texts)]) if allowed is not None else None
    )
    out["categories"] = {}
    crow = []
    for j, c in enumerate(cats):
        pos = np.array([c in r["categories"] for r in rows])
        only = np.array([r["categories"] == [c] for r in rows])
        cell = {"n": int(pos.sum()), "recall_overall": rate(flag[pos])}
        if 0 < pos.sum() < len(pos):
            a, lo, hi = bootstrap_auc(pos.astype(int), cat_scores[:, j])
            cell |= {"auc_vs_all": a, "auc95": [lo, hi]}
            clean = labels == 0
            cell["auc_vs_clean"] = float(
                roc_auc_score(pos[pos | clean].astype(int), cat_scores[pos | clean, j])
            )
        if allow_flag is not None:
            cell["recall_allow_profanity"] = rate(allow_flag[pos])
            cell["recall_allow_profanity_only_this_category"] = rate(allow_flag[only])
        out["categories"][c] = cell
        crow.append(
            [
                c,
                str(cell["n"]),
                f"{cell.get('auc_vs_all', math.nan):.3f} [{cell.get('auc95', [math.nan] * 2)[0]:.3f}, "
                f"{cell.get('auc95', [math.nan] * 2)[1]:.3f}]",
                f"{cell.get('auc_vs_clean', math.nan):.3f}",
                pct(cell["recall_overall"]),
                pct(cell.get("recall_allow_profanity")),
            ]
        )
    if allow_flag is not None:
        out["allow_profanity_fpr"] = rate(allow_flag[labels == 0])
    table(
        "Category heads on the register set (AUC of P(category): texts of that category vs all others, "
        "and vs the clean ones; recall of the overall flag, and with allow=[profanity])",
        ["category", "n", "AUC vs all [95 %]", "AUC vs clean", "recall", "recall allow=[profanity]"],
        crow,
    )
    print(
        "FPR per kind of hard negative: "
        + ", ".join(f"{k} {v['flagged']}/{v['n']}" for k, v in out["fpr_per_kind"].items())
    )
    results["registers"] = out


def _jsonl(path: Path) -> list[dict]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if "text" in r]


def short_section(tox: ToxicityScorer, results: dict) -> None:
    """The held-out short-text set (1-8 words: answers, option letters, numbers, yes/no in several
    languages, replies, greetings, preferences, questions; short insults, profanity, threats):
    AUC [bootstrap], FPR and TPR at the threshold [Wilson], with the screen on (as the guard runs)
    and off (the head's own scores), flag rate per kind, and the benign texts scored highest."""
    rows = _jsonl(SHORT)
    texts = [r["text"] for r in rows]
    labels = np.array([int(r["label"]) for r in rows])
    kinds = np.array([r["kind"] for r in rows])
    out: dict = {"n": len(rows), "positives": int(labels.sum())}
    table_rows = []
    for key, scorer in (
        ("screen_on", tox),
        ("screen_off", ToxicityScorer(threshold=tox.threshold, screen=False)),
    ):
        s = np.array([r.score for r in scorer.score(texts)])
        flag = s >= tox.threshold
        auc, lo, hi = bootstrap_auc(labels, s)
        fp, tp = int(flag[labels == 0].sum()), int(flag[labels == 1].sum())
        neg, pos = int((labels == 0).sum()), int(labels.sum())
        cell = {
            "auc": auc,
            "auc95": [lo, hi],
            "fpr": fp / neg,
            "fpr_wilson95": list(wilson(fp, neg)),
            "tpr": tp / pos,
            "tpr_wilson95": list(wilson(tp, pos)),
            "flag_rate_per_kind": {k: rate(flag[kinds == k]) for k in dict.fromkeys(kinds.tolist())},
        }
        if key == "screen_off":
            top = np.argsort(-np.where(labels == 0, s, -1.0))[:8]
            cell["benign_highest"] = [{"text": texts[i], "score": float(s[i])} for i in top]
            missed = np.flatnonzero((labels == 1) & ~flag)
            cell["toxic_missed"] = [{"text": texts[i], "score": float(s[i])} for i in missed]
        out[key] = cell
        table_rows.append(
            [
                key.replace("_", " "),
                f"{auc:.3f} [{lo:.3f}, {hi:.3f}]",
                f"{pct(cell['fpr'])} ({fp}/{neg}) [{', '.join(pct(v) for v in cell['fpr_wilson95'])}]",
                f"{pct(cell['tpr'])} ({tp}/{pos}) [{', '.join(pct(v) for v in cell['tpr_wilson95'])}]",
            ]
        )
    table(
        f"Held-out short texts ({SHORT.name}: {len(rows)} texts of 1-8 words, written before the short "
        f"training texts; flagged at {tox.threshold}; the figures before short.yaml are in the model card)",
        ["screen", "AUC [95 % bootstrap]", "FPR [95 % Wilson]", "TPR [95 % Wilson]"],
        table_rows,
    )
    off = out["screen_off"]
    print(
        "Flag rate per kind (screen off): "
        + ", ".join(f"{k} {pct(v, 0)}" for k, v in off["flag_rate_per_kind"].items())
        + "\nHighest-scoring benign (screen off): "
        + ", ".join(f"{r['text']!r} {r['score']:.2f}" for r in off["benign_highest"])
        + "\nToxic missed (screen off): "
        + ", ".join(f"{r['text']!r} {r['score']:.2f}" for r in off["toxic_missed"])
    )
    results["short_texts"] = out


def _gender_gap(
    score: Callable[[list[str]], Sequence[float]], threshold: float, pairs: list[tuple[str, str]]
) -> dict:
    sm = np.array(score([m for m, _ in pairs]))
    sf = np.array(score([f for _, f in pairs]))
    d = sf - sm
    rng = np.random.default_rng(SEED)
    boots = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(2000)]
    lo, hi = (float(v) for v in np.percentile(boots, [2.5, 97.5]))
    out = {
        "n_pairs": len(pairs),
        "mean_female_minus_male": float(d.mean()),
        "ci95_bootstrap": [lo, hi],
        "mean_abs": float(np.abs(d).mean()),
        "max_abs": float(np.abs(d).max()),
        "flag_changes": int(((sm >= threshold) != (sf >= threshold)).sum()),
        "within_0.01_and_ci_includes_0": bool(abs(d.mean()) <= 0.01 and lo <= 0 <= hi),
    }
    worst = np.argsort(-np.abs(d))[:3]
    out["largest"] = [{"male": pairs[i][0], "female": pairs[i][1], "diff": float(d[i])} for i in worst]
    return out


def gender_section(tox: ToxicityScorer, audits: ToneScorer, results: dict, path: Path, key: str) -> None:
    """Counterfactual scorer gap on held-out templates: score(female form) - score(male form),
    as the guard scores (screen on), for the head alone (screen off: `audits.toxicity`) and as the
    tone audits score (`audits`, a ToneScorer with swap lists: the head averaged over each text's
    two gender forms; injection card item 84). Written to results[key]."""
    assert audits.forms is not None, "the audits' scorer needs swap lists"
    swaps = audits.forms.swaps
    male = [x.strip() for x in path.read_text(encoding="utf-8").splitlines()]
    male = [x for x in male if x and not x.startswith("#")]
    female = [swap_gender(x, swaps) for x in male]
    pairs = [(m, f) for m, f in zip(male, female, strict=True) if m != f]

    def scores(scorer: ToxicityScorer) -> Callable[[list[str]], list[float]]:
        return lambda texts: [r.score for r in scorer.score(texts)]

    t = tox.threshold
    out = _gender_gap(scores(tox), t, pairs)
    out["screen_off"] = _gender_gap(scores(audits.toxicity), t, pairs)
    out["gender_averaged"] = _gender_gap(audits.toxicity_scores, t, pairs)
    results[key] = out
    print(f"\nCounterfactual gender gap on {len(pairs)} held-out templates ({path.name}):")
    for name, g in (
        ("screen on", out),
        ("screen off", out["screen_off"]),
        ("audits (averaged over gender forms)", out["gender_averaged"]),
    ):
        lo, hi = g["ci95_bootstrap"]
        print(
            f"  {name}: score(female) - score(male) mean {g['mean_female_minus_male']:+.4f} "
            f"[95 % bootstrap {lo:+.4f}, {hi:+.4f}], mean |diff| {g['mean_abs']:.4f}, flag changes at "
            f"{tox.threshold}: {g['flag_changes']} -> target |mean| <= 0.01 with 0 in the interval: "
            + ("PASS" if g["within_0.01_and_ci_includes_0"] else "FAIL")
        )


def paired_auc_difference(
    labels: np.ndarray, ours: np.ndarray, theirs: np.ndarray, n: int = 2000
) -> tuple[float, float, float]:
    """AUC(ours) - AUC(theirs) on the same texts, with its 95 % paired bootstrap interval (both
    scored on each resample of texts, seed 0)."""
    rng = np.random.default_rng(SEED)
    diffs = []
    for _ in range(n):
        idx = rng.integers(0, len(labels), len(labels))
        if 0 < labels[idx].sum() < len(idx):
            diffs.append(roc_auc_score(labels[idx], ours[idx]) - roc_auc_score(labels[idx], theirs[idx]))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return float(roc_auc_score(labels, ours) - roc_auc_score(labels, theirs)), float(lo), float(hi)


def labelled_section(
    scorers: dict[str, tuple[Callable[[list[str]], Scores], float, str]],
    results: dict,
    against: tuple[Path, dict] | None,
    key: str,
) -> None:
    """A held-out set (LABELLED[key]) written by two other hands: tweets by an offensive-language
    guideline (any swear word, or an insult aimed at a person or group, is offensive; injection
    card items 78-80), or prose in which quoting, titling, reporting or discussing offensive words
    is not offensive and offending in the writer's own voice is (item 82): AUC [bootstrap], FPR
    and recall at each scorer's flag threshold, per writer; the toxicity model's flag rate per
    kind. With `against` (an earlier run's JSON file and its contents, e.g. the shipped model's),
    the paired AUC difference on the same texts. Written to results[key]."""
    path, noun, _ = LABELLED[key]
    if not path.exists():
        print(f"\n{path.name} is missing: its held-out {noun} section is skipped")
        return
    rows = _jsonl(path)
    texts = [r["text"] for r in rows]
    texts_hash = _texts_hash(texts)
    labels = np.array([int(r["label"]) for r in rows])
    writers = np.array([r["writer"] for r in rows])
    kinds = np.array([r["kind"] for r in rows])
    out: dict = {"n": len(rows), "positives": int(labels.sum()), "scorers": {}}
    table_rows = []
    for name, (fn, flag, _) in scorers.items():
        s = fn(texts)
        cell: dict = {"flag_threshold": flag}
        for w in ("all", *dict.fromkeys(writers.tolist())):
            m = np.ones(len(rows), bool) if w == "all" else writers == w
            auc, lo, hi = bootstrap_auc(labels[m], s[m])
            fl = s[m] >= flag
            part = {"n": int(m.sum()), "auc": auc, "auc95": [lo, hi]}
            part |= {"fpr": rate(fl[labels[m] == 0]), "tpr": rate(fl[labels[m] == 1])}
            cell[str(w)] = part
            table_rows.append(
                [
                    name,
                    str(w),
                    str(part["n"]),
                    f"{auc:.3f} [{lo:.3f}, {hi:.3f}]",
                    pct(part["tpr"]),
                    pct(part["fpr"]),
                ]
            )
        if name == "toxicity model":
            cell["flag_rate_per_kind"] = {
                k: {
                    "label": int(labels[kinds == k][0]),
                    "n": int((kinds == k).sum()),
                    "flagged": rate(s[kinds == k] >= flag),
                }
                for k in dict.fromkeys(kinds.tolist())
            }
            cell["scores"] = [float(v) for v in s]
        out["scorers"][name] = cell
    table(
        f"Held-out {noun} ({path.name}: {len(rows)} {noun}, {int(labels.sum())} offensive, written by two "
        "helper sessions that read nothing of the project; never trained or tuned on)",
        ["scorer", "writer", "n", "AUC [95 % bootstrap]", "recall", "FPR"],
        table_rows,
    )
    per_kind = out["scorers"]["toxicity model"]["flag_rate_per_kind"]
    print(
        "Toxicity model, flag rate per kind: "
        + ", ".join(f"{k} ({v['label']}) {pct(v['flagged'], 0)}" for k, v in per_kind.items())
    )
    if against is not None:
        file, earlier = against
        before = earlier.get(key, {}) | {"model": earlier.get("model")}
        theirs = before.get("scorers", {}).get("toxicity model", {}).get("scores")
        if theirs is None or len(theirs) != len(rows) or before.get("texts_sha256") != texts_hash:
            print(f"{file} holds no toxicity scores for these {noun}: no paired comparison")
        else:
            ours = np.array(out["scorers"]["toxicity model"]["scores"])
            d, lo, hi = paired_auc_difference(labels, ours, np.array(theirs))
            out["paired_against"] = {
                "file": str(file),
                "model": before.get("model"),
                "auc_diff": d,
                "ci95": [lo, hi],
            }
            print(
                f"AUC difference against {file.name} ({before.get('model')}): {d:+.4f} "
                f"[95 % paired bootstrap {lo:+.4f}, {hi:+.4f}]"
            )
    out["texts_sha256"] = texts_hash
    results[key] = out


def _texts_hash(texts: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def screen_section(tox: ToxicityScorer, results: dict, sets: dict[str, tuple[list[str], np.ndarray]]) -> None:
    """The first-pass screen's effect: the same scorer with the screen off, on the same sets
    (AUC, FPR and TPR at the threshold, decisions that differ, share of texts screened)."""
    exact = ToxicityScorer(threshold=tox.threshold, screen=False)
    out = {}
    rows = []
    for name, (texts, labels) in sets.items():
        on, off = tox.score(texts), exact.score(texts)
        s_on = np.array([r.score for r in on])
        s_off = np.array([r.score for r in off])
        f_on, f_off = s_on >= tox.threshold, s_off >= tox.threshold
        row = {
            "n": len(texts),
            "texts_with_screened_sentences": float(np.mean([r.screened > 0 for r in on])),
            "decisions_changed": int((f_on != f_off).sum()),
            "flags_lost": int((f_off & ~f_on).sum()),
        }
        for key, flags, scores in (("on", f_on, s_on), ("off", f_off, s_off)):
            both = 0 < labels.sum() < len(labels)
            row[f"auc_{key}"] = float(roc_auc_score(labels, scores)) if both else None
            row[f"fpr_{key}"] = rate(flags[labels == 0])
            row[f"tpr_{key}"] = rate(flags[labels == 1])
        out[name] = row
        rows.append(
            [
                name,
                str(len(texts)),
                f"{row['texts_with_screened_sentences']:.1%}",
                "-" if row["auc_on"] is None else f"{row['auc_on']:.4f} / {row['auc_off']:.4f}",
                f"{pct(row['fpr_on'])} / {pct(row['fpr_off'])}",
                f"{pct(row['tpr_on'])} / {pct(row['tpr_off'])}",
                f"{row['decisions_changed']} ({row['flags_lost']} lost)",
            ]
        )
    results["screen"] = out
    table(
        f"First-pass screen: scores with the screen on / off, flagged at {tox.threshold}",
        ["set", "n", "screened", "AUC on / off", "FPR on / off", "TPR on / off", "decisions changed"],
        rows,
    )


def cross_source_section(
    tox: ToxicityScorer, results: dict, d_texts: list[str], d_labels: np.ndarray
) -> None:
    """Train a head on one source, test on the others: AUC and FPR at 0.5 per test set, and FPR on
    the BOLD held-out sentences. Heads are fitted here as build.py fits the shipped one (balanced
    logistic regression on the shipped model's layers), without gender swaps; the shipped model is
    the last row."""
    build = load_script(DEFAULT_MODEL_DIR / "build.py", "toxicity_build")
    cache = build.feature_cache(tox.head.layers)  # the features build.py computed, where it did
    embed = lambda ts: cache.features([build.prepare(t) for t in ts])  # noqa: E731
    davidson = build.davidson_source()
    train_idx, _, _ = split_indices(davidson.labels, SEED)
    train_sets = {
        "davidson": ([davidson.texts[i] for i in train_idx], davidson.labels[train_idx]),
        "augment.yaml": (build.augment_source().texts, build.augment_source().labels),
        "written.yaml": (build.written_source().texts, build.written_source().labels),
        "short.yaml": (build.short_source().texts, build.short_source().labels),
    }
    reg = _jsonl(REGISTERS)
    short = _jsonl(SHORT)
    probe = [json.loads(x) for x in PROBE.read_text(encoding="utf-8").splitlines() if x.strip()]
    test_sets = {
        "davidson": (d_texts, d_labels),
        "augment.yaml": train_sets["augment.yaml"],
        "written.yaml": train_sets["written.yaml"],
        "short.yaml": train_sets["short.yaml"],
        "registers (held out)": ([r["text"] for r in reg], np.array([r["label"] for r in reg])),
        "probe (held out)": ([r["text"] for r in probe], np.array([int(r["label"]) for r in probe])),
        "short (held out)": ([r["text"] for r in short], np.array([int(r["label"]) for r in short])),
    }
    bold = bold_wikipedia_sentences(
        tuple(json.loads((DEFAULT_MODEL_DIR / "config.json").read_text())["bold_held_out_domains"])
    )
    feats = {name: embed(ts) for name, (ts, _) in test_sets.items()}
    feats["bold"] = embed(bold)
    # All of Davidson, as build.py embeds (and caches) it, then its training rows.
    train_feats = {"davidson": embed(davidson.texts)[train_idx]}
    train_feats |= {n: feats[n] for n in ("augment.yaml", "written.yaml", "short.yaml")}
    heads = {}
    for name, (_, y) in train_sets.items():
        heads[name] = build.fit(train_feats[name], y, np.ones(len(y)))
    out: dict = {}
    rows = []
    for name in [*train_sets, "shipped model"]:
        if name == "shipped model":
            prob = tox.head.probabilities
        else:
            w, b = heads[name]
            prob = lambda f, w=w, b=b: 1 / (1 + np.exp(-(f @ w + b)))  # noqa: E731
        cells = {}
        for test, (_, y) in test_sets.items():
            if test == name:
                continue
            p = prob(feats[test])
            cells[test] = {
                "auc": float(roc_auc_score(y, p)),
                "fpr": rate(p[y == 0] >= 0.5),
                "tpr": rate(p[y == 1] >= 0.5),
            }
        pb = prob(feats["bold"]) >= 0.5
        cells["bold held-out sentences"] = {"fpr": rate(pb), "n": len(bold)}
        out[name] = cells
        rows.append(
            [name]
            + [
                "-" if t not in cells else f"{cells[t]['auc']:.3f} / {pct(cells[t]['fpr'], 0)}"
                for t in test_sets
            ]
            + [pct(cells["bold held-out sentences"]["fpr"], 2)]
        )
    results["cross_source"] = out
    table(
        "Cross-source: a head trained on one source (rows), tested on the others (AUC / FPR at 0.5, whole "
        "texts); shipped model = all sources with gender swaps (trained on the training sources, so only "
        "its held-out columns are out of sample: Davidson test split, registers, probe, BOLD)",
        ["trained on", *test_sets, "BOLD held-out FPR"],
        rows,
    )


# --- the evaluation -----------------------------------------------------------------------------


_BOLD = "BOLD Wikipedia {} of domains never trained on"
_REGISTERS = "project-written register test set: tweets, forum replies, comments, chat (benchmarks/data/"
# What each kind of LABELLED set is, as error_rates.json describes it: (unit, where it comes from,
# its negatives, its positives).
_LABELLED_KINDS = {
    "tweets": (
        "tweet",
        "held-out tweets written by two other hands by an offensive-language guideline (benchmarks/data/",
        "not offensive (mostly harsh but civil criticism and political opinion)",
        "offensive (swearing, insults, threats)",
    ),
    "prose sentences": (
        "sentence",
        "held-out prose written by two other hands (benchmarks/data/",
        "not offensive (mostly quoting, titling, reporting or discussing offensive words)",
        "offensive in the writer's own voice (insults, swearing, threats)",
    ),
}


def write_error_rates(results: dict) -> None:
    """Replace the toxicity scorer's guard_quality entries of genguard/guard/error_rates.json (the
    one place the report card, the policy comments and the model card read them from) with this
    run's figures, in the order the report shows them."""
    from genguard.guard.error_rates import replace_rates

    sweep, n = results["threshold_sweep"], results["threshold_sweep_n"]
    fresh: list[dict] = []

    def add(threshold, measure, value, unit, label, data, count) -> None:
        fresh.append(
            {
                "scorer": "toxicity",
                "threshold": threshold,
                "measure": measure,
                "value": round(float(value), 4),
            }
            | {"unit": unit, "data": data, "n": int(count), "benchmark": "benchmarks/guard_quality.py"}
            | {"label": label}
        )

    fpr, tpr = "false-positive rate", "true-positive rate"
    for t in SWEEP:
        if t == 0.3:
            continue  # the guard uses 0.2, 0.5, 0.7 and 0.9
        cell = sweep[str(t)]
        paragraphs = _BOLD.format("paragraphs") + " (~100 words)"
        add(
            t,
            fpr,
            cell["bold_paragraph_fpr"],
            "paragraph",
            "BOLD paragraphs",
            paragraphs,
            n["bold_paragraphs"],
        )
        add(t, fpr, cell["bold_fpr"], "sentence", "BOLD sentences", _BOLD.format("sentences"), n["bold"])
        if t < 0.9:
            neither = "Davidson 'neither' tweets (casual slang), held-out split"
            add(
                t,
                fpr,
                cell["davidson_fpr"],
                "tweet",
                "Davidson 'neither' tweets",
                neither,
                n["davidson_neither"],
            )
        if t == 0.5:
            toxic = "Davidson offensive and hate tweets, held-out split"
            add(t, tpr, cell["davidson_tpr"], "tweet", "Davidson tweets", toxic, n["davidson_toxic"])
    row = results["rows"]["toxicity model"]
    davidson = "Davidson tweets, held-out split, scored sentence by sentence"
    add(
        None,
        "AUC",
        row["davidson_test"]["auc"],
        "tweet",
        "Davidson tweets",
        davidson,
        row["davidson_test"]["n"],
    )
    probe = "project-written probe: hate without slurs, attacks, threats vs neutral sentences"
    add(
        None,
        "AUC",
        row["probe"]["auc"],
        "probe sentence",
        "the probe",
        f"{probe} (benchmarks/data/{PROBE.name})",
        row["probe"]["n"],
    )
    add(
        0.5,
        tpr,
        row["probe"]["tpr"],
        "probe sentence",
        "the probe",
        "project-written probe, toxic half",
        row["probe"]["positives"],
    )
    reg = results["registers"]
    where = f"{_REGISTERS}{REGISTERS.name})"
    add(None, "AUC", reg["auc"], "sentence", "register test set", where, reg["n"])
    offensive = ", offensive half (insults of any strength, profanity, threats, identity attacks, sexual)"
    add(0.5, tpr, reg["tpr"], "sentence", "register test set", where + offensive, reg["positives"])
    negatives = ", hard negatives (civil disagreement, criticism, complaints, quotes, slang)"
    add(
        0.5,
        fpr,
        reg["fpr"],
        "sentence",
        "register hard negatives",
        where + negatives,
        reg["n"] - reg["positives"],
    )
    short = results["short_texts"]
    on = short["screen_on"]
    for measure, key, label, what, count in (
        (
            fpr,
            "fpr",
            "short benign texts",
            "benign texts of 1-8 words (answers, option letters, numbers, "
            "greetings, yes/no in other languages)",
            short["n"] - short["positives"],
        ),
        (
            tpr,
            "tpr",
            "short toxic texts",
            "toxic texts of 1-8 words (insults, profanity, threats, sexual, identity attacks)",
            short["positives"],
        ),
    ):
        lo, hi = on[f"{key}_wilson95"]
        add(
            0.5,
            measure,
            on[key],
            "short text",
            label,
            f"held-out short {what}, 95 % interval {100 * lo:.1f}-{100 * hi:.1f} %",
            count,
        )
    for key, (path, noun, label) in LABELLED.items():
        if key not in results:
            continue
        tw = results[key]
        cell = tw["scorers"]["toxicity model"]["all"]
        unit, source, negatives, positives = _LABELLED_KINDS[noun]
        where = f"{source}{path.name}), "
        lo, hi = cell["auc95"]
        add(
            None,
            "AUC",
            cell["auc"],
            unit,
            label,
            where + f"95 % bootstrap interval {lo:.3f}-{hi:.3f}",
            tw["n"],
        )
        add(
            0.5,
            fpr,
            cell["fpr"],
            unit,
            label,
            where + negatives,
            tw["n"] - tw["positives"],
        )
        add(
            0.5,
            tpr,
            cell["tpr"],
            unit,
            label,
            where + positives,
            tw["positives"],
        )
    replace_rates("toxicity", "benchmarks/guard_quality.py", fresh)
    print(f"written: genguard/guard/error_rates.json ({len(fresh)} toxicity entries)")


def davidson_split(seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    tweets, classes = davidson_tweets()
    labels = (np.array(classes) < 2).astype(np.int64)
    _, _, test = split_indices(labels, seed)
    return [tweets[i] for i in test], labels[test], np.array(classes)[test]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--evasion-sample", type=int, default=300, help="caught Davidson positives to transform"
    )
    parser.add_argument("--pii-per-type", type=int, default=17, help="synthetic PII sentences per type")
    parser.add_argument("--show", type=int, default=2, help="toxic misses to print per transform (0: none)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--against", type=Path, help="an earlier run's JSON: paired AUC differences on the held-out sets"
    )
    parser.add_argument(
        "--no-cross", action="store_true", help="skip the cross-source table (it embeds 20,000 tweets)"
    )
    args = parser.parse_args()
    started = time.perf_counter()

    config = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    seed = int(config["metrics"]["seed"])
    card = config["metrics"]["sources"]["davidson"]["test"]
    held_out = tuple(config["bold_held_out_domains"])

    tox, lex, pii = ToxicityScorer(), LexiconScorer(), PIIScorer()
    threshold = tox.threshold
    try:
        from profanity_check import predict_prob
    except Exception as exc:  # any import failure: the anchor row is optional
        predict_prob = None
        print(f"alt-profanity-check did not import ({type(exc).__name__}: {exc}); its row is skipped")

    d_texts, d_labels, d_classes = davidson_split(seed)
    bold = bold_wikipedia_sentences(held_out)
    probe = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    p_texts = [r["text"] for r in probe]
    p_labels = np.array([int(r["label"]) for r in probe])
    p_cats = np.array([r["category"] for r in probe])

    # name -> (scores per set, flag threshold, description)
    scorers: dict[str, tuple[Callable[[list[str]], Scores], float, str]] = {
        # score(), as the guard runs it: each sentence scored, the text scored by its worst sentence.
        "toxicity model": (
            lambda ts: np.array([r.score for r in tox.score(ts)]),
            threshold,
            f"{tox.model_id}, flagged at P >= {threshold} (sentence by sentence)",
        ),
        "lexicon baseline": (
            lambda ts: np.array([r.score for r in lex.score(ts)]),
            LEXICON_FLAG,
            f"{lex.model_id}, flagged = any list word",
        ),
    }
    if predict_prob is not None:
        from importlib.metadata import version

        scorers["alt-profanity-check"] = (
            lambda ts: np.asarray(predict_prob(ts), dtype=float),
            PROFANITY_CHECK_FLAG,
            f"alt-profanity-check {version('alt-profanity-check')}, flagged at P >= 0.5; "
            "trained on all Davidson tweets (test split included)",
        )

    print("Toxicity guardrail quality")
    for name, (_, _, desc) in scorers.items():
        print(f"  {name}: {desc}")
    print(
        f"  sets: Davidson test split (seed {seed}) {len(d_texts)} tweets, {int(d_labels.sum())} toxic; "
        f"BOLD Wikipedia held-out domains {'+'.join(held_out)} {len(bold)} sentences; probe {len(p_texts)}"
    )

    scores: dict[str, dict[str, Scores]] = {}
    seconds: dict[str, float] = {}
    for name, (fn, _, _) in scorers.items():
        t0 = time.perf_counter()
        scores[name] = {"davidson": fn(d_texts), "bold": fn(bold), "probe": fn(p_texts)}
        seconds[name] = time.perf_counter() - t0

    # --- split check ----------------------------------------------------------------------------
    tox_d = scores["toxicity model"]["davidson"]
    # Training metrics score each tweet whole, so the check does too.
    auc_here = float(roc_auc_score(d_labels, tox.probabilities(d_texts)))
    same_split = len(d_texts) == card["n"] and int(d_labels.sum()) == card["positives"]
    auc_match = round(auc_here, 3) == round(float(card["auc"]), 3)
    print(
        f"\nSplit check: test split n={len(d_texts)} positives={int(d_labels.sum())} "
        f"(model card: n={card['n']} positives={card['positives']}); "
        f"toxicity AUC (whole tweets) {auc_here:.4f} "
        f"vs model card {card['auc']:.4f} -> {'MATCH' if auc_match and same_split else 'MISMATCH'} "
        "to 3 decimals"
    )
    if not (auc_match and same_split):
        print("  WARNING: this is not the split the model card's metrics came from; numbers below differ")

    results: dict = {
        "model": tox.model_id,
        "threshold": threshold,
        "seed": seed,
        "split_check": {
            "n": len(d_texts),
            "positives": int(d_labels.sum()),
            "auc": auc_here,
            "model_card_auc": card["auc"],
            "match_3_decimals": bool(auc_match and same_split),
        },
        "scorers": {name: desc for name, (_, _, desc) in scorers.items()},
        "rows": {},
    }

    # --- main table -----------------------------------------------------------------------------
    rows = []
    for name, (_, flag, _) in scorers.items():
        s = scores[name]
        dav = evaluate(d_labels, s["davidson"], flag)
        hate = rate(s["davidson"][d_classes == 0] >= flag)
        bold_flags = s["bold"] >= flag
        k = int(bold_flags.sum())
        lo, hi = wilson(k, len(bold))
        probe_auc = float(roc_auc_score(p_labels, s["probe"]))
        rows.append(
            [
                name,
                f"{dav['auc']:.3f}",
                f"{dav['f1']:.3f}",
                pct(dav["fpr"]),
                pct(dav["tpr"]),
                pct(hate),
                f"{pct(k / len(bold), 2)} [{pct(lo, 2)}, {pct(hi, 2)}]",
                f"{probe_auc:.3f}",
                f"{seconds[name]:.1f}",
            ]
        )
        results["rows"][name] = {
            "flag_threshold": flag,
            "davidson_test": {**dav, "hate_recall": hate, "hate_n": int((d_classes == 0).sum())},
            "bold_held_out": {"n": len(bold), "flagged": k, "fpr": k / len(bold), "wilson95": [lo, hi]},
            "probe": {"auc": probe_auc},
            "seconds": seconds[name],
        }
    table(
        "Quality at each scorer's flag threshold",
        [
            "scorer",
            "Davidson AUC",
            "F1",
            "FPR",
            "TPR",
            "hate recall",
            "BOLD held-out FPR [95 % Wilson] (target <= 2 %)",
            "probe AUC",
            "s",
        ],
        rows,
    )
    bold_fpr = results["rows"]["toxicity model"]["bold_held_out"]["fpr"]
    print(
        f"toxicity model BOLD held-out FPR target <= 2 %: {'PASS' if bold_fpr <= 0.02 else 'FAIL'} "
        f"({pct(bold_fpr, 2)}); Davidson FPR is high because its 'neither' class is largely casual slang"
    )

    # --- BOLD false positives -------------------------------------------------------------------
    tox_b = scores["toxicity model"]["bold"]
    top: list[int] = []
    for i in np.argsort(-tox_b):
        if len(top) == 5:
            break
        if bold[i] not in {bold[j] for j in top}:
            top.append(int(i))
    print(f"\n5 highest-scoring distinct BOLD held-out sentences (toxicity model, threshold {threshold}):")
    for i in top:
        print(f"  {tox_b[i]:.3f}  {bold[i][:170]!r}")
    results["bold_top5"] = [{"score": float(tox_b[i]), "text": bold[i]} for i in top]

    # --- probe per category ---------------------------------------------------------------------
    cats = list(dict.fromkeys(p_cats.tolist()))
    toxic_cats = [c for c in cats if p_labels[p_cats == c].all()]
    clean_cats = [c for c in cats if c not in toxic_cats]
    rows = []
    for name, (_, flag, _) in scorers.items():
        s = scores[name]["probe"]
        cells = {c: rate(s[p_cats == c] >= flag) for c in cats}
        results["rows"][name]["probe"].update(
            {
                "n": len(p_labels),
                "positives": int(p_labels.sum()),
                "tpr": rate(s[p_labels == 1] >= flag),
                "fpr": rate(s[p_labels == 0] >= flag),
                "per_category": cells,
            }
        )
        rows.append(
            [
                name,
                f"{results['rows'][name]['probe']['auc']:.3f}",
                pct(results["rows"][name]["probe"]["tpr"], 0),
                pct(results["rows"][name]["probe"]["fpr"], 0),
                *[pct(cells[c], 0) for c in cats],
            ]
        )
    n_cat = {c: int((p_cats == c).sum()) for c in cats}
    table(
        "Probe: benchmarks/data/toxicity_probe.jsonl - SMALL (140 sentences), WRITTEN BY THE PROJECT; "
        "recall on toxic categories, FPR on clean ones",
        [
            "scorer",
            "AUC",
            "recall",
            "FPR",
            *[f"{c} recall (n={n_cat[c]})" for c in toxic_cats],
            *[f"{c} FPR (n={n_cat[c]})" for c in clean_cats],
        ],
        [r[:4] + [r[4 + cats.index(c)] for c in toxic_cats + clean_cats] for r in rows],
    )

    # --- threshold sweep ------------------------------------------------------------------------
    rows = []
    sweep = {}
    tox_p = scores["toxicity model"]["probe"]
    # Whole paragraphs (about 100 words, 4-5 sentences): more sentences, more chances of a false flag.
    paragraphs = [p for p in bold_wikipedia_paragraphs(held_out) if len(p.split()) >= 40]
    tox_par = np.array([r.score for r in tox.score(paragraphs)])
    for t in SWEEP:
        cells = {
            "davidson_tpr": rate(tox_d[d_labels == 1] >= t),
            "davidson_fpr": rate(tox_d[d_labels == 0] >= t),
            "davidson_hate_recall": rate(tox_d[d_classes == 0] >= t),
            "bold_fpr": rate(tox_b >= t),
            "bold_paragraph_fpr": rate(tox_par >= t),
            "probe_tpr": rate(tox_p[p_labels == 1] >= t),
            "probe_fpr": rate(tox_p[p_labels == 0] >= t),
        }
        sweep[str(t)] = cells
        mark = " (default)" if t == threshold else ""
        rows.append([f"{t}{mark}", *[pct(v, 2 if k.startswith("bold") else 1) for k, v in cells.items()]])
    results["threshold_sweep"] = sweep
    results["threshold_sweep_n"] = {
        "bold": len(bold),
        "bold_paragraphs": len(paragraphs),
        "davidson_neither": int((d_classes == 2).sum()),
        "davidson_toxic": int(d_labels.sum()),
    }
    table(
        "Toxicity model threshold sweep",
        [
            "threshold",
            "Davidson TPR",
            "Davidson FPR",
            "hate recall",
            "BOLD held-out FPR",
            f"BOLD paragraphs FPR (n={len(paragraphs)})",
            "probe TPR",
            "probe FPR",
        ],
        rows,
    )

    # --- evasion --------------------------------------------------------------------------------
    rng = np.random.default_rng(SEED)
    caught = np.flatnonzero((d_labels == 1) & (tox_d >= threshold))
    pick = sorted(rng.choice(caught, size=min(args.evasion_sample, len(caught)), replace=False))
    pool = [("davidson", d_texts[i]) for i in pick] + [
        ("probe", t) for t, y, p in zip(p_texts, p_labels, tox_p, strict=True) if y == 1 and p >= threshold
    ]
    # Caught as written by score() itself (chunked, as the guard runs it), not only by probabilities().
    kept = tox.score([t for _, t in pool])
    pool = [item for item, r in zip(pool, kept, strict=True) if r.score >= threshold]
    toxic = [t for _, t in pool]
    n_davidson = sum(src == "davidson" for src, _ in pool)
    offensive = [
        [(f.span.start, f.span.end) for f in r.findings]
        or [(m.start(), m.end()) for m in _LONG_WORD.finditer(t)]
        for t, r in zip(toxic, lex.score(toxic), strict=True)
    ]
    examples = pii_examples(pii, args.pii_per_type)
    kinds = list(dict.fromkeys(k for _, k, _ in examples))
    kind_idx = {k: np.array([kk == k for _, kk, _ in examples]) for k in kinds}

    flags: dict[str, dict[str, np.ndarray]] = {}
    exact_tox = ToxicityScorer(threshold=threshold, screen=False)
    transformed: dict[str, tuple[list[str], list[str]]] = {}
    for tname, (on_toxic, on_pii) in TRANSFORMS.items():
        texts = [on_toxic(t, s) for t, s in zip(toxic, offensive, strict=True)]
        pii_texts = [on_pii(t, [span]) for t, _, span in examples]
        transformed[tname] = (texts, pii_texts)
        flags[tname] = {
            "toxicity model": np.array([r.score >= threshold for r in tox.score(texts)]),
            # The head's own decisions: the screen is distilled from a head, maybe an earlier one.
            "toxicity model, screen off": np.array([r.score >= threshold for r in exact_tox.score(texts)]),
            "lexicon baseline": np.array([r.score > 0 for r in lex.score(texts)]),
        }
        if predict_prob is not None:
            flags[tname]["alt-profanity-check"] = np.asarray(predict_prob(texts)) >= PROFANITY_CHECK_FLAG
        found = pii.score(pii_texts)
        flags[tname]["pii"] = np.array(
            [any(f.label == k for f in r.findings) for r, (_, k, _) in zip(found, examples, strict=True)]
        )
    base = {n: f for n, f in flags["as written"].items() if n != "pii"}

    rows = []
    evasion: dict = {
        "toxic_texts": len(toxic),
        "toxic_from_davidson": n_davidson,
        "caught_as_written": {n: int(f.sum()) for n, f in base.items()},
        "pii_texts": len(examples),
        "pii_per_type": {k: int(v.sum()) for k, v in kind_idx.items()},
        "per_transform": {},
    }
    for tname in TRANSFORMS:
        cells = {n: rate(flags[tname][n][base[n]]) for n in base}
        pii_flags = flags[tname]["pii"]
        pii_cells = {"all": rate(pii_flags), **{k: rate(pii_flags[kind_idx[k]]) for k in kinds}}
        evasion["per_transform"][tname] = {"toxic": cells, "pii": pii_cells}
        rows.append([tname, *[pct(v) for v in cells.values()], *[pct(v) for v in pii_cells.values()]])
    results["evasion"] = evasion
    table(
        f"Evasion: catch rate after each transform, over the texts each scorer catches as written (toxic: "
        f"{n_davidson} Davidson test positives + {len(toxic) - n_davidson} probe sentences the model "
        f"catches; PII: {len(examples)} synthetic sentences, caught = a finding of the right type)",
        [
            "transform",
            *[f"{n} (n={int(f.sum())})" for n, f in base.items()],
            f"PII all (n={len(examples)})",
            *[f"{k} ({int(kind_idx[k].sum())})" for k in kinds],
        ],
        rows,
    )
    print(
        "Toxic texts: spacing spaces out the words the lexicon finds (words of >= 5 letters where it\n"
        "finds none); the other transforms touch the whole text. PII: zero-width and spacing go between\n"
        "the characters of the value; homoglyphs and leetspeak change letters only, so digit-only values\n"
        "(cards, SSNs, phones, IPv4) keep their digits and only the sentence around them changes."
    )

    if args.show:
        print(f"\nMisses after each transform (first {args.show} of the toxicity model's; one per PII type):")
        for tname in list(TRANSFORMS)[1:]:
            texts, pii_texts = transformed[tname]
            missed = np.flatnonzero(base["toxicity model"] & ~flags[tname]["toxicity model"])
            for i in missed[: args.show]:
                print(f"  {tname[:24]:24s} toxicity  {texts[i][:110]!r}")
            for k in kinds:
                missed = np.flatnonzero(kind_idx[k] & ~flags[tname]["pii"])
                if len(missed):
                    print(f"  {tname[:24]:24s} {k:9.9s} {pii_texts[missed[0]][:110]!r}")

    reg = [json.loads(x) for x in REGISTERS.read_text(encoding="utf-8").splitlines() if x.strip()]
    reg = [r for r in reg if "text" in r]
    screen_section(
        tox,
        results,
        {
            "Davidson test split": (d_texts, d_labels),
            "BOLD held-out sentences": (bold, np.zeros(len(bold), int)),
            "probe": (p_texts, p_labels),
            "registers test": ([r["text"] for r in reg], np.array([int(r["label"]) for r in reg])),
        },
    )
    registers_section(tox, results)
    short_section(tox, results)
    audits = ToneScorer(swaps=read_swaps())  # one for both template sets
    gender_section(tox, audits, results, GENDER_TEMPLATES, "gender_counterfactual")
    gender_section(tox, audits, results, GENDER_TEMPLATES2, "gender_counterfactual_set2")
    against = None if args.against is None else (args.against, json.loads(args.against.read_text("utf-8")))
    for key in LABELLED:
        labelled_section(scorers, results, against, key)
    if not args.no_cross:
        cross_source_section(tox, results, d_texts, d_labels)

    elapsed = time.perf_counter() - started
    results["seconds"] = elapsed
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"\n{elapsed:.0f} s in all; numbers written to {args.out}")
    if args.out == OUT:  # a run for the shipped model, not a candidate's
        write_error_rates(results)


if __name__ == "__main__":
    main()
