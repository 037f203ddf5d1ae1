"""Renders a `page.Page` to one self-contained HTML file (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from genguard.report.page import Page

_env = Environment(
    loader=PackageLoader("genguard.report", "templates"),
    autoescape=select_autoescape(["j2"]),
    undefined=StrictUndefined,
)


def render_html(page: Page) -> str:
    """The page as HTML text (deterministic: the same page gives the same string)."""
    return _env.get_template("card.html.j2").render(page=page)


def render_page(page: Page, path: Path) -> Path:
    """Write the page to `path` (folders created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(page), encoding="utf-8")
    return path
