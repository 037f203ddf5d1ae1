"""Author lists as citations write them: splitting into names and telling names from prose.

"Kearns, M. J., & Vazirani, U." (APA), "M. Kearns and U. Vazirani", "Kearns M, Vazirani U"
(Vancouver), "Michael Kearns, Umesh Vazirani, and Leslie Valiant" all give one string per
person; the surname/initial comparison itself is genguard.factuality.records.name_key.
"""

from __future__ import annotations

import re

_INITIALS = re.compile(r"^(?:[A-Z]\.?[\s-]?){1,4}$")
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "la", "le", "du", "dos", "y"}
)
_NOT_NAMES = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "A",
        "An",
        "In",
        "On",
        "Our",
        "We",
        "It",
        "Its",
        "For",
        "To",
        "Of",
        "And",
        "From",
        "With",
        "How",
        "What",
        "Why",
        "When",
        "Paper",
        "Papers",
        "Title",
        "Some",
        "Here",
        "Also",
        "See",
        "Introduction",
        "Abstract",
        "Proceedings",
        "Journal",
        "Conference",
        "University",
        "Press",
        "Vol",
        "Note",
    ]
)
_TOKEN = re.compile(r"^(?:[^\W\d_][\w'\u2019\-]*\.?|(?:[^\W\d_]\.-?){1,4})$")
# Words of venue names and acronyms: "by J. Gao et al., SIGMOD Conference" ends its names before them.
_VENUE_WORDS = frozenset(
    [
        "conference",
        "journal",
        "proceedings",
        "proc",
        "record",
        "rec",
        "transactions",
        "trans",
        "symposium",
        "workshop",
        "press",
        "letters",
        "review",
        "magazine",
        "bulletin",
        "quarterly",
    ]
)


def split_names(text: str) -> list[str]:
    """One string per person in an author list (APA's "Surname, I." pairs joined back)."""
    text = re.sub(r"\s+", " ", text.replace("&", " and ")).strip(" ,;.")
    if not text:
        return []
    pieces = [p.strip() for p in re.split(r"\s*;\s*|,\s*and\s+|\s+and\s+|\s*,\s*", text) if p.strip()]
    # "Kearns, M. J., Vazirani, U.": a surname followed by initials-only pieces
    if (
        len(pieces) >= 2
        and all(_INITIALS.match(p) for p in pieces[1::2])
        and not any(_INITIALS.match(p) for p in pieces[0::2])
    ):
        return [f"{pieces[k]}, {pieces[k + 1]}" for k in range(0, len(pieces) - 1, 2)] + (
            [pieces[-1]] if len(pieces) % 2 else []
        )
    return pieces


def looks_like_names(names: list[str]) -> bool:
    """Whether every string is a person's name as citations write them: 1 to 5 capitalised words
    or initials (lower-case particles such as 'van der' allowed), at most 60 names."""
    if not names or len(names) > 60:
        return False
    for name in names:
        tokens = name.replace(",", " ").split()
        if not 1 <= len(tokens) <= 5 or tokens[0] in _NOT_NAMES:
            return False
        if not any(len(t.strip(".")) >= 2 and t[:1].isupper() for t in tokens):
            return False
        for token in tokens:
            if token.lower() in _PARTICLES or re.fullmatch(r"[a-z]\.", token):  # "J. V. d. Bussche"
                continue
            if not _TOKEN.match(token) or not token[0].isupper():
                return False
            bare = token.strip(".")
            if bare.lower() in _VENUE_WORDS or (len(bare) >= 3 and bare.isupper() and bare.isalpha()):
                return False
    return True
