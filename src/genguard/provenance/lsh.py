"""LSH banding over MinHash signatures: candidate pairs above a Jaccard threshold in sub-linear time.

A signature of num_perm values is cut into `bands` bands of `rows` values (chosen from the
threshold by `lsh_parameters`, as datasketch does); two sets become candidates when any band is
identical, which happens with probability 1 - (1 - J^rows)^bands (the S-curve). Band keys are
64-bit polynomial hashes of each band's values, computed for a whole batch with numpy.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.provenance.minhash import lsh_parameters

_MULT = np.uint64(0x9E3779B97F4A7C15)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """[n, bands] uint64 keys: a polynomial hash of each band's `rows` signature values."""
    sig = np.asarray(signatures, dtype=np.uint64)
    if sig.ndim != 2 or sig.shape[1] < bands * rows:
        raise InvalidInputError(f"signatures must be [n, >= {bands * rows}], got shape {sig.shape}")
    cut = sig[:, : bands * rows].reshape(len(sig), bands, rows)
    keys = np.zeros((len(sig), bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(rows):  # a loop over positions in a band, not over documents
            keys = keys * _MULT + cut[:, :, k] + np.uint64(1)
    return keys


class LSHIndex:
    """In-memory banded index: `insert(keys, signatures)`, `query(signatures)` -> candidate keys."""

    def __init__(self, threshold: float = 0.5, num_perm: int = 128) -> None:
        self.threshold, self.num_perm = threshold, num_perm
        self.bands, self.rows = lsh_parameters(threshold, num_perm)
        self._tables: list[dict[int, list[Hashable]]] = [{} for _ in range(self.bands)]

    def insert(self, keys: Sequence[Hashable], signatures: np.ndarray) -> None:
        """Add one key per signature row."""
        if len(keys) != len(signatures):
            raise InvalidInputError(f"{len(keys)} keys for {len(signatures)} signatures")
        for band, column in enumerate(band_keys(signatures, self.bands, self.rows).T.tolist()):
            table = self._tables[band]
            for key, value in zip(keys, column, strict=True):
                table.setdefault(value, []).append(key)

    def query(self, signatures: np.ndarray) -> list[set[Hashable]]:
        """Candidate keys for each signature row (every key sharing at least one band)."""
        out: list[set[Hashable]] = [set() for _ in range(len(signatures))]
        for band, column in enumerate(band_keys(signatures, self.bands, self.rows).T.tolist()):
            table = self._tables[band]
            for found, value in zip(out, column, strict=True):
                found.update(table.get(value, ()))
        return out
