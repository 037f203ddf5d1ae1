"""The one interface every scorer implements, and the registry that finds scorers by name.

Scorers are batch-first: `score(texts)` returns one ScoreResult per text. Capabilities that
offer a scorer register it here; the guard finds scorers by the names in its policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from genguard.errors import ConfigError, InvalidInputError
from genguard.types import ScoreResult

MAX_TEXT_CHARS = 10_000_000


@runtime_checkable
class Scorer(Protocol):
    """Texts in, one ScoreResult per text out; `model_id` names what produced the scores."""

    name: str
    model_id: str

    def score(self, texts: Sequence[str]) -> list[ScoreResult]: ...


_REGISTRY: dict[str, Callable[..., Scorer]] = {}


def register(name: str, factory: Callable[..., Scorer]) -> None:
    """Make `factory(**params)` available as scorer `name` (ConfigError if the name is taken)."""
    if name in _REGISTRY and _REGISTRY[name] is not factory:
        raise ConfigError(f"a scorer called {name!r} is already registered")
    _REGISTRY[name] = factory


def get_scorer(name: str, **params: object) -> Scorer:
    """A new scorer `name` built with `params`; ConfigError naming the known scorers if unknown."""
    if name not in _REGISTRY:
        raise ConfigError(f"unknown scorer {name!r}; known scorers: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**params)


def available() -> list[str]:
    """Names of the registered scorers."""
    return sorted(_REGISTRY)


def check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list; InvalidInputError for a bare string, non-str items or oversized texts."""
    if isinstance(texts, str | bytes):
        raise InvalidInputError("scorers take a list of texts, not a single string")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise InvalidInputError(f"text {i} is {type(text).__name__}, not str")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInputError(
                f"text {i} has {len(text):,} characters; split texts over {MAX_TEXT_CHARS:,}"
            )
    return out
