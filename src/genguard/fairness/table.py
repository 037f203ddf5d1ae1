"""Turn a data table into labels, groups and features for the tabular audits, and run them.

`load_table` reads a CSV/TSV file with a header line; `labels_from`, `derive_groups` and
`features_from` turn its columns into what `genguard.fairness.tabular` works on; `PRESETS` hold
the column choices for the shared public data sets; `run_tabular_audit` puts it together and
returns one `TabularReport` (what `genguard audit tabular` prints, writes and the report reads).

Conventions: label 1 = the favourable outcome (the value given as `positive`), prediction 1 = the
model grants it. The false-rejection rate is then the share of rows with the favourable label that
the model denies (German credit: creditworthy applicants predicted to default; Adult: people
earning >50K predicted to earn <=50K).

Reading is in `table_io`, the columns in `table_columns`, presets and spec parsing in
`table_presets`; their public names are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.table_columns import (
    MISSING,
    derive_groups,
    features_from,
    group_per_column,
    labels_from,
    predictions_from,
)
from genguard.fairness.table_io import load_table
from genguard.fairness.table_presets import GERMAN_SEX, PRESETS, TablePreset, parse_bins, parse_map
from genguard.fairness.tabular import MitigationResult, TabularAudit, audit_predictions, intersect, mitigate
from genguard.types import Result

__all__ = [
    "GERMAN_SEX",
    "METHODS",
    "MISSING",
    "PRESETS",
    "GroupSpec",
    "TablePreset",
    "TabularReport",
    "derive_groups",
    "features_from",
    "labels_from",
    "load_table",
    "parse_bins",
    "parse_map",
    "predictions_from",
    "run_tabular_audit",
]

METHODS = ("exponentiated_gradient", "threshold_optimizer")


class GroupSpec(Result):
    """How one group column became groups: its display name, value map and band edges."""

    column: str
    name: str
    map: dict[str, str] | None = None
    bins: list[float] | None = None


class TabularReport(Result):
    """Everything `genguard audit tabular` found, as one JSON-serialisable object.

    mode "predictions": `audits` holds the given predictions' per-group rates on all rows, one per
    group attribute and, with several, their intersection; `accuracy` is theirs.
    mode "mitigation": `mitigations` holds one MitigationResult per attribute (each single group
    column and, with several, their intersection), each training its own constrained model under
    that attribute's constraint and auditing both models on its own held-out split (stratified by
    that attribute and the label, so the unconstrained model's numbers differ slightly between
    attributes). `notes` says what was skipped and why.
    """

    dataset: str | None
    source: str
    rows: int
    label: str
    positive: str
    positive_meaning: str
    groups: list[GroupSpec]
    mode: Literal["predictions", "mitigation"]
    prediction: str | None
    n_features: int | None
    epsilon: float
    method: str
    seed: int
    test_size: float
    accuracy: float | None
    audits: list[TabularAudit]
    mitigations: list[MitigationResult]
    notes: list[str]


def _trainable(y: np.ndarray, groups: np.ndarray, test_size: float) -> str | None:
    """Why `mitigate` cannot split or train on these groups, or None when it can."""
    cells: dict[tuple[str, int], int] = {}
    for g, v in zip(groups.tolist(), y.tolist(), strict=True):
        cells[g, v] = cells.get((g, v), 0) + 1
    for (g, v), n in sorted(cells.items()):
        if n < 2:
            return (
                f"group {g!r} has only {n} row with label {v} "
                "(the train/test split stratifies by group and label)"
            )
    for g in sorted(set(groups.tolist())):
        if cells.get((g, 1), 0) < 2:
            return f"group {g!r} has fewer than 2 rows with the favourable label"
    n_test = math.ceil(test_size * len(y))
    if min(n_test, len(y) - n_test) < len(cells):
        return f"{len(cells)} group x label cells do not fit in a split of {len(y) - n_test}/{n_test} rows"
    return None


def run_tabular_audit(
    data: str | Path | None = None,
    *,
    dataset: str | None = None,
    label: str | None = None,
    positive: str | None = None,
    groups: Sequence[str] = (),
    maps: Mapping[str, Mapping[str, str]] | None = None,
    bins: Mapping[str, Sequence[float]] | None = None,
    prediction: str | None = None,
    exclude: Sequence[str] = (),
    epsilon: float = 0.01,
    method: str = "exponentiated_gradient",
    seed: int = 0,
    test_size: float = 0.3,
    bootstrap: int = 1000,
    progress: Callable[[str], None] | None = None,
) -> TabularReport:
    """Audit a table: given predictions (`prediction`), or an unconstrained model against one
    trained under false-rejection-rate parity (`mitigate`) for each group attribute.

    `data` is a CSV/TSV path; `dataset` a key of PRESETS, whose label, positive value, groups,
    maps, bins and names are the defaults (explicit arguments win; a group may be named by the
    preset's display name, e.g. "age"). With several groups each is audited alone and their
    intersection too. An attribute whose groups are too small to split and train on is skipped
    with a note; if every one is, InvalidInputError says why.
    """
    if method not in METHODS:
        raise InvalidInputError(f"unknown method {method!r}; use {' or '.join(METHODS)}")
    if not 0 < epsilon < 1:
        raise InvalidInputError(f"epsilon must lie between 0 and 1 (a rate difference), got {epsilon}")
    if not 0 < test_size < 1:
        raise InvalidInputError(f"test size must lie between 0 and 1, got {test_size}")
    preset = None
    if dataset is not None:
        if dataset not in PRESETS:
            raise InvalidInputError(f"unknown dataset {dataset!r}; known: {', '.join(PRESETS)}")
        preset = PRESETS[dataset]
    if data is not None:
        df, source = load_table(data), str(data)
    elif preset is not None:
        df, source = preset.loader(), dataset
    else:
        raise InvalidInputError("give a data file or --dataset (one of: " + ", ".join(PRESETS) + ")")
    label = label or (preset.label if preset else None)
    if label is None:
        raise InvalidInputError("name the label column with --label (or use --dataset)")
    positive = str(positive if positive is not None else (preset.positive if preset else "1"))
    names = dict(preset.names) if preset else {}
    by_name = {v: k for k, v in names.items()}
    columns = [by_name.get(g, g) if g not in df.columns else g for g in groups]
    if not columns:
        if preset is None:
            raise InvalidInputError("name at least one group column with --group")
        columns = list(preset.groups)
    if len(set(columns)) < len(columns):
        raise InvalidInputError(f"a group column is named twice: {columns}")
    user_maps = {by_name.get(c, c): dict(m) for c, m in (maps or {}).items()}
    user_bins = {by_name.get(c, c): list(b) for c, b in (bins or {}).items()}
    for option, spec in (("map", user_maps), ("bins", user_bins)):
        stray = sorted(set(spec) - set(columns))
        if stray:
            raise InvalidInputError(
                f"--{option} given for {', '.join(stray)}, which is not a group column "
                f"(groups: {', '.join(columns)})"
            )
    all_maps = {c: dict(m) for c, m in (preset.maps if preset else {}).items() if c in columns}
    all_bins = {c: list(b) for c, b in (preset.bins if preset else {}).items() if c in columns}
    for c in user_maps:
        all_bins.pop(c, None)  # what the caller says about a column replaces the preset's
    for c in user_bins:
        all_maps.pop(c, None)
    all_maps.update(user_maps)
    all_bins.update(user_bins)
    both = sorted(set(all_maps) & set(all_bins))
    if both:
        raise InvalidInputError(f"column {both[0]!r} has both a map and bins; give one")

    y = labels_from(df, label, positive)
    singles = group_per_column(df, columns, all_maps, all_bins, names)
    attributes = list(singles)
    if len(columns) > 1:
        attributes.append((intersect(*(g for g, _ in singles)), " x ".join(a for _, a in singles)))
    specs = [
        GroupSpec(column=c, name=names.get(c, c), map=all_maps.get(c), bins=all_bins.get(c)) for c in columns
    ]
    common = dict(
        dataset=dataset,
        source=source,
        rows=len(df),
        label=label,
        positive=positive,
        positive_meaning=preset.positive_meaning if preset else f"{label} = {positive}",
        groups=specs,
        prediction=prediction,
        epsilon=epsilon,
        method=method,
        seed=seed,
        test_size=test_size,
    )
    notes = [
        f"{int((g == MISSING).sum())} rows with no value for {a} are audited as the group {MISSING!r}"
        for g, a in singles
        if (g == MISSING).any()
    ]
    if prediction is not None:
        pred = predictions_from(df, prediction, positive, label)
        audits = [audit_predictions(y, pred, g, a) for g, a in attributes]
        return TabularReport(
            mode="predictions",
            n_features=None,
            accuracy=float(np.mean(pred == y)),
            audits=audits,
            mitigations=[],
            notes=notes,
            **common,
        )
    x = features_from(df, [label, *columns, *exclude])
    results = []
    for i, (g, a) in enumerate(attributes, 1):
        why = _trainable(y, g, test_size)
        if why:
            notes.append(f"{a}: not trained, {why}; merge small groups with --map or audit given predictions")
            continue
        if progress:
            progress(f"training for {a} ({i}/{len(attributes)}, {method})")
        results.append(
            mitigate(
                x,
                y,
                g,
                a,
                epsilon=epsilon,
                method=method,
                test_size=test_size,
                seed=seed,
                bootstrap=bootstrap,
            )
        )
    if not results:
        raise InvalidInputError("no group attribute can be trained on: " + "; ".join(notes))
    return TabularReport(
        mode="mitigation",
        n_features=int(x.shape[1]),
        accuracy=None,
        audits=[],
        mitigations=results,
        notes=notes,
        **common,
    )
