"""Watermarking logits processor: works with transformers' `model.generate` and genguard's own loop.

At each step the green list is seeded from the previous tokens (the scheme's window) and
`delta` is added to green logits (soft mode) or every red logit is set to -inf (hard mode).
For self-salted schemes (selfhash) a candidate's colour depends on the candidate itself, so only
the `candidates` most likely tokens are tested, as the reference does (it tests 41).
"""

from __future__ import annotations

import numpy as np
import torch
from transformers import LogitsProcessor

from genguard.errors import ConfigError
from genguard.watermark.keys import WatermarkKey
from genguard.watermark.schemes import DEFAULT_SCHEME, check_params, get_scheme


class WatermarkLogitsProcessor(LogitsProcessor):
    """Biases next-token scores [B, V] towards the green list of `key` under `scheme`.

    Rows with fewer previous tokens than the scheme's window are left unchanged (the reference
    raises instead). Scores beyond `vocab_size` (padded model vocabularies) are left unchanged.
    """

    def __init__(
        self,
        vocab_size: int,
        key: WatermarkKey | None = None,
        *,
        scheme: str = DEFAULT_SCHEME,
        gamma: float = 0.25,
        delta: float = 2.0,
        hard: bool = False,
        candidates: int = 41,
    ) -> None:
        check_params(gamma, delta, vocab_size)
        if not isinstance(candidates, int) or candidates < 1:
            raise ConfigError(f"candidates must be a positive integer, got {candidates!r}")
        self.vocab_size = vocab_size
        self.key = key or WatermarkKey.reference()
        self.scheme = get_scheme(scheme)
        self.gamma = float(gamma)
        self.delta = float(delta)
        self.hard = hard
        self.candidates = min(candidates, vocab_size)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        """Scores with green logits raised by delta (soft) or red logits set to -inf (hard)."""
        width = self.scheme.context_width - (1 if self.scheme.self_salt else 0)
        if input_ids.shape[-1] < width:
            return scores
        history = input_ids[:, input_ids.shape[-1] - width :].cpu().numpy().astype(np.int64)
        vocab_scores = scores[:, : self.vocab_size]
        if self.scheme.self_salt:
            green = self._green_candidates(history, vocab_scores)
        else:
            green = torch.from_numpy(
                self.scheme.greenlists(history, self.key.hash_key, self.vocab_size, self.gamma)
            ).to(scores.device)
        scores = scores.clone()
        if self.hard:
            red = ~green
            red[green.sum(dim=1) == 0] = False  # nothing known green: leave the row alone
            scores[:, : self.vocab_size] = vocab_scores.masked_fill(red, float("-inf"))
        else:
            scores[:, : self.vocab_size] = vocab_scores + self.delta * green.to(scores.dtype)
        return scores

    def _green_candidates(self, history: np.ndarray, scores: torch.Tensor) -> torch.Tensor:
        top = torch.topk(scores, self.candidates, dim=-1).indices.cpu().numpy().astype(np.int64)
        rows, k = top.shape
        windows = np.concatenate(
            [np.repeat(history, k, axis=0), top.reshape(-1, 1)], axis=1
        )  # each candidate appended to its row's previous tokens
        is_green = self.scheme.green_mask(windows, self.key.hash_key, self.vocab_size, self.gamma)
        green = torch.zeros(scores.shape, dtype=torch.bool, device=scores.device)
        green.scatter_(
            1,
            torch.from_numpy(top).to(scores.device),
            torch.from_numpy(is_green.reshape(rows, k)).to(scores.device),
        )
        return green
