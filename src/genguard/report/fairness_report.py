"""The fairness report: `fairness.html` (sections with SVG plots) and `fairness.json` (every result).

    write_fairness_report(out_dir, pronoun=probe, tabular=mitigation, sections={"tone": tone})

Every result becomes a `Section` (genguard.report.page) through the builder registered under its
key (genguard.report.sections: "pronoun", "context", "pronoun_generation", "tone",
"counterfactual", "tabular"), rendered by the same template as the report card
(templates/card.html.j2), so the pages look alike. A new section: a builder in
`genguard.report.sections` (result -> Section), added to `FAIRNESS_BUILDERS`, or registered here
with `@section_builder("key")`; a ready-made `Section` may also be passed as a `sections` value
(its `data`, if any, goes to JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genguard.errors import InvalidInputError
from genguard.report.format import num, p_cell, pct, pp
from genguard.report.html import render_page
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Page, Paragraph, Section, Table
from genguard.report.sections import FAIRNESS_BUILDERS, SectionBuilder

if TYPE_CHECKING:
    from genguard.fairness.pronoun import PronounProbe
    from genguard.fairness.table import TabularReport
    from genguard.fairness.tabular import MitigationResult, TabularAudit

__all__ = [
    "SECTION_BUILDERS",
    "Block",
    "Cell",
    "Fact",
    "Facts",
    "Figure",
    "Paragraph",
    "Section",
    "Table",
    "build_sections",
    "num",
    "p_cell",
    "pct",
    "pp",
    "section_builder",
    "write_fairness_report",
]

SECTION_BUILDERS: dict[str, SectionBuilder] = dict(FAIRNESS_BUILDERS)
_KEY = re.compile(r"[a-z][a-z0-9_-]{0,40}")


def section_builder(key: str) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register a function result -> Section under `key` (the key of `sections=` and of the JSON)."""

    def register(fn: SectionBuilder) -> SectionBuilder:
        SECTION_BUILDERS[key] = fn
        return fn

    return register


def build_sections(
    pronoun: PronounProbe | None = None,
    tabular: TabularAudit | MitigationResult | TabularReport | None = None,
    sections: dict[str, Any] | None = None,
) -> list[Section]:
    """The page's sections in order: pronoun, tabular, then `sections` in the order given."""
    items: list[tuple[str, Any]] = []
    if pronoun is not None:
        items.append(("pronoun", pronoun))
    if tabular is not None:
        items.append(("tabular", tabular))
    for key, value in (sections or {}).items():
        if not _KEY.fullmatch(key) or key == "meta":
            raise InvalidInputError(
                f"section key {key!r}: use lower-case letters, digits, - or _ (not 'meta')"
            )
        if any(k == key for k, _ in items):
            raise InvalidInputError(f"section {key!r} given twice (as a keyword and in sections=)")
        items.append((key, value))
    out = []
    for key, value in items:
        if isinstance(value, Section):
            out.append(replace(value, key=key))
            continue
        builder = SECTION_BUILDERS.get(key)
        if builder is None:
            raise InvalidInputError(
                f"no section builder for {key!r} (known: {sorted(SECTION_BUILDERS)}); register one with "
                "@section_builder in genguard.report.fairness_report or pass a ready Section"
            )
        section = builder(value)
        section.key = key
        out.append(section)
    return out


def write_fairness_report(
    out_dir: Path,
    *,
    pronoun: PronounProbe | None = None,
    tabular: TabularAudit | MitigationResult | TabularReport | None = None,
    sections: dict[str, Any] | None = None,
    title: str = "genguard fairness report",
    created: datetime | None = None,
) -> tuple[Path, Path]:
    """Write out_dir/fairness.html and out_dir/fairness.json; returns (html path, json path).

    The JSON holds `meta` (genguard version, creation time in UTC, the class of every result) and
    each result's `model_dump()` under its section key. Apart from `created` (default: now), the
    same results give byte-identical files.
    """
    from genguard import __version__

    out_dir = Path(out_dir)
    built = build_sections(pronoun, tabular, sections)
    if not built:
        raise InvalidInputError("nothing to report: give pronoun=, tabular= or sections=")
    stamp = (created or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    meta: dict[str, Any] = {"genguard_version": __version__, "created": stamp, "types": {}}
    payload: dict[str, Any] = {"meta": meta}
    for s in built:
        if s.data is not None:
            meta["types"][s.key] = f"{type(s.data).__module__}.{type(s.data).__qualname__}"
            payload[s.key] = s.data.model_dump(mode="json")
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "fairness.json"
    json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    page = Page(
        title=title,
        sections=built,
        byline=f"genguard {__version__} · generated {stamp}",
        intro="Each section audits one behaviour, says in plain words what its numbers mean, and shows "
        "every estimate with its 95 % interval.",
        json_name="fairness.json",
    )
    return render_page(page, out_dir / "fairness.html"), json_path
