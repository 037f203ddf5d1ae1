"""`genguard report`: run every landed capability on a model and write the report card.

Resumable: each part's result is stored in the run folder's SQLite run store (runs.sqlite,
genguard.storage.runs) as soon as it is finished; a rerun with the same model, preset and seed
loads the stored parts and computes only the missing ones, so an interrupted run picks up where
it stopped and ends with the same report.json. Progress bars go to stderr while a part runs; a
short table is printed as each part finishes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from genguard.datasets import shared_data_dir
from genguard.errors import ConfigError, InvalidInputError
from genguard.lm.base import LanguageModel
from genguard.report import parts, terminal
from genguard.report.card import write_card
from genguard.report.measured import load_focusgroup_measured, load_privacy_results
from genguard.report.presets import SECTIONS, Preset
from genguard.report.results import DetectionRun, FairnessRun, ProvenanceRun, ReportData
from genguard.report.summary import summary_lines
from genguard.storage.runs import RunStore, StoredSample
from genguard.types import Result

T = TypeVar("T", bound=BaseModel)
NO_DATA = "the shared data sets (Winogender, BOLD, WinoBias, Tiny Shakespeare) are absent"
NO_DBLP = (
    "the shared DBLP sample (../shared/data/dblp/DBLP2.csv) is absent; verify an answer's citations "
    "against your own bibliography with genguard cite import and genguard cite check"
)
WHY_NOT_FOCUSGROUP = (
    "a focus group asks the model thousands of questions (about an hour), too slow for a report run, "
    "and benchmarks/results/focusgroup_run.json is not there to show instead ({error}); "
    "run genguard focusgroup run spec.yaml"
)


class ReportOptions(Result):
    """What to run: the model, the output folder, the preset, the seed and the sections."""

    model: str = "default"
    out_dir: Path
    preset: str = "full"
    seed: int = 0
    sections: tuple[str, ...] = SECTIONS


def report_options(
    model: str, out_dir: Path, fast: bool, seed: int, sections: list[str] | None
) -> ReportOptions:
    """Checked options (InvalidInputError with what to do), before any model is loaded."""
    unknown = sorted(set(sections or ()) - set(SECTIONS))
    if unknown:
        raise InvalidInputError(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if seed < 0:
        raise InvalidInputError(f"--seed must be 0 or more, got {seed}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInputError(f"--out {out_dir} is a file; give a folder for the report")
    if not model.strip():
        raise InvalidInputError("--model is empty; give 'default', a local model folder or a .gguf file")
    chosen = tuple(s for s in SECTIONS if s in (sections or SECTIONS))
    return ReportOptions(
        model=model, out_dir=out_dir, preset="fast" if fast else "full", seed=seed, sections=chosen
    )


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


class _Run:
    """One report run: the model, the preset, the run store and the consoles."""

    def __init__(
        self, model: LanguageModel, preset: Preset, seed: int, store: RunStore, out: Console, err: Console
    ):
        self.model, self.preset, self.seed, self.store = model, preset, seed, store
        self.out, self.err = out, err
        self.params = preset.model_dump(mode="json")

    def _open(self, part: str) -> str:
        info = self.store.open_run(
            f"report:{part}", self.model.model_id, f"report-{self.preset.name}", self.seed, self.params
        )
        return info.run_id

    def part(self, name: str, cls: type[T], compute: Callable[[Progress], T]) -> tuple[T, bool]:
        """The stored result of part `name`, or compute it (with a progress display) and store it.
        Returns (result, True if it came from the store)."""
        run_id = self._open(name)
        stored = self.store.samples(run_id)
        if stored:
            return cls.model_validate_json(stored[0].completion), True
        with _progress(self.err) as progress:
            result = compute(progress)
        sample = StoredSample(item="result", sample=0, prompt=name, completion=result.model_dump_json(),
                              finish_reason="done", scores={})  # fmt: skip
        self.store.add(run_id, [sample])
        self.store.finish(run_id)
        return result, False

    def answers(self) -> parts.Answers:
        """The watermarked and plain answers, each batch stored as it is generated."""
        out: parts.Answers = {}
        for kind in ("watermarked", "plain"):
            run_id = self._open(f"answers:{kind}")
            stored = self.store.samples(run_id)
            if not stored:
                with _progress(self.err) as progress:
                    progress.add_task(
                        f"generating {kind} answers ({self.preset.prompts} prompts)", total=None
                    )
                    gens = parts.generate_answers(self.model, self.preset, self.seed, kind == "watermarked")
                self.store.add(run_id, [
                    StoredSample(item=f"{i:04d}", sample=0, prompt=g.prompt, completion=g.text,
                                 finish_reason=g.finish_reason, scores={})
                    for i, g in enumerate(gens)
                ])  # fmt: skip
                self.store.finish(run_id)
                stored = self.store.samples(run_id)
            out[kind] = [(s.prompt, s.completion) for s in stored]
        return out

    def show(self, table, cached: bool) -> None:
        self.out.print(table)
        if cached:
            self.out.print("[dim](stored result of an earlier run)[/dim]")


def _spinner(text: str) -> Callable[[Progress], None]:
    return lambda progress: progress.add_task(text, total=None)


def _fairness(run: _Run) -> FairnessRun:
    from genguard.fairness.audit import run_fairness_audit
    from genguard.fairness.table import run_tabular_audit

    pieces: dict[str, object] = {}
    for probe in ("pronoun", "tone", "counterfactual"):

        def compute(progress: Progress, probe: str = probe) -> FairnessRun:
            def factory(task: str, total: int) -> Callable[[int], None]:
                tid = progress.add_task(f"fairness: {task}", total=total)
                return lambda n: progress.advance(tid, n)

            _spinner(f"fairness: {probe}")(progress)
            results = run_fairness_audit(run.model, [probe], run.store, run.preset.fairness, progress=factory)
            return FairnessRun(**results)

        result, cached = run.part(f"fairness:{probe}", FairnessRun, compute)
        pieces.update({k: v for k, v in result if v is not None and k != "skipped"})
        run.show(terminal.fairness_table(result, f": {probe}"), cached)

    def tabular(progress: Progress) -> FairnessRun:
        _spinner("fairness: credit decisions (German credit, Fairlearn)")(progress)
        report = run_tabular_audit(
            dataset="german-credit", groups=["sex", "age"], bootstrap=run.preset.tabular_bootstrap
        )
        return FairnessRun(tabular=report)

    result, cached = run.part("fairness:tabular", FairnessRun, tabular)
    pieces["tabular"] = result.tabular
    run.show(terminal.fairness_table(result, ": credit"), cached)
    return FairnessRun(**pieces)


def _provenance(run: _Run, answers: parts.Answers, out_dir: Path) -> ProvenanceRun:
    from genguard.provenance.memorization import MemorizationReport, memorization_audit
    from genguard.report.results import ProtectedCheck

    preset = run.preset

    def memorization(progress: Progress) -> MemorizationReport:
        task = progress.add_task("provenance: memorisation audit", total=None)
        report = memorization_audit(
            run.model,
            parts.memorization_documents(preset.memorization_sources, preset.memorization_chars),
            prefix_tokens=preset.prefix_tokens,
            suffix_tokens=preset.suffix_tokens,
            samples_per_source=preset.memorization_per_source,
            seed=run.seed,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
        return report.model_copy(update={"seconds": 0.0})  # a duration is no result: keep the JSON stable

    memo, cached = run.part("provenance:memorization", MemorizationReport, memorization)
    run.show(terminal.provenance_table(ProvenanceRun(memorization=memo, protected=None)), cached)

    def protected(progress: Progress) -> ProtectedCheck:
        _spinner("provenance: protected-content index")(progress)
        return parts.protected_check(out_dir / "protected.sqlite", preset, run.seed, answers)

    check, cached = run.part("provenance:protected", ProtectedCheck, protected)
    run.show(terminal.provenance_table(ProvenanceRun(memorization=None, protected=check)), cached)
    return ProvenanceRun(memorization=memo, protected=check)


def _place(
    section: str, outcome: BaseModel | str, results: dict[str, BaseModel | None], not_run: dict[str, str]
) -> None:
    """A part's result into `results`, or the reason it did not run (a str) into `not_run`."""
    if isinstance(outcome, str):
        not_run[section] = outcome
    else:
        results[section] = outcome


