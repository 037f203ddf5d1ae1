"""One small real report run per test session, shared by the report tests.

The real default model writes a few short answers; every part runs on a tiny preset. The run is
made in three steps in one folder: the watermark section alone, then every section (the stored
answers must be reused), then every section again (everything must come from the store).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from genguard.datasets import require_data, shared_data_dir
from genguard.fairness.audit import FairnessOptions
from genguard.report.presets import Preset
from genguard.report.results import ReportData
from genguard.report.runner import report_options, run_report
from genguard.storage.runs import RunStore


def tiny_preset(occupations_file: Path) -> Preset:
    """Every part with a real number, as small as it goes."""
    return Preset(
        name="tiny",
        prompts=2,
        max_new_tokens=24,
        human_texts=1,
        fairness=FairnessOptions(
            occupations_file=str(occupations_file),
            templates=1,
            context_occupations=4,
            per_group=10,
            domains=("gender",),
            tone_max_new_tokens=8,
            sentences=12,
            tone_prompts=2,
            counterfactual_samples=1,
        ),
        tabular_bootstrap=50,
        memorization_per_source=2,
        memorization_chars=20_000,
        suffix_tokens=8,
        index_passages=20,
        factuality_max_new_tokens=24,
    )


def stored_counts(out_dir: Path) -> dict[str, int]:
    """Samples stored per kind of run in the folder's run store (generated items, stored results)."""
    counts: dict[str, int] = {}
    with RunStore(out_dir / "runs.sqlite") as store:
        for run in store.runs():
            counts[run.kind] = counts.get(run.kind, 0) + len(store.samples(run.run_id))
    return counts


@dataclass
class CardRun:
    out_dir: Path
    data: ReportData
    json_bytes: bytes
    counts_watermark_only: dict[str, int]
    counts_full: dict[str, int]
    rerun_json_bytes: bytes
    counts_rerun: dict[str, int]
    printed: str


@pytest.fixture(scope="session")
def card_run(tmp_path_factory: pytest.TempPathFactory) -> CardRun:
    if shared_data_dir() is None:
        pytest.skip("the shared data sets are absent (Winogender, BOLD, WinoBias, Tiny Shakespeare)")
    from genguard.lm import load_default_model

    root = tmp_path_factory.mktemp("card")
    occupations = root / "occupations.tsv"
    lines = (require_data("winogender") / "occupations-stats.tsv").read_text(encoding="utf-8").splitlines()
    occupations.write_text("\n".join(lines[:7]) + "\n", encoding="utf-8")
    preset = tiny_preset(occupations)
    model = load_default_model()
    out_dir = root / "out"
    buffer = io.StringIO()
    out = Console(file=buffer, width=120)
    err = Console(file=io.StringIO())

    def run(sections: list[str] | None) -> ReportData:
        options = report_options("default", out_dir, fast=True, seed=0, sections=sections)
        return run_report(options, out, err, model=model, preset=preset)

    run(["watermark"])
    counts_watermark_only = stored_counts(out_dir)
    data = run(None)
    json_bytes = (out_dir / "report.json").read_bytes()
    counts_full = stored_counts(out_dir)
    run(None)
    return CardRun(
        out_dir=out_dir,
        data=data,
        json_bytes=json_bytes,
        counts_watermark_only=counts_watermark_only,
        counts_full=counts_full,
        rerun_json_bytes=(out_dir / "report.json").read_bytes(),
        counts_rerun=stored_counts(out_dir),
        printed=buffer.getvalue(),
    )
