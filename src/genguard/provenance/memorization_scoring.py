"""Scoring a continuation against its target for the memorisation audit: exact, edit similarity
(prefix Levenshtein distance) and the longest shared run, on the shingle normal form; rates with
Wilson intervals. Definitions in `provenance.memorization`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.stats import wilson_interval
from genguard.provenance.memorization_models import ContinuationScore, Rate
from genguard.provenance.shingles import normalize_for_shingles
from genguard.provenance.spans import K_CHARS, codepoints, longest_shared_run

NEAR_SIMILARITY = 0.9  # edit similarity at or above this is near-verbatim
NEAR_RUN_FRACTION = 0.5  # a shared run covering at least this share of the target is near-verbatim
MIN_RUN_CHARS = K_CHARS  # shorter shared runs are reported as 0 (the floor of longest_shared_run)


def prefix_edit_distance(target: str, continuation: str) -> int:
    """Smallest Levenshtein distance (in characters) between `target` and any prefix of `continuation`.

    Row-by-row dynamic programme over the target, vectorised over the continuation: the insertion
    step D[j] = min_k (tmp[k] + j - k) is a running minimum of tmp - k, so each row is a few numpy
    operations (about 1 ms for two 150-character strings).
    """
    t, c = codepoints(target).astype(np.int64), codepoints(continuation).astype(np.int64)
    cols = np.arange(c.size + 1, dtype=np.int64)
    row = cols.copy()  # D[0][j] = j: insert the first j continuation characters
    for i, ch in enumerate(t, start=1):
        tmp = np.empty_like(row)
        tmp[0] = i
        tmp[1:] = np.minimum(row[1:] + 1, row[:-1] + (c != ch))
        row = np.minimum.accumulate(tmp - cols) + cols
    return int(row.min())


def score_continuations(targets: Sequence[str], continuations: Sequence[str]) -> list[ContinuationScore]:
    """Score each continuation against its target (same index) on the shingle normal form.

    Returns one ContinuationScore per pair (definitions in the module docstring). A target whose
    normal form is empty scores 0 similarity and is never near-verbatim. InvalidInputError when the
    lists differ in length or hold anything but str.
    """
    targets, continuations = str_list(targets, "targets"), str_list(continuations, "continuations")
    if len(targets) != len(continuations):
        raise InvalidInputError(
            f"targets and continuations must pair up: got {len(targets)} targets and "
            f"{len(continuations)} continuations"
        )
    return [
        score_pair(normalize_for_shingles(t), normalize_for_shingles(c))
        for t, c in zip(targets, continuations, strict=True)
    ]


def score_pair(target_norm: str, cont_norm: str) -> ContinuationScore:
    """The ContinuationScore of one continuation against its target, both in shingle normal form."""
    n = len(target_norm)
    if n == 0:
        return ContinuationScore(
            exact_text=False,
            edit_similarity=0.0,
            run_chars=0,
            target_chars=0,
            run_fraction=0.0,
            near_verbatim=False,
        )
    similarity = 1.0 - prefix_edit_distance(target_norm, cont_norm) / n
    run = (
        longest_shared_run(cont_norm, target_norm, MIN_RUN_CHARS) if len(cont_norm) >= MIN_RUN_CHARS else None
    )
    run_chars = run[2] if run else 0
    return ContinuationScore(
        exact_text=cont_norm.startswith(target_norm),
        edit_similarity=similarity,
        run_chars=run_chars,
        target_chars=n,
        run_fraction=run_chars / n,
        near_verbatim=similarity >= NEAR_SIMILARITY or run_chars >= NEAR_RUN_FRACTION * n,
    )


def rate(flags: Sequence[bool]) -> Rate:
    k, n = int(sum(flags)), len(flags)
    return Rate(k=k, n=n, rate=k / n if n else 0.0, ci=wilson_interval(k, n))


def str_list(items: Sequence[str], what: str) -> list[str]:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise InvalidInputError(f"{what} must be a list of strings, got {type(items).__name__}")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidInputError(f"{what}[{i}] must be a str, got {type(item).__name__}")
    return list(items)


def in_prefix(target: str, prefix: str) -> bool:
    """Whether the target (normal form) occurs in the prefix or shares >= MIN_RUN_CHARS with it."""
    target_norm, prefix_norm = normalize_for_shingles(target), normalize_for_shingles(prefix)
    if target_norm in prefix_norm:
        return True
    return min(len(target_norm), len(prefix_norm)) >= MIN_RUN_CHARS and (
        longest_shared_run(target_norm, prefix_norm, MIN_RUN_CHARS) is not None
    )


def leading_matches(generated: Sequence[int], target: Sequence[int]) -> int:
    n = 0
    for g, t in zip(generated, target, strict=False):  # generation may stop early
        if g != t:
            break
        n += 1
    return n
