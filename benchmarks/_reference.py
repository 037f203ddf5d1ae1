"""A faithful per-token re-implementation of the reference detector (lm-watermarking), the speed anchor.

For every scored n-gram: compute the PRF with torch ops, seed a CPU torch.Generator, randperm the
whole vocabulary and test membership, as extended_watermark_processor does without its cache.
"""

from __future__ import annotations

import math
from collections import Counter

import torch

_gen = torch.Generator().manual_seed(2971215073)
_TABLE = torch.randperm(1_000_003, generator=_gen)


def hashint(t: torch.Tensor) -> torch.Tensor:
    return _TABLE[t % 1_000_003] + 1


PRF = {
    "lefthash": (1, False, lambda ids, k: k * ids.sum().item()),
    "selfhash": (4, True, lambda ids, k: (k * hashint(ids) * hashint(ids[-1])).min().item()),
    "minhash": (4, False, lambda ids, k: hashint(k * ids).min().item()),
    "skipgram": (5, False, lambda ids, k: hashint(k * ids[0]).item()),
}


def reference_z(
    ids: list[int],
    scheme: str,
    gamma: float,
    vocab_size: int,
    key: int = 15485863,
    ignore_repeated_ngrams: bool = True,
) -> float:
    """The reference's z-score for one token sequence, computed token by token."""
    width, self_salt, prf = PRF[scheme]
    n = width + 1 - int(self_salt)
    grams = [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]
    table = Counter(grams)
    rng = torch.Generator()
    green_size = int(vocab_size * gamma)
    outcome = {}
    for gram in table:
        prefix = gram if self_salt else gram[:-1]
        rng.manual_seed(prf(torch.as_tensor(prefix[-width:]), key) % (2**64 - 1))
        greenlist = torch.randperm(vocab_size, generator=rng)[:green_size]
        outcome[gram] = bool(gram[-1] in greenlist)
    if ignore_repeated_ngrams:
        scored, green = len(table), sum(outcome.values())
    else:
        scored, green = sum(table.values()), sum(c * outcome[g] for g, c in table.items())
    return (green - gamma * scored) / math.sqrt(scored * gamma * (1 - gamma))
