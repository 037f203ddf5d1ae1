"""`genguard guard ...`: check texts against a policy, scan training corpora, train guardrail models.

Options and input files are checked before the guard's models load (several seconds)."""

from __future__ import annotations

import inspect
import sys
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
    output_folder,
    progress_bar,
    read_text,
    show_progress,
    spinner,
)
from genguard.errors import InvalidInputError

guard_app = typer.Typer(
    help="Guardrails: check texts, scan training corpora, train guardrail models.", no_args_is_help=True
)


Stage = choices("Stage", ["input", "output", "training"], "Policy stages (genguard.guard.policy.STAGES).")


PolicyOpt = Annotated[
    Path | None,
    typer.Option(callback=input_file, help="Policy YAML file (default: the built-in policy)."),
]
ProfileOpt = Annotated[
    str, typer.Option(help="Profile of the policy: default, strict, creative, or your own.")
]
_STYLE = {
    "allow": "green",
    "annotate": "yellow",
    "disclaimer": "cyan",
    "redact": "magenta",
    "block": "bold red",
}


def _guard(policy: Path | None, profile: str, enabled: bool):
    """The Guard of `profile` in `policy`, with a spinner while its models load."""
    from genguard.guard.pipeline import Guard

    with spinner("loading the guard's models", enabled):
        return Guard.from_policy(policy, profile)


def _check_one(guard, text: str, stage: str, enabled: bool):
    """The guard's verdict on `text`, with a progress bar over its characters when the guard
    reports progress (Guard.check(..., progress=)), else a spinner."""
    if "progress" in inspect.signature(guard.check).parameters:
        with progress_bar(f"checking {len(text):,} characters", len(text), enabled) as advance:
            return guard.check([text], stage, progress=advance)[0]
    with spinner(f"checking {len(text):,} characters", enabled):
        return guard.check([text], stage)[0]


@guard_app.command("check")
def guard_check(
    text: Annotated[str, typer.Argument(help="The text to check, or '-' to read it from standard input.")],
    stage: Annotated[
        Stage, typer.Option(case_sensitive=False, help="input (prompts), output (generations) or training.")
    ] = Stage.input,
    policy: PolicyOpt = None,
    profile: ProfileOpt = "default",
    as_json: JsonOpt = False,
) -> None:
    """Check one text against a policy. Exit status 1 when the policy blocks it."""
    source = read_text("-") if text == "-" else text
    if not source.strip():
        raise InvalidInputError("nothing to check: the text is empty")
    guard = _guard(policy, profile, show_progress(as_json))
    verdict = _check_one(guard, source, stage.value, show_progress(as_json))
    if as_json:
        emit(verdict.model_dump())
    else:
        style = _STYLE[verdict.action]
        out.print(f"[{style}]{verdict.action.upper()}[/] ({verdict.profile} profile, {stage.value})")
        for flag in verdict.flags:
            where = f" at {flag.span.start}-{flag.span.end}" if flag.span else ""
            quoted = " (in a quotation)" if flag.quoted else ""
            out.print(
                f"  {flag.action:8} {flag.reason}: {flag.label} {flag.score:.2f}{where}{quoted}", markup=False
            )
        scores = ", ".join(f"{name} {value:.2f}" for name, value in verdict.scores.items())
        out.print(f"  scores: {scores}", markup=False)
        if verdict.action == "redact":
            out.print("  redacted text:", markup=False)
            sys.stdout.write(f"{verdict.text}\n")
        if verdict.notice:
            out.print(f"  notice: {verdict.notice}", markup=False)
    if verdict.action == "block":
        raise typer.Exit(1)


