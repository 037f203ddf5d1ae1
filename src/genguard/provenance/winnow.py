"""k-gram hashes of a token stream and winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003).

Tokens arrive as stable 64-bit hashes (code_tokens.TokenStream.hashes). The hash of the k-gram
starting at token i is a polynomial over its k token hashes (mod 2^64), finished with the
MurmurHash3 64-bit finaliser; all k-grams of a stream are computed at once with numpy (a loop over
the k positions inside the gram, not over grams).

Winnowing: in every window of w consecutive k-gram hashes the minimum is selected, the rightmost
one on ties, and each selected k-gram is recorded once (a window that picks the same position as
the window before records nothing new: "robust winnowing"). Guarantee: two streams that share a
run of at least w + k - 1 tokens share at least one fingerprint, because the run holds w whole
k-grams, i.e. a complete window, whose minimum is selected in both streams. Density: about
2 / (w + 1) of the k-grams are selected on random input.

A stream shorter than k tokens (but not empty) has one k-gram: the hash of the whole stream, so
tiny programs still compare; an empty stream has none.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from genguard.errors import InvalidInputError
from genguard.provenance.shingles import _fmix64

_BASE = np.uint64(0x100000001B3)
_WINDOW_CHUNK = 1 << 18  # windows per argmin block: bounds the temporary memory for huge streams


def _check(name: str, value: int, high: int) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or not 1 <= value <= high:
        raise InvalidInputError(f"{name} must be an int from 1 to {high}, got {value!r}")


def kgram_hashes(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """uint64 hash of every k-gram (len(tokens) - k + 1 of them; one for a non-empty stream shorter
    than k; none for an empty one). Equal k-grams give equal hashes in every process."""
    _check("k", k, 1000)
    tokens = np.asarray(token_hashes, dtype=np.uint64)
    if tokens.ndim != 1:
        raise InvalidInputError(f"token hashes must be one-dimensional, got shape {tokens.shape}")
    if tokens.size == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(k, tokens.size)
    count = tokens.size - width + 1
    grams = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(width):  # a loop over positions inside the gram, not over grams
            grams = grams * _BASE + tokens[j : j + count]
        return _fmix64(grams + np.uint64(width))


def winnow(hashes: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Winnowed fingerprints of a hash sequence: (selected hashes uint64, their positions int64),
    positions increasing, each the index of the selected k-gram (= its first token's index).

    Every window of w consecutive hashes contributes its minimum (rightmost on ties); a sequence
    shorter than w is one window."""
    _check("w", w, 10_000)
    values = np.asarray(hashes, dtype=np.uint64)
    if values.size == 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    width = min(w, values.size)
    n_windows = values.size - width + 1
    picks = np.empty(n_windows, dtype=np.int64)
    for c0 in range(0, n_windows, _WINDOW_CHUNK):  # blocks of windows, for bounded memory
        c1 = min(c0 + _WINDOW_CHUNK, n_windows)
        view = sliding_window_view(values[c0 : c1 + width - 1], width)
        # argmin returns the first minimum; on the reversed window that is the rightmost one.
        rightmost = width - 1 - np.argmin(view[:, ::-1], axis=1)
        picks[c0:c1] = np.arange(c0, c1) + rightmost
    # Window minima move right monotonically, so distinct picks are the changes in the sequence.
    keep = np.concatenate([[True], picks[1:] != picks[:-1]])
    positions = picks[keep]
    return values[positions], positions


def window_minima(hashes: np.ndarray, w: int) -> np.ndarray:
    """Minimum of every window of `w` consecutive hashes, values only (van Herk / Gil-Werman: three
    passes whatever w, where `winnow` costs w per position; used for long texts)."""
    n = hashes.size
    if n <= w:
        return hashes.min(keepdims=True) if n else hashes
    pad = -n % w
    blocks = np.concatenate([hashes, np.full(pad, np.iinfo(hashes.dtype).max, hashes.dtype)]).reshape(-1, w)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    starts = np.arange(n - w + 1)
    return np.minimum(suffix[starts], prefix[starts + w - 1])


def fingerprint_tokens(token_hashes: np.ndarray, k: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Winnowed k-gram fingerprints of a token-hash stream: (hashes uint64, token positions int64).

    A fingerprint at position p covers tokens p .. p + k - 1 (fewer when the stream is shorter)."""
    return winnow(kgram_hashes(token_hashes, k), w)
