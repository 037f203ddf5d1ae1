"""Where each record goes in a sharded ensemble: shard and slice, as a function of its key alone.

SISA's exactness rests on this: a record's shard and slice depend only on its own id (or its
user's id) and the seed, never on its position or on which other records exist, so removing
records moves no other record, and the ensemble retrained after `forget` is the one trained
from scratch without them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from genguard.errors import InvalidInputError


def key_hashes(keys: Sequence[str], seed: int, salt: str) -> np.ndarray:
    """64-bit unsigned hashes (BLAKE2b of seed, salt and key), one per key; the same on every machine."""
    out = np.empty(len(keys), dtype=np.uint64)
    prefix = f"{int(seed)}\x1f{salt}\x1f".encode()
    for i, key in enumerate(keys):
        digest = hashlib.blake2b(prefix + key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "little")
    return out


def assign(keys: Sequence[str], parts: int, seed: int, salt: str) -> np.ndarray:
    """Part index (0 .. parts-1, int64) of each key: its hash modulo `parts`."""
    if parts < 1:
        raise InvalidInputError(f"the number of shards and of slices must be at least 1, got {parts}")
    return (key_hashes(keys, seed, salt) % np.uint64(parts)).astype(np.int64)


def as_keys(values: Sequence | np.ndarray | None, n: int, what: str) -> list[str]:
    """`values` as a list of n strings (ids are matched by their text: 7 and "7" are one id);
    None gives the row numbers "0" .. "n-1". InvalidInputError for a wrong length or, for ids,
    a value given twice."""
    if values is None:
        return [str(i) for i in range(n)]
    keys = [str(v) for v in np.asarray(values, dtype=object).ravel().tolist()]
    if len(keys) != n:
        raise InvalidInputError(f"{what} has {len(keys)} values for {n} rows; give one per row")
    return keys


def check_unique(ids: list[str]) -> None:
    """InvalidInputError naming the first id given twice (forget() must know which record it removes)."""
    seen: set[str] = set()
    for key in ids:
        if key in seen:
            raise InvalidInputError(f"id {key!r} is given twice; every record needs its own id")
        seen.add(key)
