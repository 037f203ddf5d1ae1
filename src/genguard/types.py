"""Shared result types. Every public result is a pydantic model that serialises to JSON unchanged."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Result(BaseModel):
    """Base of all genguard results: immutable, JSON-serialisable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(Result):
    """A half-open character range [start, end) of the text as given, with the kind found there."""

    start: int
    end: int
    label: str


class Finding(Result):
    """One thing a scorer found: what (label), where (span, if it has one), how sure (0..1)."""

    scorer: str
    label: str
    score: float
    span: Span | None = None


class ScoreResult(Result):
    """A scorer's answer for one text: the highest finding score (0 if none) and the findings."""

    scorer: str
    model_id: str
    score: float
    findings: list[Finding]