@guard_app.command("scan")
def guard_scan(
    corpus: Annotated[Path, typer.Argument(callback=input_file, help="JSONL corpus, one record per line.")],
    out_path: Annotated[
        Path, typer.Option("--out", callback=output_file, help="Where to write the records that pass.")
    ],
    policy: PolicyOpt = None,
    profile: ProfileOpt = "default",
    text_field: Annotated[str, typer.Option(help="Field of each record holding the text.")] = "text",
    stage: Annotated[
        Stage, typer.Option(case_sensitive=False, help="Policy stage to apply.")
    ] = Stage.training,
    batch_size: Annotated[int, typer.Option(min=1, max=4096, help="Records scored together.")] = 256,
    restart: Annotated[
        bool, typer.Option(help="Ignore a checkpoint of an earlier run and start over.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Filter a training corpus through a policy: streaming, resumable, with a summary of what was
    removed. A corpus that is empty, binary, or has no readable record is an error."""
    from genguard.guard.scan import check_scan, scan_corpus

    check_scan(corpus, out_path, restart)
    guard = _guard(policy, profile, show_progress(as_json))
    with progress_bar(
        f"scanning {corpus.name}", corpus.stat().st_size, show_progress(as_json), in_bytes=True
    ) as bar:
        summary = scan_corpus(
            corpus,
            out_path,
            guard,
            text_field=text_field,
            stage=stage.value,
            batch_size=batch_size,
            restart=restart,
            progress=bar,
        )
    if as_json:
        emit(summary.model_dump())
        return
    resumed = f" (resumed at line {summary.resumed_at_line:,})" if summary.resumed_at_line else ""
    out.print(
        f"{summary.lines:,} lines{resumed}: {summary.kept:,} kept, {summary.annotated:,} annotated, "
        f"{summary.redacted:,} redacted, {summary.removed:,} removed, {summary.broken:,} unreadable"
    )
    for title, reasons in (("removed", summary.removed_by_reason), ("redacted", summary.redacted_by_reason)):
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            out.print(f"  {title:8} {n:>8,}  {reason}", markup=False)
    if summary.broken:
        listed = ", ".join(map(str, summary.broken_lines[:10]))
        out.print(f"  unreadable lines (skipped, listed in {summary.rejects}): {listed}", markup=False)
    out.print(f"written: {summary.output}; removed records and reasons: {summary.rejects}", markup=False)


@guard_app.command("train")
def guard_train(
    data: Annotated[
        list[Path],
        typer.Option("--data", callback=input_file, help="Labelled .csv/.tsv/.jsonl; repeat for several."),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", callback=output_folder, help="Folder for the trained model.")
    ],
    text_field: Annotated[str, typer.Option(help="Column or field with the text.")] = "text",
    label_field: Annotated[str, typer.Option(help="Column or field with the label.")] = "label",
    positive: Annotated[str | None, typer.Option(help="Comma-separated label values meaning toxic.")] = None,
    name: Annotated[str | None, typer.Option(help="Model name recorded with every score.")] = None,
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Default decision threshold.")] = 0.5,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the train/validation/test split.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Train a guardrail model (MiniLM features + logistic head) from labelled text; 80/10/10 split.
    Needs at least 10 rows of each class."""
    from genguard.guard.train import TrainingSource, check_rows, read_labelled, train_head

    positives = [p.strip() for p in positive.split(",")] if positive else None
    sets = [read_labelled(p, text_field, label_field, positives) for p in data]
    for s in sets:
        if s.skipped:
            err.print(
                f"{s.name}: skipped {len(s.skipped)} unusable rows (first: {s.skipped[0]})", markup=False
            )
    sources = [TrainingSource(s) for s in sets]
    check_rows(sources)  # before the embedder loads
    total = sum(len(s.texts) for s in sets)
    with progress_bar("embedding", total, show_progress(as_json)) as bar:
        head, metrics = train_head(
            sources, name=name or out_dir.name, seed=seed, threshold=threshold, progress=bar
        )
    head.save(out_dir)
    if as_json:
        emit(metrics)
        return
    out.print(f"model written to {out_dir} (threshold {threshold})", markup=False)
    for source, m in metrics["sources"].items():
        test = m["test"] or {}
        out.print(
            f"  {source}: {m['rows']:,} rows, test AUC {test.get('auc')}, F1 {test.get('f1')}, "
            f"false-positive rate {test.get('fpr')}",
            markup=False,
        )
    out.print(f"use it in a policy: toxicity: {{params: {{model_dir: {out_dir}}}}}", markup=False)
