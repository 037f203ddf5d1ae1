"""MinHash signatures for a whole batch of shingle sets at once, and LSH banding parameters.

Scheme: datasketch 2.0's "affine32". Each 32-bit shingle hash is pre-mixed with the MurmurHash3
32-bit finaliser, then permutation k maps it to a_k * h + b_k mod 2^32 (a_k odd: a bijection, so
the permutation adds no collisions); the signature is the minimum per permutation. Given the same
permutations, signatures equal datasketch's `MinHash(scheme="affine32")` bit for bit
(tests/provenance/test_minhash.py), so estimates can be compared directly.

All shingles of a batch are concatenated and permuted in blocks of rows x num_perm, and each
document's minimum taken with `np.minimum.reduceat`: no Python loop over shingles or documents.
An empty set gets the all-max signature (datasketch's "empty") and is reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import integrate

from genguard.errors import InvalidInputError

EMPTY = np.uint32(0xFFFFFFFF)
_BLOCK_CELLS = 4_000_000  # shingles x permutations per block: about 16 MB of uint32


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


class MinHasher:
    """Signatures [n_sets, num_perm] (uint32) of shingle-hash sets; permutations fixed by `seed`."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if not isinstance(num_perm, int) or isinstance(num_perm, bool) or not 1 <= num_perm <= 4096:
            raise InvalidInputError(f"num_perm must be an int from 1 to 4096, got {num_perm!r}")
        rng = np.random.default_rng(seed)
        self.num_perm, self.seed = num_perm, seed
        self.a = (rng.integers(0, 1 << 32, num_perm, dtype=np.uint64) | 1).astype(np.uint32)
        self.b = rng.integers(0, 1 << 32, num_perm, dtype=np.uint64).astype(np.uint32)

    def signatures(self, sets: Sequence[np.ndarray]) -> np.ndarray:
        """One signature row per set of 32-bit shingle hashes; EMPTY in every column for an empty set."""
        sizes = np.array([len(s) for s in sets], dtype=np.int64)
        out = np.full((len(sets), self.num_perm), EMPTY, dtype=np.uint32)
        nonempty = np.flatnonzero(sizes)
        if nonempty.size == 0:
            return out
        values = _fmix32(np.concatenate([np.asarray(sets[i], dtype=np.uint32) for i in nonempty]))
        starts = np.concatenate([[0], np.cumsum(sizes[nonempty])[:-1]])
        found = out[nonempty]
        rows = max(1, _BLOCK_CELLS // self.num_perm)
        # Fixed-size chunks of the concatenated shingles (a loop over chunks, bounded memory even
        # for one huge document); inside a chunk each document's run is reduced with reduceat and
        # merged into its row, which also joins a document split across chunks.
        for c0 in range(0, values.size, rows):
            c1 = min(c0 + rows, values.size)
            inside = starts[(starts > c0) & (starts < c1)]
            segments = np.concatenate([[c0], inside])
            docs = np.searchsorted(starts, segments, side="right") - 1
            # [num_perm, shingles]: each permutation's row is contiguous, which makes reduceat fast.
            with np.errstate(over="ignore"):
                permuted = self.a[:, None] * values[None, c0:c1] + self.b[:, None]
            mins = np.minimum.reduceat(permuted, segments - c0, axis=1).T
            # Segments of one chunk belong to distinct documents, so plain fancy indexing is safe.
            found[docs] = np.minimum(found[docs], mins)
        out[nonempty] = found
        return out


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray | float:
    """Share of equal signature positions: the MinHash estimate of Jaccard similarity (standard
    error about sqrt(J(1-J)/num_perm)). Broadcasts over leading axes."""
    return np.mean(np.asarray(a) == np.asarray(b), axis=-1)


def _false_positive(threshold: float, b: int, r: int) -> float:
    return integrate.quad(lambda s: 1 - (1 - s ** float(r)) ** float(b), 0.0, threshold)[0]


def _false_negative(threshold: float, b: int, r: int) -> float:
    return integrate.quad(lambda s: 1 - (1 - (1 - s ** float(r)) ** float(b)), threshold, 1.0)[0]


def lsh_parameters(
    threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)
) -> tuple[int, int]:
    """(bands, rows) with bands * rows <= num_perm minimising the weighted areas of false positives
    (below `threshold`) and false negatives (above) under the S-curve 1 - (1 - s^r)^b, as
    datasketch's MinHashLSH chooses them."""
    if not 0.0 < threshold < 1.0:
        raise InvalidInputError(f"threshold must lie strictly between 0 and 1, got {threshold}")
    best, best_error = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            error = weights[0] * _false_positive(threshold, b, r) + weights[1] * _false_negative(
                threshold, b, r
            )
            if error < best_error:
                best, best_error = (b, r), error
    return best


def s_curve(similarity: np.ndarray | float, bands: int, rows: int) -> np.ndarray | float:
    """Probability that two sets of Jaccard `similarity` share at least one band: 1 - (1 - s^r)^b."""
    return 1 - (1 - np.asarray(similarity, dtype=float) ** rows) ** bands
