"""Grounded generation ("creativity off"): answer a literature question from retrieved records only.

Retrieval: records by the people the prompt names (FTS5 on authors), else records sharing its
words (FTS5 on titles and authors); re-ranked by cosine similarity of MiniLM embeddings
(genguard.scoring.embedder) between the prompt and "title. authors. venue year". The best `k` go
into the prompt as a numbered reference list with the instruction to cite only those; the answer
is verified anyway (a model may still invent or misquote), so the result carries its checks.
The effect on the default model is measured by benchmarks/citation_grounded.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from genguard.factuality.bibdb import BibDatabase
from genguard.factuality.records import BibRecord
from genguard.factuality.verify import CitationCheck, CitationVerifier
from genguard.text import check_texts
from genguard.types import Result

INSTRUCTION = (
    "Answer using only the references listed below. Mention only these works, and cite each one "
    "exactly as it is listed (authors, title, venue, year). If none of them answers the question, say so."
)
_NAME = re.compile(r"\b([A-Z][\w'\-]+(?:\s+(?:[A-Z]\.|[A-Z][\w'\-]+|van|von|de|der)){1,3})")
_NOT_NAME_START = frozenset(
    [
        "Tell",
        "Please",
        "Give",
        "List",
        "What",
        "Which",
        "Who",
        "Show",
        "Find",
        "Name",
        "Write",
        "Summarize",
        "Describe",
    ]
)


class GroundedAnswer(Result):
    """A grounded answer: the question, the records put in the prompt, the model's answer, the
    checks of the citations in it, and the model that wrote it."""

    question: str
    references: list[BibRecord]
    answer: str
    checks: list[CitationCheck]
    model_id: str


def names_in(question: str) -> list[str]:
    """Person names a question mentions: runs of 2 to 4 capitalised words ('Michael J. Kearns')."""
    names = []
    for match in _NAME.finditer(question):
        words = match.group(1).split()
        while words and words[0] in _NOT_NAME_START:
            words = words[1:]
        if len(words) >= 2:
            names.append(" ".join(words))
    return names


def render_reference(record: BibRecord) -> str:
    """A record as one reference line: 'Authors. Title. Venue, Year.'"""
    authors = ", ".join(record.authors) or "Anonymous"
    tail = ", ".join(str(x) for x in (record.venue, record.year) if x)
    return f"{authors}. {record.title}." + (f" {tail}." if tail else "")


def retrieve(db: BibDatabase, question: str, k: int = 6, pool: int = 50, embedder=None) -> list[BibRecord]:
    """Up to `k` records for `question`: by the people it names, else by its words; re-ranked by
    MiniLM cosine similarity (the shared default embedder unless one is given)."""
    found: dict[int, BibRecord] = {}
    for name in names_in(question):
        for record in db.by_author(name, pool):
            found.setdefault(record.id, record)
    if not found:
        for record in db.search(question, pool):
            found.setdefault(record.id, record)
    records = list(found.values())
    if len(records) <= 1:
        return records[:k]
    if embedder is None:
        from genguard.scoring.embedder import default_embedder

        embedder = default_embedder()
    vectors = embedder.embed([question, *(f"{r.title}. {', '.join(r.authors)}. {r.venue or ''} {r.year or ''}"
                                           for r in records)])  # fmt: skip
    similarity = vectors[1:] @ vectors[0]
    order = np.argsort(-similarity, kind="stable")[:k]
    return [records[i] for i in order]


def grounded_prompt(question: str, references: Sequence[BibRecord]) -> str:
    """The prompt: the instruction, the numbered references, then the question."""
    listed = "\n".join(f"{i}. {render_reference(r)}" for i, r in enumerate(references, start=1))
    if not listed:
        listed = "(no references found in the database)"
    return f"{INSTRUCTION}\n\nReferences:\n{listed}\n\nQuestion: {question}"


def grounded_generate(
    model,
    db: BibDatabase,
    questions: Sequence[str],
    *,
    k: int = 6,
    verifier: CitationVerifier | None = None,
    **generate_options,
) -> list[GroundedAnswer]:
    """Grounded answers to `questions` from `model` (a genguard LanguageModel), one per question,
    generated in one batch; `generate_options` go to model.generate (max_new_tokens, seed, ...)."""
    questions = check_texts(questions, "pass a list of questions")
    verifier = verifier or CitationVerifier(db)
    references = [retrieve(db, q, k) for q in questions]
    prompts = [grounded_prompt(q, refs) for q, refs in zip(questions, references, strict=True)]
    generations = model.generate(prompts, **generate_options) if prompts else []
    answers = [g.text for g in generations]
    checks = verifier.check_texts(answers)
    return [
        GroundedAnswer(question=q, references=refs, answer=g.text, checks=c, model_id=g.model_id)
        for q, refs, g, c in zip(questions, references, generations, checks, strict=True)
    ]
