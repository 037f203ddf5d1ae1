"""Reading a data table for the tabular audits: CSV/TSV/semicolon/space-separated files with a
header line (delimiter sniffed), and the column helpers shared by the label, group and feature
readers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from genguard.errors import InvalidInputError
from genguard.files import decode_utf8, read_bytes

if TYPE_CHECKING:
    import pandas as pd

_DELIMITERS = {"\t": "\t", ",": ",", ";": ";", "|": "|", " ": r"\s+"}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


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
    text = decode_utf8(read_bytes(path, InvalidInputError, "CSV/TSV file"), path, InvalidInputError)
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
        if not is_numeric(df[column]):
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


def is_numeric(series: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def require_columns(df: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    for column in columns:
        if column not in df.columns:
            available = ", ".join(map(str, df.columns))
            raise InvalidInputError(f"{role} column {column!r} not found; available columns: {available}")


def as_text(series: pd.Series) -> pd.Series:
    """Values as stripped strings (whole floats without '.0', so 1.0 reads as '1'); missing stays missing."""
    import pandas as pd

    if is_numeric(series):
        values = series.astype(float)
        whole = values.dropna().apply(float.is_integer).all()
        text = values.map(lambda v: None if pd.isna(v) else (str(int(v)) if whole else repr(float(v))))
        return text.astype("string")
    return series.astype("string").str.strip()
