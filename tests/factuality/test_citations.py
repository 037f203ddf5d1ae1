"""Citation extraction: styles, spans, and texts that hold no citation."""

from __future__ import annotations

import time

import pytest

from genguard.errors import InvalidInputError
from genguard.factuality.citations import extract_citations

LIST = """Here are some papers by Michael Kearns:

1. "Efficient Noise-Tolerant Learning from Statistical Queries" by Michael Kearns (1998), Journal of the ACM.
2. **An Introduction to Computational Learning Theory** by Michael J. Kearns and Umesh Vazirani (1994)
3. Kearns, M., & Vazirani, U. (1994). An introduction to computational learning theory. MIT Press.
4. M. Kearns, Y. Mansour, and A. Ng, "A sparse sampling algorithm for near-optimal planning," Machine Learning, 2002.
5. Michael Kearns and Satinder Singh. 2002. Near-optimal reinforcement learning in polynomial time. In Machine Learning.
- [Thresholding for Sparse Regression](https://example.org/x) by Jane Doe et al., NeurIPS 2019
6. Title: Algorithmic Fairness Across Groups
   Authors: Ann Lee, Bob Stone
   Year: 2020

Viswanath Poosala, Yannis E. Ioannidis: Estimation of Query-Result Distribution. VLDB 1996

@article{k98, title={Efficient Noise-Tolerant Learning}, author={Kearns, Michael and others}, journal={JACM}, year=1998}
"""  # noqa: E501


def test_each_style_gives_its_fields_and_span():
    found = extract_citations([LIST])[0]
    styles = ["quoted", "emphasis", "apa", "quoted", "acm", "markdown", "fields", "dblp", "bibtex"]
    assert [c.style for c in found] == styles
    first, apa, markdown, fields, bib = found[0], found[2], found[5], found[6], found[8]
    assert LIST[first.span.start : first.span.end] == first.text and first.text.startswith('"Efficient')
    assert (first.authors, first.year, first.venue) == (["Michael Kearns"], 1998, "Journal of the ACM")
    assert found[1].authors == ["Michael J. Kearns", "Umesh Vazirani"] and found[1].year == 1994
    assert apa.authors == ["Kearns, M.", "Vazirani, U"] and apa.title.startswith("An introduction")
    assert found[3].authors == ["M. Kearns", "Y. Mansour", "A. Ng"] and found[3].venue == "Machine Learning"
    assert markdown.et_al and markdown.authors == ["Jane Doe"] and markdown.year == 2019
    assert fields.authors == ["Ann Lee", "Bob Stone"] and fields.year == 2020 and "\n" in fields.text
    assert found[7].venue == "VLDB" and found[7].year == 1996
    assert bib.et_al and bib.authors == ["Michael Kearns"] and bib.venue == "JACM"


def test_authors_title_with_a_colon_in_the_title():
    # ACM/Springer reference lists: "Authors. Title. In Venue, Year." where the title has a subtitle;
    # the colon must not be read as DBLP's "Authors: Title" separator
    text = "H. Garcia-Molina, L. Gravano. GlOSS: Text-Source Discovery over the Internet. In TODS, 1999."
    [c] = extract_citations([text])[0]
    assert c.style == "plain" and c.title == "GlOSS: Text-Source Discovery over the Internet"
    assert c.authors == ["H. Garcia-Molina", "L. Gravano"] and (c.venue, c.year) == (
        "TODS",
        1999,
    )
    [dblp] = extract_citations(["J. Smith, A. Jones: Query optimization: a survey. VLDB 2001"])[0]
    assert dblp.style == "dblp" and dblp.title == "Query optimization: a survey"


def test_a_listed_authors_title_item_needs_no_venue_or_year_but_a_listed_sentence_is_no_citation():
    # what the default model writes in grounded mode: the listed records, venue and year dropped
    text = (
        "1. Surajit Chaudhuri, Umeshwar Dayal. An Overview of Data Warehousing and OLAP Technology.\n"
        "2. John Smith and Mary Jones. They met in Paris in the spring.\n"
        "3. Barack Obama. He Was The President.\n"
        "Surajit Chaudhuri, Umeshwar Dayal. An Overview of Data Warehousing and OLAP Technology.\n"
    )
    [c] = extract_citations([text])[0]
    assert c.title == "An Overview of Data Warehousing and OLAP Technology" and c.year is None
    assert c.authors == ["Surajit Chaudhuri", "Umeshwar Dayal"] and c.span.start == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "The sky is blue because of Rayleigh scattering, first described in 1871.",
        'He said "this is not a citation at all" in 1990, and left.',
        "Cry 'Welcome, ladies, welcome!' and go.\nStay: whence are you?\nResolved. resolved.",
        "- buy milk\n- call Anna (2019 tax return)\n1. Open the door. 2. Close it.",
    ],
)
def test_texts_without_citations(text):
    assert extract_citations([text]) == [[]]


def test_one_megabyte_text_and_bad_input():
    text = ("The committee met again. " * 40 + "\n") * 1000 + LIST
    text = text[-1_000_000:]
    started = time.perf_counter()
    found = extract_citations([text])[0]
    assert time.perf_counter() - started < 20 and len(found) == 9
    with pytest.raises(InvalidInputError):
        extract_citations("a bare string")
    with pytest.raises(InvalidInputError):
        extract_citations([b"bytes"])
