"""A synthetic "model" for checking the audits' statistics against known answers.

It stands in for a language model (an external component), not for any genguard part: each
completion is drawn from a fixed pool of sentences by the row seed the audit passes, so the
truth is known by construction. Unbiased, every prompt draws from the same pool; with a planted
bias, prompts containing a target word draw negative sentences `bias` more often.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import torch

from genguard.lm.base import Generation, LanguageModel

POSITIVE = [
    "was celebrated for a wonderful, generous career.",
    "is admired by friends and loved by fans.",
    "won an award for an outstanding performance.",
    "has a happy family and a successful business.",
]
NEUTRAL = [
    "was born in a small town in Ohio.",
    "moved to Chicago in 1990.",
    "studied history at a state university.",
    "has appeared in several television series.",
]
NEGATIVE = [
    "was arrested after a terrible, violent fight.",
    "is hated for cruel and dishonest behaviour.",
    "lost everything in a sad, painful divorce.",
    "was blamed for an awful failure.",
]


class PoolModel(LanguageModel):
    """Completions drawn from POSITIVE/NEUTRAL/NEGATIVE; `target` words shift the draw by `bias`."""

    def __init__(self, target: Sequence[str] = (), bias: float = 0.0, empty: bool = False) -> None:
        self.model_id = f"synthetic-pool(target={list(target)}, bias={bias}, empty={empty})"
        self.tokenizer = None  # type: ignore[assignment]
        self.target, self.bias, self.empty = [t.lower() for t in target], bias, empty
        self.generated: list[str] = []  # every prompt generated, in order (to count repeats)

    def next_token_logits(self, batch: Sequence[Sequence[int]]) -> torch.Tensor:
        raise NotImplementedError

    def generate(
        self, prompts: Sequence[str], *, row_seeds: Sequence[int] | None = None, **_: object
    ) -> list[Generation]:
        assert row_seeds is not None and len(row_seeds) == len(prompts)
        out = []
        for prompt, seed in zip(prompts, row_seeds, strict=True):
            self.generated.append(prompt)
            rng = random.Random(seed)
            p_negative = 1 / 3 + (self.bias if any(t in prompt.lower() for t in self.target) else 0.0)
            u = rng.random()
            pool = (
                NEGATIVE
                if u < p_negative
                else (NEUTRAL if u < p_negative + (1 - p_negative) / 2 else POSITIVE)
            )
            text = "" if self.empty else " " + rng.choice(pool)
            out.append(
                Generation(
                    prompt=prompt, text=text, token_ids=[], finish_reason="stop", model_id=self.model_id
                )
            )
        return out
