"""The one interface every scorer implements, and the registry that finds scorers by name.

Scorers are batch-first: `score(texts)` returns one ScoreResult per text. The built-in scorers
register here on import; capabilities and other packages offer theirs through the
`genguard.scorers` entry point group (name = "module:factory"), loaded the first time the name
is asked for, so the guard finds every scorer by the name in its policy and imports no capability.

A scorer whose findings on a text are its findings on pieces of the text cut at line starts
between whole sentences (spans shifted) may say so by offering `combine(parts)`: the text's score
from (piece, result) pairs, in order. The guard then scores long texts piece by piece, in bounded
memory (genguard.guard.pipeline.BATCH_CHARS); a scorer without `combine` sees whole texts.

A scorer whose model's build chose values for a policy (a decision threshold, the score at which
it confirms another rule) may offer `chosen(key, **params)` on its factory; a policy then says
`threshold: model` or `confirm: {scorer: model}` instead of copying the numbers (`chosen`).

A scorer that embeds texts with the shared MiniLM may offer `embedding_requests(texts)`: what
`score(texts)` is about to embed (genguard.scoring.embedder.EmbeddingRequest). The guard embeds
every scorer's requests together first (`embed_together`), one forward pass instead of one each,
and the scorers then find their features in the embedder's cache.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from genguard.errors import ConfigError
from genguard.text import check_texts
from genguard.types import ScoreResult

__all__ = [
    "Scorer",
    "available",
    "check_texts",
    "chosen",
    "get_scorer",
    "max_score",
    "parameters",
    "piecewise",
    "register",
]


@runtime_checkable
class Scorer(Protocol):
    """Texts in, one ScoreResult per text out; `model_id` names what produced the scores."""

    name: str
    model_id: str

    def score(self, texts: Sequence[str]) -> list[ScoreResult]: ...


def piecewise(scorer: Scorer) -> bool:
    """Whether `scorer` can score a long text piece by piece (it offers `combine`)."""
    return callable(getattr(scorer, "combine", None))


def max_score(parts: Iterable[tuple[str, ScoreResult]]) -> float:
    """The highest score of a text's pieces (0.0 for none): `combine` for scorers whose score is
    their strongest finding's or sentence's."""
    return max((result.score for _piece, result in parts), default=0.0)


_REGISTRY: dict[str, Callable[..., Scorer]] = {}


def register(name: str, factory: Callable[..., Scorer]) -> None:
    """Make `factory(**params)` available as scorer `name` (ConfigError if the name is taken)."""
    if name in _REGISTRY and _REGISTRY[name] is not factory:
        raise ConfigError(f"a scorer called {name!r} is already registered")
    _REGISTRY[name] = factory


def _plugins() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group="genguard.scorers")}


def _factory(name: str) -> Callable[..., Scorer]:
    if name not in _REGISTRY:
        plugin = _plugins().get(name)
        if plugin is None:
            raise ConfigError(f"unknown scorer {name!r}; known scorers: {', '.join(available())}")
        try:
            register(name, plugin.load())  # type: ignore[attr-defined]
        except ImportError as exc:
            raise ConfigError(f"scorer {name!r} could not be loaded ({plugin.value}): {exc}") from exc  # type: ignore[attr-defined]
    return _REGISTRY[name]


def get_scorer(name: str, **params: object) -> Scorer:
    """A new scorer `name` built with `params`; ConfigError naming the known scorers if unknown."""
    return _factory(name)(**params)


def chosen(name: str, key: str, params: Mapping[str, object]) -> float | None:
    """The value scorer `name`'s own model chose for `key` ("threshold", or "confirm": the score at
    which it confirms another rule), as its factory's `chosen(key, **params)` reads it from the
    model's files; None where the scorer offers none. ConfigError if the name is unknown."""
    read = getattr(_factory(name), "chosen", None)
    return None if read is None else read(key, **params)


def parameters(name: str) -> set[str] | None:
    """Keyword parameters scorer `name` accepts (None: any); ConfigError if the name is unknown."""
    accepted = inspect.signature(_factory(name)).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in accepted):
        return None
    return {p.name for p in accepted if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def available() -> list[str]:
    """Names of the registered scorers and of those offered through the `genguard.scorers` entry point."""
    return sorted(set(_REGISTRY) | set(_plugins()))
