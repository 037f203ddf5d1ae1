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
    parts = []
    if counts["not_found"]:
        parts.append(f"{counts['not_found']} of {len(checks)} cited works were not found in {database} "
                     "and may not exist")  # fmt: skip
    if counts["partially_correct"]:
        fields = sorted({w.field for c in checks for w in c.wrong_fields})
        parts.append(f"{counts['partially_correct']} have wrong details ({', '.join(fields)})")
    if counts["cannot_decide"]:
        parts.append(f"{counts['cannot_decide']} could not be checked")
    if not parts:
        return Disclaimed(text=text, notice=None, citations=checks)
    notice = (
        "Note: "
        + "; ".join(parts)
        + ". Check references against the original sources before relying on them."
    )
    return Disclaimed(text=text, notice=notice, citations=checks)
