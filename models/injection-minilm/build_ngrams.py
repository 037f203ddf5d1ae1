"""Model 13 candidate: model 11's MiniLM head fused with an n-gram head (model card item 47).

Shipped after held-out set 17 (item 48) and withdrawn (item 49): it blocks common short messages
such as "You are a helpful assistant."; kept to rebuild it and as the start of a bounded successor.

all-MiniLM-L6-v2 reads English; the held-out attacks it misses are mostly in other languages
(items 44-46). A logistic regression over hashed character and word n-grams of the raw text
(genguard.scoring.ngram_head) learns the words of every language in its training data. A text's
n-gram logit is added to each of its units' MiniLM logits: P = sigmoid(scale * (logit(P_head) +
WEIGHT * ngram_logit) + shift) (NgramFusion; texts over MAX_CHARS get no n-gram term).

Data: model 11's training data plus the spent held-out sets 13-16 (`build.examples(13)`), the
rows of sets 13-16 weighing SPENT_WEIGHT times an attack of model 11's data. Model 11's head is
unchanged; on sets 13-16 its scores are held out, so those sets are the development data, read
leave one set out (each set by an n-gram head fitted without it, as a new set will be read). On
those scores: the calibration (scale, shift); the threshold, the lowest 0.01 step whose
false-positive rate on the sets' benign prompts is at most model 11's at its 0.84 (so that the two
compare on recall at matched false positives); the policy's confirm step, of the 0.1 steps that
keep the policy's false positives at model 11's (confirm 0.7), the one that catches most, the
highest of equals. C, WEIGHT and SPENT_WEIGHT were chosen on the same leave-one-set-out scores
(card item 47). The MiniLM head is read with its screen off, as `injection_quality.py
--candidate` reads a candidate.

    python models/injection-minilm/build_ngrams.py --out DIR

DIR receives model 11's files with config.json rewritten (threshold, confirm step, "ngram_fusion",
the development figures) and ngrams.safetensors / ngrams.json. About 1 minute on two cores;
deterministic for the same data files: since set 17 exists, build.py's overlap rule leaves out the
training texts that share a sentence or 8-word sequence with it (5 against 2 before), so a rebuild
no longer gives the measured candidate's sha256 (item 47).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402

from genguard.scoring.injection_model import InjectionModelScorer  # noqa: E402
from genguard.scoring.ngram_head import NgramFusion, NgramHead, fit_ngram_head, ngram_counts  # noqa: E402

MODEL = 13
DEV_SETS = (13, 14, 15, 16)  # held out from model 11, spent: development data here
C = 16.0
WEIGHT = 0.7
SPENT_WEIGHT = 4.0
MAX_CHARS = 4000  # longer texts are read by the MiniLM head alone
FILE = "ngrams.safetensors"
COPIED = ("head.safetensors", "screen.safetensors", "screen.json")


def dev_row(ex: build.Example) -> bool:
    return any(ex.group.startswith(f"heldout{n}") for n in DEV_SETS)


def weights(rows: list[build.Example]) -> np.ndarray:
    """build.text_weights, with the rows of the development sets at SPENT_WEIGHT attacks each."""
    w = build.text_weights(rows)
    attack = float(np.median(w[[ex.label == 1 and not dev_row(ex) for ex in rows]]))
    w[[dev_row(ex) for ex in rows]] = SPENT_WEIGHT * attack
    return w


def fit(counts: sparse.csr_matrix, labels: np.ndarray, w: np.ndarray) -> NgramHead:
    return fit_ngram_head(counts, labels, w, C)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def policy_flags(scores: np.ndarray, rules: np.ndarray, threshold: float, confirm: float) -> np.ndarray:
    """The built-in policy's injection decision: the model at `threshold`, or the rules where the
    model scores >= `confirm`."""
    return (scores >= threshold) | ((rules >= 0.5) & (scores >= confirm))


def figures(dev_rows: list[build.Example], flagged: np.ndarray) -> dict:
    labels = np.array([ex.label for ex in dev_rows])
    tricky = np.array([ex.label == 0 and ex.source not in build.ORDINARY_SOURCES for ex in dev_rows])
    return {
        "recall": round(float(flagged[labels == 1].mean()), 4),
        "fpr_written_benign": round(float(flagged[labels == 0].mean()), 4),
        "fpr_tricky": round(float(flagged[tricky].mean()), 4),
        "fpr_ordinary": round(float(flagged[(labels == 0) & ~tricky].mean()), 4),
    }


def main(out: Path) -> None:
    build.LAST_SPENT.setdefault(MODEL, max(DEV_SETS))
    rows, overlap = build.checked_examples(MODEL)
    labels = np.array([ex.label for ex in rows])
    w = weights(rows)
    counts = ngram_counts([ex.text for ex in rows])
    dev = np.flatnonzero([dev_row(ex) for ex in rows])
    dev_rows = [rows[i] for i in dev]
    texts = [ex.text for ex in dev_rows]
    dev_labels = labels[dev]
    print(f"{len(rows)} rows, {int(labels.sum())} attacks; development rows {len(dev)}", flush=True)

    # Model 11 as `injection_quality.py --candidate` reads a model: every unit, screen off.
    scorer = InjectionModelScorer(model_dir=HERE, screen=False)
    units, owners, whole, _ = scorer._units(texts)
    z11 = np.full(len(texts), -np.inf)
    np.maximum.at(z11, np.array(owners), logit(scorer._unit_scores(units, owners, whole)))
    p11 = 1 / (1 + np.exp(-z11))

    # Leave one set out: each development set's texts read by an n-gram head fitted without that
    # set (model 11's data and the other sets in). Folds grouped by line were tried first and
    # mislead: a set's attack and its benign twin differ in a few words, so a head that saw one
    # scores the other as its label.
    set_of = np.array([next(n for n in DEV_SETS if ex.group.startswith(f"heldout{n}")) for ex in dev_rows])
    ngram = np.zeros(len(texts))
    for n in DEV_SETS:
        test = np.flatnonzero(set_of == n)
        keep = np.ones(len(rows), bool)
        keep[dev[test]] = False
        ngram[test] = fit(counts[keep], labels[keep], w[keep]).logits([texts[i] for i in test])
        print(f"set {n}: {len(test)} texts scored", flush=True)
    z = z11 + WEIGHT * ngram
    platt = LogisticRegression(C=1e6).fit(z[:, None], dev_labels)
    scale, shift = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    scores = 1 / (1 + np.exp(-(scale * z + shift)))

    # Operating point: model 11's own false-positive rates on these sets, so that the two are
    # compared on recall at matched false positives (head alone at 0.84; policy with confirm 0.7).
    from genguard.scoring import get_scorer

    rules = np.array([r.score for r in get_scorer("injection").score(texts)])
    m11_head = figures(dev_rows, p11 >= scorer.head.threshold)
    m11_policy = figures(dev_rows, policy_flags(p11, rules, scorer.head.threshold, 0.7))
    steps = np.round(np.arange(0.5, 0.996, 0.01), 2)
    threshold = next(
        float(t) for t in steps if (scores[dev_labels == 0] >= t).mean() <= m11_head["fpr_written_benign"]
    )
    # The confirm step: of the 0.1 steps that keep the policy's false positives at model 11's,
    # the one that catches the most attacks, the highest of equals (rules that add no catch
    # should add no false positive).
    allowed = []
    for c in np.round(np.arange(0.1, 0.95, 0.1), 1):
        flagged = policy_flags(scores, rules, threshold, c)
        if flagged[dev_labels == 0].mean() <= m11_policy["fpr_written_benign"]:
            allowed.append((figures(dev_rows, flagged)["recall"], float(c)))
    confirm = max(allowed)[1] if allowed else 0.9
    tricky = np.array([ex.label == 0 and ex.source not in build.ORDINARY_SOURCES for ex in dev_rows])
    attacks = dev_labels == 1

    def auc(s: np.ndarray) -> float:
        y = np.r_[np.ones(attacks.sum()), np.zeros(tricky.sum())]
        return round(float(roc_auc_score(y, np.r_[s[attacks], s[tricky]])), 4)

    dev_figures = {
        "protocol": f"held-out sets {DEV_SETS}, each read by an n-gram head fitted without it",
        "threshold": threshold,
        "head": figures(dev_rows, scores >= threshold),
        "policy_confirm": {
            "confirm": confirm,
            **figures(dev_rows, policy_flags(scores, rules, threshold, confirm)),
        },
        "auc_attacks_vs_tricky": auc(scores),
        "fpr_tricky_at_80_recall": build.at_recall(dev_rows, scores, 0.8),
        "model_11": {
            "head_at_0.84": m11_head,
            "policy_at_0.84_confirm_0.7": m11_policy,
            "auc_attacks_vs_tricky": auc(p11),
            "fpr_tricky_at_80_recall": build.at_recall(dev_rows, p11, 0.8),
        },
    }
    print(json.dumps(dev_figures, indent=1), flush=True)

    final = fit(counts, labels, w)
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copy2(HERE / name, out / name)
    final.save(out / FILE)
    fusion = NgramFusion(
        final, WEIGHT, scale, shift, head_threshold=scorer.head.threshold, max_chars=MAX_CHARS
    )
    config = json.loads((HERE / "config.json").read_text(encoding="utf-8"))
    config["name"] = "genguard-injection-minilm-13"
    config["threshold"] = threshold
    config["ngram_fusion"] = fusion.config(FILE)
    config["training"] = build.data_record(rows, overlap, MODEL) | {
        "ngram_weight_of_spent_rows": SPENT_WEIGHT,
        "minilm_head": "model 11's, unchanged (trained on sets 1-12)",
    }
    config["out_of_fold"] = {**dev_figures, "policy_confirm": dev_figures["policy_confirm"]}
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}: threshold {threshold}, confirm {confirm}, calibration {scale:.3f} {shift:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    main(parser.parse_args().out)
