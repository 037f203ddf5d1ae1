"""Report section: the essay's "Tell me about some papers by X", asked plainly and grounded in the
bibliographic database, each citation of both answers verified (genguard.factuality.demo)."""

from __future__ import annotations

from genguard.factuality.demo import DemoAnswer, FactualityDemo
from genguard.report.format import short
from genguard.report.page import Block, Cell, Fact, Facts, Paragraph, Section, Table


def verdict_counts(answer: DemoAnswer) -> dict[str, int]:
    """Citations per verdict (verified, partially_correct, not_found, cannot_decide) of an answer."""
    counts: dict[str, int] = {}
    for c in answer.citations:
        counts[c.verdict] = counts.get(c.verdict, 0) + 1
    return counts


def _rows(name: str, answer: DemoAnswer) -> list[list[Cell]]:
    if not answer.citations:
        return [[Cell(name, "label"), Cell("(no checkable citation: no title with authors, year or venue)"),
                 Cell("-"), Cell("")]]  # fmt: skip
    return [
        [
            Cell(name, "label"),
            Cell(short(c.text, 120)),
            Cell(c.verdict.replace("_", " "), "label"),
            Cell("; ".join(f"{k}: record has {short(v, 50)}" for k, v in c.wrong_fields.items())),
        ]
        for c in answer.citations
    ]


def factuality_section(demo: FactualityDemo) -> Section:
    """The question, both answers with their notices, and one row per citation with its verdict."""
    blocks: list[Block] = [
        Paragraph(
            "A model asked for papers of a real author tends to invent plausible ones. The question was "
            "asked twice with greedy decoding: plainly, and grounded (the records the database returns "
            "for the question put in the prompt). Every citation found in either answer was looked up "
            "in the bibliographic database: verified, partially correct (a field wrong; the record's "
            "value shown), or not found (it may not exist). The notice is what the gateway appends to "
            "such an answer. The verifier's measured error rates (not_found precision and recall on "
            "real and fabricated citations): benchmarks/results/citation_quality.json; over 50 authors: "
            "citation_grounded.json."
        ),
        Facts(
            [
                Fact("question", demo.question),
                Fact("model", demo.model_id),
                Fact("database", demo.database, f"{demo.records:,} works (the shared DBLP sample)"),
            ]
        ),
    ]
    for title, answer in (("plain answer", demo.plain), ("grounded answer", demo.grounded)):
        blocks.append(Paragraph(f"{title.capitalize()}: {short(answer.text.strip(), 600)}"))
        if answer.notice:
            blocks.append(Paragraph(f"Notice shown with the {title}: {answer.notice}"))
    blocks.append(
        Table(
            ["answer", "citation", "verdict", "wrong fields"],
            _rows("plain", demo.plain) + _rows("grounded", demo.grounded),
        )
    )
    return Section("factuality", "Citations and factuality", blocks, data=demo)
