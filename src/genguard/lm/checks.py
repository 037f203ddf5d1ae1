"""Argument checks shared by the language-model backends: each returns the checked value or
raises InvalidInputError naming the argument and what it must be. Pure Python (no torch)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from genguard.errors import InvalidInputError


def reason(exc: BaseException) -> str:
    """An exception's message as one clause (no trailing period), for embedding in our messages."""
    return (str(exc).strip().rstrip(".") or type(exc).__name__).replace("\n", " ")


def is_int(x: object) -> bool:
    """Whether `x` is an int and not a bool."""
    return isinstance(x, int) and not isinstance(x, bool)


def is_number(x: object) -> bool:
    """Whether `x` is a finite int or float and not a bool."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def check_texts(texts: Sequence[str], what: str) -> list[str]:
    """`texts` as a list of str; InvalidInputError for a bare string or a non-str item."""
    if isinstance(texts, str | bytes):
        raise InvalidInputError(f"{what} must be a list of strings, not a single {type(texts).__name__}")
    if not isinstance(texts, Sequence):
        raise InvalidInputError(f"{what} must be a list of strings, got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInputError(f"{what}[{i}] must be a str, got {type(text).__name__}")
    return list(texts)


def check_batch(batch: Sequence[Sequence[int]], what: str) -> list[Sequence[int]]:
    """`batch` as a list of id sequences; InvalidInputError for a flat list or a non-sequence."""
    if hasattr(batch, "ndim"):  # torch tensor or numpy array
        if batch.ndim != 2:
            raise InvalidInputError(f"{what} must be 2-dimensional [B, L], got shape {tuple(batch.shape)}")
        return list(batch.tolist())
    if isinstance(batch, str | bytes) or not isinstance(batch, Sequence):
        raise InvalidInputError(f"{what} must be a list of id sequences, got {type(batch).__name__}")
    if any(isinstance(item, int) for item in batch):
        raise InvalidInputError(
            f"{what} must be a list of id sequences (a list of lists), not a flat list of ids"
        )
    return list(batch)


def check_sampling(
    max_new_tokens: int,
    temperature: float,
    top_k: int,
    top_p: float,
    min_new_tokens: int,
    batch_size: int,
    seed: int | None,
) -> None:
    """Raise InvalidInputError naming the first out-of-range sampling argument."""
    if not is_int(max_new_tokens) or max_new_tokens < 1:
        raise InvalidInputError(f"max_new_tokens must be an int >= 1, got {max_new_tokens!r}")
    if not is_int(min_new_tokens) or not 0 <= min_new_tokens <= max_new_tokens:
        raise InvalidInputError(
            f"min_new_tokens must be an int in [0, max_new_tokens={max_new_tokens}], got {min_new_tokens!r}"
        )
    if not is_number(temperature) or temperature < 0:
        raise InvalidInputError(f"temperature must be a finite number >= 0 (0 = greedy), got {temperature!r}")
    if not is_int(top_k) or top_k < 0:
        raise InvalidInputError(f"top_k must be an int >= 0 (0 = off), got {top_k!r}")
    if not is_number(top_p) or not 0 < top_p <= 1:
        raise InvalidInputError(f"top_p must be in (0, 1] (1.0 = off), got {top_p!r}")
    if not is_int(batch_size) or batch_size < 1:
        raise InvalidInputError(f"batch_size must be an int >= 1, got {batch_size!r}")
    if seed is not None and not is_int(seed):
        raise InvalidInputError(f"seed must be an int or None, got {seed!r}")


def check_row_seeds(row_seeds: Sequence[int] | None, prompts: int) -> None:
    """InvalidInputError unless `row_seeds` is None or one int per prompt."""
    if row_seeds is not None and (len(row_seeds) != prompts or not all(is_int(x) for x in row_seeds)):
        raise InvalidInputError(f"row_seeds must be {prompts} ints, one per prompt")


def check_processors(processors: Sequence[object]) -> list:
    """The logits processors as a list; InvalidInputError for one that is not callable."""
    out = list(processors)
    for proc in out:
        if not callable(proc):
            raise InvalidInputError(f"logits processor {proc!r} is not callable")
    return out
