"""Validation of text batches, shared by every check that takes texts."""

from __future__ import annotations

from collections.abc import Sequence

from genguard.errors import InvalidInputError

MAX_TEXT_CHARS = 10_000_000


def check_texts(
    texts: Sequence[str], hint: str = "pass a list of texts", max_chars: int = MAX_TEXT_CHARS
) -> list[str]:
    """The texts as a list; InvalidInputError for a bare string, non-str items or texts over `max_chars`."""
    if isinstance(texts, str | bytes):
        raise InvalidInputError(f"expected a list of texts, got a single {type(texts).__name__}; {hint}")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise InvalidInputError(f"text {i} is {type(text).__name__}, not str")
        if len(text) > max_chars:
            raise InvalidInputError(f"text {i} has {len(text):,} characters; split texts over {max_chars:,}")
    return out
