"""The `citations` guard scorer (found by name in the registry), the disclaimer, and grounded
retrieval with the real MiniLM embedder."""

from __future__ import annotations

import pytest

from genguard.errors import ConfigError
from genguard.factuality import BibDatabase, CitationVerifier
from genguard.factuality.disclaimer import disclaimer
from genguard.factuality.grounded import grounded_prompt, names_in, retrieve
from genguard.scoring import available, get_scorer

ANSWER = """1. "Deep Kernel Learning for Relational Join Operators" by Yannis E. Ioannidis (2001)
2. Viswanath Poosala, Yannis E. Ioannidis: Estimation of Query-Result Distribution and its Application in Parallel-Join Load Balancing. VLDB 1997
3. Viswanath Poosala, Yannis E. Ioannidis: Estimation of Query-Result Distribution and its Application in Parallel-Join Load Balancing. VLDB 1996
"""  # noqa: E501


def test_citations_scorer_through_the_registry(dblp_db, tmp_path):
    assert "citations" in available()
    scorer = get_scorer("citations", db=str(dblp_db))
    flagged, clean = scorer.score([ANSWER, "No references in this answer."])
    labels = [f.label for f in flagged.findings]
    assert labels == ["CITATION_NOT_FOUND", "CITATION_PARTIALLY_CORRECT"]  # the verified one gives none
    assert flagged.findings[0].score >= 0.5 > flagged.findings[1].score  # threshold 0.5: fabrications only
    assert ANSWER[flagged.findings[0].span.start :].startswith('"Deep Kernel')
    assert flagged.score == flagged.findings[0].score and clean.score == 0 and clean.findings == []
    with pytest.raises(ConfigError, match="no bibliographic database"):
        get_scorer("citations", db=str(tmp_path / "missing.db"))


def test_disclaimer_names_what_is_wrong(dblp_db):
    with BibDatabase(dblp_db) as db:
        checks = CitationVerifier(db).check_texts([ANSWER])[0]
    shown = disclaimer(ANSWER, checks, "DBLP")
    assert shown.text == ANSWER
    assert shown.notice.startswith("Note: of 3 cited works, 1 not found in DBLP and may not exist;")
    assert "1 with wrong details (year)" in shown.notice
    assert disclaimer("fine", [], "DBLP").notice is None


def test_grounded_retrieval_by_author_and_prompt(dblp_db):
    question = "Tell me about some papers by Yannis E. Ioannidis on histograms."
    assert names_in(question) == ["Yannis E. Ioannidis"]
    with BibDatabase(dblp_db) as db:
        refs = retrieve(db, question, k=4)
    assert len(refs) == 4 and all("Yannis E. Ioannidis" in r.authors for r in refs)
    assert "histogram" in refs[0].title.lower()  # re-ranked by MiniLM towards the topic asked for
    prompt = grounded_prompt(question, refs)
    assert prompt.endswith(f"Question: {question}") and f"1. {', '.join(refs[0].authors)}." in prompt
