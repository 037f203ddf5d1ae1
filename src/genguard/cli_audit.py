"""`genguard audit ...`: fairness probes of a generative model and group audits of a predictive
model on a table (`audit memorization` lives with provenance, in cli_provenance).

Options, data files and presets are checked before the model loads or any work starts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard import cli_common as common
from genguard.cli_provenance import audit_memorization
from genguard.errors import InvalidInputError

audit_app = typer.Typer(
    help="Fairness audits: probes of what a model writes, group audits of a predictive model.",
    no_args_is_help=True,
)
audit_app.command("memorization")(audit_memorization)


Probe = common.choices(
    "Probe", ["pronoun", "tone", "counterfactual"], "Fairness probes (genguard.fairness.audit.PROBES)."
)


Preset = common.choices(
    "Preset", ["german-credit", "adult"], "Tabular data set presets (genguard.fairness.table.PRESETS)."
)


Method = common.choices(
    "Method",
    ["exponentiated_gradient", "threshold_optimizer"],
    "Fairness constraints of the tabular audit (genguard.fairness.table.METHODS).",
)


# ---- audit: fairness probes of a generative model (pronoun, tone, counterfactual) ----


@audit_app.command("fairness")
def audit_fairness(
    model: common.ModelOpt = "default",
    probe: Annotated[
        list[Probe] | None,
        typer.Option(
            "--probe", case_sensitive=False, help="Probe to run (default pronoun); repeat for several."
        ),
    ] = None,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out", callback=common.output_folder, help="Folder for fairness.html and fairness.json."
        ),
    ] = Path("out/audit"),
    db: Annotated[
        Path | None,
        typer.Option(
            callback=common.output_file,
            help="Run database (SQLite); re-running resumes. Default: <out>/runs.sqlite.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of every sampled completion.")] = 0,
    generation: Annotated[bool, typer.Option(help="Pronoun probe: also sample completions.")] = False,
    samples: Annotated[
        int, typer.Option(min=1, max=1000, help="Pronoun generation mode: completions per prompt.")
    ] = 10,
    gen_occupations: Annotated[
        int, typer.Option(min=1, max=10_000, help="Pronoun generation mode: occupations sampled.")
    ] = 12,
    occupations: Annotated[
        Path | None,
        typer.Option(
            callback=common.input_file,
            help="TSV with columns occupation, bls_pct_female (default: Winogender's).",
        ),
    ] = None,
    per_group: Annotated[
        int | None,
        typer.Option(min=1, max=100_000, help="Tone: BOLD prompts per group (default 100; 12 with --fast)."),
    ] = None,
    domains: Annotated[str, typer.Option(help="Tone: BOLD domains, comma-separated.")] = "gender,race",
    fast: Annotated[bool, typer.Option(help="A small subset (the demo's): about a minute or two.")] = False,
    chunk_size: Annotated[
        int,
        typer.Option(
            min=1,
            max=4096,
            help="Completions generated and stored together (smaller: less lost when killed).",
        ),
    ] = 32,
    as_json: common.JsonOpt = False,
) -> None:
    """Fairness probes of a generative model, with an HTML report and JSON."""
    from genguard.fairness.audit import FairnessOptions, run_fairness_audit
    from genguard.report.fairness_report import write_fairness_report
    from genguard.storage.runs import RunStore

    probes = tuple(dict.fromkeys(p.value for p in probe or [Probe.pronoun]))
    base = FairnessOptions.fast(seed) if fast else FairnessOptions(seed=seed)
    options = FairnessOptions.model_validate(
        base.model_dump()
        | {
            "per_group": per_group if per_group is not None else base.per_group,
            "generation": generation,
            "generation_samples": samples,
            "generation_occupations": gen_occupations,
            "occupations_file": str(occupations) if occupations else None,
            "domains": tuple(d.strip() for d in domains.split(",") if d.strip()),
            "chunk_size": chunk_size,
        }
    )
    _check_fairness_inputs(probes, options)
    lm = common.load_model_with_spinner(model, common.show_progress(as_json))
    from rich.progress import Progress

    with (
        RunStore(db or out_dir / "runs.sqlite") as store,
        Progress(console=common.err, disable=not common.show_progress(as_json)) as bars,
    ):

        def progress(task: str, total: int):
            handle = bars.add_task(task, total=total)
            return lambda n: bars.advance(handle, n)

        results = run_fairness_audit(lm, probes, store, options, progress)
    html, js = write_fairness_report(out_dir, sections=results)
    if as_json:
        common.emit({key: r.model_dump(mode="json") for key, r in results.items()})
        return
    _print_fairness(results)
    common.out.print(f"report: {html}  data: {js}", markup=False)


def _check_fairness_inputs(probes: tuple[str, ...], options) -> None:
    """Read what the probes will read (occupation statistics, BOLD domains) before the model loads,
    so that a bad file or domain fails at once; InvalidInputError otherwise."""
    if "tone" in probes:
        from genguard.fairness.tone import bold_items

        if not options.domains:
            raise InvalidInputError("--domains names no BOLD domain; e.g. --domains gender,race")
        bold_items(options.domains, 1, options.seed)
    if "pronoun" in probes and options.occupations_file:
        from genguard.fairness.pronoun import read_occupation_stats

        read_occupation_stats(options.occupations_file)


def _print_fairness(results: dict) -> None:
    """A few lines per probe; the report has the rest."""
    if "pronoun" in results:
        p = results["pronoun"]
        ci = p.correlation_ci
        common.out.print(
            f"pronoun (likelihood, {len(p.occupations)} occupations x {len(p.templates)} templates): "
            f"mean absolute skew {p.mean_absolute_skew:.2f}; r with labour statistics "
            + ("n/a" if p.correlation is None else f"{p.correlation:.2f} [{ci[0]:.2f}, {ci[1]:.2f}]"),
            markup=False,
        )
    if "context" in results:
        for m in results["context"].modifiers:
            verdict = "moves as expected" if m.moves_as_expected else "does NOT move as expected"
            common.out.print(
                f"  context '{m.modifier}' (should: {m.expected}): female share {m.shift:+.1%} "
                f"[{m.ci[0]:+.1%}, {m.ci[1]:+.1%}], {verdict}",
                markup=False,
            )
    if "pronoun_generation" in results:
        g = results["pronoun_generation"]
        r = "n/a" if g.correlation is None else f"{g.correlation:.2f}"
        common.out.print(
            f"pronoun (generation, {g.n_samples} completions, {g.share_with_pronoun:.0%} with a pronoun): "
            f"r with labour statistics {r}. {g.note}",
            markup=False,
        )
    if "tone" in results:
        t = results["tone"]
        common.out.print(
            f"tone ({t.n_prompts} BOLD prompts, {t.n_empty} empty completions): {t.note}", markup=False
        )
        for c in t.comparisons:
            if c.significant:
                common.out.print(
                    f"  {c.domain} {c.metric}: {c.group_a} - {c.group_b} = {c.difference:+.3f} "
                    f"(Holm p {c.p_adjusted:.3g})",
                    markup=False,
                )
        n_sig = sum(c.significant for c in t.comparisons)
        common.out.print(
            f"  {n_sig} of {len(t.comparisons)} group gaps significant at {t.alpha:.0%} (Holm)", markup=False
        )
    if "counterfactual" in results:
        c = results["counterfactual"]
        pref = "n/a" if c.stereotype_preference is None else f"{c.stereotype_preference:.1%}"
        common.out.print(
            f"counterfactual: stereotypical sentence preferred in {pref} of pairs. {c.note}", markup=False
        )
        for m in c.measures:
            if not m.too_small:
                common.out.print(
                    f"  {m.measure}: {m.mean:+.3f} [{m.ci[0]:+.3f}, {m.ci[1]:+.3f}], "
                    f"Holm p {m.p_adjusted:.3g}",
                    markup=False,
                )


# ---- audit: group fairness of a predictive model (tabular) ----


def _tabular_cell(rate, ci: bool = False) -> str:
    if rate.value is None:
        return f"too small (n={rate.n})"
    text = f"{100 * rate.value:5.1f} %"
    return f"{text} [{100 * rate.low:4.1f}, {100 * rate.high:5.1f}]" if ci else text


def _print_tabular_audit(audit, title: str) -> None:
    from genguard.fairness.stats import MIN_GROUP

    width = max(5, *(len(g.group) for g in audit.groups))
    common.out.print(f"  {title}", markup=False)
    common.out.print(
        f"    {'group':<{width}} {'n':>7}  {'selected':>8}  {'false rejection [95 % CI]':<26} "
        f"{'false positive':>15}  {'error':>7}",
        markup=False,
    )
    for g in audit.groups:
        if g.n < MIN_GROUP:
            common.out.print(f"    {g.group:<{width}} {g.n:>7,}  too small to judge", markup=False)
            continue
        frr = _tabular_cell(g.false_rejection_rate, ci=True)
        common.out.print(
            f"    {g.group:<{width}} {g.n:>7,}  {_tabular_cell(g.selection_rate):>8}  {frr:<26} "
            f"{_tabular_cell(g.false_positive_rate):>15}  {_tabular_cell(g.error_rate):>7}",
            markup=False,
        )


def _tabular_gap(audit) -> str:
    if audit.false_rejection_gap is None:
        return "none (fewer than two groups large enough to judge)"
    low, high = audit.gap_between
    return f"{100 * audit.false_rejection_gap:.1f} points ({high} highest, {low} lowest)"


def _tabular_group_spec(g) -> str:
    how = ([g.column] if g.name != g.column else []) + (["mapped"] if g.map else [])
    how += [f"bands at {', '.join(f'{b:g}' for b in g.bins)}"] if g.bins else []
    return f"{g.name} ({', '.join(how)})" if how else g.name


def _print_tabular(report) -> None:
    groups = ", ".join(_tabular_group_spec(g) for g in report.groups)
    what = f"{report.dataset} preset" if report.dataset else report.source
    what += f" on {report.source}" if report.dataset and report.source != report.dataset else ""
    features = f", {report.n_features} features" if report.n_features is not None else ""
    common.out.print(
        f"{what}: {report.rows:,} rows, label {report.label} = {report.positive} "
        f"({report.positive_meaning}){features}; groups: {groups}",
        markup=False,
    )
    common.out.print(
        f"false rejection = share of rows with {report.label} = {report.positive} that the model "
        f"predicts otherwise; groups with fewer than 10 in a rate's denominator get no number",
        markup=False,
    )
    for note in report.notes:
        common.out.print(f"note: {note}", markup=False)
    if report.mode == "predictions":
        common.out.print(f"given predictions ({report.prediction}): accuracy {100 * report.accuracy:.1f} %")
        for audit in report.audits:
            common.out.print()
            _print_tabular_audit(audit, f"{audit.attribute}: all {report.rows:,} rows")
            common.out.print(f"  false-rejection gap: {_tabular_gap(audit)}", markup=False)
        return
    for m in report.mitigations:
        common.out.print()
        common.out.print(
            f"{m.attribute}: {m.n_train:,} training / {m.n_test:,} held-out rows, {m.method}, "
            f"epsilon {100 * m.epsilon:.1f} %, seed {m.seed}",
            markup=False,
        )
        for title, audit, accuracy in (
            ("unconstrained", m.baseline, m.baseline_accuracy),
            ("constrained", m.constrained, m.constrained_accuracy),
        ):
            _print_tabular_audit(audit, f"{title} model: accuracy {100 * accuracy:.1f} %")
        ci = f", 95 % bootstrap CI [{100 * m.gap_ci[0]:.1f}, {100 * m.gap_ci[1]:.1f}]" if m.gap_ci else ""
        common.out.print(f"  false-rejection gap, unconstrained: {_tabular_gap(m.baseline)}", markup=False)
        common.out.print(
            f"  false-rejection gap, constrained:   {_tabular_gap(m.constrained)}{ci}", markup=False
        )
        if m.gap_ci and m.constrained_gap is not None and not m.gap_ci[0] <= m.constrained_gap <= m.gap_ci[1]:
            common.out.print(
                "  caution: the gap lies outside its interval: a bootstrapped largest-minus-smallest gap is "
                "biased upward when the true gap is near 0; read only the interval's upper end",
                markup=False,
            )
        if m.meets_epsilon:
            common.out.print(f"  meets epsilon = {100 * m.epsilon:.1f} %", markup=False)
        elif m.miss_by is not None:
            common.out.print(
                f"  misses epsilon = {100 * m.epsilon:.1f} % by {100 * m.miss_by:.1f} points", markup=False
            )
        else:
            common.out.print(
                "  cannot tell whether it meets epsilon: too few groups large enough", markup=False
            )


@audit_app.command("tabular")
def audit_tabular(
    data: Annotated[
        Path | None,
        typer.Argument(
            callback=common.input_file, help="CSV/TSV file with a header line (optional with --dataset)."
        ),
    ] = None,
    dataset: Annotated[
        Preset | None, typer.Option(help="Preset (label, groups, maps, bins of a known data set).")
    ] = None,
    label: Annotated[str | None, typer.Option(help="Column with the true outcome.")] = None,
    positive: Annotated[
        str | None, typer.Option(help="Label value of the favourable outcome (default 1, or the preset's).")
    ] = None,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="Group column; repeat for several (adds their intersection)."),
    ] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="Rename codes: COL=CODE:name,CODE:name (repeatable).")
    ] = None,
    bins: Annotated[
        list[str] | None, typer.Option("--bins", help="Numeric bands: COL=25,40 (repeatable).")
    ] = None,
    prediction: Annotated[
        str | None, typer.Option(help="Column with a model's predictions: audit them, train nothing.")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Column the model must not see (repeatable).")
    ] = None,
    epsilon: Annotated[
        float,
        typer.Option(
            callback=common.open_unit, help="Allowed false-rejection gap (0.01 = 1 point), in (0, 1)."
        ),
    ] = 0.01,
    method: Annotated[
        Method, typer.Option(help="exponentiated_gradient (in-training) or threshold_optimizer (post-hoc).")
    ] = Method.exponentiated_gradient,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the split, the model and the bootstrap.")] = 0,
    test_size: Annotated[
        float,
        typer.Option(callback=common.open_unit, help="Share of rows held out for the audit, in (0, 1)."),
    ] = 0.3,
    bootstrap: Annotated[
        int, typer.Option(min=0, max=1_000_000, help="Bootstrap resamples for the gap's CI.")
    ] = 1000,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            callback=common.output_folder,
            help="Folder for tabular.json and the report fairness.html.",
        ),
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """Group audit of a predictive model on a table: per-group error rates with intervals, and a
    model trained under false-rejection-rate parity compared with an unconstrained one."""
    import time

    from genguard.fairness.table import parse_bins, parse_map, run_tabular_audit

    maps: dict[str, dict[str, str]] = {}
    for spec in map_ or []:
        column, mapping = parse_map(spec)
        maps.setdefault(column, {}).update(mapping)
    edges = dict(parse_bins(spec) for spec in bins or [])
    started = time.perf_counter()
    report = run_tabular_audit(
        data,
        dataset=dataset.value if dataset else None,
        label=label,
        positive=positive,
        groups=group or [],
        maps=maps,
        bins=edges,
        prediction=prediction,
        exclude=exclude or [],
        epsilon=epsilon,
        method=method.value,
        seed=seed,
        test_size=test_size,
        bootstrap=bootstrap,
        progress=None if as_json else lambda msg: common.err.print(msg, markup=False),
    )
    seconds = time.perf_counter() - started
    if out_dir is not None:
        from genguard.report.fairness_report import write_fairness_report

        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "tabular.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
        write_fairness_report(out_dir, tabular=report)
    if as_json:
        common.emit(report.model_dump(mode="json"))
        return
    _print_tabular(report)
    if out_dir is not None:
        common.out.print(f"written: {out_dir / 'tabular.json'}, {out_dir / 'fairness.html'}", markup=False)
    common.err.print(f"done in {seconds:.1f} s", markup=False)
