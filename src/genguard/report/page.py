"""The page model of every genguard report: blocks, sections, summary lines and the page.

A `Section` is a title and an ordered list of blocks (`Paragraph`, `Facts`, `Figure`, `Table`,
`Tokens`, `Verdicts`) that `templates/card.html.j2` renders the same way for every section, so no
section needs HTML of its own. Builders in `genguard.report.sections` turn the result models of
the capabilities into Sections; `genguard.report.card` puts them on one page with a summary.

SVG strings in a `Figure` are placed in the page as they are: they must come from
`genguard.report.plots`, which escapes its labels; every other text is escaped by the template.
A new kind of block is one dataclass with a `kind` here and one branch in the template's `block`
macro.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup
from pydantic import BaseModel


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Facts:
    items: list[Fact]
    kind: Literal["facts"] = "facts"


@dataclass(frozen=True)
class Figure:
    """An SVG from `genguard.report.plots` (trusted: its labels are escaped there) and a caption."""

    svg: str
    caption: str = ""
    kind: Literal["figure"] = "figure"

    @property
    def markup(self) -> Markup:
        return Markup(self.svg)


@dataclass(frozen=True)
class Cell:
    """A table cell; style "num" right-aligns numbers, "small" greys a too-small group, "label"
    keeps a short name on one line, "a-<action>" colours a guard action, "pre" keeps line breaks."""

    text: str
    style: str = ""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    kind: Literal["table"] = "table"


@dataclass(frozen=True)
class Piece:
    """A run of text with a CSS class (a token's colour, a flagged span's action) and a hover title."""

    text: str
    css: str = ""
    title: str = ""


@dataclass(frozen=True)
class Tokens:
    """A text shown piece by piece (watermark tokens, guard spans), with a heading and a legend."""

    heading: str
    pieces: list[Piece]
    note: str = ""
    legend: list[Piece] = field(default_factory=list)
    kind: Literal["tokens"] = "tokens"


Block = Paragraph | Facts | Figure | Table | Tokens


@dataclass
class Section:
    """One section of the page: `key` is its anchor (and its key in the JSON when it has `data`)."""

    key: str
    title: str
    blocks: list[Block]
    data: BaseModel | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_figures(self) -> bool:
        return any(isinstance(b, Figure) for b in self.blocks)


@dataclass(frozen=True)
class SummaryRow:
    """One line of the card's summary: the concern, a verdict word, the number behind it, the
    section it links to (None: not run) and the status that colours it (ok, attention, not-run)."""

    concern: str
    verdict: str
    detail: str
    anchor: str | None
    status: Literal["ok", "attention", "not-run", "info"] = "info"


@dataclass
class Page:
    """A whole page: title, a line under it (version, date), the summary (may be empty), sections."""

    title: str
    sections: list[Section]
    summary: list[SummaryRow] = field(default_factory=list)
    byline: str = ""
    intro: str = ""
    json_name: str = ""
