"""`genguard cite ...`: the bibliographic database (import) and citation checks (check).

Exit status of `cite check`: 0 when every citation is verified or cannot be decided, 1 when any is
not_found or partially_correct, 2 for a usage or input error (an empty database included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard.cli_common import (
    JsonOpt,
    choices,
    emit,
    err,
    input_file,
    out,
    output_file,
    progress_bar,
    read_text,
    show_progress,
)
from genguard.errors import InvalidInputError

cite_app = typer.Typer(
    help="Citations: a bibliographic database and checks against it.", no_args_is_help=True
)

Format = choices("Format", ["csv", "jsonl", "bibtex", "dblp-xml"], "Bibliographic file formats.")
DbOpt = Annotated[
    Path,
    typer.Option(
        "--db", callback=output_file, help="The bibliographic database (SQLite; created by import)."
    ),
]


@cite_app.command("import")
def cite_import(
    files: Annotated[
        list[Path], typer.Argument(callback=input_file, help="CSV, BibTeX, DBLP XML or OpenAlex JSONL.")
    ],
    db: DbOpt = Path("bib.db"),
    fmt: Annotated[
        Format | None, typer.Option("--format", case_sensitive=False, help="Format (default: from the name).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import bibliographic files into the database: resumable (run again after an interruption),
    idempotent (a finished file is skipped), duplicates merged; bad entries listed with their line."""
    from genguard.factuality import BibDatabase, import_file

    reports = []
    with BibDatabase(db) as database:
        for path in files:
            if str(path) == "-":
                raise InvalidInputError(
                    "cite import reads files, not standard input; save it to a file first"
                )
            size = path.stat().st_size
            with progress_bar(
                f"importing {path.name}", size, show_progress(as_json), in_bytes=True
            ) as advance:
                report = import_file(database, path, fmt.value if fmt else None, progress=advance)
            reports.append(report)
            if not as_json:
                if report.already_imported:
                    out.print(f"{path}: already imported ({report.records_in_database:,} works in {db})")
                    continue
                resumed = f", resumed after {report.resumed_after:,} entries" if report.resumed_after else ""
                out.print(
                    f"{path}: {report.entries_read:,} entries in {report.seconds:.1f} s "
                    f"({report.entries_per_second:,.0f}/s){resumed}: {report.added:,} added, "
                    f"{report.merged:,} merged, {report.problems_total:,} problems; "
                    f"{report.records_in_database:,} works in {db}",
                    markup=False,
                )
                for problem in report.problems[:20]:
                    err.print(f"  line {problem.line}: {problem.message}", markup=False)
                if report.problems_total > 20:
                    err.print(f"  ... and {report.problems_total - 20:,} more (see --json)", markup=False)
    if as_json:
        emit([r.model_dump() for r in reports])


def bib_db_file(value: Path | None) -> Path | None:
    """Typer callback: an existing, non-empty bibliographic database file (checked while parsing)."""
    if value is None:
        return value
    if not value.is_file():
        raise typer.BadParameter(
            f"no database at {value}; create one with `genguard cite import FILE --db {value}`"
        )
    if value.stat().st_size == 0:
        raise typer.BadParameter(f"{value} is empty, not a database; create one with `genguard cite import`")
    return value


bib_db_file.reads_input = True  # type: ignore[attr-defined]  # the CLI walk test feeds it bad files


@cite_app.command("check")
def cite_check(
    source: Annotated[
        Path, typer.Argument(callback=input_file, help="A UTF-8 text file, or - for standard input.")
    ],
    db: Annotated[
        Path, typer.Option("--db", callback=bib_db_file, help="The bibliographic database.")
    ] = Path("bib.db"),
    as_json: JsonOpt = False,
) -> None:
    """Find the citations in a text and check each against the database: verified,
    partially_correct (wrong fields with the correct values), not_found or cannot_decide.
    Exit 1 when any citation is not_found or partially_correct."""
    from genguard.factuality.verify import CitationVerifier

    text = read_text(source)
    with _open_db(db) as database:
        checks = CitationVerifier(database).check_texts([text])[0]
    if as_json:
        emit({"citations": [c.model_dump() for c in checks]})
    else:
        print_checks(checks)
    if any(c.verdict in ("not_found", "partially_correct") for c in checks):
        raise typer.Exit(1)


def print_checks(checks, stream=None) -> None:
    """Each citation with its verdict, wrong fields and matching record, on `stream` (stdout)."""
    console = stream or out
    if not checks:
        console.print("no citations found", markup=False)
    for i, check in enumerate(checks, start=1):
        c = check.citation
        console.print(f"[{i}] {check.verdict} ({check.confidence:.2f}) chars {c.span.start}-{c.span.end}: "
                      f"{c.title}", markup=False)  # fmt: skip
        for wrong in check.wrong_fields:
            console.print(
                f"    wrong {wrong.field}: cited {wrong.cited!r}, correct {wrong.correct!r}", markup=False
            )
        if check.record is not None and check.verdict != "not_found":
            r = check.record
            line = f"    record: {', '.join(r.authors)}. {r.title}. {r.venue or ''} {r.year or ''}"
            console.print(line.rstrip(), markup=False)
        elif check.verdict in ("not_found", "cannot_decide"):
            console.print(f"    {check.reason}", markup=False)


def _open_db(db: Path):
    from genguard.factuality import BibDatabase

    database = BibDatabase(db)
    if database.count() == 0:
        database.close()
        raise InvalidInputError(
            f"{db} holds no records; import some with `genguard cite import FILE --db {db}`"
        )
    return database


def grounded_prompt_for(question: str, db: Path):
    """(prompt, references) for `genguard generate --grounded`: retrieval and the grounded prompt."""
    from genguard.factuality.grounded import grounded_prompt, retrieve

    with _open_db(db) as database:
        references = retrieve(database, question)
    return grounded_prompt(question, references), references


def check_grounded(answer: str, db: Path):
    """The checks of a grounded answer's citations (verified anyway: a model may still invent)."""
    from genguard.factuality.verify import CitationVerifier

    with _open_db(db) as database:
        return CitationVerifier(database).check_texts([answer])[0]
