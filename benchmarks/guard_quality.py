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
  per transform for the toxicity model, the lexicon, profanity-check and the PII scorer.

Numbers are also written to benchmarks/results/guard_quality.json.

Usage: python benchmarks/guard_quality.py [--evasion-sample 300] [--out benchmarks/results/guard_quality.json]
About 1-2 minutes on a 2-core CPU.
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
from genguard.guard.train import evaluate, split_indices
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


# --- the evaluation -----------------------------------------------------------------------------


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
    transformed: dict[str, tuple[list[str], list[str]]] = {}
    for tname, (on_toxic, on_pii) in TRANSFORMS.items():
        texts = [on_toxic(t, s) for t, s in zip(toxic, offensive, strict=True)]
        pii_texts = [on_pii(t, [span]) for t, _, span in examples]
        transformed[tname] = (texts, pii_texts)
        flags[tname] = {
            "toxicity model": np.array([r.score >= threshold for r in tox.score(texts)]),
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

    elapsed = time.perf_counter() - started
    results["seconds"] = elapsed
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"\n{elapsed:.0f} s in all; numbers written to {args.out}")


if __name__ == "__main__":
    main()
