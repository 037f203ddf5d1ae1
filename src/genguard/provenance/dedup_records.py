"""JSONL records for dedup: lines -> texts (bad lines named), batches of lines, the checked paths
of a run, atomic output files, the kept lines and the dropped map written out."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from genguard.errors import ConfigError, InvalidInputError
from genguard.provenance.dedup_params import DedupParameters, JsonlOptions, dedup_parameters

_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def _json_type(value: object) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def parse_line(line: bytes, text_field: str) -> str | tuple[None, str]:
    """The text of one JSONL line, or (None, reason) when the line is bad."""
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"is not valid UTF-8 ({e.reason} at byte {e.start})"
    try:
        obj = json.loads(decoded)
    except (ValueError, RecursionError) as e:  # RecursionError: nesting deeper than Python's stack
        return None, f"is not valid JSON ({e})"
    del decoded  # a long line is held once as bytes and once as its text, not three times
    if not isinstance(obj, dict):
        return None, f"holds a JSON {_json_type(obj)}, not an object"
    if text_field not in obj:
        return None, f"has no {text_field!r} field"
    text = obj[text_field]
    if not isinstance(text, str):
        return None, f"has a {text_field!r} that is a JSON {_json_type(text)}, not a string"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            return None, f"has a {text_field!r} holding a lone surrogate at character {e.start}"
    return text


def bad_line_error(path: str | Path, line_id: int, reason: str) -> InvalidInputError:
    """The error for a bad line under on_bad_line='error' (the line is named 1-based, as editors do)."""
    return InvalidInputError(
        f"{path}: line {line_id + 1} (id {line_id}) {reason}; fix the line, or pass "
        f"on_bad_line='skip' (CLI: --skip-bad-lines) to leave bad lines out and count them"
    )


def check_paths(
    in_path: str | Path, out_path: str | Path, dropped_path: str | Path | None
) -> tuple[Path, Path, Path]:
    """(input, output, dropped-map) paths; InvalidInputError for a missing input or clashing paths."""
    src, out = Path(in_path), Path(out_path)
    dropped = Path(dropped_path) if dropped_path is not None else out.with_name(out.stem + ".dropped.jsonl")
    if not src.is_file():
        raise InvalidInputError(f"input file {src} does not exist or is not a file")
    resolved = {p.resolve() for p in (src, out, dropped)}
    if len(resolved) < 3:
        raise ConfigError(
            f"input {src}, output {out} and dropped map {dropped} must be three different files"
        )
    return src, out, dropped


class AtomicWriter:
    """Writes to PATH.partial and renames it over PATH on success, so a failed run leaves no half file."""

    def __init__(self, path: Path) -> None:
        self.path, self.partial = path, path.with_name(path.name + ".partial")

    def __enter__(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.partial, "wb")  # closed in __exit__
        return self.file

    def __exit__(self, kind: type[BaseException] | None, value: object, traceback: object) -> None:
        self.file.close()
        if kind is None:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)


def line_batches(path: Path, batch_size: int, batch_bytes: int) -> Iterator[tuple[int, list[bytes]]]:
    """(first id, lines) of consecutive batches; lines keep their b"\\n" (JSON ignores it)."""
    with open(path, "rb") as f:
        batch: list[bytes] = []
        size = first = 0
        for line in f:
            batch.append(line)
            size += len(line)
            if len(batch) >= batch_size or size >= batch_bytes:
                yield first, batch
                first += len(batch)
                batch, size = [], 0
        if batch:
            yield first, batch


def write_kept(src: Path, out: Path, keep: np.ndarray) -> None:
    with open(src, "rb") as f, AtomicWriter(out) as w:
        for i, line in enumerate(f):
            if keep[i]:
                w.write(line if line.endswith(b"\n") else line + b"\n")


def prepare_jsonl_run(
    in_path: str | Path,
    out_path: str | Path,
    dropped_path: str | Path | None,
    batch_size: int,
    batch_bytes: int,
    options: JsonlOptions,
) -> tuple[DedupParameters, Path, Path, Path]:
    """(checked parameters, input, output, dropped map) of a JSONL dedup run, for either engine;
    ConfigError for a bad option, InvalidInputError for a missing input."""
    params = dedup_parameters(**options)
    if batch_size < 1 or batch_bytes < 1:
        raise ConfigError(f"batch_size and batch_bytes must be >= 1, got {batch_size}, {batch_bytes}")
    return params, *check_paths(in_path, out_path, dropped_path)
