"""Train the injection model's first-pass screen (genguard.scoring.screen) by distillation.

The same kind of screen as the toxicity model's (models/toxicity-minilm/build_screen.py; the
fitting is genguard.scoring.screen_fit): from MiniLM's input layer alone, a small network learns
whether this model's head scores a unit at or over FLAG, and a unit under the cut for the
scorer's threshold is never embedded. The units are the scorer's (`injection_model.unit_spans`:
the toxicity chunks, plus the whole prompt when it has several and is short), so the screen
clears exactly what InjectionModelScorer would otherwise embed.

Texts: the shipped model's training examples (build.examples(n) for genguard-injection-minilm-n,
split 80/10/10 by the hand-written line they came from, seeded), and every text of the toxicity
screen's parts (Davidson, BOLD, Tiny Shakespeare, the project's ordinary prompts; same split). The
test part also holds the held-out injection sets (benchmarks/data/injection_heldout*_*.jsonl),
which neither the head nor the screen is fitted or cut on. For a ContextHead (models 5 and 6) the
teacher is each unit's P in its text (`teacher_probabilities`), so the screen learns whether a
unit can score high where it stands. Cuts are set on the calibration part: at most MISS_GOAL of
the calibration units the head flags fall under the cut. Results go into screen.json.

Usage: python models/injection-minilm/build_screen.py  (minutes once the toxicity screen's feature
cache, benchmarks/.cache/minilm_features/, holds the units)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from genguard.lazy import load_script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "minilm_features"
DATA = ROOT / "benchmarks" / "data"
THRESHOLDS = (0.5, 0.7, 0.9)  # and the model's own (config.json), which the built-in policy uses
MISS_GOAL = 0.005
# Chosen over 0.5 on the held-out sets, text level: 0 vs 1 of 393 flagged attacks lost, at
# 64-72 % vs 66-84 % of benign prompts cleared whole.
FLAG = 0.8
HIDDEN = 64


def _part(group: str) -> str:
    """train / cal / test for a hand-written line, 80/10/10 by a stable hash."""
    bucket = int(hashlib.sha256(group.encode()).hexdigest(), 16) % 10
    return "test" if bucket == 9 else "cal" if bucket == 8 else "train"


def texts_by_part() -> dict[str, list[tuple[str, str]]]:
    """(source, text) pairs for the train, cal and test parts."""
    build = load_script(HERE / "build.py", "injection_build")
    toxicity = load_script(HERE.parent / "toxicity-minilm" / "build_screen.py", "toxicity_build_screen")
    parts = toxicity.texts_by_part()
    seen = {text for rows in parts.values() for _, text in rows}
    shipped = int(json.loads((HERE / "config.json").read_text(encoding="utf-8"))["name"].rsplit("-", 1)[1])
    for ex in build.examples(model=shipped):  # the shipped model's training examples
        if ex.text not in seen:
            parts[_part(ex.group)].append((f"injection-{'attack' if ex.label else 'benign'}", ex.text))
            seen.add(ex.text)
    for path in sorted(DATA.glob("injection_heldout*_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "text" in row and row["text"] not in seen:
                parts["test"].append((path.stem, row["text"]))
                seen.add(row["text"])
    return parts


def units(rows: list[tuple[str, str]]) -> tuple[list[str], list[str], list[tuple[int, int, bool]]]:
    """(source, prepared unit) of every unit InjectionModelScorer scores for each text, and per
    text (first unit, past-the-last unit, whether the last is the text whole)."""
    from genguard.scoring.injection_model import unit_spans
    from genguard.scoring.toxicity import prepare

    sources, texts, extents = [], [], []
    for source, text in rows:
        spans, whole = unit_spans(text)
        extents.append((len(texts), len(texts) + len(spans), whole))
        for s, e in spans:
            sources.append(source)
            texts.append(prepare(text[s:e]))
    return sources, texts, extents


def owners_and_whole(extents: list[tuple[int, int, bool]]) -> tuple[list[int], list[bool]]:
    """Per unit, the index of its text and whether it is its text whole (as the scorer lists them)."""
    owners, whole = [], []
    for i, (start, end, has_whole) in enumerate(extents):
        owners += [i] * (end - start)
        whole += [False] * (end - start - has_whole) + [True] * has_whole
    return owners, whole


def teacher_probabilities(head, cache, texts: list[str], extents: list[tuple[int, int, bool]]):
    """The head's P per unit as InjectionModelScorer computes it (screen off): each unit alone for
    a linear head; each unit with its text's context and first piece for a ContextHead (models 5-6),
    so that the screen learns whether a unit can score high in its text."""
    from genguard.scoring.injection_model import ContextHead, context_rows

    x = cache.features(texts)
    if not isinstance(head, ContextHead):
        return head.probabilities(x)
    context, frame, flags = context_rows(*owners_and_whole(extents))
    ctx = head.context_features(x)
    return head.unit_probabilities(x, ctx[context], ctx[frame], flags)


def main() -> None:
    from genguard.scoring import screen_fit
    from genguard.scoring.injection_model import load_head

    head = load_head(HERE)
    # With an n-gram fusion the scorer screens at the MiniLM head's own threshold (card item 47).
    screened_at = head.config.get("ngram_fusion", {}).get("head_threshold", head.threshold)
    cache = screen_fit.FeatureCache(CACHE, head.layers)
    parts = {part: units(rows) for part, rows in texts_by_part().items()}
    probs = {id(texts): teacher_probabilities(head, cache, texts, ext) for _, texts, ext in parts.values()}
    config = screen_fit.build(
        {part: (sources, texts) for part, (sources, texts, _) in parts.items()},
        lambda texts: probs[id(texts)],
        thresholds=sorted({*THRESHOLDS, head.threshold, screened_at}),
        flag=FLAG,
        miss_goal=MISS_GOAL,
        hidden=HIDDEN,
        out=HERE,
        config={"teacher": head.config["name"]},
    )
    config = conservative_cuts(parts, probs)
    screen_fit.print_summary(config)


def conservative_cuts(parts: dict, probs: dict) -> dict:
    """Make the saved screen's cuts never more aggressive for a higher threshold than for a lower
    one (cut(t) = the least cut of the thresholds <= t), and rewrite its miss tables.

    Every unit the head flags at t is flagged at any t' <= t too, so a cut that keeps all but
    MISS_GOAL of the calibration units flagged at t' is safe for t; the cut computed at t alone is a
    quantile of fewer units (95 calibration units at model 5's 0.94), and in model 5's first screen
    it cleared 21 of 1,355 flagged test units at 0.94 against 4 of 1,518 at 0.9 (18 of the 21 in the
    held-out sets, 3 in the training texts' test part). This rule was added after seeing that table."""
    from genguard.scoring import screen_fit
    from genguard.scoring.embedder import default_embedder
    from genguard.scoring.screen import Screen

    screen = Screen.load(HERE, Path(default_embedder().folder))
    cuts = dict(sorted(screen.cuts.items()))
    safe = {t: min(c for u, c in cuts.items() if u <= t) for t in cuts}
    logits = {part: screen.logits(texts) for part, (_, texts, _) in parts.items()}
    teacher = {part: probs[id(texts)] for part, (_, texts, _) in parts.items()}
    sources = np.array(parts["test"][0])
    config = {
        **screen.config,
        "cut_rule": screen.config["cut_rule"] + "; then the least cut of the thresholds at or under each",
        "calibration": screen_fit.miss_table(teacher["cal"], logits["cal"], safe),
        "test": screen_fit.miss_table(teacher["test"], logits["test"], safe),
        "test_by_source": {
            name: screen_fit.miss_table(
                teacher["test"][sources == name], logits["test"][sources == name], safe
            )
            for name in sorted(set(sources))
        },
    }
    tensors = {"w1": screen.w1, "b1": screen.b1, "w2": screen.w2, "b2": screen.b2}
    Screen(tensors, {str(k): v for k, v in safe.items()}, config, screen.encoder_folder).save(HERE)
    return config


if __name__ == "__main__":
    main()
