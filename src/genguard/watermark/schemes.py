"""Green-list seeding schemes of the reference watermark (Kirchenbauer et al. 2023, lm-watermarking).

A scheme turns the last `context_width` token ids into a 32-bit generator seed (the PRF) and says
whether the candidate token itself is part of that window (self-salting). The PRFs, the hash
table behind `hashint` and the seed reduction are the reference's, bit for bit, so that green
lists equal its ``torch.randperm`` green lists for the same key, gamma and vocabulary (checked
against ../shared/watermark/reference_vectors.json in tests/watermark/test_reference_vectors.py).
Everything here is vectorised over many windows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from genguard.errors import ConfigError
from genguard.watermark import kernel

# Defined with the keys (which must import without numba) and re-exported here, where it was.
from genguard.watermark.keys import REFERENCE_HASH_KEY as REFERENCE_HASH_KEY

_TABLE_SIZE = 1_000_003
_TABLE_SEED = 2971215073
_MASK32 = np.int64(0xFFFFFFFF)
# torch's randperm switches to another algorithm from 2**32 / 20 elements on; we reproduce the first.
MAX_VOCAB_SIZE = (2**32 - 1) // 20


@cache
def _hash_table() -> np.ndarray:
    # The reference's `hashint` looks integers up in torch.randperm(1_000_003) seeded with
    # 2971215073; the exact randperm re-implementation rebuilds it in ~10 ms without torch.
    return kernel.greenlist(np.uint32(_TABLE_SEED), _TABLE_SIZE, _TABLE_SIZE) + 1


def hashint(values: np.ndarray) -> np.ndarray:
    """The reference's integer hash: int64 values in 1..1_000_003 (floor modulo, as torch's %)."""
    return _hash_table()[np.remainder(values, _TABLE_SIZE)]


def _additive(windows: np.ndarray, key: int) -> np.ndarray:
    return key * windows.sum(axis=1)


def _skipgram(windows: np.ndarray, key: int) -> np.ndarray:
    return hashint(key * windows[:, 0])


def _minhash(windows: np.ndarray, key: int) -> np.ndarray:
    return hashint(key * windows).min(axis=1)


def _anchored_minhash(windows: np.ndarray, key: int) -> np.ndarray:
    # int64 products wrap exactly as the reference's torch int64 tensors do.
    with np.errstate(over="ignore"):
        return (key * hashint(windows) * hashint(windows[:, -1:])).min(axis=1)


@dataclass(frozen=True)
class Scheme:
    """A seeding scheme: `context_width` ids feed `prf`; self-salted windows end with the candidate."""

    name: str
    context_width: int
    self_salt: bool
    prf: Callable[[np.ndarray, int], np.ndarray]

    @property
    def ngram_size(self) -> int:
        """Tokens that decide one token's colour: the window, plus the token unless self-salted."""
        return self.context_width + (0 if self.self_salt else 1)

    def seeds(self, windows: np.ndarray, key: int) -> np.ndarray:
        """uint32 generator seeds, one per row of `windows` (int64 [N, context_width])."""
        prf = self.prf(np.asarray(windows, dtype=np.int64), int(key))
        # The reference seeds torch with prf % (2**64 - 1) and torch keeps the low 32 bits;
        # for a negative int64 that is (prf - 1) mod 2**32.
        with np.errstate(over="ignore"):
            return ((prf - (prf < 0)) & _MASK32).astype(np.uint32)

    def seeds_and_green(
        self, ngrams: np.ndarray, key: int, vocab_size: int, gamma: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(uint32 seed, is-green bool) of the last id of each n-gram row (int64 [N, ngram_size])."""
        ngrams = np.asarray(ngrams, dtype=np.int64)
        windows = ngrams if self.self_salt else ngrams[:, :-1]
        seeds = self.seeds(windows, key)
        green = kernel.is_green_many(seeds, ngrams[:, -1], vocab_size, green_list_size(vocab_size, gamma))
        return seeds, green

    def green_mask(self, ngrams: np.ndarray, key: int, vocab_size: int, gamma: float) -> np.ndarray:
        """Whether the last id of each n-gram row (int64 [N, ngram_size]) is green (bool [N])."""
        return self.seeds_and_green(ngrams, key, vocab_size, gamma)[1]

    def greenlists(self, windows: np.ndarray, key: int, vocab_size: int, gamma: float) -> np.ndarray:
        """Green-list masks bool [N, vocab_size] seeded from each window row (not self-salted use)."""
        return kernel.greenlists(self.seeds(windows, key), vocab_size, green_list_size(vocab_size, gamma))


SCHEMES: dict[str, Scheme] = {
    "lefthash": Scheme("lefthash", 1, False, _additive),
    "selfhash": Scheme("selfhash", 4, True, _anchored_minhash),
    "minhash": Scheme("minhash", 4, False, _minhash),
    "skipgram": Scheme("skipgram", 5, False, _skipgram),
}
# The reference's older names for the same schemes.
ALIASES = {"simple_1": "lefthash", "algorithm-3": "selfhash"}
DEFAULT_SCHEME = "selfhash"


def get_scheme(name: str) -> Scheme:
    """The scheme called `name` (or one of the reference's aliases); ConfigError if unknown."""
    if not isinstance(name, str):
        raise ConfigError(f"scheme must be a name, got {type(name).__name__}")
    scheme = SCHEMES.get(ALIASES.get(name, name))
    if scheme is None:
        raise ConfigError(f"unknown watermark scheme {name!r}; choose one of {', '.join(SCHEMES)}")
    return scheme


def green_list_size(vocab_size: int, gamma: float) -> int:
    """Number of green ids: int(vocab_size * gamma), as the reference truncates it."""
    return int(vocab_size * gamma)


def check_params(gamma: float, delta: float | None = None, vocab_size: int | None = None) -> None:
    """Raise ConfigError unless 0 < gamma < 1, delta >= 0 and the green list is non-empty."""
    if not isinstance(gamma, int | float) or not 0.0 < float(gamma) < 1.0:
        raise ConfigError(f"gamma must be a fraction strictly between 0 and 1, got {gamma!r}")
    if delta is not None and (not isinstance(delta, int | float) or not 0.0 <= float(delta) < 1e4):
        raise ConfigError(f"delta must be a non-negative number of logits, got {delta!r}")
    if vocab_size is not None and not 2 <= vocab_size < MAX_VOCAB_SIZE:
        raise ConfigError(f"vocabulary size {vocab_size} is outside 2..{MAX_VOCAB_SIZE - 1}")
    if vocab_size is not None and green_list_size(vocab_size, gamma) < 1:
        raise ConfigError(f"gamma {gamma} leaves no green token in a vocabulary of {vocab_size}")
