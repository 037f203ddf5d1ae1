"""The report's (and so the demo's) factuality part: the essay's "Tell me about some papers by
X", asked of the model plainly and in grounded mode, each citation of both answers verified
(genguard.report.runner runs it, stores it and builds its section).

The shared DBLP sample (../shared/data/dblp/DBLP2.csv) is imported into `out/bib.db` (once: a
second run finds the file already imported and reads nothing), the author with the most works
is asked about (Hector Garcia-Molina in that sample), and both answers are generated greedily in
one batch. The result goes to `out/factuality.json`; `print_demo` shows the two answers side by
side with their verdicts. What to expect: benchmarks/results/citation_grounded.json (over 50
authors, the plain answers' citations are nearly all not_found, the grounded ones far fewer).
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from genguard.datasets import shared_data_dir
from genguard.factuality.answers import CitationVerdict, compact
from genguard.factuality.bibdb import BibDatabase
from genguard.factuality.disclaimer import disclaimer
from genguard.factuality.grounded import grounded_prompt, render_reference, retrieve
from genguard.factuality.importer import import_file
from genguard.factuality.verify import CitationVerifier
from genguard.types import Result

QUESTION = "Tell me about some papers by {author}."
# benchmarks/citation_grounded.py uses 160; 120 keeps the demo short and still shows the plain
# answer inventing and the grounded one citing two or three listed records
MAX_NEW_TOKENS = 120
_COLOURS = {"verified": "green", "partially_correct": "yellow", "not_found": "red", "cannot_decide": "dim"}


class DemoAnswer(Result):
    """One answer: the model's text, its citations' verdicts, the notice a user would see with
    it (None when nothing is doubtful) and, for the grounded answer, the records in its prompt."""

    text: str
    citations: list[CitationVerdict]
    notice: str | None
    references: list[str]


class FactualityDemo(Result):
    """The section's result: the database (path, works, whether this run imported anything and
    how long that took in seconds), the question, the model, both answers, the seconds taken."""

    database: str
    records: int
    imported_now: bool
    import_seconds: float
    author: str
    question: str
    model_id: str
    plain: DemoAnswer
    grounded: DemoAnswer
    seconds: float


def dblp_sample() -> Path | None:
    """The shared DBLP2.csv, or None when the shared data is absent."""
    root = shared_data_dir()
    path = root / "dblp" / "DBLP2.csv" if root is not None else None
    return path if path is not None and path.is_file() else None


def run_demo(
    out_dir: Path, source: Path, model=None, seed: int = 0, max_new_tokens: int = MAX_NEW_TOKENS
) -> FactualityDemo:
    """Import `source` into out_dir/bib.db (skipped when already imported), ask the default model
    (or `model`) about the database's most prolific author plainly and grounded, verify both
    answers and write out_dir/factuality.json. Returns what it wrote."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    with BibDatabase(out_dir / "bib.db") as db:
        report = import_file(db, source)
        author = db.top_authors(1)[0]
        question = QUESTION.format(author=author)
        references = retrieve(db, question)
        if model is None:
            from genguard.lm import load_model

            model = load_model("default")
        prompts = [question, grounded_prompt(question, references)]
        generations = model.generate(prompts, max_new_tokens=max_new_tokens, temperature=0.0, seed=seed)
        checks = CitationVerifier(db).check_texts([g.text for g in generations])
        name = f"the bibliographic database ({db.path.name}, {db.count()} works)"
        answers = [
            DemoAnswer(
                text=g.text,
                citations=[compact(c) for c in cs],
                notice=disclaimer(g.text, cs, name).notice,
                references=refs,
            )
            for g, cs, refs in zip(
                generations, checks, ([], [render_reference(r) for r in references]), strict=True
            )
        ]
        demo = FactualityDemo(
            database=str(db.path),
            records=db.count(),
            imported_now=not report.already_imported,
            import_seconds=report.seconds,
            author=author,
            question=question,
            model_id=generations[0].model_id,
            plain=answers[0],
            grounded=answers[1],
            seconds=round(time.perf_counter() - started, 1),
        )
    (out_dir / "factuality.json").write_text(demo.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return demo


def _column(answer: DemoAnswer) -> str:
    lines = [escape(answer.text.strip()), ""]
    if not answer.citations:
        lines.append("[dim](no checkable citation: no title given with authors, year or venue)[/dim]")
    for c in answer.citations:
        colour = _COLOURS.get(c.verdict, "white")
        lines.append(f"[{colour}]{c.verdict}[/{colour}]: {escape(c.text[:160])}")
        lines += [f"  wrong {field}; the record has: {escape(v)}" for field, v in c.wrong_fields.items()]
    if answer.notice:
        lines += ["", f"[italic]{escape(answer.notice)}[/italic]"]
    return "\n".join(lines)


def print_demo(demo: FactualityDemo, console: Console) -> None:
    """The question, then the plain and the grounded answer side by side with their verdicts."""
    console.print(
        f"\n[bold]Factuality[/bold]: {demo.question!r} asked of {demo.model_id} "
        f"({demo.records} works in {demo.database})"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("plain (creativity on)", ratio=1)
    table.add_column("grounded in the database (creativity off)", ratio=1)
    table.add_row(_column(demo.plain), _column(demo.grounded))
    console.print(table, markup=True)
