"""Rebuild the shipped toxicity model (head.safetensors, config.json) from the shared data.

    .venv/bin/python models/toxicity-minilm/build.py

Data: Davidson tweets (hate speech or offensive = toxic), BOLD Wikipedia sentences from the
profession, political and religious domains (non-toxic; gender and race are kept out for the
false-positive test), and augment.yaml (project-written, training only). About 2 minutes on 2 cores.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml

from genguard.datasets import bold_wikipedia_sentences, davidson_tweets
from genguard.guard.train import LabelledTexts, TrainingSource, train_head

HERE = Path(__file__).resolve().parent
BOLD_TRAIN_DOMAINS = ("profession", "political_ideology", "religious_ideology")
BOLD_HELD_OUT_DOMAINS = ("gender", "race")
SEED = 0


def augment_sentences() -> LabelledTexts:
    """augment.yaml expanded: groups x (toxic, neutral) predicates, targets x (threats, benign), idioms."""
    spec = yaml.safe_load((HERE / "augment.yaml").read_text(encoding="utf-8"))
    crossed: list[tuple[int, str]] = []
    for fillers, bad, good in ((spec["groups"], "toxic", "neutral"), (spec["targets"], "threats", "benign")):
        for label, key in ((1, bad), (0, good)):
            crossed += [(label, template.format(g=f, t=f)) for template in spec[key] for f in fillers]
    crossed += [(0, sentence) for sentence in spec["idioms"]]
    texts = [s[0].upper() + s[1:] for _, s in crossed]
    return LabelledTexts("augment.yaml", texts, np.array([label for label, _ in crossed]))


def sources() -> list[TrainingSource]:
    tweets, classes = davidson_tweets()
    davidson = LabelledTexts("davidson", tweets, (np.array(classes) < 2).astype(np.int64))
    bold = bold_wikipedia_sentences(BOLD_TRAIN_DOMAINS)
    neutral = LabelledTexts("bold-wikipedia-train-domains", bold, np.zeros(len(bold), np.int64))
    return [
        TrainingSource(davidson),
        TrainingSource(neutral),
        TrainingSource(augment_sentences(), role="train"),
    ]


def main() -> None:
    from rich.progress import Progress

    data = sources()
    with Progress() as bar:
        task = bar.add_task("embedding", total=sum(len(s.data.texts) for s in data))
        head, metrics = train_head(
            data, name="genguard-toxicity-minilm-1", seed=SEED, progress=lambda k: bar.advance(task, k)
        )
    head.config["bold_held_out_domains"] = list(BOLD_HELD_OUT_DOMAINS)
    head.save(HERE)
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
