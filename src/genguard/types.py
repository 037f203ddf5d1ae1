"""Shared result types. Every public result is a pydantic model that serialises to JSON unchanged."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Result(BaseModel):
    """Base of all genguard results: immutable, JSON-serialisable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")
