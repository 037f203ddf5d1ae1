"""Disclaimers: an answer passed on with a short notice about its citations and their verdicts."""

from __future__ import annotations

from collections import Counter

from genguard.factuality.verify import CitationCheck
from genguard.types import Result


class Disclaimed(Result):
    """The answer as given, the notice to show with it (None when every citation was verified or
    there is none) and the per-citation checks."""

    text: str
    notice: str | None
    citations: list[CitationCheck]


def disclaimer(
    text: str, checks: list[CitationCheck], database: str = "the bibliographic database"
) -> Disclaimed:
    """`text` with a one-paragraph notice naming how many of its citations `database` could not
    find or found with wrong details, and what to do; None when there is nothing to warn about."""
    counts = Counter(c.verdict for c in checks)
    fields = ", ".join(sorted({w.field for c in checks for w in c.wrong_fields}))
    phrases = [
        (counts["not_found"], f"not found in {database} and may not exist"),
        (counts["partially_correct"], f"with wrong details ({fields})"),
        (counts["cannot_decide"], "that could not be checked"),
    ]
    parts = [f"{n} {phrase}" for n, phrase in phrases if n]
    if not parts:
        return Disclaimed(text=text, notice=None, citations=checks)
    # "Note: of 3 cited works, 2 not found in X and may not exist; 1 with wrong details (year). ..."
    notice = (
        f"Note: of {len(checks)} cited works, "
        + "; ".join(parts)
        + ". Check references against the original sources before relying on them."
    )
    return Disclaimed(text=text, notice=notice, citations=checks)
