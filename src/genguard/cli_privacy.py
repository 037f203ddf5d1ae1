"""`genguard unlearn fit|forget|predict` (SISA ensembles on a table) and `genguard audit membership`
(membership-inference audit of a model trained on a table, or of given scores).

Tables: a CSV/TSV file with a header line, or a preset (--dataset adult|german-credit: its label
and favourable value from genguard.fairness.table.PRESETS). Features are every other column
(`features_from`: numbers as they are, text one-hot encoded); ids are the --id-column's values,
or the row numbers (0-based) of the table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from genguard import cli_common as common
from genguard.errors import ConfigError, InvalidInputError

unlearn_app = typer.Typer(
    help="Machine unlearning: SISA sharded ensembles that forget records by retraining one shard.",
    no_args_is_help=True,
)
Dataset = common.choices(
    "Dataset", ["adult", "german-credit"], "Table presets (genguard.fairness.table.PRESETS)."
)
Constituent = common.choices("Constituent", ["logreg", "mlp"], "Model trained on each shard.")
TargetModel = common.choices("TargetModel", ["overfit", "normal", "dp", "sisa"], "Model to audit.")
CLI_FILE = "table.json"  # how the table was encoded, beside the ensemble's manifest

DataArg = Annotated[
    Path | None,
    typer.Argument(callback=common.input_file, help="CSV/TSV table (or --dataset).", show_default=False),
]
DatasetOpt = Annotated[Dataset | None, typer.Option(help="A preset table instead of a file.")]
LabelOpt = Annotated[str | None, typer.Option(help="Label column (default: the preset's).")]
PositiveOpt = Annotated[str | None, typer.Option(help="Label value of the favourable outcome (default 1).")]
IdOpt = Annotated[str | None, typer.Option(help="Column of record ids (default: row numbers).")]


def _table(
    data: Path | None, dataset: str | None, label: str | None, positive: str | None, id_column: str | None
):
    """(X, y, ids, source description) of a table or preset."""
    from genguard.fairness.table import PRESETS, features_from, labels_from, load_table

    preset = PRESETS[str(dataset)] if dataset is not None else None
    if data is not None:
        df, source = load_table(data), {"data": str(Path(data).resolve())}
    elif preset is not None:
        df, source = preset.loader(), {"dataset": str(dataset)}
    else:
        raise InvalidInputError("give a table file or --dataset adult|german-credit")
    label = label or (preset.label if preset else None)
    if label is None:
        raise InvalidInputError("name the label column with --label (or use --dataset)")
    positive = str(positive if positive is not None else (preset.positive if preset else "1"))
    y = labels_from(df, label, positive)
    if id_column is not None and id_column not in df.columns:
        raise InvalidInputError(
            f"no column {id_column!r} for ids; columns: {', '.join(map(str, df.columns[:20]))}"
        )
    ids = df[id_column].astype(str).to_numpy() if id_column else None
    x = features_from(df, [label] + ([id_column] if id_column else []))
    return x, y, ids, {**source, "label": label, "positive": positive, "id_column": id_column}


def _constituent(name: str):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from genguard.unlearning import TorchClassifier

    if name == "mlp":
        return TorchClassifier(hidden=(64,), epochs=4, batch_size=128, standardize=True)
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


@unlearn_app.command("fit")
def unlearn_fit(
    data: DataArg = None,
    out_dir: Annotated[
        Path,
        typer.Option("--out", callback=common.output_folder, help="Folder for the ensemble (new or empty)."),
    ] = Path("out/unlearn"),
    dataset: DatasetOpt = None,
    label: LabelOpt = None,
    positive: PositiveOpt = None,
    id_column: IdOpt = None,
    shards: Annotated[int, typer.Option(min=1, max=1000, help="Number of shards (S).")] = 5,
    slices: Annotated[int, typer.Option(min=1, max=100, help="Slices per shard (R); mlp only above 1.")] = 1,
    model: Annotated[Constituent, typer.Option(help="Constituent model.")] = Constituent.logreg,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the assignment and the models.")] = 0,
    as_json: common.JsonOpt = False,
) -> None:
    """Train a SISA ensemble on a table and keep it, with its shards' records, in --out."""
    from genguard.unlearning import ShardedEnsemble

    if slices > 1 and model == Constituent.logreg:
        raise ConfigError("slices need a constituent that continues training: use --model mlp with --slices")
    x, y, ids, source = _table(data, dataset, label, positive, id_column)
    ens = ShardedEnsemble(
        _constituent(str(model)),
        n_shards=shards,
        n_slices=slices,
        epochs_per_slice=2,
        checkpoint_dir=out_dir,
        random_state=seed,
    )
    ens.fit(x, y, ids=ids)
    (out_dir / CLI_FILE).write_text(json.dumps({**source, "n_features": int(x.shape[1])}, indent=1) + "\n")
    report = ens.fit_report_
    if as_json:
        common.emit(report.model_dump())
        return
    common.out.print(
        f"{report.records:,} records in {report.shards} shards ({min(report.shard_sizes):,}-"
        f"{max(report.shard_sizes):,} each), {report.slices} slice(s): trained in {report.seconds:.1f} s; "
        f"training accuracy {100 * float((ens.predict(x) == y).mean()):.1f} %",
        markup=False,
    )
    common.out.print(f"written: {out_dir}", markup=False)


