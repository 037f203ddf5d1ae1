"""Per-token curvature statistics of texts under a local language model, batched and bounded.

Each text is normalised (NFKC and invisible characters, so that look-alike and zero-width
tricks do not change the score; character offsets still point into the text as given), then
tokenised. Every token is scored, the first one included: the model's start-of-text token goes
in front of the text, chosen by the rules of `genguard.fairness.sentence_scores.start_token`.

Long texts are scored in blocks of `block_tokens`; every block after the first sees the
`context_tokens` before it as context (not scored), so few tokens are scored without context.
Texts over `max_tokens` are scored on evenly spaced blocks that hold `max_tokens` tokens in all
(`TokenCurve.coverage` < 1 says so): a 1 MB text costs what `max_tokens` tokens cost. The model
runs on batches of at most `token_budget` positions (padding included), which bounds memory: the
float32 logits of 1,024 positions over SmolLM2's 49,152-entry vocabulary take 200 MB, and the
statistics need two more arrays of that size at most.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from genguard.errors import ConfigError, InvalidInputError
from genguard.lm.base import LanguageModel
from genguard.lm.start_token import start_token
from genguard.text import check_texts, normalize_with_offsets

NORMALIZERS = ("nfkc", "invisible")


@dataclass(frozen=True)
class TokenCurve:
    """One text's tokens and statistics.

    `offsets[i]` is the character range [start, end) of token i in the text as given (None when
    the tokenizer gives no offsets); `positions` the indices of the tokens scored (all of them
    unless the text was longer than max_tokens) and `stats` their (ll, mean, var) rows, float32,
    in nats (see curvature.py)."""

    num_tokens: int
    offsets: np.ndarray | None
    positions: np.ndarray
    stats: np.ndarray

    @property
    def coverage(self) -> float:
        """Fraction of the text's tokens that were scored (1.0 for an empty text)."""
        return len(self.positions) / self.num_tokens if self.num_tokens else 1.0


def _check_positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{name} must be a positive integer, got {value!r}")
    return value


def encode_with_offsets(tokenizer: Any, texts: list[str]) -> list[tuple[list[int], np.ndarray | None]]:
    """(token ids, character offsets [n, 2] into the text as given) of each normalised text."""
    pairs = [normalize_with_offsets(t, NORMALIZERS) for t in texts]
    normalised = [p[0] for p in pairs]
    hf = getattr(tokenizer, "hf_tokenizer", None)
    if hf is None or not getattr(hf, "is_fast", False):
        return [(ids, None) for ids in tokenizer.encode(normalised)]
    enc = hf(normalised, add_special_tokens=False, return_offsets_mapping=True)
    out = []
    for original, (_, index), ids, spans in zip(
        texts, pairs, enc["input_ids"], enc["offset_mapping"], strict=True
    ):
        if not ids:
            out.append(([], np.empty((0, 2), np.int64)))
            continue
        back = np.asarray([*index, len(original)], dtype=np.int64)  # one past the end maps to the end
        spans_arr = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        starts = back[np.minimum(spans_arr[:, 0], len(index))]
        ends = np.where(spans_arr[:, 1] > 0, back[np.maximum(spans_arr[:, 1] - 1, 0)] + 1, starts)
        out.append((list(ids), np.stack([starts, ends], axis=1)))
    return out


