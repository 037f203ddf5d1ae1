"""Model backends: what serves a model name. `build_backend(route, gateway)` makes the one a
config route asks for: `LocalBackend` (a model in this process, one worker thread, batched and
watermarked) or `UpstreamBackend` (an OpenAI-compatible server, proxied, not watermarked).

A route hands a backend a `BackendRequest` (the guarded prompt or messages and the sampling
settings) and gets either a `BackendResult` (`complete`) or, from `stream`, text pieces as they
are made followed by one `BackendResult` for the whole answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from genguard.server.config import ModelRoute
    from genguard.server.state import Gateway


@dataclass(frozen=True)
class BackendRequest:
    """One generation, after the input guard: `messages` ((role, content) turns) for chat,
    `prompt` for a plain completion; sampling as the client asked (temperature 0 = greedy)."""

    kind: Literal["chat", "completion"]
    max_tokens: int
    temperature: float
    top_p: float
    seed: int | None
    messages: tuple[tuple[str, str], ...] = ()
    prompt: str = ""


@dataclass(frozen=True)
class BackendResult:
    """The whole answer: text, finish reason (stop, length ...) and token counts of prompt and answer."""

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


class Backend(ABC):
    """What serves one model name."""

    kind: Literal["local", "upstream"]

    @property
    @abstractmethod
    def watermark(self) -> dict[str, object] | None:
        """{"key_id", "scheme", "gamma"} of the watermark on this backend's answers, or None."""

    @property
    def watermark_note(self) -> str | None:
        """Why answers are not watermarked (None when they are)."""
        return None

    @abstractmethod
    async def complete(self, request: BackendRequest) -> BackendResult:
        """The whole answer to `request`."""

    @abstractmethod
    def stream(self, request: BackendRequest) -> AsyncIterator[str | BackendResult]:
        """Text pieces of the answer as they are made, then one BackendResult (its text is the
        pieces joined). Closing the iterator early stops the generation."""

    def close(self) -> None:  # noqa: B027  (optional: a backend without workers has nothing to stop)
        """Stop workers and connections (the gateway is shutting down)."""


def build_backend(route: ModelRoute, gateway: Gateway) -> Backend:
    """The backend `route` asks for; cheap: a local model loads in its worker on first use."""
    if route.backend == "upstream":
        from genguard.server.backends.upstream import UpstreamBackend

        return UpstreamBackend(route)
    from genguard.server.backends.local import LocalBackend

    return LocalBackend(route, gateway)
