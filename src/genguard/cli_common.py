"""What every command group of the command line shares: consoles, common options, input, JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from genguard.errors import InvalidInputError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ModelOpt = Annotated[str, typer.Option(help="'default', a local model folder, a .gguf file or a hub id.")]


def read_text(source: str) -> str:
    """The UTF-8 text of a file, or of standard input for '-'; InvalidInputError if not UTF-8."""
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


def emit(obj: object) -> None:
    """`obj` as indented JSON on standard output."""
    out.print(json.dumps(obj, indent=2, ensure_ascii=False), soft_wrap=True, markup=False)
