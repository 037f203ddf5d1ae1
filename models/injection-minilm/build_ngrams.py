"""Injection models 13 to 18: a MiniLM head fused with an n-gram head (model card items 47-63).

Model 13 (`--model 13`) was shipped after held-out set 17 (item 48) and withdrawn (item 49): it
blocks common short messages such as "You are a helpful assistant.". Model 14 (`--model 14`, item
51) answers that: its n-gram head also learns data10/'s short benign messages, its n-gram logit
is clipped, and (where `Recipe.new_head`) its MiniLM head is trained again on the same data. Model
15 (item 55) is model 14's recipe with set 18 spent and data11/'s benign "send" requests added.

all-MiniLM-L6-v2 reads English; the held-out attacks it misses are mostly in other languages
(items 44-46). A logistic regression over hashed character and word n-grams of the raw text
(genguard.scoring.ngram_head) learns the words of every language in its training data. A text's
n-gram logit, clipped to [-clip, clip], is added to each of its units' MiniLM logits: P =
sigmoid(scale * (logit(P_head) + weight * ngram_logit) + shift) (NgramFusion; texts over
MAX_CHARS get no n-gram term).

Data: `build.examples(model)`: model 11's training data plus the spent held-out sets (13-16 for
model 13; 13-17 and data10/ for model 14; 13-18, data10/ and data11/ for model 15), the rows of
those sets weighing `spent_weight` times an attack of model 11's data in the n-gram head. The
spent sets are the development data, read leave one set out (each set by heads fitted without it,
as a new set will be read): model 11's MiniLM head never saw them; a new head is fitted once more
without each set. On those
scores: the head's own calibration and threshold (a new head), the fusion's calibration (scale,
shift); the threshold, the lowest 0.01 step whose false-positive rate on the sets' benign prompts
is at most model 11's at its 0.84 (so that the two compare on recall at matched false positives);
the policy's confirm step, of the 0.1 steps that keep the policy's false positives at model 11's
(confirm 0.7), the one that catches most, the highest of equals. The recipes' constants were
chosen on the same leave-one-set-out scores (items 47 and 52).

    python models/injection-minilm/build_ngrams.py --model 20 --out DIR [--baseline M11]

M11 holds model 11's files, which every recipe here is compared with (and model 13 keeps); by
default they are read from git as they were shipped (`MODEL_11_COMMIT`), since model 15 replaced
them in the model folder.

DIR receives the MiniLM head (model 11's copied, or the new one), ngrams.safetensors and a
config.json with the threshold, confirm step, "ngram_fusion" and the development figures. A new head
needs a new first-pass screen (build_screen.py), since the screen learns its head's scores; model
11's is copied only with model 11's head. Model 13: about 1 minute on two cores; models 14 to 17,
with a new head, 34 to 61 minutes (18 to 27 networks fitted one at a time); model 18 44 minutes (30
networks, two at a time: `fit_heads`). Deterministic for the
same data files: a held-out set written later makes build.py's overlap rule leave out the training
texts that share a sentence or 8-word sequence with it, so a rebuild after set 17 no longer gives
model 13's measured sha256 (item 47).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402

from genguard.scoring.injection_model import ContextHead, InjectionModelScorer  # noqa: E402
from genguard.scoring.linear_head import sigmoid  # noqa: E402
from genguard.scoring.ngram_head import (  # noqa: E402
    NgramFusion,
    NgramHead,
    fit_ngram_head,
    fused_logit,
    logit,
    ngram_counts,
)


@dataclass(frozen=True)
class Recipe:
    """One fused model's constants (chosen leave one set out on `dev_sets`: card items 47, 52)."""

    dev_sets: tuple[int, ...]  # spent held-out sets: training and development data
    C: float  # the n-gram head's inverse regularisation
    spent_weight: float  # a development row's weight, in attacks of model 11's data
    weight: float  # the clipped n-gram logit's weight beside the MiniLM logit
    clip: float  # the n-gram logit's bound (math.inf: none)
    new_head: bool  # the MiniLM head trained again on this model's data (else model 11's)


