"""Factuality for a service: ground literature questions and check answers' citations, one
database shared by many requests.

`AnswerChecker(db)` opens the bibliographic database once (a missing, empty, locked or foreign
file is a ConfigError naming the setting), then from any thread:

- `ground(question)`: for a question that asks for literature (`asks_for_literature`), the
  grounded prompt (genguard.factuality.grounded) and the records in it; None otherwise;
- `check(answer)`: a FactualityNote: the notice to show (genguard.factuality.disclaimer) and a
  compact verdict per citation, as the gateway and the demo pass them on.

SQLite work is serialised by a lock (one connection per checker). Error rates of the verdicts:
benchmarks/results/citation_quality.json.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from pydantic import Field

from genguard.errors import ConfigError, StorageError
from genguard.factuality.bibdb import BibDatabase
from genguard.factuality.disclaimer import disclaimer
from genguard.factuality.grounded import grounded_prompt, render_reference, retrieve
from genguard.factuality.records import BibRecord
from genguard.factuality.verify import CitationCheck, CitationVerifier
from genguard.types import Result

# Words by which a question asks for literature: grounding any other prompt would only add noise.
_LITERATURE = re.compile(
    r"\b(papers?|articles?|publications?|publish(?:ed|es)?|references?|citations?|cite|literature|"
    r"bibliograph\w*|journals?|proceedings|conference papers?|surveys?|(?:works?|research|studies) "
    r"(?:by|of|on|about)|authored|co-?authored|written by)\b",
    re.IGNORECASE,
)


def asks_for_literature(question: str) -> bool:
    """Whether `question` asks for papers, references or other literature (a keyword rule:
    "Tell me about some papers by X", "cite sources on Y", "what has X published")."""
    return bool(_LITERATURE.search(question))


class CitationVerdict(Result):
    """One citation's verdict as a service passes it on: the cited text and its [start, end)
    characters in the answer, the verdict and its confidence (0.5-1), the wrong fields with their
    correct values (partially_correct) and the matching record as one reference line."""

    text: str
    start: int
    end: int
    verdict: str
    confidence: float
    wrong_fields: dict[str, str]
    record: str | None


class FactualityNote(Result):
    """What a service adds to an answer: the notice (None when every citation was verified or
    there is none), the per-citation verdicts, and, for a grounded answer, the reference lines
    that were put in the prompt."""

    notice: str | None
    citations: list[CitationVerdict]
    grounded: bool = False
    references: list[str] = Field(default_factory=list)


def compact(check: CitationCheck) -> CitationVerdict:
    """`check` as a CitationVerdict (record rendered as one reference line)."""
    record = check.record if check.verdict in ("verified", "partially_correct") else None
    return CitationVerdict(
        text=check.citation.text,
        start=check.citation.span.start,
        end=check.citation.span.end,
        verdict=check.verdict,
        confidence=check.confidence,
        wrong_fields={w.field: w.correct for w in check.wrong_fields},
        record=render_reference(record) if record is not None else None,
    )


def open_database(path: str | Path, setting: str = "factuality.db", timeout: float = 2.0) -> BibDatabase:
    """The bibliographic database at `path`, checked for use by a service: ConfigError naming
    `setting` when the file is missing, not a genguard bibliography, locked for `timeout` seconds,
    or empty."""
    path = Path(path)
    fix = f"build one with `genguard cite import FILE --db {path}`"
    if not path.is_file():
        raise ConfigError(f"{setting}: no bibliographic database at {path}; {fix}")
    try:
        db = BibDatabase(path, timeout=timeout)
        count = db.count()
    except StorageError as exc:
        raise ConfigError(f"{setting}: cannot use {path}: {exc}") from exc
    if count == 0:
        db.close()
        raise ConfigError(f"{setting}: {path} holds no records; {fix}")
    return db


class AnswerChecker:
    """Grounds questions and checks answers against one bibliographic database (see the module)."""

    def __init__(self, db: str | Path, *, k: int = 6, setting: str = "factuality.db"):
        self.db = open_database(db, setting)
        self.k = k
        self._verifier = CitationVerifier(self.db)
        self._lock = threading.Lock()

    def ground(self, question: str) -> tuple[str, list[BibRecord]] | None:
        """(grounded prompt, records in it) for a literature question; None for any other."""
        if not asks_for_literature(question):
            return None
        with self._lock:
            references = retrieve(self.db, question, self.k)
        return grounded_prompt(question, references), references

    def check(self, answer: str, references: list[BibRecord] | None = None) -> FactualityNote:
        """The notice and per-citation verdicts for `answer`; `references`: the records a grounded
        prompt held (listed in the note)."""
        with self._lock:
            checks = self._verifier.check_texts([answer])[0] if answer.strip() else []
        note = disclaimer(answer, checks, f"the bibliographic database ({self.db.path.name})")
        return FactualityNote(
            notice=note.notice,
            citations=[compact(c) for c in checks],
            grounded=references is not None,
            references=[render_reference(r) for r in references or []],
        )

    def close(self) -> None:
        """Close the database."""
        self.db.close()
