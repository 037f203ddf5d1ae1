"""The randperm re-implementation equals torch.randperm on a CPU generator, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from genguard.watermark import kernel


def torch_perm(seed: int, n: int) -> np.ndarray:
    generator = torch.Generator().manual_seed(int(seed))
    return torch.randperm(n, generator=generator).numpy()


@pytest.mark.parametrize("vocab_size", [2, 7, 1000, 49152, 151_936])
def test_greenlist_equals_torch_prefix(vocab_size: int) -> None:
    rng = np.random.default_rng(vocab_size)
    for seed in rng.integers(0, 2**32, 5, dtype=np.uint64):
        for gamma in (0.1, 0.25, 0.5, 0.9):
            size = max(1, int(vocab_size * gamma))
            np.testing.assert_array_equal(
                kernel.greenlist(np.uint32(seed), vocab_size, size), torch_perm(seed, vocab_size)[:size]
            )


@pytest.mark.parametrize("vocab_size,gamma", [(49152, 0.25), (49152, 0.5), (1000, 0.1), (50, 0.9), (3, 0.5)])
def test_membership_equals_torch(vocab_size: int, gamma: float) -> None:
    rng = np.random.default_rng(1)
    size = int(vocab_size * gamma)
    seeds = rng.integers(0, 2**32, 150, dtype=np.uint64).astype(np.uint32)
    perms = [torch_perm(s, vocab_size) for s in seeds]
    # For each seed test ids at the edges of the green list and random ones.
    pairs = [
        (s, p[k])
        for s, p in zip(seeds, perms, strict=True)
        for k in {0, size - 1, min(size, vocab_size - 1), vocab_size - 1, int(rng.integers(vocab_size))}
    ]
    s = np.array([a for a, _ in pairs], dtype=np.uint32)
    t = np.array([b for _, b in pairs], dtype=np.int64)
    expected = np.array(
        [
            int(np.nonzero(p == b)[0][0]) < size
            for (a, b), p in zip(pairs, [perms[list(seeds).index(a)] for a, _ in pairs], strict=True)
        ]
    )
    np.testing.assert_array_equal(kernel.is_green(s, t, vocab_size, size), expected)


def test_membership_empty_and_unaligned_batches() -> None:
    assert kernel.is_green(np.zeros(0, np.uint32), np.zeros(0, np.int64), 100, 25).shape == (0,)
    seeds = np.arange(1, 70, dtype=np.uint32)  # not a multiple of the lane count
    targets = np.arange(69, dtype=np.int64)
    expected = [t in torch_perm(s, 100)[:25] for s, t in zip(seeds, targets, strict=True)]
    assert kernel.is_green(seeds, targets, 100, 25).tolist() == expected


def test_grouped_membership_equals_lane_membership() -> None:
    rng = np.random.default_rng(3)
    # Few seeds shared by many targets (answered from whole green lists), plus singletons and duplicates.
    seeds = np.concatenate(
        [
            np.repeat(rng.integers(0, 2**32, 4, dtype=np.uint64), 40),
            rng.integers(0, 2**32, 50, dtype=np.uint64),
        ]
    ).astype(np.uint32)
    targets = rng.integers(0, 5000, len(seeds))
    seeds, targets = np.concatenate([seeds, seeds[:30]]), np.concatenate([targets, targets[:30]])
    expected = kernel.is_green(seeds, targets, 5000, 1250)
    assert expected.sum() > 0
    np.testing.assert_array_equal(kernel.is_green_many(seeds, targets, 5000, 1250), expected)