RECIPES = {
    13: Recipe((13, 14, 15, 16), 16.0, 4.0, 0.7, math.inf, False),
    14: Recipe((13, 14, 15, 16, 17), 16.0, 4.0, 0.7, 3.0, True),
}
# Models 15-21 (items 55, 57, 59, 62, 64, 67, 73): item 52's constants, sets 13 to the last one each spends
RECIPES |= {
    m: Recipe(tuple(range(13, build.LAST_SPENT[m] + 1)), 16.0, 4.0, 0.7, 3.0, True) for m in range(15, 22)
}
MAX_CHARS = 4000  # longer texts are read by the MiniLM head alone
WORKERS = 2  # networks fitted side by side (fit_heads)
FILE = "ngrams.safetensors"
SCREEN = ("screen.safetensors", "screen.json")  # model 11's screen: valid for model 11's head only
MODEL_11_COMMIT = "819bd4f5f61eeda4fa3656c04b87a49c0396b333"  # the last commit that ships model 11


def model_11_files(folder: Path) -> Path:
    """`folder`, holding model 11's head, screen and config.json as `MODEL_11_COMMIT` shipped them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("head.safetensors", "config.json", *SCREEN):
        blob = subprocess.run(
            ["git", "show", f"{MODEL_11_COMMIT}:models/injection-minilm/{name}"],
            cwd=HERE,
            capture_output=True,
            check=True,
        ).stdout
        (folder / name).write_bytes(blob)
    return folder


def platt(z: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(scale, shift) of sigmoid(scale * z + shift) fitted to `labels` (unweighted)."""
    fitted = LogisticRegression(C=1e6).fit(z[:, None], labels)
    return float(fitted.coef_[0, 0]), float(fitted.intercept_[0])


def policy_flags(scores: np.ndarray, rules: np.ndarray, threshold: float, confirm: float) -> np.ndarray:
    """The built-in policy's injection decision: the model at `threshold`, or the rules where the
    model scores >= `confirm`."""
    return (scores >= threshold) | ((rules >= 0.5) & (scores >= confirm))


def figures(dev_rows: list[build.Example], flagged: np.ndarray) -> dict:
    labels = np.array([ex.label for ex in dev_rows])
    tricky = build.tricky_of(dev_rows)
    return {
        "recall": round(float(flagged[labels == 1].mean()), 4),
        "fpr_written_benign": round(float(flagged[labels == 0].mean()), 4),
        "fpr_tricky": round(float(flagged[tricky].mean()), 4),
        "fpr_ordinary": round(float(flagged[(labels == 0) & ~tricky].mean()), 4),
    }


def matched_threshold(scores: np.ndarray, labels: np.ndarray, fpr: float) -> float:
    """The lowest 0.01 step (0.5 to 0.99) whose false-positive rate on `labels` == 0 is <= `fpr`."""
    steps = np.round(np.arange(0.5, 0.996, 0.01), 2)
    return next((float(t) for t in steps if (scores[labels == 0] >= t).mean() <= fpr), 0.99)


