"""Turn a data table into labels, groups and features for the tabular audits, and run them.

`load_table` reads a CSV/TSV file with a header line; `labels_from`, `derive_groups` and
`features_from` turn its columns into what `genguard.fairness.tabular` works on; `PRESETS` hold
the column choices for the shared public data sets; `run_tabular_audit` puts it together and
returns one `TabularReport` (what `genguard audit tabular` prints, writes and the report reads).

Conventions: label 1 = the favourable outcome (the value given as `positive`), prediction 1 = the
model grants it. The false-rejection rate is then the share of rows with the favourable label that
the model denies (German credit: creditworthy applicants predicted to default; Adult: people
earning >50K predicted to earn <=50K).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.tabular import MitigationResult, TabularAudit, audit_predictions, intersect, mitigate
from genguard.types import Result

if TYPE_CHECKING:
    import pandas as pd

MISSING = "missing"  # the group of rows whose group column is empty
_DELIMITERS = {"\t": "\t", ",": ",", ";": ";", "|": "|", " ": r"\s+"}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
METHODS = ("exponentiated_gradient", "threshold_optimizer")


# ---------------------------------------------------------------- reading a table


def load_table(path: str | Path) -> pd.DataFrame:
    """A CSV/TSV file with a header line as a DataFrame.

    The delimiter is sniffed from the first 50 non-blank lines: tab, comma, semicolon, pipe, or
    runs of spaces (as in UCI's german.data), whichever splits every one of those lines into the
    same number (at least two) of fields. Text values are whitespace-stripped; empty cells, pandas'
    usual markers (NA, NaN, null ...) and "?" (UCI's marker) are missing. Raises
    InvalidInputError for a missing file, bytes that are not UTF-8 (naming byte and line), an empty
    file, a file with a single column, or a first line that looks like data rather than a header.
    """
    import pandas as pd

    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInputError(f"file {path} not found") from exc
    except IsADirectoryError as exc:
        raise InvalidInputError(f"{path} is a folder; give a CSV/TSV file") from exc
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from exc
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = bom + exc.start
        line = raw.count(b"\n", 0, at) + 1
        raise InvalidInputError(
            f"{path} is not valid UTF-8 (byte {at}, line {line}: {raw[at : at + 1]!r}); "
            "re-encode it as UTF-8, e.g. with iconv -f latin1 -t utf-8"
        ) from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InvalidInputError(f"{path} is empty; give a CSV/TSV table with a header line")
    delimiter = _sniff(lines[:50])
    if delimiter is None:
        raise InvalidInputError(
            f"{path} has a single column (no tab, comma, semicolon, pipe or space between fields "
            f"in its first line {lines[0][:80]!r}); give a table with a header line naming each column"
        )
    header = _split(lines[0], delimiter)
    numeric = [h for h in header if _NUMBER.match(h.strip().strip('"'))]
    if numeric:
        raise InvalidInputError(
            f"the first line of {path} looks like data, not a header (field {numeric[0]!r} is a "
            "number); add a header line naming each column"
        )
    names = [h.strip().strip('"') for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1 and n})
    if dupes:
        raise InvalidInputError(f"{path} names column(s) {dupes} twice in its header; rename them")
    if len(lines) < 2:
        raise InvalidInputError(f"{path} has a header line but no rows")
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=_DELIMITERS[delimiter],
            skipinitialspace=True,
            na_values=["?"],
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InvalidInputError(f"cannot parse {path} as a table: {str(exc).strip()}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    for column in df.columns:
        if not _is_numeric(df[column]):
            values = df[column].astype("string").str.strip()
            values = values.mask(values.isin(["", "?"]))
            as_number = pd.to_numeric(values, errors="coerce")
            if values.notna().any() and as_number.notna().sum() == values.notna().sum():
                df[column] = as_number  # numbers that had stray spaces around them
            else:
                df[column] = values
    return df


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == " ":
        return line.split()
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True))


def _sniff(lines: list[str]) -> str | None:
    best, best_width = None, 1
    for delimiter in _DELIMITERS:
        widths = [len(_split(line, delimiter)) for line in lines]
        if widths[0] >= 2 and len(set(widths)) == 1:
            return delimiter
        if widths[0] > best_width:
            best, best_width = delimiter, widths[0]
    return best  # rows of unequal width: pandas names the first bad line


def _is_numeric(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _require(df: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    for column in columns:
        if column not in df.columns:
            available = ", ".join(map(str, df.columns))
            raise InvalidInputError(f"{role} column {column!r} not found; available columns: {available}")


def _as_text(series: pd.Series) -> pd.Series:
    """Values as stripped strings (whole floats without '.0', so 1.0 reads as '1'); missing stays missing."""
    import pandas as pd

    if _is_numeric(series):
        values = series.astype(float)
        whole = values.dropna().apply(float.is_integer).all()
        text = values.map(lambda v: None if pd.isna(v) else (str(int(v)) if whole else repr(float(v))))
        return text.astype("string")
    return series.astype("string").str.strip()


# ---------------------------------------------------------------- labels, groups, features


def _binary(df: pd.DataFrame, column: str, positive: str, role: str) -> np.ndarray:
    values = _as_text(df[column])
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
    _require(df, [column], "label")
    y = _binary(df, column, str(positive), "label")
    seen = _as_text(df[column]).value_counts().index.tolist()
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
    _require(df, [column], "prediction")
    pred = _binary(df, column, str(positive), "prediction")
    unknown = sorted(set(_as_text(df[column]).unique()) - set(_as_text(df[label]).unique()))
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
    _require(df, columns, "group")
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
            numbers = series if _is_numeric(series) else pd.to_numeric(_as_text(series), errors="coerce")
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
            text = _as_text(series)
            if _is_numeric(series) and column not in maps and text.nunique() > 20:
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

    _require(df, list(exclude), "excluded")
    x = df.drop(columns=list(exclude))
    if x.shape[1] == 0:
        raise InvalidInputError("no feature columns left once label, group and excluded columns are removed")
    parts = []
    for column in x.columns:
        series = x[column]
        if pd.api.types.is_bool_dtype(series):
            parts.append(series.astype(float).to_frame())
        elif _is_numeric(series):
            if series.notna().any():
                parts.append(series.astype(float).fillna(series.median()).to_frame())
        else:
            text = _as_text(series)
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


# ---------------------------------------------------------------- presets


GERMAN_SEX = {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}


@dataclass(frozen=True)
class TablePreset:
    """Column choices for one public data set: where its rows come from, its label and its groups."""

    title: str
    loader: Callable[[], pd.DataFrame]
    label: str
    positive: str
    positive_meaning: str
    groups: tuple[str, ...]
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    bins: dict[str, list[float]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def _german():
    from genguard.datasets import german_credit

    return german_credit()


def _adult():
    from genguard.datasets import adult

    return adult()


PRESETS: dict[str, TablePreset] = {
    # CLASSIFICATION 1 = good credit (repaid); false rejection = creditworthy applicant predicted
    # to default. Sex comes from PERSONAL_STATUS_AND_SEX (which also codes marital status, so the
    # model does not see marital status either); age is split at 25, as in Kamiran & Calders (2009).
    "german-credit": TablePreset(
        title="UCI Statlog German Credit",
        loader=_german,
        label="CLASSIFICATION",
        positive="1",
        positive_meaning="creditworthy: repaid",
        groups=("PERSONAL_STATUS_AND_SEX", "AGE"),
        maps={"PERSONAL_STATUS_AND_SEX": GERMAN_SEX},
        bins={"AGE": [25]},
        names={"PERSONAL_STATUS_AND_SEX": "sex", "AGE": "age"},
    ),
    # "positive" = high income (>50K): the false-rejection rate is the share of people earning
    # >50K whom the model predicts to earn <=50K.
    "adult": TablePreset(
        title="UCI Adult census income",
        loader=_adult,
        label="income",
        positive=">50K",
        positive_meaning="high income, >50K",
        groups=("sex", "race"),
    ),
}


# ---------------------------------------------------------------- parsing CLI-style specs


def parse_map(spec: str) -> tuple[str, dict[str, str]]:
    """'COL=CODE:name,CODE:name' -> (COL, {CODE: name})."""
    column, eq, rest = spec.partition("=")
    pairs = [p.partition(":") for p in rest.split(",") if p.strip()]
    if not eq or not column.strip() or not pairs or any(not c.strip() or not s for c, s, _ in pairs):
        raise InvalidInputError(f"cannot read map {spec!r}; write COLUMN=CODE:name,CODE:name")
    return column.strip(), {c.strip(): n.strip() for c, _, n in pairs}


def parse_bins(spec: str) -> tuple[str, list[float]]:
    """'COL=25,40' -> (COL, [25.0, 40.0])."""
    column, eq, rest = spec.partition("=")
    try:
        edges = [float(e) for e in rest.split(",") if e.strip()]
    except ValueError:
        edges = []
    if not eq or not column.strip() or not edges or any(not math.isfinite(e) for e in edges):
        raise InvalidInputError(f"cannot read bins {spec!r}; write COLUMN=EDGE,EDGE (e.g. AGE=25,40)")
    return column.strip(), edges


# ---------------------------------------------------------------- the audit


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
    singles = [
        derive_groups(
            df,
            [c],
            {c: all_maps[c]} if c in all_maps else None,
            {c: all_bins[c]} if c in all_bins else None,
            names,
        )
        for c in columns
    ]
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
