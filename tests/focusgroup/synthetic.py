"""A synthetic survey "model" with known answers, behind the LanguageModel interface.

It stands in for a language model (an external component): it reads the persona and the two
products back from the prompt (decoded with the real tokenizer) and puts its next-token logits
on " A" and " B" so that log P(A) - log P(B) = position + d (first product shown as A) or
position - d (shown as B), where d = planted effect for the target group + seeded noise per
(persona, product pair). With `neither`, that share of prompts gets " C" as the top token.
Free-text answers are drawn from ANSWERS by the row seed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import torch

from genguard.lm.base import Generation, LanguageModel, Tokenizer

ANSWERS = [
    " A, because it is cheaper.",
    " B: it looks better made.",
    " I like both of them equally.",
    " A. You are a stupid idiot for asking.",
]


def _unit(*parts: object) -> float:
    """A uniform number in [0, 1) fixed by `parts`."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class SurveyModel(LanguageModel):
    """Answers survey prompts with a known position pull, planted preference and noise (nats)."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        firsts: Sequence[str],
        *,
        position: float = 1.0,
        target: str | None = None,
        target_pair: str | None = None,
        effect: float = 0.0,
        noise: float = 1.0,
        neither: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.tokenizer = tokenizer
        self.model_id = f"synthetic-survey(target={target}, effect={effect}, seed={seed})"
        self.firsts = set(firsts)
        self.position, self.target, self.target_pair = position, target, target_pair
        self.effect, self.noise, self.neither, self.seed = effect, noise, neither, seed
        self.a, self.b, self.c = (ids[0] for ids in tokenizer.encode([" A", " B", " C"]))
        self.scored: list[str] = []  # every prompt scored, in order (to count repeats)
        self.generated: list[str] = []

    def next_token_logits(self, batch: Sequence[Sequence[int]]) -> torch.Tensor:
        logits = torch.zeros(len(batch), self.tokenizer.vocab_size)
        for row, text in enumerate(self.tokenizer.decode([list(ids) for ids in batch])):
            self.scored.append(text)
            persona = re.search(r"Respondent: (.*)\.\n", text).group(1)
            shown_a = re.search(r"\nA: (.*)\n", text).group(1)
            shown_b = re.search(r"\nB: (.*)\n", text).group(1)
            first = shown_a if shown_a in self.firsts else shown_b
            u = _unit(self.seed, persona, first)
            d = self.noise * float(np.sqrt(2.0) * _erfinv(2 * u - 1))
            if self.target and persona.startswith(self.target + ",") and first == self.target_pair:
                d += self.effect
            x = self.position + (d if shown_a == first else -d)
            logits[row, self.a], logits[row, self.b] = 10 + x / 2, 10 - x / 2
            if _unit(self.seed, "neither", text) < self.neither:
                logits[row, self.c] = 30.0
        return logits

    def generate(
        self, prompts: Sequence[str], *, row_seeds: Sequence[int] | None = None, **_: object
    ) -> list[Generation]:
        assert row_seeds is not None
        self.generated += list(prompts)
        return [
            Generation(
                prompt=p,
                text=ANSWERS[s % len(ANSWERS)],
                token_ids=[],
                finish_reason="stop",
                model_id=self.model_id,
            )
            for p, s in zip(prompts, row_seeds, strict=True)
        ]


def _erfinv(y: float) -> float:
    from scipy.special import erfinv

    return float(erfinv(max(-0.999999, min(0.999999, y))))
