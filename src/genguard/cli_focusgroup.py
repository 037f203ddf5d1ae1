"""`genguard focusgroup run spec.yaml`: a virtual focus group (genguard.focusgroup), resumable,
with a report (focusgroup section of fairness.html) and JSON.

The spec (and its persona file) is read and checked before the model loads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard import cli_common as common

focusgroup_app = typer.Typer(
    help="Virtual focus groups: personas asked which of two products they prefer.", no_args_is_help=True
)


@focusgroup_app.command("run")
def focusgroup_run(
    spec: Annotated[Path, typer.Argument(callback=common.input_file, help="Study spec (YAML).")],
    model: common.ModelOpt = "default",
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out", callback=common.output_folder, help="Folder for fairness.html and focusgroup.json."
        ),
    ] = Path("out/focusgroup"),
    db: Annotated[
        Path | None,
        typer.Option(
            callback=common.output_file,
            help="Run database (SQLite); re-running resumes. Default: <out>/runs.sqlite.",
        ),
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """Ask every persona about every product pair in both orders, collect free-text answers through
    the guard, and report position bias and group preferences with intervals."""
    from genguard.focusgroup import load_study, run_study
    from genguard.report.fairness_report import write_fairness_report
    from genguard.report.sections.focusgroup import focusgroup_section
    from genguard.storage.runs import RunStore

    study = load_study(spec)
    lm = common.load_model_with_spinner(model, common.show_progress(as_json))
    from rich.progress import Progress

    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        RunStore(db or out_dir / "runs.sqlite") as store,
        Progress(console=common.err, disable=not common.show_progress(as_json)) as bars,
    ):

        def progress(task: str, total: int):
            handle = bars.add_task(task, total=total)
            return lambda n: bars.advance(handle, n)

        result = run_study(lm, store, study, name=spec.stem, progress=progress)
    (out_dir / "focusgroup.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    html, _ = write_fairness_report(
        out_dir, sections={"focusgroup": focusgroup_section(result)}, title="genguard focus group report"
    )
    if as_json:
        common.emit(result.model_dump(mode="json"))
        return
    print_summary(result)
    common.out.print(f"report: {html}  data: {out_dir / 'focusgroup.json'}", markup=False)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f} %"


def print_summary(result) -> None:
    """A few lines: answers, position bias before/after, pair preferences, significant group gaps."""
    say = lambda text: common.out.print(text, markup=False)  # noqa: E731
    say(
        f"{result.n_personas} personas x {len(result.pair_specs)} pairs x 2 orders = {result.n_questions} "
        f"questions; answered neither A nor B: {result.neither.k} ({_pct(result.neither.share)})"
    )
    if all(p.correction is None for p in result.per_pair_bias):
        say("position bias: no held-out correction (fewer than 10 calibration personas answered both orders)")
    for label, b in (("before", result.position_before), ("after", result.position_after)):
        lo, hi = b.share_a_ci
        say(
            f"position bias {label} correction: chose A in {_pct(b.share_a)} [{_pct(lo)}, {_pct(hi)}] of "
            f"{b.n_answers} answers; same product in both orders {_pct(b.consistency)}"
        )
    for p in result.pairs:
        ci = p.mean_p_first_ci or (None, None)
        say(
            f"  {p.pair_id}: P({p.first}) = {_pct(p.mean_p_first)} [{_pct(ci[0])}, {_pct(ci[1])}], "
            f"prefer first {_pct(p.share_first)} of {p.n}, "
            f"Holm p {'n/a' if p.p_adjusted is None else f'{p.p_adjusted:.3g}'}"
        )
    sig = [c for c in result.comparisons if c.significant]
    say(f"group gaps significant at {result.alpha:.0%} (Holm): {len(sig)} of {len(result.comparisons)}")
    for c in sig[:20]:
        say(
            f"  {c.domain} {c.metric}: {c.group_a} - {c.group_b} = {c.difference:+.3f} "
            f"(Holm p {c.p_adjusted:.3g})"
        )
    if result.comments is not None:
        c = result.comments
        say(
            f"free-text answers: {c.n}, removed by the '{c.profile}' guard: {c.removed.k} "
            f"({_pct(c.removed.share)}), "
            f"named neither A nor B: {c.neither.k}"
        )
    if result.note:
        say(result.note)
