"""Labelled citations for the factuality benchmarks, built from DBLP2.csv records.

Real citations are rendered in the styles people and models write (APA, ACM, IEEE, DBLP,
"Title" by ..., **Title** by ..., Markdown links, key-value lists, BibTeX) with the variations a
verifier must tolerate: initials, "et al.", long or abbreviated venue names, lower-case titles,
a missing year. Corrupted citations change one field of a real one (the expected verdict is
partially_correct with that field); fabricated ones compose titles from real title words and
real author names (expected: not_found). The venue long forms below are written here, apart from
the verifier's alias list, as a person would expand DBLP's abbreviations.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from genguard.factuality.records import BibRecord, content_words, norm_title

DBLP_CSV = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "dblp" / "DBLP2.csv"
VENUE_LONG = {
    "VLDB": ["Proceedings of the International Conference on Very Large Data Bases", "Proc. VLDB", "VLDB"],
    "SIGMOD Conference": ["Proceedings of the ACM SIGMOD International Conference on Management of Data",
                          "ACM SIGMOD", "SIGMOD"],
    "SIGMOD Record": ["ACM SIGMOD Record", "SIGMOD Rec."],
    "VLDB J.": ["The VLDB Journal", "VLDB Journal"],
    "ACM Trans. Database Syst.": ["ACM Transactions on Database Systems", "ACM TODS"],
}  # fmt: skip
FIRST_NAMES = ["James", "Maria", "Wei", "Anna", "Rahul", "Sofia", "Kenji", "Laura", "Ahmed", "Elena", "Peter",
               "Chen", "Olga", "David", "Fatima", "Lucas"]  # fmt: skip
SURNAMES = ["Hartwell", "Okonkwo", "Lindqvist", "Marchetti", "Nakamura", "Petrov", "Quintero",
            "Ravensworth", "Szabo", "Thibault", "Vasquez", "Whitcombe", "Yilmaz", "Zeller", "Brandauer",
            "Castellanos"]  # fmt: skip


@dataclass
class Case:
    """One labelled citation: the text, the kind, the expected verdict and wrong field, its record."""

    text: str
    kind: str
    expected: str
    field: str | None
    record: BibRecord
    style: str = ""
    variations: list[str] = field(default_factory=list)


def load_records(path: Path = DBLP_CSV) -> list[BibRecord]:
    """DBLP2.csv as records, one per merge key (as the database stores them), in file order."""
    from genguard.factuality.bibdb import record_key

    seen, out = set(), []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            authors = [a.strip() for a in row["authors"].split(",") if a.strip() and a.strip() != "?"]
            rec = BibRecord(title=row["title"], authors=authors, venue=row["venue"], year=int(row["year"]))
            key = record_key(rec)
            if key not in seen:
                seen.add(key)
                out.append(rec)
    return out


def _initials(name: str) -> str:
    parts = name.split()
    if len(parts) > 2 and parts[-1].rstrip(".") in ("Jr", "Sr"):
        return _initials(" ".join(parts[:-1])) + " " + parts[-1]
    return (
        " ".join([*(p[0] + "." for p in parts[:-1] if p[0].isalpha()), parts[-1]]) if len(parts) > 1 else name
    )


def _apa_name(name: str) -> str:
    parts = name.split()
    if len(parts) < 2:
        return name
    return f"{parts[-1]}, " + " ".join(p[0] + "." for p in parts[:-1] if p[0].isalpha())


def _join(names: list[str], conj: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return f"{names[0]} {conj} {names[1]}"
    return ", ".join(names[:-1]) + f", {conj} {names[-1]}"


# "authors_title": ACM/Springer reference lists without the year up front,
# "J. Smith, A. Jones. A title of a paper. In VLDB, 2001."
STYLES = [
    *("apa", "acm", "ieee", "quoted_by", "bold_by", "markdown", "dblp", "fields", "bibtex"),
    "authors_title",
]


def render(
    rec: BibRecord, rng: random.Random, style: str | None = None, keep: str | None = None
) -> tuple[str, str, list[str]]:
    """(text, style, variations) of a citation of `rec` in a random style with random variations
    (`keep`: "year" or "authors", the field a corruption changed, shown in full)."""
    style = style or rng.choice(STYLES)
    variations = []
    title, authors, year = rec.title, list(rec.authors), rec.year
    venue = rec.venue or ""
    if rng.random() < 0.5 and venue in VENUE_LONG:
        venue = rng.choice(VENUE_LONG[venue])
        variations.append("venue_form")
    if rng.random() < 0.2:
        title = title.lower()
        variations.append("lowercase_title")
    if rng.random() < 0.15 and style not in ("apa", "acm") and keep != "year":
        year = None
        variations.append("no_year")
    et_al = len(authors) >= 3 and rng.random() < 0.5 and keep != "authors"
    shown = authors[:1] if et_al else authors
    if et_al:
        variations.append("et_al")
    initials = rng.random() < 0.5
    if initials:
        variations.append("initials")
    names = [_initials(n) for n in shown] if initials else shown
    tail = " et al." if et_al else ""
    ystr = f" ({year})" if year else ""
    if style == "apa":
        apa = [_apa_name(n) for n in shown]
        people = (", ".join(apa[:-1]) + ", & " + apa[-1]) if len(apa) > 1 else apa[0]
        text = f"{people}{', et al.' if et_al else ''} ({year}). {title}. {venue}."
    elif style == "acm":
        text = f"{_join(names)}{tail}. {year}. {title}. In {venue}."
    elif style == "ieee":
        text = f'{_join(names)}{tail}, "{title}," in {venue}' + (f", {year}." if year else ".")
    elif style == "quoted_by":
        text = f'"{title}" by {_join(names)}{tail}{ystr}'
    elif style == "bold_by":
        text = f"**{title}** by {_join(names)}{tail}{ystr}" + (f", {venue}" if rng.random() < 0.5 else "")
    elif style == "markdown":
        text = (
            f"[{title}](https://doi.org/10.1145/{rng.randrange(10**6)}) by {_join(names)}{tail}, {venue}"
            + (f" {year}" if year else "")
        )
    elif style == "dblp":
        text = f"{', '.join(names)}{tail}: {title}. {venue}" + (f" {year}" if year else "")
    elif style == "authors_title":
        text = f"{', '.join(names)}{tail}. {title}. In {venue}" + (f", {year}." if year else ".")
    elif style == "fields":
        text = f"Title: {title}\n   Authors: {', '.join(names)}{tail}\n" + (
            f"   Year: {year}\n" if year else ""
        )
        text += f"   Venue: {venue}"
    else:  # bibtex: full names, no et al. (BibTeX has "and others")
        people = " and ".join([*authors[:1], "others"] if et_al else authors)
        text = f"@inproceedings{{k{rng.randrange(10**6)},\n  title = {{{title}}},\n  author = {{{people}}},\n"
        text += f"  booktitle = {{{venue}}},\n" + (f"  year = {{{year}}}\n" if year else "") + "}"
    return text, style, variations


def _swap_word(title: str, pool: list[str], rng: random.Random, share: float) -> str:
    words = title.split()
    slots = [i for i, w in enumerate(words) if norm_title(w) in set(content_words(title)) and len(w) > 3]
    rng.shuffle(slots)
    for i in slots[: max(1, round(share * len(slots)))]:
        words[i] = rng.choice(pool)
    return " ".join(words)


def cases(records: list[BibRecord], pool_records: list[BibRecord], rng: random.Random, n: int) -> list[Case]:
    """`n` cases of each kind from `records` (real and corrupted) and `pool_records` (words and
    names to corrupt and fabricate with)."""
    records = [r for r in records if r.authors]  # DBLP2 writes an unknown author as "?"
    words = sorted({w for r in pool_records for w in r.title.split() if len(w) > 3 and w.isalpha()})
    names = sorted({a for r in pool_records for a in r.authors})
    venues = sorted(VENUE_LONG)
    out: list[Case] = []
    picks = lambda: rng.sample(records, n)  # noqa: E731

    def add(rec: BibRecord, kind: str, expected: str, fld: str | None, style: str | None = None) -> None:
        text, st, var = render(rec, rng, style, fld)
        out.append(Case(text=f"1. {text}", kind=kind, expected=expected, field=fld, record=rec, style=st,
                        variations=var))  # fmt: skip

    for rec in picks():
        add(rec, "real", "verified", None)
    for rec in picks():
        years = [y for y in range(rec.year - 5, rec.year + 6) if y != rec.year]
        wrong = rec.model_copy(update={"year": rng.choice(years)})
        add(wrong, "wrong_year", "partially_correct", "year", rng.choice(["apa", "acm", "quoted_by", "dblp"]))
    for rec in [r for r in records if len(r.authors) >= 2][: n * 3]:
        if sum(c.kind == "swapped_coauthor" for c in out) >= n:
            break
        authors = list(rec.authors)
        authors[rng.randrange(1, len(authors))] = rng.choice(names)
        add(rec.model_copy(update={"authors": authors}), "swapped_coauthor", "partially_correct", "authors",
            rng.choice(["ieee", "quoted_by", "dblp", "acm"]))  # fmt: skip
    for rec in picks():
        invented = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        authors = [*rec.authors, invented] if len(rec.authors) < 3 else [*rec.authors[:2], invented]
        add(rec.model_copy(update={"authors": authors}), "invented_coauthor", "partially_correct", "authors",
            rng.choice(["ieee", "quoted_by", "dblp", "acm"]))  # fmt: skip
    for rec in [r for r in records if len(content_words(r.title)) >= 6][: n * 3]:
        if sum(c.kind == "title_word_changed" for c in out) >= n:
            break
        title = _swap_word(rec.title, words, rng, 0.0)
        add(rec.model_copy(update={"title": title}), "title_word_changed", "partially_correct", "title",
            rng.choice(["apa", "quoted_by", "ieee"]))  # fmt: skip
    for rec in picks():
        venue = rng.choice([v for v in venues if v != rec.venue])
        wrong = rec.model_copy(update={"venue": VENUE_LONG[venue][0]})
        add(wrong, "wrong_venue", "partially_correct", "venue", rng.choice(["acm", "ieee", "dblp"]))
    for rec in picks():
        title = _swap_word(rec.title, words, rng, 0.6)
        add(rec.model_copy(update={"title": title}), "title_rewritten", "not_found", None)
    for rec in picks():
        other = rng.choice(records)
        a, b = rec.title.split(), other.title.split()
        title = " ".join(a[: max(2, len(a) // 2)] + b[len(b) // 2 :])
        add(rec.model_copy(update={"title": title}), "composed", "not_found", None)
    return out
