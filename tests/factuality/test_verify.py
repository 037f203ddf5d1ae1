"""Verification against DBLP2.csv in a real SQLite file: each verdict, wrong fields with the
correct values, an empty database."""

from __future__ import annotations

import pytest

from genguard.factuality import BibDatabase, CitationVerifier, extract_citations
from genguard.factuality.records import name_key, venue_key

TEXT = """1. Viswanath Poosala, Yannis E. Ioannidis: Estimation of Query-Result Distribution and its Application in Parallel-Join Load Balancing. VLDB 1996
2. Poosala, V., & Ioannidis, Y. (1997). Estimation of query-result distribution and its application in parallel-join load balancing. Proceedings of the International Conference on Very Large Data Bases.
3. "Incremental Maintenance for Non-Distributive Aggregate Functions" by Themistoklis Palpanas, Richard Sidle and Jonathan Miller (2002)
4. "Adaptive Query Learning for Distributed Join Reasoning" by Themistoklis Palpanas (2002)
5. T. Palpanas et al., "Incremental maintenance for non-distributive aggregate functions," The VLDB Journal, 2002.
6. "Incremental Maintenance for Non-Distributive Summary Functions" by T. Palpanas, R. Sidle, H. Pirahesh and R. Cochrane (2002)
"""  # noqa: E501


@pytest.fixture(scope="module")
def checks(dblp_db):
    with BibDatabase(dblp_db) as db:
        yield CitationVerifier(db).check_texts([TEXT])[0]


def test_verdicts_and_wrong_fields(checks):
    verdicts = [c.verdict for c in checks]
    partial = "partially_correct"
    assert verdicts == ["verified", partial, partial, "not_found", partial, partial]
    year = checks[1].wrong_fields
    assert [(w.field, w.cited, w.correct) for w in year] == [
        ("year", "1997", "1996")
    ]  # venue long form accepted
    authors = checks[2].wrong_fields[0]
    assert authors.field == "authors" and authors.invented == ["Jonathan Miller"]
    assert authors.missing == ["Hamid Pirahesh", "Roberta Cochrane"]
    assert [w.field for w in checks[4].wrong_fields] == ["venue"]  # VLDB J. is not VLDB; et al. is no error
    assert checks[4].wrong_fields[0].correct == "VLDB"
    title = checks[5].wrong_fields[0]
    assert (
        title.field == "title"
        and title.correct == "Incremental Maintenance for Non-Distributive Aggregate Functions"
    )
    assert (
        checks[3].record is not None and checks[3].title_similarity < 0.7
    )  # the closest record, shown as such
    assert all(0.5 <= c.confidence <= 1 for c in checks)


def test_names_and_venues_normalise():
    assert name_key("Kearns, M. J.") == name_key("Michael Kearns") == name_key("Kearns MJ") == ("kearns", "m")
    assert name_key("Wil M. P. van der Aalst") == ("van der aalst", "w")
    assert name_key("Jörg Müller") == name_key("Jorg Muller")
    assert venue_key("ACM Trans. Database Syst.") == venue_key("ACM Transactions on Database Systems")
    assert venue_key("Proc. ACM SIGMOD Int. Conf. on Management of Data") == venue_key("SIGMOD Conference")
    assert venue_key("SIGMOD Record") != venue_key("SIGMOD Conference")


def test_empty_database_and_no_title_cannot_decide(tmp_path):
    with BibDatabase(tmp_path / "empty.db") as db:
        checks = CitationVerifier(db).check_texts([TEXT])[0]
        assert {c.verdict for c in checks} == {"cannot_decide"} and "no records" in checks[0].reason
    with BibDatabase(tmp_path / "one.db") as db:
        db.add(extract_citations(["x"])[0])  # nothing to add
        assert CitationVerifier(db).check_texts(["no citation here"]) == [[]]
