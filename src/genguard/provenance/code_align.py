"""Greedy String Tiling (Wise 1993; JPlag's comparison) over token streams, vectorised with numpy.

All maximal common runs of two streams lie on diagonals of their equality matrix; they are found at
once (the matrix is skewed so each diagonal becomes a column, and run lengths come from cumulative
sums with resets). Tiling then takes runs longest first; a run that overlaps tokens already tiled is
cut into its untiled pieces, which go back into the queue when still at least `min_match` long. Any
common substring of untiled tokens lies inside one maximal run, so this finds the tiles JPlag's
rounds of rescanning find (ties between equally long runs may be broken differently).

Cost: O(|A| |B|) numpy work for the runs plus a heap over the runs of at least `min_match` tokens;
about 1-4 ms for two programs of 150 tokens (one core). For streams over MAX_ALIGN_TOKENS tokens
each side, the equality matrix is refused (InvalidInputError): use winnowing (code.compare) there.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from genguard.errors import InvalidInputError
from genguard.types import Result

MAX_ALIGN_TOKENS = 20_000


@dataclass(frozen=True)
class Tiling:
    """Tiles of two streams: `tiles` is an (m, 3) int64 array of (start in A, start in B, length),
    sorted by start in A; `covered` the tokens covered (the same on both sides); `len_a`, `len_b`
    the stream lengths."""

    tiles: np.ndarray
    covered: int
    len_a: int
    len_b: int

    @property
    def average(self) -> float:
        """JPlag's average similarity 2 covered / (|A| + |B|), in [0, 1] (0 for two empty streams)."""
        total = self.len_a + self.len_b
        return 2 * self.covered / total if total else 0.0

    @property
    def containment(self) -> float:
        """covered / min(|A|, |B|), in [0, 1]: 1.0 when the shorter stream is tiled whole."""
        low = min(self.len_a, self.len_b)
        return self.covered / low if low else 0.0


def maximal_runs(a: np.ndarray, b: np.ndarray, min_length: int) -> np.ndarray:
    """All maximal common runs of at least `min_length` tokens: an (m, 3) int64 array of (start in
    A, start in B, length). `a`, `b` are 1-D arrays of comparable values (token hashes or codes)."""
    n, m = int(a.size), int(b.size)
    if n == 0 or m == 0:
        return np.empty((0, 3), dtype=np.int64)
    if n > MAX_ALIGN_TOKENS or m > MAX_ALIGN_TOKENS:
        raise InvalidInputError(
            f"streams of {n} and {m} tokens are too long to align (at most {MAX_ALIGN_TOKENS} each); "
            "compare long sources with winnowing (genguard.provenance.code.compare)"
        )
    equal = a[:, None] == b[None, :]
    # Skew: row i, column j -> column j - i + n, so each diagonal is one column of `skewed`.
    rows = np.arange(n)[:, None]
    cols = np.arange(m)[None, :] - rows + n
    skewed = np.zeros((n + 1, n + m + 1), dtype=np.int32)
    skewed[rows, cols] = equal
    total = np.cumsum(skewed, axis=0, dtype=np.int32)
    # Run length ending at each cell: cumulative sum minus its value at the last zero above.
    reset = np.where(skewed == 0, total, 0)
    np.maximum.accumulate(reset, axis=0, out=reset)
    length = total - reset
    ends = (skewed[:-1] == 1) & (skewed[1:] == 0) & (length[:-1] >= min_length)
    end_i, end_k = np.nonzero(ends)
    run = length[end_i, end_k].astype(np.int64)
    start_i = end_i - run + 1
    start_j = end_k - n + start_i
    return np.stack([start_i, start_j, run], axis=1).astype(np.int64)


def tile(a: np.ndarray, b: np.ndarray, min_match: int = 5) -> Tiling:
    """Greedy String Tiling of streams `a` and `b` with minimum match `min_match` (see the module
    docstring). InvalidInputError for min_match < 1 or a stream over MAX_ALIGN_TOKENS."""
    if not isinstance(min_match, int) or isinstance(min_match, bool) or min_match < 1:
        raise InvalidInputError(f"min_match must be a positive int, got {min_match!r}")
    a, b = np.asarray(a), np.asarray(b)
    runs = maximal_runs(a, b, min_match)
    free_a = np.ones(a.size, dtype=bool)
    free_b = np.ones(b.size, dtype=bool)
    heap = [(-int(r[2]), int(r[0]), int(r[1])) for r in runs]
    heapq.heapify(heap)
    tiles: list[tuple[int, int, int]] = []
    # A loop over candidate runs (tens per pair of small programs), not over tokens.
    while heap:
        neg, i, j = heapq.heappop(heap)
        size = -neg
        free = free_a[i : i + size] & free_b[j : j + size]
        if free.all():
            free_a[i : i + size] = False
            free_b[j : j + size] = False
            tiles.append((i, j, size))
            continue
        # Untiled pieces of the run: maximal stretches of `free`.
        edges = np.diff(np.concatenate([[0], free.astype(np.int8), [0]]))
        for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            if e - s >= min_match:
                heapq.heappush(heap, (-(int(e - s)), i + int(s), j + int(s)))
    array = np.array(sorted(tiles), dtype=np.int64).reshape(-1, 3)
    return Tiling(tiles=array, covered=int(array[:, 2].sum()), len_a=int(a.size), len_b=int(b.size))


class AlignedRegion(Result):
    """Lines a_start..a_end of A (1-based, inclusive) align with lines b_start..b_end of B."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    tokens: int = Field(description="structural tokens of A covered by tiles in the region")


def tile_regions(tiling: Tiling, lines_a: np.ndarray, lines_b: np.ndarray) -> list[AlignedRegion]:
    """The tiles of `tiling` as source line ranges (token lines `lines_a`, `lines_b`, 1-based), tiles
    that follow each other within one line on both sides merged; sorted by A's first line."""
    regions: list[list[int]] = []
    for i, j, size in tiling.tiles.tolist():  # tiles are sorted by start in A
        a0, a1 = int(lines_a[i]), int(lines_a[i + size - 1])
        b0, b1 = int(lines_b[j]), int(lines_b[j + size - 1])
        last = regions[-1] if regions else None
        if last is not None and a0 <= last[1] + 1 and last[3] - 1 <= b0 <= last[3] + 1:
            last[1], last[3], last[4] = max(last[1], a1), max(last[3], b1), last[4] + size
        else:
            regions.append([a0, a1, b0, b1, size])
    return [AlignedRegion(a_start=r[0], a_end=r[1], b_start=r[2], b_end=r[3], tokens=r[4]) for r in regions]