def _blocks(n: int, block: int, max_tokens: int) -> list[tuple[int, int]]:
    """[start, end) token ranges to score: all blocks, or evenly spaced ones up to max_tokens."""
    ranges = [(s, min(s + block, n)) for s in range(0, n, block)]
    keep = max(1, max_tokens // block)
    if len(ranges) > keep:
        picks = np.unique(np.linspace(0, len(ranges) - 1, keep).round().astype(int))
        ranges = [ranges[i] for i in picks]
    return ranges


def score_tokens(
    model: LanguageModel,
    texts: Sequence[str],
    *,
    start_token_id: int | None = None,
    block_tokens: int = 512,
    context_tokens: int = 128,
    max_tokens: int = 8192,
    token_budget: int = 1024,
) -> list[TokenCurve]:
    """One TokenCurve per text, in input order (an empty text gets one with no tokens).

    Raises InvalidInputError for a non-list or non-str item and ConfigError for a model that does
    not expose its full next-token distribution (a remote endpoint)."""
    texts = check_texts(texts, "pass a list of texts")
    block_tokens = _check_positive("block_tokens", block_tokens)
    max_tokens = _check_positive("max_tokens", max_tokens)
    token_budget = _check_positive("token_budget", token_budget)
    if isinstance(context_tokens, bool) or not isinstance(context_tokens, int) or context_tokens < 0:
        raise InvalidInputError(f"context_tokens must be an int >= 0, got {context_tokens!r}")
    if not hasattr(model, "model") or not hasattr(model, "_left_pad"):
        raise ConfigError(
            f"{type(model).__name__} does not expose its next-token distributions; zero-shot detection "
            "needs a local transformers model (load_model('default') or a model folder)"
        )
    start = start_token(model.tokenizer, start_token_id).token_id
    encoded = encode_with_offsets(model.tokenizer, texts)
    # (text index, block start, ids fed, number of leading ids not scored)
    jobs: list[tuple[int, int, list[int], int]] = []
    blocks: list[list[tuple[int, int]]] = []
    for t, (ids, _) in enumerate(encoded):
        ranges = _blocks(len(ids), block_tokens, max_tokens) if ids else []
        blocks.append(ranges)
        for s, e in ranges:
            # A block whose context reaches the text's start sees the start token too, so that
            # splitting a text into blocks changes nothing when the context covers it all.
            first = max(0, s - context_tokens)
            prefix = ([start] if first == 0 else []) + ids[first:s]
            jobs.append((t, s, prefix + ids[s:e], len(prefix)))
    results: dict[tuple[int, int], np.ndarray] = {}
    order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][2]))
    begin = 0
    while begin < len(order):
        # Batches of similar length (sorted), as many rows as fit in the token budget.
        longest = len(jobs[order[begin]][2])
        end = begin + 1
        while end < len(order) and (end - begin + 1) * max(longest, len(jobs[order[end]][2])) <= token_budget:
            longest = max(longest, len(jobs[order[end]][2]))
            end += 1
        chunk = [jobs[j] for j in order[begin:end]]
        for (t, s, _, _), stats in zip(chunk, _forward(model, [(c[2], c[3]) for c in chunk]), strict=True):
            results[(t, s)] = stats
        begin = end
    curves = []
    for t, (ids, offsets) in enumerate(encoded):
        ranges = blocks[t]
        stats = [results[(t, s)] for s, _ in ranges]
        positions = [np.arange(s, e) for s, e in ranges]
        curves.append(
            TokenCurve(
                num_tokens=len(ids),
                offsets=offsets,
                positions=np.concatenate(positions) if positions else np.empty(0, np.int64),
                stats=np.concatenate(stats) if stats else np.empty((0, 3), np.float32),
            )
        )
    return curves


def _forward(model: Any, rows: list[tuple[list[int], int]]) -> list[np.ndarray]:
    """(ll, mean, var) [len(ids) - skip, 3] for each (ids, skip): the statistics of every token
    after the first `skip` ids, from one left-padded forward pass."""
    import torch

    from genguard.detection.curvature import token_statistics

    vocab = model.tokenizer.vocab_size
    if getattr(model, "model_vocab_size", vocab) < vocab:
        raise ConfigError(f"{model.model_id} has fewer output logits than its vocabulary ({vocab})")
    input_ids, mask, positions = model._left_pad([ids for ids, _ in rows])  # shared padding rule
    model._check_length(input_ids.shape[1])
    length = input_ids.shape[1]
    with torch.inference_mode():
        logits = model.model(
            input_ids=input_ids, attention_mask=mask, position_ids=positions, use_cache=False
        ).logits
        picks_row, picks_pos = [], []
        for r, (ids, skip) in enumerate(rows):
            first = length - len(ids) + skip  # index of the first scored token
            picks_row.append(torch.full((length - first,), r, dtype=torch.long))
            picks_pos.append(torch.arange(first, length))
        row_idx, pos_idx = torch.cat(picks_row), torch.cat(picks_pos)
        stats = token_statistics(logits[row_idx, pos_idx - 1, :vocab], input_ids[row_idx, pos_idx])
    out, at = [], 0
    array = stats.numpy()
    for ids, skip in rows:
        n = len(ids) - skip
        out.append(array[at : at + n])
        at += n
    return out


def total_tokens(curves: Sequence[TokenCurve]) -> int:
    """Tokens scored across `curves` (for speed figures in tokens/s)."""
    return int(math.fsum(len(c.positions) for c in curves))
