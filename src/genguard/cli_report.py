"""`genguard report` and `genguard demo`: the report card of a model."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from genguard.cli_common import JsonOpt, ModelOpt, err, out, output_folder

OutOpt = Annotated[
    Path,
    typer.Option(
        "--out", callback=output_folder, help="Folder for report.html, report.json and the run store."
    ),
]
SeedOpt = Annotated[
    int, typer.Option(help="Seed of generation and sampling; the same seed gives the same JSON.")
]


def _tables(as_json: bool):
    """The console for tables: stderr under --json; 120 columns in a pipe or CI log (not 80)."""
    from rich.console import Console

    tables = err if as_json else out
    if not tables.is_terminal:
        tables = Console(width=120, highlight=False, stderr=as_json)
    return tables


def _finish(data, as_json: bool) -> None:
    if as_json:
        from genguard.report.card import card_json

        sys.stdout.write(card_json(data))


def report(
    model: ModelOpt = "default",
    out_dir: OutOpt = Path("out/report"),
    fast: Annotated[
        bool, typer.Option("--fast/--full", help="Fast preset (the demo's) or the full release preset.")
    ] = False,
    seed: SeedOpt = 0,
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            help="watermark, detection, guard, fairness, provenance or factuality; repeat (default: all).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The report card of a model: watermark, machine-text detection, guard, fairness, provenance and
    citations in one HTML page and one JSON file, with the privacy and focus-group benchmarks'
    results. Resumable: rerun the same command after an interruption to finish it."""
    from genguard.report.runner import report_options, run_report

    options = report_options(model, out_dir, fast, seed, section)
    data = run_report(options, out=_tables(as_json), err=err)
    _finish(data, as_json)


def demo(out_dir: OutOpt = Path("out/demo"), seed: SeedOpt = 0, as_json: JsonOpt = False) -> None:
    """The main job: `genguard report --fast --out out/demo` on the default model. Its factuality
    section (also out/demo/factuality.json) asks for papers by an author of the shared DBLP
    sample, plainly and grounded, each citation verified."""
    report(model="default", out_dir=out_dir, fast=True, seed=seed, section=None, as_json=as_json)


COMMANDS = [demo, report]
