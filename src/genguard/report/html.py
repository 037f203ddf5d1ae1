"""Renders report pages from Jinja2 templates shipped with the package."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

_env = Environment(loader=PackageLoader("genguard.report", "templates"), autoescape=select_autoescape(["j2"]))

TOKEN_CLASSES = {1: "g", 0: "r", -1: "u", -2: "rep"}


def token_spans(pieces: list[str], mask: list[int]) -> list[tuple[str, str]]:
    """(css class, text) per token, for the green/red display."""
    return [(TOKEN_CLASSES[code], piece) for piece, code in zip(pieces, mask, strict=True)]


def render(template: str, path: Path, **context: object) -> Path:
    """Render `template` with `context` into `path` (folders created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_env.get_template(template).render(**context), encoding="utf-8")
    return path