def _ensemble(folder: Path):
    from genguard.unlearning import ShardedEnsemble

    ens = ShardedEnsemble.load(folder)
    try:
        source = json.loads((folder / CLI_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        source = None
    return ens, source


FolderArg = Annotated[
    Path, typer.Argument(callback=common.output_folder, help="Folder written by `genguard unlearn fit`.")
]


@unlearn_app.command("forget")
def unlearn_forget(
    folder: FolderArg,
    ids: Annotated[
        list[str] | None, typer.Option("--id", help="Id of a record to forget; repeat for several.")
    ] = None,
    ids_file: Annotated[
        Path | None, typer.Option(callback=common.input_file, help="File with one id per line.")
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """Forget records: retrain only the shards (and slices) that held them. An unknown id changes nothing."""
    wanted = list(ids or [])
    if ids_file is not None:
        wanted += [line.strip() for line in common.read_text(ids_file).splitlines() if line.strip()]
    if not wanted:
        raise InvalidInputError("give the ids to forget with --id or --ids-file")
    ens, _ = _ensemble(folder)
    report = ens.forget(wanted)
    if as_json:
        common.emit(report.model_dump())
        return
    common.out.print(
        f"forgot {report.forgotten:,} record(s): retrained {len(report.shards_retrained)} of "
        f"{ens.n_shards} shards ({report.steps_retrained} slice steps) in {report.seconds:.2f} s; "
        f"{report.record_passes:,} record passes against {report.full_record_passes:,} for a full "
        f"retrain ({report.speedup_work:.1f}x less work)",
        markup=False,
    )


@unlearn_app.command("predict")
def unlearn_predict(
    folder: FolderArg,
    data: DataArg = None,
    dataset: DatasetOpt = None,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", callback=common.output_file, help="CSV of id, prediction, P(favourable)."),
    ] = None,
    as_json: common.JsonOpt = False,
) -> None:
    """Predict a table with a stored ensemble (the table fit used, or one encoded the same way)."""
    import numpy as np

    ens, source = _ensemble(folder)
    if data is None and dataset is None and source is not None:
        data = Path(source["data"]) if "data" in source else None
        dataset = source.get("dataset")
    s = source or {}
    x, y, ids, _ = _table(data, dataset, s.get("label"), s.get("positive"), s.get("id_column"))
    if x.shape[1] != ens.n_features_in_:
        raise InvalidInputError(
            f"the table encodes to {x.shape[1]} features, the ensemble takes {ens.n_features_in_}; "
            "give a table with the same columns and category values as the one it was fitted on"
        )
    proba = (
        ens.predict_proba(x)[:, list(ens.classes_).index(1)]
        if 1 in ens.classes_
        else ens.predict_proba(x)[:, -1]
    )
    pred = ens.predict(x)
    result = {
        "rows": len(x),
        "accuracy": float((pred == y).mean()),
        "favourable_predicted": int((pred == 1).sum()),
    }
    if out_file is not None:
        keys = ids if ids is not None else np.arange(len(x)).astype(str)
        lines = ["id,prediction,probability"] + [
            f"{k},{p},{q:.6f}" for k, p, q in zip(keys, pred, proba, strict=True)
        ]
        out_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if as_json:
        common.emit(result)
        return
    common.out.print(
        f"{result['rows']:,} rows: accuracy {100 * result['accuracy']:.1f} % against the table's labels, "
        f"{result['favourable_predicted']:,} predicted favourable"
        + (f"; written: {out_file}" if out_file else ""),
        markup=False,
    )


def _target(kind: str, epsilon: float, seed: int):
    from genguard.privacy.dp_torch import DPTorchClassifier
    from genguard.unlearning import ShardedEnsemble, TorchClassifier

    overfit = TorchClassifier(hidden=(256, 256), epochs=100, batch_size=64, random_state=seed)
    if kind == "overfit":
        return overfit
    if kind == "normal":
        return TorchClassifier(hidden=(64,), epochs=8, batch_size=64, weight_decay=1e-4, random_state=seed)
    if kind == "dp":
        return DPTorchClassifier(
            epsilon=epsilon, hidden=(64,), epochs=20, batch_size=256, lr=0.1, random_state=seed
        )
    return ShardedEnsemble(overfit, n_shards=5, random_state=seed)


def audit_membership(
    data: DataArg = None,
    dataset: DatasetOpt = None,
    label: LabelOpt = None,
    positive: PositiveOpt = None,
    scores: Annotated[
        Path | None,
        typer.Option(
            callback=common.input_file, help="CSV with columns member (0/1) and score (higher = member)."
        ),
    ] = None,
    model: Annotated[
        TargetModel, typer.Option(help="Model trained on the members and audited.")
    ] = TargetModel.normal,
    epsilon: Annotated[float, typer.Option(help="Privacy budget of --model dp (> 0).")] = 3.0,
    members: Annotated[
        int, typer.Option(min=20, help="Members (and as many non-members) drawn from the table.")
    ] = 1000,
    shadows: Annotated[
        int, typer.Option(min=0, max=64, help="LiRA shadow models (even; 0: threshold attack only).")
    ] = 0,
    balance: Annotated[
        bool, typer.Option(help="Subsample the larger side when sizes differ > 10:1.")
    ] = False,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the split, the models and the bootstrap.")] = 0,
    as_json: common.JsonOpt = False,
) -> None:
    """Membership-inference audit: ROC AUC and TPR at 0.1 % / 1 % FPR (95 % bootstrap intervals) of
    the loss-threshold attack (and LiRA with --shadows) on a model trained on half of the drawn rows,
    or of given membership scores (--scores)."""
    import numpy as np

    from genguard.privacy import evaluate_scores, lira_attack, threshold_attack
    from genguard.privacy.dp_torch import check_privacy

    if scores is not None:
        from genguard.fairness.table import load_table

        df = load_table(scores)
        missing = {"member", "score"} - set(df.columns)
        if missing:
            raise InvalidInputError(
                f"{scores} lacks column(s) {', '.join(sorted(missing))}; it needs member and score"
            )
        m = df["member"].astype(str).str.strip().isin(["1", "1.0", "true", "True"]).to_numpy()
        s = np.asarray(df["score"], dtype=float)
        results = [evaluate_scores(s[m], s[~m], "given scores", balance=balance, seed=seed)]
    else:
        if model == TargetModel.dp:
            check_privacy(epsilon, None)
        if shadows % 2:
            raise ConfigError(f"--shadows must be even (each record is in half of them), got {shadows}")
        from sklearn.base import clone
        from sklearn.preprocessing import StandardScaler

        x, y, _, _ = _table(data, dataset, label, positive, None)
        rng = np.random.default_rng(seed)
        if 2 * members > len(y):
            raise InvalidInputError(
                f"--members {members} needs {2 * members:,} rows; the table has {len(y):,}"
            )
        order = rng.permutation(len(y))
        pop, public = order[: 2 * members], order[2 * members :]
        scaler = StandardScaler().fit(x[public] if len(public) >= 50 else x[pop])
        xp, yp = scaler.transform(x[pop]), y[pop]
        member = np.arange(len(pop)) < members
        estimator = _target(str(model), epsilon, seed)
        target = clone(estimator).fit(xp[member], yp[member])
        proba = target.predict_proba(xp)
        results = [
            threshold_attack(proba, yp, target.classes_, member, model=str(model), seed=seed, balance=balance)
        ]
        if hasattr(target, "privacy_spent"):
            spent = target.privacy_spent()
            note = (
                f"the model was trained with DP: epsilon {spent['epsilon']:.2f}, delta {spent['delta']:.1e} "
                f"({spent['accountant']} accountant, noise multiplier {spent['noise_multiplier']:.2f})"
            )
            results[0] = results[0].model_copy(update={"notes": [*results[0].notes, note]})
        if shadows:
            results.append(
                lira_attack(estimator, xp, yp, member, proba, n_shadows=shadows, seed=seed, model=str(model))
            )
    if as_json:
        common.emit([r.model_dump() for r in results])
        return
    for r in results:
        low, one = r.tpr_at
        low_text = low.note or f"{100 * low.tpr:.2f} % [{100 * low.ci[0]:.2f}, {100 * low.ci[1]:.2f}]"
        common.out.print(
            f"{r.attack} ({r.members:,} members, {r.non_members:,} non-members): AUC {r.auc:.3f} "
            f"[{r.auc_ci[0]:.3f}, {r.auc_ci[1]:.3f}]; TPR at 0.1 % FPR {low_text}; TPR at 1 % FPR "
            + (one.note or f"{100 * one.tpr:.2f} % [{100 * one.ci[0]:.2f}, {100 * one.ci[1]:.2f}]"),
            markup=False,
        )
        for note in r.notes:
            common.out.print(f"  {note}", markup=False)
