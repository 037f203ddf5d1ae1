"""Per-caller limits over a sliding minute: requests counted when they arrive, tokens charged when
they are known (at the end of the request).

A sliding log (one entry per request or per token charge in the last 60 s) rather than a fixed
minute window: a client cannot send twice its limit across a minute boundary. In memory, per
process: limits reset when the gateway restarts.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_S = 60.0


@dataclass
class _Usage:
    requests: deque[float] = field(default_factory=deque)  # arrival times
    tokens: deque[tuple[float, int]] = field(default_factory=deque)  # (time, tokens charged)
    token_sum: int = 0

    def expire(self, now: float) -> None:
        while self.requests and self.requests[0] <= now - WINDOW_S:
            self.requests.popleft()
        while self.tokens and self.tokens[0][0] <= now - WINDOW_S:
            self.token_sum -= self.tokens.popleft()[1]


@dataclass(frozen=True)
class Refusal:
    """Why a request is over its limit, and in how many whole seconds it may be retried."""

    message: str
    retry_after_s: int


class RateLimiter:
    """Sliding-minute request and token counts per subject (an API key id or a client address)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._usage: dict[str, _Usage] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def admit(self, subject: str, requests_per_minute: int, tokens_per_minute: int) -> Refusal | None:
        """Count one request of `subject` and return None, or return why it is refused (not counted):
        `requests_per_minute` already arrived in the last 60 s, or the tokens charged in that time
        reached `tokens_per_minute`."""
        with self._lock:
            now = self._clock()
            usage = self._usage.setdefault(subject, _Usage())
            usage.expire(now)
            if len(usage.requests) >= requests_per_minute:
                wait = usage.requests[len(usage.requests) - requests_per_minute] + WINDOW_S - now
                return Refusal(f"{requests_per_minute} requests per minute", _whole(wait))
            if usage.token_sum >= tokens_per_minute:
                wait = self._token_wait(usage, tokens_per_minute, now)
                return Refusal(f"{tokens_per_minute} tokens per minute", _whole(wait))
            usage.requests.append(now)
            return None

    def charge(self, subject: str, tokens: int) -> None:
        """Add `tokens` used by a finished request of `subject` to its last minute."""
        if tokens <= 0:
            return
        with self._lock:
            now = self._clock()
            usage = self._usage.setdefault(subject, _Usage())
            usage.expire(now)
            usage.tokens.append((now, tokens))
            usage.token_sum += tokens

    @staticmethod
    def _token_wait(usage: _Usage, limit: int, now: float) -> float:
        """Seconds until the tokens of the last minute fall below `limit`."""
        remaining = usage.token_sum
        for at, count in usage.tokens:
            remaining -= count
            if remaining < limit:
                return at + WINDOW_S - now
        return WINDOW_S


def _whole(seconds: float) -> int:
    return max(1, math.ceil(seconds))
