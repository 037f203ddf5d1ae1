"""(being written: API keys, loopback-only mode, rate limits)"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from genguard.storage.api_keys import ApiKey


@dataclass(frozen=True)
class Caller:
    """Who sent the request: their API key (None in loopback-only mode) and client address."""

    key: ApiKey | None
    client: str

    @property
    def profile(self) -> str | None:
        return self.key.profile if self.key is not None else None


def caller(request: Request) -> Caller:
    """(stub) FastAPI dependency: the authenticated caller."""
    return Caller(key=None, client=request.client.host if request.client else "")
