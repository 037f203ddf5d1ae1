"""`genguard provenance code-compare` and `code-scan`: similarity of programs, two at a time or
a whole set of submissions at once (registered on the provenance group by cli_provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard.cli_common import JsonOpt, emit, input_file, out, read_text
from genguard.errors import InvalidInputError


def _language_option(value: str | None) -> str | None:
    """Typer callback: the canonical language name, or a usage error naming the supported ones."""
    if value is None:
        return None
    from genguard.provenance.code_tokens import canonical_language

    try:
        return canonical_language(value)
    except InvalidInputError as exc:
        raise typer.BadParameter(str(exc)) from None


def code_compare(
    a: Annotated[Path, typer.Argument(callback=input_file, help="First source file.")],
    b: Annotated[Path, typer.Argument(callback=input_file, help="Second source file.")],
    language: Annotated[
        str | None,
        typer.Option(
            callback=_language_option,
            help="python, java, c, cpp or javascript. Default: from the suffixes; a file without a known "
            "suffix is guessed only when it parses cleanly, else pass --language. A language that "
            "contradicts a suffix, or that a file does not parse in, is an error.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """How much of two programs is shared, robust to renamed identifiers, changed literals, reordered
    functions and dead code; the matching line ranges. Exit 1 when the score reaches the threshold."""
    from genguard.provenance.code import DEFAULT_THRESHOLD, compare
    from genguard.provenance.code_language import resolve_language

    text_a, text_b = read_text(a), read_text(b)
    name = resolve_language([(str(a), text_a), (str(b), text_b)], language)
    match = compare(text_a, text_b, name)
    derived = match.score >= DEFAULT_THRESHOLD
    if as_json:
        emit(match.model_dump(mode="json") | {"threshold": DEFAULT_THRESHOLD, "derived": derived})
        raise typer.Exit(1 if derived else 0)
    verdict = "likely derived from one another" if derived else "no evidence of copying"
    out.print(
        f"{match.language}: score {match.score:.3f} (containment; Jaccard {match.jaccard:.3f}), "
        f"{match.shared_fingerprints} of {min(match.fingerprints_a, match.fingerprints_b)} fingerprints "
        "shared: "
        f"{verdict} (threshold {DEFAULT_THRESHOLD})",
        markup=False,
    )
    if match.regions:
        from rich.table import Table

        table = Table(f"lines of {a.name}", f"lines of {b.name}", "tokens")
        for r in match.regions:
            table.add_row(f"{r.a_start}-{r.a_end}", f"{r.b_start}-{r.b_end}", str(r.tokens))
        out.print(table)
    raise typer.Exit(1 if derived else 0)


def code_scan(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Submission files or folders.")],
    base_code: Annotated[
        list[Path] | None,
        typer.Option(exists=True, help="Handed-out task code (files, folders): not evidence."),
    ] = None,
    language: Annotated[str | None, typer.Option(callback=_language_option, help="As code-compare.")] = None,
    top: Annotated[int, typer.Option(min=1, max=100_000, help="Pairs to show, best first.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """All pairs of submissions: what most share is the task, what two share alone is copying."""
    from genguard.provenance.code_files import scan_paths

    report = scan_paths(paths, base_code or [], language, top)
    if as_json:
        return emit(report.model_dump(mode="json"))
    out.print(
        f"{report.language}: {report.submissions} submissions, {report.pairs_compared} pairs", markup=False
    )
    for rank, p in enumerate(report.pairs, start=1):
        lines = ", ".join(f"{r.a_start}-{r.a_end}~{r.b_start}-{r.b_end}" for r in p.regions[:4])
        out.print(f"{rank:>3}. {p.score:.3f}  {p.a}  {p.b}  lines {lines or '-'}", markup=False)
