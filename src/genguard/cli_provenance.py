"""`genguard provenance ...`: the protected-content index, attribution, dedup, memorization (the
code commands are in cli_code)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from genguard.cli_code import code_compare, code_index_app, code_scan
from genguard.cli_common import (
    JsonOpt,
    emit,
    in_range,
    input_file,
    load_model_with_spinner,
    out,
    output_file,
    read_nonempty_text,
    read_text,
    require_content,
    show_progress,
    spinner,
)
from genguard.errors import InvalidInputError

if TYPE_CHECKING:  # imported where used: the index pulls in numpy and scipy
    from genguard.provenance.index import ProtectedIndex
    from genguard.provenance.paraphrase import ParaphraseMatch

T = TypeVar("T")

provenance_app = typer.Typer(
    help="Near-duplicate and verbatim search, attribution, code similarity, corpus deduplication.",
    no_args_is_help=True,
)
index_app = typer.Typer(help="The protected-content index (one SQLite file).", no_args_is_help=True)
provenance_app.add_typer(index_app, name="index")
provenance_app.command("code-compare")(code_compare)
provenance_app.command("code-scan")(code_scan)
provenance_app.add_typer(code_index_app, name="code-index")


def _index_file(value: Path) -> Path:
    """Typer callback: an existing, non-empty index file (checked before anything is read)."""
    _must_exist(value)
    return value


_index_file.reads_input = True  # type: ignore[attr-defined]  # the CLI walk test feeds it bad files
IndexArg = Annotated[
    Path, typer.Argument(callback=_index_file, help="The index file (SQLite; made by `index add`).")
]
TextArg = Annotated[
    Path,
    typer.Argument(callback=input_file, help="A UTF-8 text file, or '-' for standard input."),
]
TopKOpt = Annotated[int, typer.Option(min=1, max=10_000, help="Matches to show.")]
ParaphraseOpt = Annotated[
    bool | None,
    typer.Option(
        "--paraphrase/--no-paraphrase",
        help="Also find reworded copies by sentence alignment (MiniLM; about 0.3 s per 1 KB text). Default: "
        "on for indexes of up to 1,000 documents or with INDEX.sentences (made by the first use).",
    ),
]


def _jsonl_documents(
    path: Path, text_field: str, key_field: str | None
) -> tuple[list[str], list[str], list[dict]]:
    from genguard.provenance.index import content_key

    texts, keys, metas = [], [], []
    for number, raw in enumerate(read_text(str(path)).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{path} line {number} is not JSON: {exc.msg}") from exc
        if not isinstance(record, dict) or not isinstance(record.get(text_field), str):
            raise InvalidInputError(f"{path} line {number} has no string field {text_field!r}")
        key = record.get(key_field) if key_field else None
        texts.append(record[text_field])
        keys.append(str(key) if key is not None else content_key(record[text_field]))
        metas.append({"source": str(path), "line": number})
    return texts, keys, metas


@index_app.command("add")
def index_add(
    index: Annotated[
        Path, typer.Argument(callback=output_file, help="The index file (SQLite; created if missing).")
    ],
    files: Annotated[
        list[Path],
        typer.Argument(callback=input_file, help="Documents: one per file, or JSON lines with --jsonl."),
    ],
    jsonl: Annotated[bool, typer.Option(help="Each file holds one JSON document per line.")] = False,
    text_field: Annotated[str, typer.Option(help="With --jsonl: the field holding the text.")] = "text",
    key_field: Annotated[
        str | None, typer.Option(help="With --jsonl: the field holding a key (default: content hash).")
    ] = None,
    replace: Annotated[
        bool, typer.Option(help="Replace documents whose key exists with other content.")
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            callback=in_range(0.0, 1.0, low_open=True),
            help="Near-duplicate Jaccard threshold in (0, 1]; fixed when the index is created.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add documents to the index (created if missing); keys are file paths unless --jsonl."""
    from genguard.provenance.index import ProtectedIndex

    texts, keys, metas = [], [], []
    for path in files:
        if jsonl:
            t, k, m = _jsonl_documents(path, text_field, key_field)
            texts += t
            keys += k
            metas += m
        else:
            texts.append(read_nonempty_text(path))
            keys.append(str(path))
            metas.append({"source": str(path)})
    if not texts:
        raise InvalidInputError("no document to add: the files hold no record")
    with (
        spinner(f"indexing {len(texts):,} documents", show_progress(as_json)),
        ProtectedIndex(index, threshold=threshold) as ix,
    ):
        report = ix.add(texts, keys, metas, replace=replace)
        size = len(ix)
    if as_json:
        emit(report.model_dump(mode="json") | {"documents": size})
        return
    out.print(
        f"added {len(report.added)}, unchanged {len(report.unchanged)}, replaced {len(report.replaced)}; "
        f"{size} documents in {index}",
        markup=False,
    )


