"""Citation extraction from free text as models and people write it.

Handles numbered and bulleted lists (with "Authors: ..." / "Year: ..." continuation lines),
"Title" by A and B (2019), **Title** or *Title* or [Title](url) with the same, APA
(Authors (Year). Title. Venue.), ACM (Authors. Year. Title. In Venue.), IEEE (A. Author, "Title,"
Venue, Year.), DBLP-like (Authors: Title. Venue Year) and embedded BibTeX entries. Each citation
keeps the character span of the text it was read from. A piece of text becomes a citation only
with a title and at least one of authors, year or venue, so prose that merely quotes something or
mentions a year yields nothing. Regexes are bounded (no nested quantifiers over the whole text):
a 1 MB text is read in well under a second.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence

from genguard.factuality.names import looks_like_names, split_names
from genguard.text import check_texts
from genguard.types import Result, Span

LABEL = "CITATION"
MAX_UNIT = 1500  # characters of one citation candidate examined (longer pieces: quoted titles only)
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?:[a-z])?(?![\d])")
_PAREN_YEAR = re.compile(r"\(\s*((?:19|20)\d{2})[a-z]?\s*\)")
_QUOTED = re.compile(r"[\"“”]([^\"“”\n]{8,300}?)[\"“”]|(?<![\w])'([^'\n]{8,300}?)'(?![\w])")
_EMPHASIS = re.compile(
    r"\*\*([^*\n]{6,300}?)\*\*|__([^_\n]{6,300}?)__|(?<![*\w])\*([^*\n]{6,300}?)\*(?![*\w])"
)
_LINK = re.compile(r"\[([^\]\n]{6,300}?)\]\((?:[^)\s]{0,500})\)")
_MARKER = re.compile(r"^[ \t]*(?:\d{1,3}[.)]|\[\d{1,3}\]|[-*•+])[ \t]+")
_KEY_VALUE = re.compile(
    r"^[ \t]*(?:[-*•+][ \t]*)?(?:\*\*)?(title|authors?|year|venue|journal|conference|published in|"
    r"publication|booktitle)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]*(.+)$",
    re.IGNORECASE,
)
_BIBTEX = re.compile(
    r"@(article|inproceedings|incollection|book|misc|phdthesis|mastersthesis|techreport)\s*\{", re.IGNORECASE
)
_BY = re.compile(r"^[\s,.:;\u2013\u2014-]*\bby\s+", re.IGNORECASE)
# After a title without authors: "(2017)" or "in/published in <Venue>" make it a citation.
_BARE_TITLE = re.compile(r"^[\s,.]*(?:\(\s*(?:19|20)\d{2}|(?:[Ii]n|[Pp]ublished in)\s+[A-Z])")
_CUT = re.compile(r",|;|\(|(?<![A-Z])\.\s|\s(?:in|published|appeared)\s", re.IGNORECASE)
_APA = re.compile(
    r"^(?P<a>.{2,400}?)\s*\((?P<y>(?:19|20)\d{2})[a-z]?\)\.?\s+(?P<t>.{6,300}?)[.?!](?:\s+(?P<v>.*))?$"
)
_ACM = re.compile(r"^(?P<a>.{2,400}?)\.\s+(?P<y>(?:19|20)\d{2})\.\s+(?P<t>.{6,300}?)[.?!](?:\s+(?P<v>.*))?$")
_COLON = re.compile(r"^(?P<a>[^:]{2,400}?):\s+(?P<t>.{6,300}?)[.?!](?:\s+(?P<v>.*))?$")
_SENTENCE = re.compile(r"(?<!\b[A-Z])(?<!\bal)(?<!\bet)(?<!\bvs)(?<!\bIn)\.\s+(?=\S)")


_STRIP = " \t\"',.;:\u201c\u201d\u2018\u2019"


class Citation(Result):
    """A citation found in a text: the fields read from it (None / [] when absent), whether its
    author list ends with "et al.", the style it was read as, and the span of the text it came from
    (label CITATION)."""

    text: str
    span: Span
    title: str | None
    authors: list[str]
    et_al: bool = False
    venue: str | None = None
    year: int | None = None
    style: str


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"[*_`]+", "", text)
    text = re.sub(r"\s+", " ", text).strip(_STRIP)
    return text or None


def _strip_links(text: str) -> str:
    return _LINK.sub(lambda m: m.group(1), text)


def _authors(text: str | None) -> tuple[list[str], bool]:
    """Names from an author string, and whether it ends with et al. ([] when it is not names)."""
    if not text:
        return [], False
    text = re.sub(r"[*_`]+", "", text).strip(" ,.;:")
    et_al = bool(re.search(r"\bet\.?\s*al\b\.?|\band others\b", text, re.IGNORECASE))
    text = re.sub(r",?\s*(?:et\.?\s*al\b\.?|and others)", "", text, flags=re.IGNORECASE)
    names = split_names(text)
    return (names, et_al) if names and looks_like_names(names) else ([], False)


def _venue_year(rest: str | None) -> tuple[str | None, int | None]:
    """Venue and year from what follows a title: 'In Proc. of VLDB, pages 1-10, 2001.'"""
    if not rest:
        return None, None
    years = _YEAR.findall(rest)
    rest = _PAREN_YEAR.sub(" ", rest).strip(" ,.;:")
    year = int(years[-1]) if years else None
    venue = re.sub(r"^\s*(?:in|published in|appeared in)\s*:?\s+", "", rest, flags=re.IGNORECASE)
    # not cut at ". ": venues abbreviate ("Proc. VLDB", "ACM Trans. Database Syst.")
    cut = r",\s*(?:pp?\.|pages|vol\.|volume|no\.|\d)|\(|\s(?:19|20)\d{2}\b|https?://|doi:"
    venue = re.split(cut, venue)[0]
    venue = _clean(venue)
    if venue and (len(venue) > 150 or not venue[:1].isupper() or not re.search(r"[A-Za-z]{2}", venue)):
        venue = None
    return venue, year


def _lead_names(text: str) -> tuple[list[str], bool, str]:
    """The longest start of `text` that is an author list, cut at a comma, semicolon, parenthesis,
    sentence end or ' in ': (names, et al., the rest)."""
    cuts = [len(text), *(m.start() for m in _CUT.finditer(text, 0, 600))]
    for cut in sorted(set(cuts), reverse=True)[:24]:
        head = text[:cut]
        if re.search(r"\bet\.?$", head.rstrip()):  # do not cut "et al." after "et"
            continue
        names, et_al = _authors(head)
        if names:
            return names, et_al, text[cut:]
    return [], False, text


def _title_with_authors(unit: str, start: int, end: int, title: str, style: str) -> dict | None:
    """Fields when the title sits at unit[start:end] (quoted, emphasised or linked)."""
    before, after = unit[:start], unit[end:]
    by = _BY.match(after)
    if by:
        authors, et_al, after = _lead_names(after[by.end() :])
    else:
        authors, et_al = _authors(before.strip(" \t,.:;-\u2013\u2014"))
    if not authors and not (title[:1].isupper() and _BARE_TITLE.match(after)):
        # a quoted phrase with a year somewhere after it is prose, not a citation
        return None
    venue, year = _venue_year(after)
    if year is None:
        paren = _PAREN_YEAR.search(before)
        year = int(paren.group(1)) if paren else None
        if authors == [] and paren:
            authors, et_al = _authors(before[: paren.start()])
    full_names = by is not None or all(len(n.replace(",", " ").split()) >= 2 for n in authors)
    bare = title[:1].islower() and by is None and year is None and venue is None
    if (authors and not full_names and year is None) or bare:
        return None  # 'Cry "Welcome, ladies"': one word before a quotation is rarely an author list
    return {"title": title, "authors": authors, "et_al": et_al, "venue": venue, "year": year, "style": style}


def _fields(unit: str, listed: bool = False) -> dict | None:
    """The citation fields of one candidate piece of text (`listed`: an item of a numbered or
    bulleted list), or None when it is not a citation."""
    unit = unit[:MAX_UNIT]
    pairs = {m.group(1).lower(): m.group(2) for m in map(_KEY_VALUE.match, unit.splitlines()) if m}
    if "title" in pairs:
        authors, et_al = _authors(pairs.get("authors") or pairs.get("author"))
        venue = next((pairs[k] for k in ("venue", "journal", "conference", "published in", "publication",
                                         "booktitle") if k in pairs), None)  # fmt: skip
        years = _YEAR.findall(pairs.get("year", "") + " " + (venue or ""))
        year = int(years[0]) if years else None
        title = _clean(_strip_links(pairs["title"]))
        return {"title": title, "authors": authors, "et_al": et_al, "venue": _clean(venue), "year": year,
                "style": "fields"}  # fmt: skip
    first_line = unit.split("\n", 1)[0]
    for pattern, style in ((_QUOTED, "quoted"), (_LINK, "markdown"), (_EMPHASIS, "emphasis")):
        match = pattern.search(first_line)
        if match:
            title = _clean(next(g for g in match.groups() if g))
            rest = " ".join([first_line, *[line.strip() for line in unit.split("\n")[1:]]])
            found = _title_with_authors(_strip_links(rest) if style != "markdown" else rest,
                                        *_shifted(rest, match, style), title or "", style)  # fmt: skip
            if found and title and len(title.split()) >= 2:
                return found
    text = re.sub(r"\s+", " ", _strip_links(unit)).strip()
    for pattern, style in ((_APA, "apa"), (_ACM, "acm")):
        match = pattern.match(text)
        if match:
            authors, et_al = _authors(match.group("a"))
            if authors:
                venue, _ = _venue_year(match.group("v"))
                return {"title": _clean(match.group("t")), "authors": authors, "et_al": et_al, "venue": venue,
                        "year": int(match.group("y")), "style": style}  # fmt: skip
    return _dotted(text, listed)


def _shifted(rest: str, match: re.Match[str], style: str) -> tuple[int, int]:
    """Where the matched title lies in `rest` (links are removed from it except in markdown style)."""
    if style == "markdown":
        return match.start(), match.end()
    stripped = _strip_links(rest[: match.start()])
    return len(stripped), len(stripped) + (match.end() - match.start())


def _plausible(
    authors: list[str], title: str, venue: str | None, year: int | None, words: int = 3, listed: bool = False
) -> bool:
    """For citations without quotes or a year in parentheses, whose parts are guessed from
    punctuation alone: a title of 3+ words, a venue or year, and full names or initials (one
    capitalised word before a full stop is too often a sentence). A list item "A, B. Title Of 4+
    Words." needs no venue or year: two or more names then a title-cased title is a reference
    list's shape (models drop the venue and year); one name before a full stop, or a sentence-cased
    "title", is too often a sentence."""
    full_names = all(len(n.replace(",", " ").split()) >= 2 for n in authors)
    dated = venue is not None or year is not None
    listed_work = listed and len(authors) >= 2 and len(title.split()) >= 4 and _title_case(title)
    return len(title.split()) >= words and (dated or listed_work) and full_names


def _title_case(title: str) -> bool:
    """Whether most words of 4+ letters after the first are capitalised ("An Overview of Data
    Warehousing"), as titles in reference lists are and sentences ("They met in Paris in the
    spring") are not."""
    long = re.findall(r"[^\W\d_]{4,}", title.split(" ", 1)[1] if " " in title else "")
    return bool(long) and sum(w[0].isupper() for w in long) >= 0.6 * len(long)


def _dotted(text: str, listed: bool = False) -> dict | None:
    """'Authors. Title. Venue, 2001.' or 'Authors: Title. Venue 2001' (no quotes, no year in
    parentheses): the first sentence must be names, the second is the title."""
    colon = _COLON.match(text)
    stop = _SENTENCE.search(text)
    if colon and stop and stop.start() < colon.end("a") and _authors(text[: stop.start()])[0]:
        # "A. Smith, B. Jones. GlOSS: Text-Source Discovery. In VLDB, 2001.": the names end at the
        # first full stop, so the colon is the title's own (its subtitle), not DBLP's separator
        colon = None
    if colon:
        authors, et_al = _authors(colon.group("a"))
        if authors:
            venue, year = _venue_year(colon.group("v"))
            if not _plausible(authors, colon.group("t"), venue, year, words=2):
                return None
            return {"title": _clean(colon.group("t")), "authors": authors, "et_al": et_al, "venue": venue,
                    "year": year, "style": "dblp"}  # fmt: skip
    parts = _SENTENCE.split(text, maxsplit=2)
    if len(parts) < 2:
        return None
    authors, et_al = _authors(parts[0])
    if not authors:
        return None
    venue, year = _venue_year(parts[2] if len(parts) > 2 else None)
    title = _clean(parts[1])
    if not title or not _plausible(authors, title, venue, year, listed=listed):
        return None
    return {
        "title": title,
        "authors": authors,
        "et_al": et_al,
        "venue": venue,
        "year": year,
        "style": "plain",
    }


def _units(text: str) -> Iterator[tuple[int, int, bool]]:
    """Candidate pieces (start, end, whether a list item): list items with their continuation
    lines, other lines, and sentences of long lines that hold several quoted titles."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    i = 0
    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        if not line.strip():
            i += 1
            continue
        item = _MARKER.match(line)
        if item:
            start += item.end()
        j = i + 1
        # continuation lines: indented, or "Key: value" lines under a list item or a title line
        while j < len(lines) and lines[j][0] == lines[j - 1][1] + 1:
            nxt = text[lines[j][0] : lines[j][1]]
            if _MARKER.match(nxt) or not nxt.strip():
                break
            if not (nxt[:1] in " \t" or _KEY_VALUE.match(nxt)):
                break
            end = lines[j][1]
            j += 1
        i = j
        quotes = list(_QUOTED.finditer(text, start, end))
        if len(quotes) > 1 and not item:
            cuts = [start]
            for q in quotes[1:]:
                sep = max(text.rfind(". ", start, q.start()), text.rfind("; ", start, q.start()))
                if sep > cuts[-1]:
                    cuts.append(sep + 2)
            cuts.append(end)
            yield from ((a, b, False) for a, b in itertools.pairwise(cuts))
        else:
            yield start, end, bool(item)


def _bibtex(text: str) -> Iterator[tuple[int, int, dict]]:
    """BibTeX entries in the text: (start, end, fields)."""
    from genguard.factuality.readers import _bib_chunk

    for match in _BIBTEX.finditer(text):
        depth, end = 0, None
        for k in range(match.end() - 1, min(len(text), match.end() + 20_000)):
            depth += {"{": 1, "}": -1}.get(text[k], 0)
            if depth == 0:
                end = k + 1
                break
        if end is None:
            continue
        for _line, item in _bib_chunk(text[match.start() : end] + "\n", 1, ""):
            if hasattr(item, "title"):
                fields = {
                    "title": item.title,
                    "authors": item.authors,
                    "venue": item.venue,
                    "year": item.year,
                }
                yield match.start(), end, {**fields, "et_al": item.et_al, "style": "bibtex"}


def extract_citations(texts: Sequence[str]) -> list[list[Citation]]:
    """The citations in each text, in order of appearance ([] for a text without any).

    InvalidInputError for a bare string, non-str items or texts over 10 million characters.
    """
    texts = check_texts(texts)
    results = []
    for text in texts:
        found: list[Citation] = []
        taken: list[tuple[int, int]] = []
        for start, end, fields in _bibtex(text):
            taken.append((start, end))
            found.append(_citation(text, start, end, fields))
        for start, end, listed in _units(text):
            if any(s <= start < e for s, e in taken):
                continue
            fields = _fields(text[start:end], listed)
            if fields is None or not fields.get("title"):
                continue
            if not (fields["authors"] or fields["year"] or fields["venue"]):
                continue
            found.append(_citation(text, start, end, fields))
        results.append(sorted(found, key=lambda c: c.span.start))
    return results


def _citation(text: str, start: int, end: int, fields: dict) -> Citation:
    while end > start and text[end - 1].isspace():
        end -= 1
    return Citation(text=text[start:end], span=Span(start=start, end=end, label=LABEL), **fields)
