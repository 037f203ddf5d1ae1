"""Shared result types. Every public result is a pydantic model that serialises to JSON unchanged."""

from __future__ import annotations

from typing import Literal

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
    """A scorer's answer for one text: a score in [0, 1] and the findings.

    What the score means is the scorer's to say (its docstring): the highest finding confidence for
    rule-based scorers, a probability for trained models, which may score a text with no finding.
    """

    scorer: str
    model_id: str
    score: float
    findings: list[Finding]


class Flag(Result):
    """A finding that triggered a guard rule, and the action the rule takes on it.

    `quoted` is True when the finding lies inside a labelled quotation and the profile's
    quotation rule chose the action.
    """

    scorer: str
    label: str
    score: float
    span: Span | None = None
    action: Literal["allow", "annotate", "disclaimer", "redact", "block"]
    quoted: bool = False
    reason: str = ""


class Verdict(Result):
    """The guard's decision on one text at one stage.

    `action` is the most severe action among the flags (allow when none); `text` is what may be
    passed on: the text as given (allow, annotate, disclaimer), with flagged spans replaced by
    placeholders (redact), or None (block). `scores` holds every scorer's score, flagged or not.
    `notice` is the short note to show with the text when a `disclaimer` rule fired (None
    otherwise, and for a blocked text).
    """

    stage: str
    profile: str
    action: Literal["allow", "annotate", "disclaimer", "redact", "block"]
    reasons: list[str]
    flags: list[Flag]
    scores: dict[str, float]
    text: str | None
    model_ids: dict[str, str]
    notice: str | None = None
