"""The one interface every scorer implements, and the registry that finds scorers by name.

Scorers are batch-first: `score(texts)` returns one ScoreResult per text. Capabilities that
offer a scorer register it here; the guard finds scorers by the names in its policy.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from genguard.errors import ConfigError
from genguard.text import check_texts
from genguard.types import ScoreResult

__all__ = ["Scorer", "available", "check_texts", "get_scorer", "parameters", "register"]


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


def parameters(name: str) -> set[str] | None:
    """Keyword parameters scorer `name` accepts (None: any); ConfigError if the name is unknown."""
    if name not in _REGISTRY:
        raise ConfigError(f"unknown scorer {name!r}; known scorers: {', '.join(sorted(_REGISTRY))}")
    accepted = inspect.signature(_REGISTRY[name]).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in accepted):
        return None
    return {p.name for p in accepted if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def available() -> list[str]:
    """Names of the registered scorers."""
    return sorted(_REGISTRY)
