"""Verification of citations against a BibDatabase: the best matching record and a verdict.

For each citation the database proposes candidates (genguard.factuality.bibdb); rapidfuzz scores
each by title (normalised Levenshtein ratio, also against the part before a subtitle's colon),
with the author overlap and the year as tie-breakers. Verdicts:

- verified: the title matches (similarity >= TITLE_MATCH) and no field checked contradicts it;
- partially_correct: a record was found but some fields are wrong: `title` (similar, not equal,
  with the authors agreeing), `year` (not among the record's years), `authors` (invented or, with
  no "et al.", missing coauthors), `venue`; each wrong field comes with the correct value;
- not_found: no record is close enough: the work is likely fabricated (or not in the database);
- cannot_decide: the citation has no usable title, or the database is empty.

The thresholds were set on the tuning split of benchmarks/citation_quality.py and measured on
its held-out split (see benchmarks/results/citation_quality.json for precision and recall of
not_found, the false not_found rate on real citations and the field-level accuracy).
`confidence` is a margin score in [0.5, 1]: how far the deciding similarity lies from the
threshold that decided (0.5 at the threshold); the benchmark reports accuracy per confidence band.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field
from rapidfuzz import fuzz

from genguard.factuality.bibdb import BibDatabase
from genguard.factuality.citations import Citation, extract_citations
from genguard.factuality.records import BibRecord, name_key, norm_title, venue_key
from genguard.types import Result

# Chosen on the tuning split of benchmarks/citation_quality.py (grid 0.86-0.99 x 0.6-0.9); held-out
# split (ten citation styles): not_found precision 0.987 [0.966, 0.995], recall 0.983 [0.962, 0.993],
# false not_found on real citations 0/150 [0, 0.025], wrong field named exactly 98.1 % (736/750).
TITLE_MATCH = 0.98  # title similarity from which a record is the cited work, its title as cited
TITLE_NEAR = 0.85  # similar titles with agreeing authors: the work, with its title misquoted
AUTHORS_NEAR = 0.5  # share of cited authors found on the record for a misquoted title
VENUE_MATCH = 0.85  # token-sort similarity of venue keys that counts as the same venue

Verdict = Literal["verified", "partially_correct", "not_found", "cannot_decide"]


class FieldError(Result):
    """A wrong field of a citation: what was cited and the record's correct value (for authors:
    `invented` names cited but not on the record, `missing` record authors not cited)."""

    field: Literal["title", "authors", "year", "venue"]
    cited: str
    correct: str
    invented: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


class CitationCheck(Result):
    """The verdict on one citation, its confidence, the wrong fields (partially_correct), the
    matched record (verified, partially_correct) or the closest one (not_found), the title
    similarity to it (0..1) and a one-line reason."""

    citation: Citation
    verdict: Verdict
    confidence: float
    wrong_fields: list[FieldError]
    record: BibRecord | None
    title_similarity: float | None
    reason: str


def title_similarity(cited: str, record_title: str) -> float:
    """Similarity in [0, 1] of two titles after normalisation; a cited title without a subtitle
    also compares with the record's title before its colon."""
    a, b = norm_title(cited), norm_title(record_title)
    score = fuzz.ratio(a, b) / 100
    if ":" in record_title and ":" not in cited:
        score = max(score, fuzz.ratio(a, norm_title(record_title.split(":", 1)[0])) / 100)
    return score


def _same_person(a: tuple[str, str], b: tuple[str, str]) -> bool:
    (sa, ia), (sb, ib) = a, b
    if not sa or not sb:
        return False
    same = sa == sb or sa.split()[-1] == sb.split()[-1] or fuzz.ratio(sa, sb) >= 90
    return same and (not ia or not ib or ia == ib)


def author_match(cited: Sequence[str], record: Sequence[str]) -> tuple[list[str], list[str], float]:
    """(invented, missing, share): cited names not on the record, record names not cited, and
    the share of cited names found (1.0 when nothing is cited)."""
    keys = [name_key(n) for n in record]
    used: set[int] = set()
    invented = []
    for name in cited:
        key = name_key(name)
        hit = next((i for i, k in enumerate(keys) if i not in used and _same_person(key, k)), None)
        if hit is None:
            invented.append(name)
        else:
            used.add(hit)
    missing = [record[i] for i in range(len(record)) if i not in used]
    share = 1.0 - len(invented) / len(cited) if cited else 1.0
    return invented, missing, share


def venue_matches(cited: str, record: BibRecord) -> bool:
    """Whether the cited venue names one of the record's venues (aliases and abbreviations handled)."""
    key = venue_key(cited)
    for venue in [record.venue, *record.venues]:
        if not venue:
            continue
        other = venue_key(venue)
        if key == other or (key and other and fuzz.token_sort_ratio(key, other) / 100 >= VENUE_MATCH):
            return True
    return False


