"""Exact, fast re-implementation of torch's CPU `randperm` as the watermark reference uses it.

The reference draws each green list as ``torch.randperm(V, generator=g)[:G]`` after
``g.manual_seed(seed)``. torch's CPU generator is MT19937 seeded with the low 32 bits of the
seed, and randperm is a forward Fisher-Yates shuffle: for i in 0..V-2, swap positions i and
i + (mt() % (V - i)). Position i never changes after step i, so the green list (the first G
positions) is fixed after G steps: we only draw G numbers, never V.

Membership of one token needs no permutation at all: follow where the token's value moves.
A value at position p is fixed at position i (green iff i < G) at the first step i that either
swaps it into i (i + z == p) or leaves it in place (i == p and z == 0); if step p swaps it
away, it moves to p + z and waits there. `is_green` does this for many (seed, token) pairs at
once, LANES of them in lock-step so that LLVM vectorises the generator across lanes.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_N = 624
_M = 397
_MATRIX_A = np.uint32(0x9908B0DF)
_UPPER = np.uint32(0x80000000)
_LOWER = np.uint32(0x7FFFFFFF)
LANES = 64


@njit(cache=True, inline="always")
def _temper(y):
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


@njit(cache=True)
def _seed_state(state, seed):
    # init_genrand: the legacy MT19937 seeding torch's CPU generator uses.
    state[0] = seed
    for j in range(1, _N):
        prev = state[j - 1]
        state[j] = np.uint32(np.uint32(1812433253) * (prev ^ (prev >> np.uint32(30))) + np.uint32(j))


@njit(cache=True)
def _twist(state):
    for k in range(_N):
        y = (state[k] & _UPPER) | (state[(k + 1) % _N] & _LOWER)
        v = state[(k + _M) % _N] ^ (y >> np.uint32(1))
        if y & np.uint32(1):
            v ^= _MATRIX_A
        state[k] = v


@njit(cache=True)
def greenlist(seed: np.uint32, vocab_size: int, green_size: int) -> np.ndarray:
    """The first `green_size` ids of torch.randperm(vocab_size) seeded with `seed`, in order."""
    perm = np.arange(vocab_size, dtype=np.int64)
    state = np.empty(_N, dtype=np.uint32)
    _seed_state(state, np.uint32(seed))
    idx = _N
    for i in range(min(green_size, vocab_size - 1)):
        if idx == _N:
            _twist(state)
            idx = 0
        r = _temper(state[idx])
        idx += 1
        z = i + np.int64(r % np.uint32(vocab_size - i))
        tmp = perm[i]
        perm[i] = perm[z]
        perm[z] = tmp
    return perm[:green_size].copy()


@njit(cache=True)
def greenlists(seeds: np.ndarray, vocab_size: int, green_size: int) -> np.ndarray:
    """Green-list masks [len(seeds), vocab_size] (True = green), one row per seed."""
    out = np.zeros((seeds.shape[0], vocab_size), dtype=np.bool_)
    for b in range(seeds.shape[0]):
        ids = greenlist(seeds[b], vocab_size, green_size)
        for k in range(ids.shape[0]):
            out[b, ids[k]] = True
    return out


@njit(cache=True)
def _is_green_block(seeds, targets, vocab_size, green_size, out, start):
    # All arithmetic is on int64 holding 32-bit values, in [word, lane] layout with a
    # temporary row: the shapes LLVM vectorises across lanes (uint32 scalars and in-place
    # rows defeat it; measured 3x slower).
    state = np.empty((_N, LANES), dtype=np.int64)
    dest = np.empty((_N, LANES), dtype=np.int64)
    row = np.empty(LANES, dtype=np.int64)
    pos = np.empty(LANES, dtype=np.int64)
    fixed_at = np.full(LANES, -1, dtype=np.int64)
    first_hit = np.empty(LANES, dtype=np.int64)
    for lane in range(LANES):
        state[0, lane] = np.int64(seeds[start + lane])
        pos[lane] = targets[start + lane]
    for j in range(1, _N):
        prev_row = state[j - 1]
        cur = state[j]
        for lane in range(LANES):
            prev = prev_row[lane]
            cur[lane] = (1812433253 * (prev ^ (prev >> 30)) + j) & 0xFFFFFFFF
    steps = min(green_size, vocab_size - 1)
    i = 0
    open_lanes = LANES
    while i < steps and open_lanes > 0:
        for k in range(_N):
            k1 = k + 1 if k + 1 < _N else 0
            km = k + _M if k + _M < _N else k + _M - _N
            a = state[k]
            b = state[k1]
            c = state[km]
            for lane in range(LANES):
                y = (a[lane] & 0x80000000) | (b[lane] & 0x7FFFFFFF)
                row[lane] = c[lane] ^ (y >> 1) ^ ((-(y & 1)) & 0x9908B0DF)
            for lane in range(LANES):
                a[lane] = row[lane]
        count = min(steps - i, _N)
        for lane in range(LANES):
            first_hit[lane] = count
        for k in range(count):
            step = i + k
            span = vocab_size - step
            inv = 1.0 / span
            src = state[k]
            dst = dest[k]
            for lane in range(LANES):
                y = src[lane]
                y ^= y >> 11
                y ^= (y << 7) & 0x9D2C5680
                y ^= (y << 15) & 0xEFC60000
                y ^= y >> 18
                # y % span without integer division, which does not vectorise: the float
                # quotient of a 32-bit y by span is off by at most one, fixed up branch-free.
                rem = y - np.int64(np.float64(y) * inv) * span
                rem += span & (rem >> 63)
                rem -= span & ~((rem - span) >> 63)
                d = step + rem
                dst[lane] = d
                first_hit[lane] = min(first_hit[lane], k if d == pos[lane] else count)
        open_lanes = 0
        for lane in range(LANES):
            if fixed_at[lane] >= 0:
                continue
            p = pos[lane]
            first = first_hit[lane]
            own = p - i  # the step that processes position p, if it falls in this chunk
            # Rare path: position p is itself processed in this chunk before any swap hits it,
            # so the value moves on to dest[own]; follow it through the rest of the chunk.
            while 0 <= own < count and own < first:
                p = dest[own, lane]
                first = count
                for k in range(own + 1, count):
                    if dest[k, lane] == p:
                        first = k
                        break
                own = p - i
            if first < count:
                fixed_at[lane] = i + first
            else:
                open_lanes += 1
            pos[lane] = p
        i += count
    for lane in range(LANES):
        f = fixed_at[lane]
        if f < 0 and steps < green_size:
            f = pos[lane]  # green_size covers the whole vocabulary: the last slot is green too
        out[start + lane] = f >= 0 and f < green_size


@njit(cache=True, parallel=True)
def _is_green_padded(seeds, targets, vocab_size, green_size, out):
    for blk in prange(seeds.shape[0] // LANES):
        _is_green_block(seeds, targets, vocab_size, green_size, out, blk * LANES)


def is_green(seeds: np.ndarray, targets: np.ndarray, vocab_size: int, green_size: int) -> np.ndarray:
    """For each pair, whether `targets[k]` is in the green list drawn from `seeds[k]` (bool array).

    Exact: equal to ``targets[k] in torch.randperm(vocab_size)[:green_size]`` under
    ``manual_seed(seeds[k])``, at a fraction of its cost (see benchmarks/watermark_speed.py).
    """
    n = len(seeds)
    padded = -(-n // LANES) * LANES
    s = np.zeros(padded, dtype=np.uint32)
    t = np.zeros(padded, dtype=np.int64)
    s[:n] = seeds
    t[:n] = targets
    out = np.empty(padded, dtype=np.bool_)
    if padded:
        _is_green_padded(s, t, vocab_size, green_size, out)
    return out[:n]


@njit(cache=True, parallel=True)
def _green_by_list(group_seeds, starts, targets, vocab_size, green_size, out):
    for g in prange(group_seeds.shape[0]):
        mask = np.zeros(vocab_size, dtype=np.bool_)
        ids = greenlist(group_seeds[g], vocab_size, green_size)
        for k in range(ids.shape[0]):
            mask[ids[k]] = True
        for j in range(starts[g], starts[g + 1]):
            out[j] = mask[targets[j]]


# A seed shared by at least this many distinct targets is cheaper to answer from its whole green
# list (one partial shuffle) than lane by lane (measured: one list costs about 6 lane checks).
LIST_THRESHOLD = 6


def is_green_many(seeds: np.ndarray, targets: np.ndarray, vocab_size: int, green_size: int) -> np.ndarray:
    """Like `is_green`, but deduplicates (seed, target) pairs and answers seeds shared by many
    targets from their full green list; the choice never changes a result, only the cost."""
    seeds = np.asarray(seeds, dtype=np.uint32)
    targets = np.asarray(targets, dtype=np.int64)
    if len(seeds) == 0:
        return np.zeros(0, dtype=np.bool_)
    pairs, inverse = np.unique(seeds.astype(np.int64) * vocab_size + targets, return_inverse=True)
    pair_seeds = (pairs // vocab_size).astype(np.uint32)
    pair_targets = pairs % vocab_size
    group_seeds, counts = np.unique(pair_seeds, return_counts=True)
    heavy_group = counts >= LIST_THRESHOLD
    heavy = np.repeat(heavy_group, counts)  # pairs are sorted by seed, so groups are contiguous
    result = np.empty(len(pairs), dtype=np.bool_)
    light = ~heavy
    if light.any():
        result[light] = is_green(pair_seeds[light], pair_targets[light], vocab_size, green_size)
    if heavy.any():
        h_targets = pair_targets[heavy]
        h_counts = counts[heavy_group]
        h_starts = np.concatenate([[0], np.cumsum(h_counts)]).astype(np.int64)
        h_out = np.empty(len(h_targets), dtype=np.bool_)
        _green_by_list(group_seeds[heavy_group], h_starts, h_targets, vocab_size, green_size, h_out)
        result[heavy] = h_out
    return result[inverse.ravel()]
