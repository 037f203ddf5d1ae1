"""The sampling step of genguard's generation loop: seeded per-row generators and the choice of
the next token from processed scores (temperature, top-k, top-p)."""

from __future__ import annotations

import hashlib
import math

import torch

from genguard.errors import GenguardError


def row_generator(base_seed: int, index: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A generator for prompt `index`, seeded by hashing (base_seed, index) into 63 bits."""
    digest = hashlib.sha256(f"genguard-sample:{base_seed}:{index}".encode()).digest()
    gen = torch.Generator(device=device)
    gen.manual_seed(int.from_bytes(digest[:8], "big") >> 1)
    return gen


def choose(
    scores: torch.Tensor,
    generators: list[torch.Generator],
    temperature: float,
    top_k: int,
    top_p: float,
    finished: torch.Tensor,
) -> torch.Tensor:
    """Pick the next id of each row from processed scores [B, V]; returns LongTensor [B]."""
    live = ~finished
    if bool(live.any()):
        bad = ~torch.isfinite(scores[live]).any(dim=-1) | torch.isnan(scores[live]).any(dim=-1)
        if bool(bad.any()):
            raise GenguardError(
                "every token has score -inf (or a score is NaN) after the logits processors; "
                "check the processors passed to generate()"
            )
    if temperature == 0:
        return scores.argmax(dim=-1)
    scores = scores / temperature
    if 0 < top_k < scores.shape[-1]:
        kth = torch.topk(scores, top_k, dim=-1).values[:, -1:]
        scores = scores.masked_fill(scores < kth, -math.inf)
    if top_p < 1.0:
        sorted_scores, sorted_idx = torch.sort(scores, descending=True, dim=-1)
        probs = sorted_scores.softmax(dim=-1)
        # Drop a token when the tokens ranked above it already hold top_p of the mass; the
        # most likely token is always kept.
        drop_sorted = (probs.cumsum(dim=-1) - probs) >= top_p
        drop = torch.zeros_like(drop_sorted).scatter(-1, sorted_idx, drop_sorted)
        scores = scores.masked_fill(drop, -math.inf)
    probs = scores.softmax(dim=-1)
    picks = [
        torch.multinomial(probs[row], 1, generator=gen) if alive else probs.new_zeros(1, dtype=torch.long)
        for row, (gen, alive) in enumerate(zip(generators, live.tolist(), strict=True))
    ]
    return torch.cat(picks)
