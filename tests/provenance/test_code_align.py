"""Vectorised Greedy String Tiling against a plain reference implementation."""

from __future__ import annotations

import numpy as np
import pytest

from genguard.errors import InvalidInputError
from genguard.provenance.code_align import maximal_runs, tile, tile_regions


def reference_gst(a: list[int], b: list[int], min_match: int) -> int:
    """Wise's GST, rounds of rescanning; returns the covered tokens."""
    ma, mb, covered = [False] * len(a), [False] * len(b), 0
    while True:
        best, found = min_match - 1, []
        for i in range(len(a)):
            for j in range(len(b)):
                k = 0
                while (
                    i + k < len(a)
                    and j + k < len(b)
                    and not ma[i + k]
                    and not mb[j + k]
                    and a[i + k] == b[j + k]
                ):
                    k += 1
                if k > best:
                    best, found = k, [(i, j, k)]
                elif k == best and k >= min_match:
                    found.append((i, j, k))
        if best < min_match:
            return covered
        for i, j, k in found:
            if any(ma[i : i + k]) or any(mb[j : j + k]):
                continue
            for t in range(k):
                ma[i + t] = mb[j + t] = True
            covered += k


def test_covered_tokens_match_the_reference() -> None:
    rng = np.random.default_rng(0)
    for _ in range(150):
        a = rng.integers(0, 3, rng.integers(0, 40))
        b = rng.integers(0, 3, rng.integers(0, 40))
        min_match = int(rng.integers(1, 5))
        assert tile(a, b, min_match).covered == reference_gst(a.tolist(), b.tolist(), min_match)


def test_moved_block_is_found_whole() -> None:
    a = np.arange(30)
    b = np.concatenate([a[15:], [99, 98], a[:15]])
    result = tile(a, b, 5)
    assert result.covered == 30 and result.containment == 1.0
    assert sorted(result.tiles[:, 2].tolist()) == [15, 15]
    regions = tile_regions(result, np.arange(30) // 3 + 1, np.arange(32) // 3 + 1)
    assert [(r.a_start, r.a_end) for r in regions] == [(1, 5), (6, 10)]


def test_runs_and_errors() -> None:
    runs = maximal_runs(np.array([1, 2, 3, 9]), np.array([0, 1, 2, 3]), 2)
    assert runs.tolist() == [[0, 1, 3]]
    assert tile(np.array([]), np.array([1]), 3).average == 0.0
    with pytest.raises(InvalidInputError):
        tile(np.array([1]), np.array([1]), 0)
    with pytest.raises(InvalidInputError):
        maximal_runs(np.zeros(20_001), np.zeros(3), 2)
