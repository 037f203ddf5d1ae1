"""`genguard audit decisions`: the language model as a loan officer, audited per group
(genguard.fairness.decisions).

The table, the template and every option are checked before the model loads, so a bad input fails
at once. Scores are stored in the run database as they are computed; re-running resumes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard import cli_common as common

Preset = common.choices(
    "DecisionPreset", ["german-credit", "adult"], "Decision-audit presets (fairness.decisions_presets)."
)


def _flips(specs: list[str]) -> dict[str, dict[str, str]]:
    from genguard.fairness.table import parse_map

    out: dict[str, dict[str, str]] = {}
    for spec in specs:
        field, swaps = parse_map(spec)
        out.setdefault(field, {}).update(swaps)
    return out


def audit_decisions(
    data: Annotated[
        Path | None,
        typer.Argument(
            callback=common.input_file, help="CSV/TSV with a header line (optional with --dataset)."
        ),
    ] = None,
    dataset: Annotated[
        Preset | None, typer.Option(help="Preset: table, template, label, groups and flips.")
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            callback=common.input_file,
            help="Text file: the application with {column} placeholders; must name both answers.",
        ),
    ] = None,
    label: Annotated[str | None, typer.Option(help="Column with the true outcome.")] = None,
    positive: Annotated[str | None, typer.Option(help="Label value of the favourable outcome.")] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="Group column; repeat for several.")
    ] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="Rename group codes: COL=CODE:name,... (repeatable).")
    ] = None,
    bins: Annotated[list[str] | None, typer.Option("--bins", help="Numeric bands: COL=25,40.")] = None,
    flip: Annotated[
        list[str] | None,
        typer.Option("--flip", help="Flip test: FIELD=a:b,b:a swaps a template field's values (repeatable)."),
    ] = None,
    approve: Annotated[
        list[str] | None,
        typer.Option("--approve", help="Favourable answer form (default ' Approve', ' approve')."),
    ] = None,
    deny: Annotated[
        list[str] | None, typer.Option("--deny", help="Unfavourable answer form (default ' Deny', ' deny').")
    ] = None,
    rows: Annotated[int | None, typer.Option(min=1, help="Audit a seeded sample of this many rows.")] = None,
    flip_rows: Annotated[
        int | None, typer.Option(min=1, help="Flip test on a sample of this many rows.")
    ] = None,
    threshold: Annotated[
        float,
        typer.Option(callback=common.in_range(0, 1, low_open=True, high_open=True), help="Score threshold."),
    ] = 0.5,
    min_mass: Annotated[
        float,
        typer.Option(
            callback=common.in_range(0, 1, high_open=True),
            help="Least probability both answers must hold together; below it a row is undecided.",
        ),
    ] = 0.01,
    test_size: Annotated[
        float,
        typer.Option(
            callback=common.in_range(0, 1, high_open=True),
            help="Held-out share for the mitigations (0: none).",
        ),
    ] = 0.3,
    chat: Annotated[bool, typer.Option(help="Wrap each prompt in the model's chat template.")] = False,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the row sample, the split and the tests.")] = 0,
    batch_size: Annotated[int, typer.Option(min=1, max=512, help="Prompts per forward pass.")] = 16,
    model: common.ModelOpt = "default",
    db: Annotated[
        Path | None,
        typer.Option(callback=common.output_file, help="Run database (SQLite); re-running resumes."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out", callback=common.output_folder, help="Folder for decisions.json and fairness.html."
        ),
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """The language model as the decision-maker: its approve/deny decisions on table rows, audited
    per group, a counterfactual flip test and mitigations on held-out rows."""
    from genguard.fairness.decisions import DecisionSettings, plan_decision_audit, run_decision_audit
    from genguard.fairness.decisions_prompts import AnswerOptions
    from genguard.fairness.table import parse_bins, parse_map
    from genguard.storage.runs import RunStore

    maps: dict[str, dict[str, str]] = {}
    for spec in map_ or []:
        column, mapping = parse_map(spec)
        maps.setdefault(column, {}).update(mapping)
    answers = AnswerOptions(
        **({"favourable": approve} if approve else {}), **({"unfavourable": deny} if deny else {})
    )
    settings = DecisionSettings(
        answers=answers,
        chat=chat,
        threshold=threshold,
        min_mass=min_mass,
        rows=rows,
        flip_rows=flip_rows,
        test_size=test_size,
        seed=seed,
        batch_size=batch_size,
    )
    plan = plan_decision_audit(
        data,
        dataset=dataset.value if dataset else None,
        template=common.read_nonempty_text(template, "template") if template else None,
        label=label,
        positive=positive,
        groups=group or [],
        maps=maps,
        bins=dict(parse_bins(spec) for spec in bins or []),
        flips=_flips(flip) if flip else None,
        settings=settings,
    )
    show = common.show_progress(as_json)
    lm = common.load_model_with_spinner(model, show)
    folder = out_dir or Path("out/decisions")
    with (
        RunStore(db or folder / "runs.sqlite") as store,
        common.progress_bar("deciding", len(plan.all_prompts()), show) as advance,
    ):
        report = run_decision_audit(lm, store, plan, progress=advance)
    if out_dir is not None:
        from genguard.report.fairness_report import write_fairness_report
        from genguard.report.sections.fairness_decisions import decisions_section

        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "decisions.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
        write_fairness_report(out_dir, sections={"decisions": decisions_section(report)})
    if as_json:
        common.emit(report.model_dump(mode="json"))
        return
    _print(report)
    if out_dir is not None:
        common.out.print(f"written: {out_dir / 'decisions.json'}, {out_dir / 'fairness.html'}", markup=False)


def _print(report) -> None:
    from genguard.report.sections.fairness_decisions import gap_text

    say = lambda text="": common.out.print(text, markup=False)  # noqa: E731
    s = report.settings

    def rate(r) -> str:
        return (
            "too few" if r.value is None else f"{100 * r.value:.1f} % [{100 * r.low:.1f}, {100 * r.high:.1f}]"
        )

    say(
        f"{report.dataset or report.source}: {report.rows:,} of {report.table_rows:,} rows; "
        f"{report.model_id}; label {report.label} = {report.positive} ({report.positive_meaning})"
    )
    say(
        f"decided {report.n_decided:,}, undecided {report.n_undecided:,} (answers held "
        f"{100 * report.mass_min:.1f} to {100 * report.mass_median:.1f} %, min to median); "
        f"approved {rate(report.selection_rate)} at "
        f"threshold {s.threshold:g}; accuracy {rate(report.accuracy)}; score AUC "
        + ("n/a" if report.score_auc is None else f"{report.score_auc:.3f}")
    )
    for note in report.notes:
        say(f"note: {note}")
    for audit, gap in zip(report.audits, report.gaps, strict=True):
        groups = "; ".join(
            f"{g.group} {rate(g.false_rejection_rate)} (n={g.false_rejection_rate.n})" for g in audit.groups
        )
        say(f"  false rejection by {audit.attribute}: {groups}")
        say(f"    gap {gap_text(gap)}")
    for f in report.flips:
        say(
            f"  flip test on {f.field}: {f.n_flipped} of {f.n_decided} decisions changed, {rate(f.flip_rate)}"
        )
    m = report.mitigation
    if m is not None:
        say(f"mitigations on {m.n_test} held-out rows (fitted on {m.n_train}):")
        for v in m.variants:
            gaps = "; ".join(f"{g.attribute} {gap_text(g)}" for g in v.gaps)
            say(f"  {v.name}: accuracy {rate(v.accuracy)}, undecided {v.undecided}; gaps: {gaps}")
        for note in m.notes:
            say(f"  note: {note}")
    if report.seconds_per_decision is not None:
        say(f"{report.prompts_scored_now:,} prompts scored now, {report.seconds_per_decision:.3f} s each")
