"""The shared MiniLM embedder: batching by token budget gives the vectors of one-at-a-time embedding,
and the forward passes it plans stay within the budget in few distinct shapes."""

from __future__ import annotations

import random

import numpy as np
import pytest

from genguard.scoring.embedder import DIM, MAX_TOKENS, SentenceEmbedder, _passes, default_embedder

PROSE = (
    "the river carried cold water past old mills and quiet farms while children watched boats drift "
    "slowly toward a harbour full of gulls nets ropes and tired fishermen mending sails"
)
WORDS = PROSE.split()


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return default_embedder()


def mixed_texts(n: int, seed: int = 0) -> list[str]:
    """Sentences of 1 to 400 words (some beyond the 256 word pieces the model reads), in random order."""
    rng = random.Random(seed)
    lengths = [rng.choice([1, 3, 8, 20, 45, 90, 170, 400]) + rng.randrange(5) for _ in range(n)]
    return [" ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + "." for k in lengths]


def test_batched_equals_one_at_a_time(embedder: SentenceEmbedder) -> None:
    texts = mixed_texts(40)
    seen: list[int] = []
    batched = embedder.embed(texts, layers=(4, 6), token_budget=1024, progress=seen.append)
    alone = np.vstack([embedder.embed([t], layers=(4, 6)) for t in texts])
    assert batched.shape == (40, 2 * DIM) and batched.dtype == np.float32
    assert sum(seen) == 40 and len(seen) > 1  # several passes, every text counted once
    # bf16 arithmetic differs with padding and batch size; the vectors must not.
    cosines = [(batched[:, s] * alone[:, s]).sum(1) for s in (slice(0, DIM), slice(DIM, 2 * DIM))]
    assert min(c.min() for c in cosines) > 0.999
    assert np.abs(np.linalg.norm(batched[:, DIM:], axis=1) - 1).max() < 1e-4
    # A text's vector depends on the text, not on its neighbours: different texts stay apart.
    assert (batched[:, DIM:] @ batched[:, DIM:].T)[np.triu_indices(40, 1)].min() < 0.9


def test_layers_are_the_requested_ones(embedder: SentenceEmbedder) -> None:
    texts = mixed_texts(5, seed=1)
    both = embedder.embed(texts, layers=(4, 6))
    assert np.allclose(both[:, :DIM], embedder.embed(texts, layers=(4,)), atol=1e-3)
    assert np.allclose(both[:, DIM:], embedder.embed(texts, layers=(6,)), atol=1e-3)
    assert not np.allclose(both[:, :DIM], both[:, DIM:], atol=0.05)
    assert embedder.embed([], layers=(4, 6)).shape == (0, 2 * DIM)


def test_passes_fit_the_budget_in_few_shapes() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, MAX_TOKENS + 1, 5000)
    passes = list(_passes(lengths, max_rows=256, budget=4096))
    seen = np.concatenate([idx for idx, _, _ in passes])
    assert sorted(seen.tolist()) == list(range(5000))
    for idx, pad, rows in passes:
        assert lengths[idx].max() <= pad and len(idx) <= rows <= 256
        assert rows * pad <= 4096
        assert pad & (pad - 1) == 0 and rows & (rows - 1) == 0
    # Memory per distinct shape is what grew with input size: a handful of token counts only.
    assert len({rows * pad for _, pad, rows in passes}) <= 9
    # Most passes are full: padding rows are at most one pass in eight.
    assert sum(rows * pad == 4096 for _, pad, rows in passes) >= 0.85 * len(passes)
    # One text longer than the budget goes alone.
    assert [(len(i), p, r) for i, p, r in _passes(np.array([200, 10]), 64, 128)] == [(1, 16, 1), (1, 256, 1)]


def test_exact_passes_fit_the_budget_without_empty_rows() -> None:
    lengths = np.random.default_rng(1).integers(3, MAX_TOKENS + 1, 2000)
    passes = list(_passes(lengths, max_rows=256, budget=4096, exact=True))
    assert sorted(np.concatenate([idx for idx, _, _ in passes]).tolist()) == list(range(2000))
    for idx, pad, rows in passes:
        assert rows == len(idx) and pad % 8 == 0 and lengths[idx].max() <= pad < lengths[idx].max() + 8
        assert rows * pad <= 4096 or rows == 1


def test_cache_embeds_each_text_once_and_stays_bounded() -> None:
    embedder = SentenceEmbedder(cache_rows=8)
    texts = mixed_texts(6, seed=2)
    seen: list[int] = []
    first = embedder.embed([*texts, texts[0]], layers=(4, 6), progress=seen.append)
    assert sum(seen) == 7 and embedder.cache_hits == 0
    assert np.array_equal(first[0], first[6])  # a repeated text is embedded once
    again = embedder.embed(texts[::-1], layers=(4, 6), progress=seen.append)
    assert embedder.cache_hits == 6 and np.array_equal(again, first[:6][::-1])
    assert sum(seen) == 13  # texts served from the cache still count
    embedder.embed(texts, layers=(6,))  # other layers: another key
    assert embedder.cache_hits == 6 and len(embedder._cache) == 8  # least recently used dropped
    embedder.embed(["word " * 1000], layers=(6,))  # longer than CACHE_MAX_CHARS: not kept
    assert all(len(text) < 2000 for text, _ in embedder._cache)
    embedder.clear_cache()
    assert not embedder._cache