def _detection(run: _Run, answers: parts.Answers) -> DetectionRun | str:
    """The zero-shot detector on the answers and human texts, or why it cannot run on this model."""
    from genguard.detection import default_calibration

    calibrated_on = default_calibration().model_id
    if calibrated_on != run.model.model_id:
        return (
            f"the packaged calibration is for {calibrated_on}, not this model: calibrate on human "
            "text with genguard detect calibrate HUMAN.jsonl and use that with genguard detect text"
        )
    texts = [(kind, text) for kind in ("watermarked", "plain") for _, text in answers[kind]]
    texts += parts.human_texts(run.model.tokenizer, run.preset)

    def compute(progress: Progress) -> DetectionRun:
        _spinner(f"machine-text detection ({len(texts)} texts)")(progress)
        return parts.detection_run(run.model, run.preset, texts)

    result, cached = run.part("detection", DetectionRun, compute)
    run.show(terminal.detection_table(result), cached)
    return result


def _factuality(run: _Run, out_dir: Path):
    """The demo's factuality part (genguard.factuality.demo: writes out_dir/factuality.json and
    bib.db), stored without its run time and folder so that the card stays byte-stable; or why not."""
    from genguard.factuality.demo import FactualityDemo, dblp_sample, print_demo, run_demo

    source = dblp_sample()
    if source is None:
        return NO_DBLP

    def compute(progress: Progress) -> FactualityDemo:
        _spinner("factuality: papers by the DBLP sample's top author, plain and grounded")(progress)
        demo = run_demo(
            out_dir,
            source,
            model=run.model,
            seed=run.seed,
            max_new_tokens=run.preset.factuality_max_new_tokens,
        )
        return demo.model_copy(
            update={"seconds": 0.0, "import_seconds": 0.0, "database": Path(demo.database).name}
        )

    result, cached = run.part("factuality", FactualityDemo, compute)
    print_demo(result, run.out)
    if cached:
        run.out.print("[dim](stored result of an earlier run)[/dim]")
    return result


