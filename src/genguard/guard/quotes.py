"""Labelled quotations: spans of a text that report what someone else said or wrote.

Two forms count: a Markdown block quote (lines starting with ">"), and words between double
quotation marks with an attribution next to them: a reporting verb or "according to" shortly
before the opening mark or after the closing one, or a colon right before it. Quotation marks
alone (scare quotes, titles, a whole message in quotes) do not make a quotation.
"""

from __future__ import annotations

import re

from genguard.types import Span

_BLOCK = re.compile(r"(?m)^[ \t]{0,3}>[ \t]?(.*\S.*)$")
_QUOTED = re.compile(
    r"\"([^\"\n]{1,2000})\"|\u201c([^\u201d\n]{1,2000})\u201d|\u00ab([^\u00bb\n]{1,2000})\u00bb"
)
_VERBS = (
    r"said|says|say|saying|wrote|writes|write|quoted|quotes|quote|quoting|commented|comments|stated|states|"
    r"tweeted|posted|replied|replies|responded|responds|told|tells|asked|asks|shouted|shouts|yelled|yells|"
    r"added|adds|explained|explains|declared|declares|recalled|recalls|sang|sings|read|reads|called|calls|"
    r"joked|jokes|deadpans|deadpanned|according to|in the words of"
)
_BEFORE = re.compile(rf"(?i)(?:\b(?<!so[- ])(?:{_VERBS})\b[^.!?\"\u201c\u201d]{{0,40}}|:\s*)$")
_AFTER = re.compile(rf"(?i)^[,.!?]?\s*(?:[\w.' -]{{0,40}}?\s)?\b(?:{_VERBS})\b")


def quotation_spans(text: str) -> list[Span]:
    """The labelled quotations in `text`: [start, end) of the quoted words, marks excluded, in order."""
    spans = [Span(start=m.start(1), end=m.end(1), label="QUOTATION") for m in _BLOCK.finditer(text)]
    for m in _QUOTED.finditer(text):
        group = next(g for g in (1, 2, 3) if m.group(g) is not None)
        before = text[max(0, m.start() - 80) : m.start()]
        after = text[m.end() : m.end() + 60]
        if _BEFORE.search(before) or _AFTER.search(after):
            spans.append(Span(start=m.start(group), end=m.end(group), label="QUOTATION"))
    return sorted(spans, key=lambda s: (s.start, s.end))