@index_app.command("remove")
def index_remove(
    index: IndexArg,
    keys: Annotated[list[str], typer.Argument(help="Keys of the documents to remove.")],
    as_json: JsonOpt = False,
) -> None:
    """Remove documents and everything that points at them; a removed document never matches again."""
    from genguard.provenance.index import ProtectedIndex

    with ProtectedIndex(index) as ix:
        missing = ix.remove(keys)
        size = len(ix)
    removed = [k for k in keys if k not in set(missing)]
    if as_json:
        emit({"removed": removed, "not_found": missing, "documents": size})
        return
    out.print(
        f"removed {len(removed)}; not found: {', '.join(missing) or 'none'}; {size} documents left",
        markup=False,
    )


@index_app.command("query")
def index_query(
    index: IndexArg,
    text: TextArg,
    top_k: TopKOpt = 5,
    min_span: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Shared normalised characters that make a match.")
    ] = 150,
    min_jaccard: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Word-shingle Jaccard that makes a match (default: the index's)."
        ),
    ] = None,
    paraphrase: Annotated[
        bool,
        typer.Option(
            help="Also find reworded copies by sentence alignment (off: it makes a query about 20-30x "
            "slower, 0.3 s per 1 KB; `attribute` has it on)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Indexed documents the text copies: near duplicates, verbatim passages and (with --paraphrase)
    reworded copies with their aligned sentences. Exit 1 if any."""

    def search(ix: ProtectedIndex, query: str) -> tuple[list, list[ParaphraseMatch]]:
        [exact] = ix.query([query], top_k=top_k, min_jaccard=min_jaccard, min_span=min_span)
        if not paraphrase:
            return exact, []
        from genguard.provenance.paraphrase_index import paraphrase_search

        [reworded] = paraphrase_search(ix, [query], top_k=top_k)
        return exact, [m for m in reworded if m.key not in {e.key for e in exact}]

    matches, reworded = _against_index(index, text, "searching", as_json, search)
    if as_json:
        emit(
            [m.model_dump(mode="json") | {"kind": "exact"} for m in matches]
            + [m.model_dump(mode="json") | {"kind": "paraphrase"} for m in reworded]
        )
    else:
        from rich.table import Table

        from genguard.provenance.paraphrase import describe

        table = Table("key", "Jaccard", "estimate", "shared run", "where in the text", "passage")
        for m in matches:
            span = m.span
            table.add_row(
                m.key,
                f"{m.jaccard:.3f}",
                f"{m.estimated_jaccard:.3f}",
                f"{span.chars} chars" if span else "-",
                f"{span.query_start}-{span.query_end}" if span else "-",
                (span.text[:70] + ("..." if len(span.text) > 70 else "")) if span else "",
            )
        out.print(table if matches else "no verbatim or near-duplicate match")
        for m in reworded:
            out.print("\n".join(describe(m)), markup=False)
    raise typer.Exit(1 if matches or reworded else 0)


def _against_index(
    index: Path, text: Path, doing: str, as_json: bool, work: Callable[[ProtectedIndex, str], T]
) -> T:
    """`work(index, query)` on the opened index with the (non-empty) text of `text` as the query,
    behind a spinner "<doing> N characters" (none with --json). Returns what `work` returns."""
    from genguard.provenance.index import ProtectedIndex

    query = read_nonempty_text(text)
    with ProtectedIndex(index) as ix, spinner(f"{doing} {len(query):,} characters", show_progress(as_json)):
        return work(ix, query)


@index_app.command("stats")
def index_stats(index: IndexArg, as_json: JsonOpt = False) -> None:
    """Documents, postings, size on disk and the parameters the index was made with."""
    from genguard.provenance.index import ProtectedIndex

    with ProtectedIndex(index) as ix:
        stats = ix.stats() | {"params": ix.params.model_dump()}
    if as_json:
        emit(stats)
        return
    p = stats["params"]
    out.print(
        f"{stats['documents']} documents, {stats['postings']} postings, "
        f"{stats['bytes_on_disk'] / 1e6:.1f} MB; "
        f"Jaccard threshold {p['threshold']} ({p['bands']} bands x {p['rows']} rows of {p['num_perm']}), "
        f"word {p['n']}-grams",
        markup=False,
    )


@provenance_app.command("attribute")
def attribute_text(
    index: IndexArg,
    text: TextArg,
    min_chars: Annotated[
        int,
        typer.Option(min=1, max=1_000_000, help="Shortest shared run credited, in normalised characters."),
    ] = 50,
    top_k: TopKOpt = 5,
    paraphrase: ParaphraseOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The indexed documents a (generated) text came from, with the passages it shares with each and
    (with --paraphrase) the documents it rewords, with the aligned sentences."""
    from genguard.provenance.attribution import attribute
    from genguard.provenance.paraphrase_index import paraphrase_on

    [result] = _against_index(
        index,
        text,
        "attributing",
        as_json,
        lambda ix, query: attribute(
            ix, [query], min_chars=min_chars, top_k=top_k, paraphrase=paraphrase_on(ix, paraphrase)
        ),
    )
    if as_json:
        emit(result.model_dump(mode="json"))
        return
    out.print(
        f"{result.coverage:.1%} of the text ({result.attributed_chars} of {result.chars} normalised "
        f"characters) comes from {len(result.sources)} indexed document(s)",
        markup=False,
    )
    for source in result.sources:
        out.print(f"  {source.key}: {source.chars} chars in {len(source.spans)} passage(s)", markup=False)
        for span in source.spans:
            out.print(f"    text {span.query_start}-{span.query_end}: {span.text[:90]}", markup=False)
    if result.score is not None:
        from genguard.provenance.paraphrase import describe

        out.print(
            f"reworded: {len(result.paraphrased)} indexed document(s); combined score {result.score:.2f}",
            markup=False,
        )
        for match in result.paraphrased:
            out.print("\n".join(describe(match)), markup=False)


def _must_exist(index: Path) -> None:
    if not index.is_file():
        raise InvalidInputError(f"no index at {index}; create one with `genguard provenance index add`")
    if index.stat().st_size == 0:
        raise InvalidInputError(
            f"{index} is empty, not an index; create one with `genguard provenance index add`"
        )


@provenance_app.command("dedup")
def dedup(
    source: Annotated[
        Path, typer.Argument(callback=input_file, help="A JSONL corpus: one JSON object per line.")
    ],
    out_path: Annotated[
        Path, typer.Option("--out", callback=output_file, help="Where the kept lines go (byte for byte).")
    ],
    text_field: Annotated[str, typer.Option(help="The field holding the text.")] = "text",
    threshold: Annotated[
        float,
        typer.Option(
            callback=in_range(0.0, 1.0, low_open=True),
            help="Word 5-gram Jaccard at which two documents are one, in (0, 1].",
        ),
    ] = 0.8,
    max_occurrences: Annotated[
        int,
        typer.Option(
            min=1, help="Copies of one piece of content kept (1 = deduplicate; k = occurrence cap)."
        ),
    ] = 1,
    skip_bad_lines: Annotated[
        bool, typer.Option(help="Leave out lines that are not JSON objects with a text (default: stop).")
    ] = False,
    use_ray: Annotated[bool, typer.Option("--ray", help="Run as a Ray Data job (same kept lines).")] = False,
    num_cpus: Annotated[
        int | None, typer.Option(min=1, max=1024, help="With --ray: CPUs of the local Ray instance.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Near-duplicate clusters of a corpus; keep the first `max_occurrences` of each, in input order.
    The dropped lines and their representatives go to OUT.dropped.jsonl."""
    require_content(source, "corpus")
    options = {
        "text_field": text_field,
        "threshold": threshold,
        "max_occurrences": max_occurrences,
        "on_bad_line": "skip" if skip_bad_lines else "error",
    }
    if use_ray:
        from genguard.pipeline.dedup import ray_dedup_jsonl

        stats = ray_dedup_jsonl(source, out_path, num_cpus=num_cpus, **options)
    else:
        from genguard.provenance.dedup import dedup_jsonl

        stats = dedup_jsonl(source, out_path, **options)
    if as_json:
        emit(stats.model_dump(mode="json"))
        return
    out.print(
        f"{stats.engine}: {stats.documents:,} documents, kept {stats.kept:,}, dropped {stats.dropped:,} "
        f"({stats.duplicate_clusters:,} clusters of near duplicates, largest {stats.largest_cluster}); "
        f"{stats.empty:,} empty, {stats.bad_lines:,} bad lines skipped; {stats.docs_per_s:,.0f} docs/s. "
        f"Kept: {stats.out_path}; dropped: {stats.dropped_path}",
        markup=False,
    )


def _memorization_documents(sources: list[str]) -> list[tuple[str, str]]:
    from genguard.datasets import MEMORIZATION_SOURCES, named_documents

    documents: list[tuple[str, str]] = []
    for source in sources:
        if source in MEMORIZATION_SOURCES:
            documents += named_documents(source)
        elif source.endswith(".jsonl"):
            texts, _, _ = _jsonl_documents(Path(source), "text", None)
            documents += [(source, t) for t in texts]
        else:  # an empty source is a "cannot decide" of the audit, not an error
            documents.append((source, read_text(source)))
    return documents


def audit_memorization(
    model: Annotated[
        str, typer.Option(help="'default', a local model folder, a .gguf file or a hub id.")
    ] = "default",
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="shakespeare, wikipedia (BOLD), a text file or a JSONL file with a text field; repeat.",
        ),
    ] = None,
    per_source: Annotated[int, typer.Option(min=1, max=1_000_000, help="Prefixes drawn per source.")] = 100,
    prefix_tokens: Annotated[
        int, typer.Option(min=1, max=4096, help="Tokens of document the model is given.")
    ] = 32,
    suffix_tokens: Annotated[int, typer.Option(min=1, max=4096, help="Tokens it must reproduce.")] = 32,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the drawn positions.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Extractable memorisation (Carlini et al.): prompt with document prefixes, decode greedily and
    count verbatim and near-verbatim continuations, beside a chance-level control."""
    from rich.progress import Progress

    from genguard.cli_common import err
    from genguard.provenance.memorization import memorization_audit

    documents = _memorization_documents(source or ["shakespeare", "wikipedia"])
    lm = load_model_with_spinner(model, show_progress(as_json))
    with Progress(console=err, disable=not show_progress(as_json)) as bars:
        task = bars.add_task("memorisation", total=None)
        report = memorization_audit(
            lm,
            documents,
            prefix_tokens=prefix_tokens,
            suffix_tokens=suffix_tokens,
            samples_per_source=per_source,
            seed=seed,
            progress=lambda done, total: bars.update(task, completed=done, total=total),
        )
    if as_json:
        emit(report.model_dump(mode="json"))
        return
    if not report.decided:
        out.print(report.reason, markup=False)
        return
    from rich.table import Table

    table = Table(
        "source", "samples", "exact (tokens)", "near-verbatim [95 % CI]", "control near", "similarity"
    )
    for s in report.sources:
        if not s.decided:
            table.add_row(s.source, "0", "-", s.reason, "-", "-")
            continue
        near, control = s.near_verbatim, s.control
        table.add_row(
            s.source,
            str(s.n),
            f"{s.exact_tokens.k} ({s.exact_tokens.rate:.1%})",
            f"{near.k} ({near.rate:.1%}) [{near.ci[0]:.1%}, {near.ci[1]:.1%}]",
            f"{control.near_verbatim.k} ({control.near_verbatim.rate:.1%})" if control else "- (1 sample)",
            f"{s.mean_edit_similarity:.3f}" + (f" vs {control.mean_edit_similarity:.3f}" if control else ""),
        )
    out.print(table)