def _measured(results: dict[str, BaseModel | None], not_run: dict[str, str]) -> None:
    """The results measured by benchmarks (privacy & unlearning, focus group), or why they are absent."""
    try:
        results["privacy"] = load_privacy_results()
    except ConfigError as exc:
        not_run["privacy"] = (
            f"training shadow models takes minutes, so the card shows the benchmarks' results, "
            f"and they are absent: {exc}; also run benchmarks/unlearning.py"
        )
    try:
        results["focusgroup"] = load_focusgroup_measured()
    except ConfigError as exc:
        not_run["focusgroup"] = WHY_NOT_FOCUSGROUP.format(error=exc)


def run_report(
    options: ReportOptions,
    out: Console,
    err: Console,
    model: LanguageModel | None = None,
    preset: Preset | None = None,
) -> ReportData:
    """Run the chosen sections on the model, print a table per finished part on `out`, progress on
    `err`, and write report.html and report.json in `options.out_dir`. Returns the card's data.
    `model` overrides loading `options.model` (a caller that already holds it), `preset` the
    options' preset (a smaller one, e.g. in tests)."""
    from genguard import __version__
    from genguard.lm import load_model

    started = time.perf_counter()
    if preset is None:
        preset = Preset.fast(options.seed) if options.preset == "fast" else Preset.full(options.seed)
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    if model is None:
        with _progress(err) as progress:
            progress.add_task(f"loading model {options.model}", total=None)
            model = load_model(options.model)
    chosen = set(options.sections)
    not_run = {s: "not selected (--section)" for s in SECTIONS if s not in chosen}
    has_data = shared_data_dir() is not None
    results: dict[str, BaseModel | None] = dict.fromkeys((*SECTIONS, "privacy", "focusgroup"))
    with RunStore(out_dir / "runs.sqlite") as store:
        run = _Run(model, preset, options.seed, store, out, err)
        answers = run.answers() if chosen & {"watermark", "detection", "guard", "provenance"} else {}
        if "watermark" in chosen:
            results["watermark"], cached = run.part(
                "watermark",
                parts.WatermarkRun,
                lambda p: parts.watermark_run(model, preset, options.seed, answers),
            )
            run.show(terminal.watermark_table(results["watermark"]), cached)
        if "detection" in chosen:
            _place("detection", _detection(run, answers), results, not_run)
        if "guard" in chosen:
            results["guard"], cached = run.part("guard", parts.GuardRun, lambda p: parts.guard_run(answers))
            run.show(terminal.guard_table(results["guard"]), cached)
        for section, compute in (
            ("fairness", lambda: _fairness(run)),
            ("provenance", lambda: _provenance(run, answers, out_dir)),
        ):
            if section in chosen:
                if has_data:
                    results[section] = compute()
                else:
                    not_run[section] = NO_DATA
        if "factuality" in chosen:
            _place("factuality", _factuality(run, out_dir), results, not_run)
    _measured(results, not_run)
    data = ReportData(
        genguard_version=__version__,
        model_id=model.model_id,
        preset=preset.name,
        seed=options.seed,
        summary=summary_lines(results, not_run),
        not_run=not_run,
        **results,
    )
    seconds = time.perf_counter() - started
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    byline = (
        f"genguard {__version__} · preset {preset.name} · seed {options.seed} · "
        f"generated {stamp} in {seconds:.0f} s"
    )
    html_path, json_path = write_card(data, out_dir, byline)
    out.print(terminal.summary_table(data.summary))
    out.print(f"Report card: {html_path} and {json_path} ({seconds:.0f} s)", markup=False, highlight=False)
    return data
