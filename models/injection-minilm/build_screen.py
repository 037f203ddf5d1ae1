"""Train the injection model's first-pass screen (genguard.scoring.screen) by distillation.

The same kind of screen as the toxicity model's (models/toxicity-minilm/build_screen.py; the
fitting is genguard.scoring.screen_fit): from MiniLM's input layer alone, a small network learns
whether this model's head scores a unit at or over FLAG, and a unit under the cut for the
scorer's threshold is never embedded. The units are the scorer's (`injection_model.unit_spans`:
the toxicity chunks, plus the whole prompt when it has several and is short), so the screen
clears exactly what InjectionModelScorer would otherwise embed.

Texts: this model's training examples (build.examples(), split 80/10/10 by the hand-written line
they came from, seeded), and every text of the toxicity screen's parts (Davidson, BOLD, Tiny
Shakespeare, the project's ordinary prompts; same split). The test part also holds the held-out
injection sets (benchmarks/data/injection_heldout*_{attacks,benign}.jsonl), which neither the head
nor the screen is fitted or cut on. Cuts are set on the calibration part: at most MISS_GOAL of the
calibration units the head flags fall under the cut. Results go into screen.json.

Usage: python models/injection-minilm/build_screen.py  (minutes once the toxicity screen's feature
cache, benchmarks/.cache/minilm_features/, holds the units)
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

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


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _part(group: str) -> str:
    """train / cal / test for a hand-written line, 80/10/10 by a stable hash."""
    bucket = int(hashlib.sha256(group.encode()).hexdigest(), 16) % 10
    return "test" if bucket == 9 else "cal" if bucket == 8 else "train"


def texts_by_part() -> dict[str, list[tuple[str, str]]]:
    """(source, text) pairs for the train, cal and test parts."""
    build = _module(HERE / "build.py", "injection_build")
    toxicity = _module(HERE.parent / "toxicity-minilm" / "build_screen.py", "toxicity_build_screen")
    parts = toxicity.texts_by_part()
    seen = {text for rows in parts.values() for _, text in rows}
    for ex in build.examples():
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


def units(rows: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """(source, prepared unit) of every unit InjectionModelScorer scores for each text."""
    from genguard.scoring.injection_model import unit_spans
    from genguard.scoring.toxicity import prepare

    sources, texts = [], []
    for source, text in rows:
        for s, e in unit_spans(text)[0]:
            sources.append(source)
            texts.append(prepare(text[s:e]))
    return sources, texts


def main() -> None:
    from genguard.scoring import screen_fit
    from genguard.scoring.injection_model import InjectionHead

    head = InjectionHead.load(HERE)
    cache = screen_fit.FeatureCache(CACHE, head.layers)
    config = screen_fit.build(
        {part: units(rows) for part, rows in texts_by_part().items()},
        lambda texts: head.probabilities(cache.features(texts)),
        thresholds=sorted({*THRESHOLDS, head.threshold}),
        flag=FLAG,
        miss_goal=MISS_GOAL,
        hidden=HIDDEN,
        out=HERE,
        config={"teacher": head.config["name"]},
    )
    screen_fit.print_summary(config)


if __name__ == "__main__":
    main()
