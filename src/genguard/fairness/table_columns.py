"""Columns of a data table -> what `genguard.fairness.tabular` works on: binary labels and
predictions (1 = the favourable outcome), group labels (codes mapped to names, numbers cut into
bands, empty values as the group MISSING) and a numeric feature matrix."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.table_io import as_text, is_numeric, require_columns
from genguard.fairness.tabular import intersect

if TYPE_CHECKING:
    import pandas as pd

MISSING = "missing"  # the group of rows whose group column is empty


def _binary(df: pd.DataFrame, column: str, positive: str, role: str) -> np.ndarray:
    values = as_text(df[column])
    missing = values.isna().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0]) + 1
        raise InvalidInputError(
            f"{role} column {column!r} has {int(missing.sum())} missing value(s) (the first in data "
            f"row {first}); fill them or drop those rows"
        )
    return (values == str(positive).strip()).to_numpy(dtype=bool).astype(np.int64)


def labels_from(df: pd.DataFrame, column: str, positive: str | int) -> np.ndarray:
    """1 where the label column equals `positive` (compared as stripped strings, 1.0 read as 1), else 0.

    Every other value counts as 0, so a column with more than two values is read one-vs-rest.
    Raises InvalidInputError when the column is missing, has missing values, has no value equal to
    `positive`, or holds only that value (an audit needs both outcomes).
    """
    require_columns(df, [column], "label")
    y = _binary(df, column, str(positive), "label")
    seen = as_text(df[column]).value_counts().index.tolist()
    if not y.any():
        raise InvalidInputError(
            f"label column {column!r} has no value equal to {str(positive)!r} (its values: "
            f"{', '.join(map(str, seen[:10]))}); give the favourable outcome with --positive"
        )
    if y.all():
        raise InvalidInputError(
            f"label column {column!r} holds only one value ({str(positive)!r}); an audit needs "
            "rows with both outcomes"
        )
    return y


def predictions_from(df: pd.DataFrame, column: str, positive: str | int, label: str) -> np.ndarray:
    """1 where the prediction column equals `positive`, coded like the label column.

    Raises InvalidInputError when the column is missing, has missing values, or holds values the
    label column never has (scores or probabilities instead of predicted labels).
    """
    require_columns(df, [column], "prediction")
    pred = _binary(df, column, str(positive), "prediction")
    unknown = sorted(set(as_text(df[column]).unique()) - set(as_text(df[label]).unique()))
    if unknown:
        raise InvalidInputError(
            f"prediction column {column!r} holds values the label column {label!r} never has "
            f"({', '.join(map(str, unknown[:5]))}); give predicted labels coded like the labels, not scores"
        )
    return pred


def _band_names(edges: Sequence[float], whole: bool) -> list[str]:
    def fmt(v: float) -> str:
        return f"{v:g}"

    names = [f"<{fmt(edges[0])}"]
    for lo, hi in itertools.pairwise(edges):
        names.append(f"{fmt(lo)}-{fmt(hi - 1)}" if whole else f"{fmt(lo)} to <{fmt(hi)}")
    return [*names, f">={fmt(edges[-1])}"]


def group_per_column(
    df: pd.DataFrame,
    columns: Sequence[str],
    maps: Mapping[str, Mapping] | None,
    bins: Mapping[str, Sequence] | None,
    names: Mapping[str, str],
) -> list[tuple[np.ndarray, str]]:
    """`derive_groups` of each column alone, with that column's map or bins (if any): one
    (groups, name) pair per column, in order (the table and decision audits both use it)."""
    maps, bins = maps or {}, bins or {}
    return [
        derive_groups(
            df,
            [c],
            {c: maps[c]} if c in maps else None,
            {c: bins[c]} if c in bins else None,
            names,
        )
        for c in columns
    ]


def derive_groups(
    df: pd.DataFrame,
    columns: str | Sequence[str],
    maps: Mapping[str, Mapping[str, str]] | None = None,
    bins: Mapping[str, Sequence[float]] | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[np.ndarray, str]:
    """Group labels of every row, and the attribute's name, from one or more group columns.

    `maps` renames codes per column ({"PERSONAL_STATUS_AND_SEX": {"A92": "female", ...}}; values
    without an entry keep their own text). `bins` cuts a numeric column into bands at the given
    edges ({"AGE": [25, 40]} -> "<25", "25-39", ">=40"; bands read "25 to <40" when the column or
    the edges are not whole numbers); a numeric column with more than 20 distinct values must be
    binned. `names` gives a column a display name ({"AGE": "age"}).
    Several columns give their intersection ("female x <25") and the attribute "sex x age".
    Rows whose group column is empty are put in the group "missing", not dropped, so that they
    stay visible in the audit. Raises InvalidInputError for an unknown column (listing those
    there are) and for non-numeric values in a binned column.
    """
    import pandas as pd

    columns = [columns] if isinstance(columns, str) else list(columns)
    maps, bins, names = dict(maps or {}), dict(bins or {}), dict(names or {})
    if not columns:
        raise InvalidInputError("no group column given; name at least one (--group COLUMN)")
    require_columns(df, columns, "group")
    for option, spec in (("map", maps), ("bins", bins)):
        stray = sorted(set(spec) - set(columns))
        if stray:
            raise InvalidInputError(
                f"--{option} given for {stray}, which is not a group column (groups: {', '.join(columns)})"
            )
    labelled = []
    for column in columns:
        series = df[column]
        if column in bins:
            edges = [float(e) for e in bins[column]]
            if not edges or any(b <= a for a, b in itertools.pairwise(edges)):
                raise InvalidInputError(f"bins for {column!r} must be increasing numbers, got {edges}")
            numbers = series if is_numeric(series) else pd.to_numeric(as_text(series), errors="coerce")
            bad = series[numbers.isna() & series.notna()]
            if len(bad):
                raise InvalidInputError(
                    f"column {column!r} has non-numeric values (e.g. {str(bad.iloc[0])!r}), so it "
                    "cannot be cut into bins; use --map to name its values instead"
                )
            numbers = numbers.astype(float)
            whole = all(e.is_integer() for e in edges) and numbers.dropna().apply(float.is_integer).all()
            band = np.searchsorted(np.asarray(edges), numbers.fillna(0).to_numpy(), side="right")
            values = np.asarray(_band_names(edges, whole), dtype=object)[band]
            values[numbers.isna().to_numpy()] = MISSING
        else:
            text = as_text(series)
            if is_numeric(series) and column not in maps and text.nunique() > 20:
                raise InvalidInputError(
                    f"group column {column!r} is numeric with {text.nunique()} distinct values; cut it "
                    f"into bands, e.g. --bins {column}=25,40"
                )
            mapping = {str(k).strip(): str(v) for k, v in maps.get(column, {}).items()}
            values = text.map(lambda v, m=mapping: MISSING if pd.isna(v) else m.get(v, v)).to_numpy(
                dtype=object
            )
        labelled.append(values.astype(str))
    attribute = " x ".join(names.get(c, c) for c in columns)
    return (labelled[0] if len(labelled) == 1 else intersect(*labelled)), attribute


def features_from(df: pd.DataFrame, exclude: Sequence[str]) -> np.ndarray:
    """The model's inputs: every column except `exclude`, as a float matrix.

    Numeric columns are kept as they are, with missing values replaced by the column's median (a
    column with no value at all is dropped); other columns are one-hot encoded
    (pandas.get_dummies; a missing value gives a row of zeros). Callers exclude the label, the
    group columns and any prediction column, so the model never sees the protected attribute
    directly; it may still learn it from proxies (Adult's relationship "Husband"/"Wife" encodes sex).
    A text column with as many distinct values as an identifier (over 50 and over half the rows) is
    refused, since one-hot encoding it would let the model memorise rows: exclude it.
    """
    import pandas as pd

    require_columns(df, list(exclude), "excluded")
    x = df.drop(columns=list(exclude))
    if x.shape[1] == 0:
        raise InvalidInputError("no feature columns left once label, group and excluded columns are removed")
    parts = []
    for column in x.columns:
        series = x[column]
        if pd.api.types.is_bool_dtype(series):
            parts.append(series.astype(float).to_frame())
        elif is_numeric(series):
            if series.notna().any():
                parts.append(series.astype(float).fillna(series.median()).to_frame())
        else:
            text = as_text(series)
            distinct = text.nunique()
            if distinct > 50 and distinct > len(text) / 2:
                raise InvalidInputError(
                    f"column {column!r} has {distinct} distinct values in {len(text)} rows, like an "
                    "identifier or free text; exclude it (--exclude) so the model does not memorise rows"
                )
            parts.append(pd.get_dummies(text, prefix=str(column), dtype=float))
    if not parts:
        raise InvalidInputError("no usable feature column (every one is empty)")
    return pd.concat(parts, axis=1).to_numpy(dtype=float)