class Development:
    """The training rows, which of them are development rows and the set each comes from."""

    def __init__(self, rows: list[build.Example], dev_sets: tuple[int, ...]) -> None:
        self.rows = rows
        self.labels = np.array([ex.label for ex in rows])
        set_of = [next((n for n in dev_sets if ex.group.startswith(f"heldout{n}")), 0) for ex in rows]
        self.dev = np.flatnonzero(set_of)
        self.set_of = np.array(set_of)[self.dev]
        self.dev_sets = dev_sets

    def without(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(training rows without set n, development positions of set n)."""
        test = np.flatnonzero(self.set_of == n)
        keep = np.ones(len(self.rows), bool)
        keep[self.dev[test]] = False
        return np.flatnonzero(keep), test


def ngram_weights(d: Development, spent_weight: float) -> np.ndarray:
    """build.text_weights, with the development rows at `spent_weight` attacks each."""
    w = build.text_weights(d.rows)
    is_dev = np.zeros(len(d.rows), bool)
    is_dev[d.dev] = True
    w[d.dev] = spent_weight * float(np.median(w[(d.labels == 1) & ~is_dev]))
    return w


_WORKER: tuple[list[build.Example], build.TextUnits] | None = None


def _start_worker(rows: list[build.Example], x_path: str, start: np.ndarray, end: np.ndarray) -> None:
    global _WORKER
    _WORKER = (rows, build.TextUnits(np.load(x_path, mmap_mode="r"), start, end))


def _fit(job: tuple[np.ndarray, int]) -> ContextHead:
    rows, data = _WORKER  # type: ignore[misc]
    return build.fit5(rows, data, job[0], job[1])


def fit_heads(
    rows: list[build.Example], data: build.TextUnits, trains: list[np.ndarray]
) -> list[ContextHead]:
    """`build.fit_ensemble(rows, data, train, build.SEEDS)` for each of `trains`, WORKERS networks
    at a time. Each network is fitted on one thread from its seed, so it is the same whichever
    process fits it: the heads equal the sequential loop's bit for bit (checked on 2 x 3 networks
    of 1,000 texts)."""
    jobs = [(train, seed) for train in trains for seed in build.SEEDS]
    with tempfile.TemporaryDirectory() as tmp:
        x_path = str(Path(tmp) / "x.npy")
        np.save(x_path, data.x)
        # spawn, not fork: the parent's OpenMP pool (the embedding pass) is not safe across fork
        context = multiprocessing.get_context("spawn")
        init = (rows, x_path, data.start, data.end)
        with ProcessPoolExecutor(WORKERS, context, initializer=_start_worker, initargs=init) as pool:
            nets = list(pool.map(_fit, jobs))
    k = len(build.SEEDS)
    return [build.ensemble_of(nets[i : i + k]) for i in range(0, len(nets), k)]


def new_head_logits(d: Development) -> tuple[np.ndarray, ContextHead]:
    """A MiniLM ContextHead trained again (build.py's recipe: the mean of build.SEEDS networks) on
    every row, and each development row's logit from the networks fitted without its set."""
    features = build.embed_all(d.rows, build.LAYERS_5)
    data = build.text_units(d.rows, features)
    splits = [d.without(n) for n in d.dev_sets]
    *held_out, final = fit_heads(d.rows, data, [train for train, _ in splits] + [np.arange(len(d.rows))])
    raw = np.zeros(len(d.dev))
    for n, (_, test), head in zip(d.dev_sets, splits, held_out, strict=True):
        raw[test] = build.text_logits5(head, data, d.dev[test])
        print(f"MiniLM head without set {n}: {len(test)} texts scored", flush=True)
    return raw, final


def main(out: Path, model: int, baseline: Path) -> None:
    recipe = RECIPES[model]
    build.LAST_SPENT.setdefault(model, max(recipe.dev_sets))
    rows, overlap = build.checked_examples(model)
    d = Development(rows, recipe.dev_sets)
    dev_rows = [rows[i] for i in d.dev]
    texts = [ex.text for ex in dev_rows]
    dev_labels = d.labels[d.dev]
    print(f"{len(rows)} rows, {int(d.labels.sum())} attacks; development rows {len(d.dev)}", flush=True)

    # Model 11 as `injection_quality.py --candidate` reads a model: every unit, screen off.
    scorer = InjectionModelScorer(model_dir=baseline, screen=False)
    units, owners, whole, _ = scorer._units(texts)
    z11 = np.full(len(texts), -np.inf)
    np.maximum.at(z11, np.array(owners), logit(scorer._unit_scores(units, owners, whole)))
    p11 = sigmoid(z11)
    m11_fpr = float((p11[dev_labels == 0] >= scorer.head.threshold).mean())

    head, z_head, calibration = None, z11, {"head_threshold": scorer.head.threshold}
    if recipe.new_head:
        raw, head = new_head_logits(d)
        a, b = platt(raw, dev_labels)
        z_head = a * raw + b
        head.w2, head.b2 = (head.w2 * a).astype(np.float32), float(head.b2 * a + b)
        calibration = {
            "a": a,
            "b": b,
            "head_threshold": matched_threshold(sigmoid(z_head), dev_labels, m11_fpr),
        }

    # Leave one set out: each development set's texts read by an n-gram head fitted without that
    # set (model 11's data and the other sets in). Folds grouped by line were tried first and
    # mislead: a set's attack and its benign twin differ in a few words, so a head that saw one
    # scores the other as its label.
    counts = ngram_counts([ex.text for ex in rows])
    w = ngram_weights(d, recipe.spent_weight)
    ngram = np.zeros(len(texts))
    for n in recipe.dev_sets:
        train, test = d.without(n)
        fitted = fit_ngram_head(counts[train], d.labels[train], w[train], recipe.C)
        ngram[test] = fitted.logits([texts[i] for i in test])
        print(f"n-gram head without set {n}: {len(test)} texts scored", flush=True)
    z = fused_logit(z_head, ngram, recipe.weight, recipe.clip)
    scale, shift = platt(z, dev_labels)
    scores = sigmoid(scale * z + shift)
    dev_figures, threshold, confirm = operating_point(recipe, dev_rows, scores, p11, scorer.head.threshold)

    final = fit_ngram_head(counts, d.labels, w, recipe.C)
    calibration |= {"scale": scale, "shift": shift, "threshold": threshold}
    dev_figures["minilm_head_threshold"] = calibration["head_threshold"]
    write(out, model, recipe, (rows, overlap, dev_figures), head, final, calibration, baseline)
    print(json.dumps(dev_figures, indent=1))
    print(f"wrote {out}: threshold {threshold}, confirm {confirm}, calibration {scale:.3f} {shift:.3f}")
    if head is not None:
        print("a new MiniLM head: build its screen next (build_screen.py) before shipping it")


def operating_point(
    recipe: Recipe, dev_rows: list[build.Example], scores: np.ndarray, p11: np.ndarray, t11: float
) -> tuple[dict, float, float]:
    """(development figures, threshold, confirm step) of the fused `scores`, beside model 11's
    `p11` at its threshold `t11` (head alone; policy with confirm 0.7)."""
    from genguard.scoring import get_scorer

    labels = np.array([ex.label for ex in dev_rows])
    rules = np.array([r.score for r in get_scorer("injection").score([ex.text for ex in dev_rows])])
    m11_head = figures(dev_rows, p11 >= t11)
    m11_policy = figures(dev_rows, policy_flags(p11, rules, t11, 0.7))
    threshold = matched_threshold(scores, labels, m11_head["fpr_written_benign"])
    # The confirm step: of the 0.1 steps that keep the policy's false positives at model 11's,
    # the one that catches the most attacks, the highest of equals (rules that add no catch
    # should add no false positive).
    allowed = []
    for c in np.round(np.arange(0.1, 0.95, 0.1), 1):
        flags = figures(dev_rows, policy_flags(scores, rules, threshold, c))
        if flags["fpr_written_benign"] <= m11_policy["fpr_written_benign"]:
            allowed.append((flags["recall"], float(c)))
    confirm = max(allowed)[1] if allowed else 0.9
    tricky = build.tricky_of(dev_rows)
    attacks = labels == 1

    def auc(s: np.ndarray) -> float:
        y = np.r_[np.ones(attacks.sum()), np.zeros(tricky.sum())]
        return round(float(roc_auc_score(y, np.r_[s[attacks], s[tricky]])), 4)

    dev_figures = {
        "protocol": f"held-out sets {recipe.dev_sets}, each read by heads fitted without it",
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
    return dev_figures, threshold, confirm


def write(
    out: Path,
    model: int,
    recipe: Recipe,
    record: tuple[list[build.Example], dict, dict],
    head: ContextHead | None,
    ngrams: NgramHead,
    calibration: dict,
    baseline: Path,
) -> None:
    """The model folder: the MiniLM head (`head`, or `baseline`'s and its screen copied where None),
    ngrams.safetensors and config.json (model 11's, with this model's name, data, threshold, fusion
    and development figures; `record`: the training rows, their overlap check and the development
    figures; `calibration`: the fusion's scale and shift, the head's own threshold, the threshold and,
    for a new head, its own calibration a and b)."""
    rows, overlap, dev_figures = record
    out.mkdir(parents=True, exist_ok=True)
    config = json.loads((baseline / "config.json").read_text(encoding="utf-8"))
    if head is None:
        for name in ("head.safetensors", *SCREEN):
            shutil.copy2(baseline / name, out / name)
        minilm = "model 11's, unchanged (trained on sets 1-12)"
    else:
        head.save(out)  # its config.json is replaced below
        for name in SCREEN:
            (out / name).unlink(missing_ok=True)
        # the baseline's config names its own layers; the runtime reads these to slice the features
        config["layers"], config["context_layers"] = list(head.layers), list(head.context_layers)
        config["training"]["calibration"] = {"a": round(calibration["a"], 6), "b": round(calibration["b"], 6)}
        minilm = (
            f"trained again: build.py's model 11 recipe on these rows; calibrated (a, b) on the "
            f"development sets' leave-one-set-out logits of {len(build.SEEDS)} networks per set"
        )
    ngrams.save(out / FILE)
    fusion = NgramFusion(
        ngrams,
        recipe.weight,
        calibration["scale"],
        calibration["shift"],
        calibration["head_threshold"],
        MAX_CHARS,
        recipe.clip,
    )
    config["name"] = f"genguard-injection-minilm-{model}"
    config["threshold"] = calibration["threshold"]
    config["ngram_fusion"] = fusion.config(FILE)
    config["training"] |= build.data_record(rows, overlap, model) | {
        "ngram_C": recipe.C,
        "ngram_weight_of_spent_rows": recipe.spent_weight,
        "minilm_head": minilm,
    }
    config["out_of_fold"] = dev_figures
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", type=int, choices=sorted(RECIPES), default=20)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="model 11's folder (default: its files as MODEL_11_COMMIT shipped them, read from git)",
    )
    parser.add_argument(
        "--layers",
        help="MiniLM layers of a unit's features, e.g. 1,2,3 (default: build.py's, 1-6; card item 71)",
    )
    parser.add_argument(
        "--context-layers", help="layers of its context and first piece, e.g. 2,3 (default 4,6)"
    )
    args = parser.parse_args()
    # Set for this process and, through the environment, for the spawned fitting workers.
    for variable, value in (
        ("GENGUARD_BUILD_LAYERS", args.layers),
        ("GENGUARD_BUILD_CONTEXT_LAYERS", args.context_layers),
    ):
        if value:
            os.environ[variable] = value
    build.LAYERS_5 = build._layers("GENGUARD_BUILD_LAYERS", build.LAYERS_5)
    build.CONTEXT_LAYERS_5 = build._layers("GENGUARD_BUILD_CONTEXT_LAYERS", build.CONTEXT_LAYERS_5)
    if not set(build.CONTEXT_LAYERS_5) <= set(build.LAYERS_5):
        parser.error(f"--context-layers {build.CONTEXT_LAYERS_5} must be among --layers {build.LAYERS_5}")
    with tempfile.TemporaryDirectory() as scratch:
        main(args.out, args.model, args.baseline or model_11_files(Path(scratch)))
