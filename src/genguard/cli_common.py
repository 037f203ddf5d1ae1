"""What every command group of the command line shares: consoles, common options, option checks,
input, JSON and progress displays.

Imports only typer, rich.console and the standard library at module level, so that `--help` and
usage errors stay fast; everything heavier is imported inside the function that needs it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from genguard.errors import InvalidInputError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ModelOpt = Annotated[str, typer.Option(help="'default', a local model folder, a .gguf file or a hub id.")]


def choices(name: str, values: Iterable[str], doc: str) -> type[StrEnum]:
    """A StrEnum of `values` for a typer option's choices; members are named after the values
    ('-' becomes '_'), so `Scheme.algorithm_3 == "algorithm-3"`."""
    enum = StrEnum(name, [(v.replace("-", "_"), v) for v in values])  # type: ignore[misc]
    enum.__doc__ = doc
    return enum


def in_range(low: float, high: float | None = None, *, low_open: bool = False, high_open: bool = False):
    """A typer callback refusing values outside [low, high] (an end excluded when `*_open`).

    For ranges typer's own min/max cannot say (open ends). The callback carries `range` =
    (low, high, low_open, high_open) so that tests can find the bounds of every option."""

    def outside(value: float) -> bool:
        below = value < low or (low_open and value == low)
        above = high is not None and (value > high or (high_open and value == high))
        return below or above

    def check(value: Any) -> Any:
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if v is not None and outside(v):
                left, right = "(" if low_open else "[", ")" if high_open or high is None else "]"
                upper = "inf" if high is None else f"{high:g}"
                raise typer.BadParameter(f"{v:g} is not in the range {left}{low:g}, {upper}{right}")
        return value

    check.range = (low, high, low_open, high_open)  # type: ignore[attr-defined]
    return check


open_unit = in_range(0.0, 1.0, low_open=True, high_open=True)  # rates and fractions strictly in (0, 1)


def input_file(value: Path | list[Path] | None) -> Path | list[Path] | None:
    """A typer callback for input files (one or a list; '-' is standard input): each must exist and
    not be a folder. Checked while parsing, before any model loads. (typer's own exists=True check
    refuses '-' for Path parameters, allow_dash or not.)"""
    for path in value if isinstance(value, list) else [value]:
        if path is None or str(path) == "-":
            continue
        if not path.exists():
            raise typer.BadParameter(f"file '{path}' not found")
        if path.is_dir():
            raise typer.BadParameter(f"'{path}' is a folder, not a file")
    return value


input_file.reads_input = True  # type: ignore[attr-defined]  # the CLI walk test feeds it bad files


def output_file(value: Path | None) -> Path | None:
    """A typer callback for an output file: its folder must exist and it must not be a folder.

    Checked while the command line is parsed, so that a typo in --out fails before any work."""
    if value is None or str(value) == "-":
        return value
    if value.is_dir():
        raise typer.BadParameter(f"{value} is a folder; give a file name")
    parent = value.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise typer.BadParameter(f"folder {parent} {what}; create it first or choose another path")
    return value


def output_folder(value: Path | None) -> Path | None:
    """A typer callback for an output folder (created later with its parents): no file may be in
    the way of it or of any folder above it."""
    if value is None:
        return value
    for path in (value, *value.parents):
        if path.exists():
            if not path.is_dir():
                raise typer.BadParameter(f"{path} is a file, not a folder")
            break
    return value


def read_text(source: str | Path) -> str:
    """The UTF-8 text of a file, or of standard input for '-'; InvalidInputError if not UTF-8."""
    source = str(source)
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInputError(f"file {source} not found") from exc
    except OSError as exc:
        raise InvalidInputError(f"cannot read {source}: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{source} is not valid UTF-8 (byte {exc.start}); re-encode it as UTF-8, e.g. with iconv"
        ) from exc


def read_nonempty_text(source: str | Path, what: str = "text") -> str:
    """read_text, refusing an input with nothing but whitespace (InvalidInputError)."""
    text = read_text(source)
    if not text.strip():
        raise InvalidInputError(f"{'standard input' if str(source) == '-' else source} has no {what}")
    return text


def require_content(path: Path, what: str = "file") -> None:
    """InvalidInputError when the file at `path` is empty or only whitespace (read: its first 64 KB)."""
    with path.open("rb") as f:
        head = f.read(1 << 16)
    if not head.strip() and len(head) < 1 << 16:
        raise InvalidInputError(f"{what} {path} is empty")


def emit(obj: object) -> None:
    """`obj` as indented JSON on standard output."""
    out.print(json.dumps(obj, indent=2, ensure_ascii=False), soft_wrap=True, markup=False)


def show_progress(as_json: bool) -> bool:
    """Whether to draw progress: on a terminal, and not when the output is JSON for a program."""
    return err.is_terminal and not as_json


@contextmanager
def spinner(description: str, enabled: bool = True) -> Iterator[None]:
    """A spinner with `description` and the elapsed time on stderr while the block runs (for
    steps without a known total, such as loading a model)."""
    if not enabled:
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err) as p:
        p.add_task(description, total=None)
        yield


@contextmanager
def progress_bar(
    description: str, total: int | None, enabled: bool = True, in_bytes: bool = False
) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (units counted, or bytes with their rate when `in_bytes`); yields
    `advance(n)`. A no-op callable when not `enabled`."""
    if not enabled:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    counts = (DownloadColumn(), TransferSpeedColumn()) if in_bytes else (MofNCompleteColumn(),)
    columns = (*Progress.get_default_columns()[:1], BarColumn(), *counts, TimeRemainingColumn())
    with Progress(*columns, console=err) as p:
        task = p.add_task(description, total=total)
        yield lambda n: p.advance(task, n)


def load_model_with_spinner(model: str, enabled: bool):
    """The language model `model` (see genguard.lm.load_model), with a spinner while it loads."""
    from genguard.lm import load_model

    with spinner(f"loading model {model}", enabled):
        return load_model(model)
