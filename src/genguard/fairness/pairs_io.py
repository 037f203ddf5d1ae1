"""Reading sentence pairs from a CSV/TSV file with a header line, or from JSON Lines.

The format is chosen by the file name (.jsonl/.ndjson: JSON Lines; .tsv: tab-separated; else
CSV) and, for other names, by the first character (`{` means JSON Lines). A CSV's delimiter is
sniffed among comma, tab, semicolon and pipe from its header line. Columns are named by the
caller (`more`, `less`, optional `category`); a missing cell or a JSON null reads as an empty
sentence, which the audit counts and does not score.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from genguard.errors import InvalidInputError
from genguard.fairness.pairs import SentencePair
from genguard.files import decode_utf8, read_bytes

_JSONL = (".jsonl", ".ndjson")
_DELIMITERS = ",\t;|"


def read_pairs(path: str | Path, more: str, less: str, category: str | None = None) -> list[SentencePair]:
    """The pairs in `path`, one per row (CSV/TSV) or line (JSON Lines), in file order.

    Returns SentencePair objects (category "" without a category column). Raises
    InvalidInputError for a missing, unreadable, non-UTF-8 or empty file, a column not found
    (naming it and listing the file's columns), a JSON line that is not an object, or a CSV row
    with more fields than the header.
    """
    path = Path(path)
    text = decode_utf8(read_bytes(path, InvalidInputError, "pairs file"), path, InvalidInputError)
    if not text.strip():
        raise InvalidInputError(f"pairs file {path} is empty")
    jsonl = path.suffix.lower() in _JSONL or (
        path.suffix.lower() not in (".csv", ".tsv") and text.lstrip().startswith("{")
    )
    rows, columns = _read_jsonl(text, path) if jsonl else _read_csv(text, path)
    wanted = {"--more": more, "--less": less} | ({"--category": category} if category else {})
    for option, column in wanted.items():
        if column not in columns:
            raise InvalidInputError(
                f"column {column!r} ({option}) not found in {path}; its columns: {', '.join(columns)}"
            )

    def cell(row: dict, column: str) -> str:
        value = row.get(column)
        return "" if value is None else str(value)

    return [
        SentencePair(
            more=cell(row, more), less=cell(row, less), category=cell(row, category) if category else ""
        )
        for row in rows
    ]


def _read_jsonl(text: str, path: Path) -> tuple[list[dict], list[str]]:
    rows: list[dict] = []
    columns: dict[str, None] = {}  # insertion-ordered union of the keys
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{path} line {lineno} is not valid JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise InvalidInputError(f"{path} line {lineno} is a JSON {type(row).__name__}, not an object")
        rows.append(row)
        columns.update(dict.fromkeys(map(str, row)))
    return rows, list(columns)


def _read_csv(text: str, path: Path) -> tuple[list[dict], list[str]]:
    header = next(line for line in text.splitlines() if line.strip())
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        counts = {d: header.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\r\n")), delimiter=delimiter, restkey="\0extra")
    columns = [str(c).strip() for c in reader.fieldnames or []]
    rows = []
    for row in reader:
        if "\0extra" in row:
            raise InvalidInputError(
                f"{path} line {reader.line_num} has more fields than its header ({len(columns)}); "
                "quote cells that contain the delimiter"
            )
        if not any((v or "").strip() for v in row.values()):
            continue  # a blank line
        rows.append({str(k).strip(): v for k, v in row.items()})
    return rows, columns
