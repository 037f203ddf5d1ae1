"""Bibliographic records and the normalisation every comparison of titles, names and venues uses.

Titles are compared as lower-case ASCII words (diacritics stripped, punctuation dropped); person
names as (surname, first initial) with "Last, First", "F. Last", "Last F" and diacritics handled;
venues through a short alias list plus the expansion of DBLP's abbreviations ("Trans." ->
transactions). All functions are pure and cheap: they run per candidate at verification time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pydantic import Field

from genguard.types import Result

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "under",
        "via",
        "with",
        "without",
    ]
)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_ORDINAL = re.compile(r"\d+(st|nd|rd|th)?")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Surname particles kept with the surname: "Wil van der Aalst" -> "van der aalst".
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "la", "le", "du", "dos"}
)


class BibRecord(Result):
    """One work in the database: title, authors (as written), venue and year (None if unknown).

    `years` and `venues` hold every value seen for the work when duplicates from several sources
    were merged (the journal and conference versions of a paper); `source_id` is the record's id in
    the source it came from (a DBLP key, an OpenAlex id, a BibTeX key); `id` its row id in the
    database (None before it is stored).
    """

    title: str
    authors: list[str]
    venue: str | None = None
    year: int | None = None
    years: list[int] = Field(default_factory=list)
    venues: list[str] = Field(default_factory=list)
    source_id: str | None = None
    id: int | None = None
    et_al: bool = False  # the source listed only the first authors ("and others"); not stored


_COMBINING = {c: None for c in range(0x300, 0x370)} | {
    0x00DF: "ss",
    0x00F8: "o",
    0x00D8: "O",
    0x0142: "l",
    0x0141: "L",
}


@lru_cache(maxsize=1 << 16)
def ascii_fold(text: str) -> str:
    """`text` lower-cased with diacritics removed (NFKD, combining marks dropped): 'Müller' -> 'muller'.

    Cached: verification folds the same record titles and names over and over."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_COMBINING).lower()


def title_words(title: str) -> list[str]:
    """The words of a title, lower-case ASCII, punctuation dropped ('On-Line' -> ['on', 'line'])."""
    return [w for w in _NON_WORD.split(ascii_fold(title)) if w]


def norm_title(title: str) -> str:
    """The title as one comparison string: its words joined by single spaces."""
    return " ".join(title_words(title))


def content_words(title: str) -> list[str]:
    """Title words without stop words (the words worth searching for)."""
    return [w for w in title_words(title) if w not in STOPWORDS]


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> tuple[str, str]:
    """(surname, first initial) of a person's name as written in a citation or a record.

    Handles "Michael J. Kearns", "M. Kearns", "Kearns, M. J.", "Kearns MJ" (a last token of at
    most 3 capitals is read as initials), particles ("van der Aalst") and diacritics. Returns
    ("", "") for a name with no letters.
    """
    name = re.sub(r"\s+", " ", name.replace("\u00a0", " ")).strip().strip(".,;")
    if "," in name:  # "Last, First" (a trailing ", Jr." is a suffix, not a first name)
        last, _, first = name.partition(",")
        if ascii_fold(first).strip(" .") in _SUFFIXES:
            return name_key(last)
        parts_first = first.split()
        surname = last
    else:
        tokens = name.split()
        while len(tokens) > 1 and ascii_fold(tokens[-1]).strip(".") in _SUFFIXES:
            tokens.pop()
        if len(tokens) > 1 and re.fullmatch(r"[A-Z]{1,3}\.?", tokens[-1]) and not tokens[0].endswith("."):
            # "Kearns MJ": initials after the surname (Vancouver style)
            surname, parts_first = " ".join(tokens[:-1]), [tokens[-1]]
        else:
            if not tokens:
                return "", ""
            surname, parts_first = tokens[-1], tokens[:-1]
            # Keep particles with the surname: "Wil M. P. van der Aalst" -> "van der aalst".
            while parts_first and ascii_fold(parts_first[-1]) in _PARTICLES:
                surname = parts_first.pop() + " " + surname
    sur = " ".join(w for w in _NON_WORD.split(ascii_fold(surname)) if w)
    first = next((p for p in parts_first if _NON_WORD.sub("", ascii_fold(p))), "")
    return sur, _NON_WORD.sub("", ascii_fold(first))[:1]


_VENUE_WORDS = {
    "trans": "transactions",
    "syst": "systems",
    "j": "journal",
    "conf": "conference",
    "proc": "proceedings",
    "int": "international",
    "intl": "international",
    "comput": "computing",
    "sci": "science",
    "inf": "information",
    "eng": "engineering",
    "knowl": "knowledge",
    "manag": "management",
    "lett": "letters",
    "rev": "review",
    "commun": "communications",
    "mach": "machine",
    "learn": "learning",
    "res": "research",
    "theor": "theoretical",
    "artif": "artificial",
    "intell": "intelligence",
}
# Words that say what kind of publication it is, not which one: dropped before comparing venues.
_VENUE_NOISE = frozenset(
    [
        "proceedings",
        "proc",
        "of",
        "the",
        "in",
        "on",
        "and",
        "for",
        "annual",
        "international",
        "conference",
        "conf",
        "symposium",
        "workshop",
        "acm",
        "ieee",
        "series",
        "vol",
        "volume",
        "pp",
        "pages",
    ]
)
# A few well-known long forms that do not abbreviate word by word (DBLP writes the short one).
VENUE_ALIASES = {  # in the form venue_key compares: abbreviations expanded, noise words dropped
    "very large data bases": "vldb",
    "very large databases": "vldb",
    "management data": "sigmod",
    "principles database systems": "pods",
    "data engineering": "icde",
    "neural information processing systems": "neurips",
    "nips": "neurips",
    "machine learning": "icml",
    "learning representations": "iclr",
    "computational linguistics": "acl",
    "knowledge discovery data mining": "kdd",
    "sigkdd": "kdd",
    "theory computing": "stoc",
    "foundations computer science": "focs",
    "transactions database systems": "tods",
}


def venue_key(venue: str) -> str:
    """A venue as a comparison string: abbreviations expanded, publication-kind words and years
    dropped, well-known long forms mapped to their acronym ('Proceedings of the 22nd International
    Conference on Very Large Data Bases' and 'VLDB' both give 'vldb')."""
    words = [_VENUE_WORDS.get(w, w) for w in _NON_WORD.split(ascii_fold(venue)) if w]
    words = [w for w in words if w not in _VENUE_NOISE and not _ORDINAL.fullmatch(w)]
    text = " ".join(words)
    for long_form, short in VENUE_ALIASES.items():
        text = re.sub(rf"\b{long_form}\b", short, text)
    # de-duplicated, in order: "The VLDB Journal (Very Large Data Bases)" -> "vldb journal"
    return " ".join(dict.fromkeys(text.split()))
