"""Train the toxicity model's first-pass screen (genguard.scoring.screen) by distillation.

The teacher is the packaged head itself (head.safetensors): every chunk of every text below is
scored by it exactly as ToxicityScorer scores chunks, and the screen learns, from MiniLM's input
layer alone, whether the head scores the chunk >= 0.2 (genguard.scoring.screen_fit does the
fitting, shared with the injection model's screen). No labels are used, so any text may teach,
but the splits still matter for the miss rates: texts are split as the head's own training was
(Davidson, written.yaml, BOLD train domains: 80/10/10 with build.py's seed), Tiny Shakespeare by
position (first 80 % / next 10 % / last 10 %), and the test part also holds what neither model
ever saw: BOLD's gender and race domains, the project's held-out register and probe sets, the
held-out injection prompts.

The cut per threshold is chosen on the calibration part: at most MISS_GOAL of the calibration
chunks the head scores at or over the threshold fall under it. Miss rates and cleared shares on
the test part, per threshold and source, go into screen.json.

Usage: python models/toxicity-minilm/build_screen.py  (about 15 minutes on 2 cores the first time;
MiniLM features of every chunk are cached in benchmarks/.cache/minilm_features/, so a rebuild for
a retrained head takes a few minutes)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from genguard.lazy import load_script
from genguard.scoring import screen_fit
from genguard.scoring.screen_fit import FeatureCache, Part

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "minilm_features"
DATA = ROOT / "benchmarks" / "data"
THRESHOLDS = (0.2, 0.5, 0.7, 0.9)  # the policies' toxicity thresholds
# 0.005 (model 2's) let model 3's screen miss 1.0 % of the held-out chunks the head flags at 0.5;
# 0.0025 misses 0.36 % and clears 74 % of the rest instead of 81 %.
MISS_GOAL = 0.0025
FLAG = 0.2  # the network learns "head P(toxic) >= 0.2", the lowest threshold a policy uses
HIDDEN = 64
GENDER_DIRECTIONS = 8  # the head's number (chosen on validation pairs), kept for the screen


def _build():
    """models/toxicity-minilm/build.py as a module (its folder is not a package)."""
    return load_script(HERE / "build.py", "toxicity_build")


def _jsonl(path: Path) -> list[dict]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if "text" in r]


def texts_by_part() -> dict[str, list[tuple[str, str]]]:
    """(source, text) pairs for the train, cal and test parts."""
    from genguard.datasets import bold_wikipedia_sentences, shakespeare_text
    from genguard.guard.train import split_indices

    build = _build()
    parts: dict[str, list[tuple[str, str]]] = {"train": [], "cal": [], "test": []}
    for source in build.sources():
        if source.role == "train":
            parts["train"] += [(source.name, t) for t in source.texts]
            continue
        for part, idx in zip(parts, split_indices(source.labels, build.SEED), strict=True):
            parts[part] += [(source.name, source.texts[i]) for i in idx]
    lines = [x for x in shakespeare_text().split("\n\n") if x.strip()]
    a, b = int(0.8 * len(lines)), int(0.9 * len(lines))
    for part, block in zip(parts, (lines[:a], lines[a:b], lines[b:]), strict=True):
        parts[part] += [("shakespeare", t) for t in block]
    for row in _jsonl(DATA / "injection_prompts.jsonl"):
        parts["train" if row.get("split") == "dev" else "test"].append(("injection-prompts", row["text"]))
    rng = np.random.default_rng(0)
    held = bold_wikipedia_sentences(build.BOLD_HELD_OUT_DOMAINS)
    parts["test"] += [("bold-gender-race", held[i]) for i in rng.choice(len(held), 3000, replace=False)]
    for name in (
        "toxicity_registers_test",
        "toxicity_probe",
        "injection_heldout_attacks",
        "injection_heldout_benign",
    ):
        parts["test"] += [(name, r["text"]) for r in _jsonl(DATA / f"{name}.jsonl")]
    return parts


def units(rows: list[tuple[str, str]]) -> Part:
    """(source, prepared chunk) of every chunk of every text, as ToxicityScorer embeds them."""
    from genguard.scoring.toxicity import prepare
    from genguard.text.sentences import chunk_spans

    sources, texts = [], []
    for source, text in rows:
        for s, e in chunk_spans(text):
            sources.append(source)
            texts.append(prepare(text[s:e]))
    return sources, texts


def gender_pairs(texts: list[str]) -> tuple[list[str], list[str]]:
    """The training chunks that gender words change, and their swapped forms (the WinoBias swap
    lists, as the head's own augmentation uses them)."""
    build = _build()
    idx, swapped = build.gender_swapped(texts, build.training_swaps())
    return [texts[i] for i in idx], swapped


def main() -> None:
    from genguard.scoring.toxicity import ToxicityHead

    head = ToxicityHead.load(HERE)
    cache = FeatureCache(CACHE, head.layers)
    parts = {part: units(rows) for part, rows in texts_by_part().items()}
    config = screen_fit.build(
        parts,
        lambda texts: head.probabilities(cache.features(texts)),
        thresholds=THRESHOLDS,
        flag=FLAG,
        miss_goal=MISS_GOAL,
        hidden=HIDDEN,
        out=HERE,
        config={"teacher": head.config["name"]},
        # The scorer's own gender gap (issue 14) must not come back through the stand-ins: the
        # gender directions of the input layer are removed as the head's are from its features.
        invariant_pairs=gender_pairs(parts["train"][1]),
        directions=GENDER_DIRECTIONS,
    )
    screen_fit.print_summary(config)


if __name__ == "__main__":
    main()
