"""The guard's `disclaimer` action with the `citations` scorer, and the AnswerChecker a service
uses, on a real SQLite database. (The demo's factuality part, genguard.factuality.demo, runs in
the report tests: tests/report/test_card.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from genguard.factuality import BibDatabase, BibRecord
from genguard.factuality.answers import AnswerChecker, asks_for_literature
from genguard.guard.pipeline import Guard
from genguard.guard.policy import Policy

REAL = (
    'See "Efficient IR-Style Keyword Search over Relational Databases" by V. Hristidis, L. Gravano '
    "and Y. Papakonstantinou (2003)."
)
FABRICATED = (
    'See "Quantum Lattice Kittens for Relational Hypergraph Streams" by J. Smith and A. Jones (2003).'
)
EMAIL = " Write to ann.lee@example.org for a copy."


@pytest.fixture(scope="module")
def bib(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bib") / "bib.db"
    with BibDatabase(path) as db:
        authors = ["Vagelis Hristidis", "Luis Gravano", "Yannis Papakonstantinou"]
        title = "Efficient IR-Style Keyword Search over Relational Databases"
        db.add([BibRecord(title=title, venue="VLDB", year=2003, authors=authors)])
    return path


def _guard(bib: Path, extra: str = "") -> Guard:
    policy = f"""
profiles:
  facts:
    output:
      citations:
        {{threshold: 0.5, action: disclaimer, reason: cited works not in the database, params: {{db: {bib}}}}}
{extra}"""
    return Guard(Policy.from_yaml(policy).profile("facts"))


def test_disclaimer_passes_the_text_on_with_a_notice_and_never_blocks(bib: Path) -> None:
    fabricated, real = _guard(bib).check([FABRICATED, REAL], "output")
    assert fabricated.action == "disclaimer" and fabricated.text == FABRICATED
    assert fabricated.notice == (
        "Note: cited works not in the database: 1 citation not found. "
        "Check these against the original sources before relying on them."
    )
    [flag] = fabricated.flags
    assert flag.label == "CITATION_NOT_FOUND" and (flag.span.start, flag.span.end) == (0, len(FABRICATED))
    assert real.action == "allow" and real.notice is None and real.text == REAL


def test_disclaimer_ranks_below_redact_and_block_and_keeps_its_notice_under_redact(bib: Path) -> None:
    redacting = _guard(bib, "      pii: {action: redact, reason: personal data}")
    [verdict] = redacting.check([FABRICATED + EMAIL], "output")
    assert verdict.action == "redact" and "[EMAIL" in verdict.text and verdict.notice  # notice kept
    blocking = _guard(bib, "      pii: {action: block, reason: personal data}")
    [verdict] = blocking.check([FABRICATED + EMAIL], "output")
    assert verdict.action == "block" and verdict.text is None and verdict.notice is None


def test_answer_checker_grounds_only_literature_questions(bib: Path) -> None:
    assert asks_for_literature("Tell me about some papers by Luis Gravano.")
    assert asks_for_literature("What has Michael Kearns published?")
    assert not asks_for_literature("Tell me a story about a dragon.")
    checker = AnswerChecker(bib)
    try:
        assert checker.ground("Tell me a story about a dragon.") is None
        prompt, records = checker.ground("Tell me about some papers by Luis Gravano.")
        assert [r.title for r in records] == ["Efficient IR-Style Keyword Search over Relational Databases"]
        assert "1. Vagelis Hristidis, Luis Gravano, Yannis Papakonstantinou. Efficient IR-Style" in prompt
        note = checker.check(FABRICATED + "\n" + REAL)
        assert [c.verdict for c in note.citations] == ["not_found", "verified"]
        assert note.notice.startswith("Note: of 2 cited works, 1 not found in the bibliographic database")
        assert checker.check("No citations here.").notice is None
    finally:
        checker.close()
