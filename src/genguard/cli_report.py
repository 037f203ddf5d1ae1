"""`genguard demo` and `genguard report`: the report card of a model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard.cli_common import JsonOpt, out


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("out/demo"),
    as_json: JsonOpt = False,
) -> None:
    """The main job: watermarked vs plain generations and human texts, detected, with an HTML report."""
    from genguard.report.demo import run_demo

    run_demo(out_dir, console=out, as_json=as_json)