def _margin(value: float, threshold: float, span: float) -> float:
    return round(0.5 + 0.5 * min(1.0, abs(value - threshold) / span), 3)


class CitationVerifier:
    """Checks citations against the database at `db` (a BibDatabase or a path to one)."""

    def __init__(
        self,
        db: BibDatabase | str,
        *,
        candidates: int = 20,
        title_match: float = TITLE_MATCH,
        title_near: float = TITLE_NEAR,
    ):
        self.db = db if isinstance(db, BibDatabase) else BibDatabase(db)
        self.k, self.title_match, self.title_near = candidates, title_match, title_near
        self._empty = self.db.count() == 0

    def verify(self, citations: Sequence[Citation]) -> list[CitationCheck]:
        """One CitationCheck per citation, in order."""
        titles = [c.title or "" for c in citations]
        pools = self.db.candidates(titles, self.k) if not self._empty else [[] for _ in titles]
        return [self._check(c, pool) for c, pool in zip(citations, pools, strict=True)]

    def check_texts(self, texts: Sequence[str]) -> list[list[CitationCheck]]:
        """The citations of each text (extract_citations) with their checks."""
        found = extract_citations(texts)
        flat = self.verify([c for cs in found for c in cs])
        out, i = [], 0
        for cs in found:
            out.append(flat[i : i + len(cs)])
            i += len(cs)
        return out

    def _check(self, citation: Citation, pool: list[BibRecord]) -> CitationCheck:
        def result(
            verdict: Verdict, conf: float, reason: str, record=None, sim=None, wrong=()
        ) -> CitationCheck:
            fields = {
                "confidence": conf,
                "wrong_fields": list(wrong),
                "record": record,
                "title_similarity": sim,
            }
            return CitationCheck(citation=citation, verdict=verdict, reason=reason, **fields)

        if self._empty:
            return result("cannot_decide", 1.0, "the database holds no records; import some first")
        if not citation.title or len(norm_title(citation.title).replace(" ", "")) < 4:
            return result("cannot_decide", 1.0, "no title to look up")
        scored = []
        for record in pool:
            sim = title_similarity(citation.title, record.title)
            if sim < self.title_near - 0.1:  # cannot be the work: skip the author comparison
                scored.append((sim, sim, 0.0, record))
                continue
            _, _, share = author_match(citation.authors, record.authors)
            year_ok = citation.year is not None and citation.year in {record.year, *record.years}
            scored.append((sim + 0.05 * share * bool(citation.authors) + 0.02 * year_ok, sim, share, record))
        if not scored:
            return result("not_found", 1.0, "no record shares a title word")
        _, sim, share, record = max(scored, key=lambda t: t[0])
        sim = round(sim, 4)
        match, near = self.title_match, self.title_near
        title_ok = sim >= match
        if not title_ok and not (sim >= near and citation.authors and share >= AUTHORS_NEAR):
            return result("not_found", _margin(sim, match if sim > near else near, 0.25),
                          f"closest title similarity {sim:.2f} < {match}", record, sim)  # fmt: skip
        wrong = self._wrong_fields(citation, record, title_ok)
        conf = _margin(sim, match if title_ok else near, 0.08)
        if wrong:
            names = ", ".join(w.field for w in wrong)
            return result("partially_correct", conf, f"the work exists; wrong {names}", record, sim, wrong)
        return result("verified", conf, f"title similarity {sim:.2f}; no field contradicts it", record, sim)

    @staticmethod
    def _wrong_fields(citation: Citation, record: BibRecord, title_ok: bool) -> list[FieldError]:
        wrong = []
        if not title_ok:
            wrong.append(FieldError(field="title", cited=citation.title or "", correct=record.title))
        years = {y for y in [record.year, *record.years] if y}
        if citation.year is not None and years and citation.year not in years:
            wrong.append(
                FieldError(field="year", cited=str(citation.year), correct=str(record.year or min(years)))
            )
        if citation.authors:
            invented, missing = author_match(citation.authors, record.authors)[:2]
            if citation.et_al:
                missing = []
            if invented or missing:
                cited, correct = ", ".join(citation.authors), ", ".join(record.authors)
                wrong.append(
                    FieldError(
                        field="authors", cited=cited, correct=correct, invented=invented, missing=missing
                    )
                )
        if citation.venue and (record.venue or record.venues) and not venue_matches(citation.venue, record):
            wrong.append(
                FieldError(field="venue", cited=citation.venue, correct=record.venue or record.venues[0])
            )
        return wrong
