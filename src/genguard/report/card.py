"""The report card: one page (report.html) and one JSON document (report.json) for a model.

`build_page(data)` turns a `ReportData` into a `page.Page`: the summary at the top, then one
section per concern that ran (watermark, machine-text detection, guard, the fairness sections,
provenance, citations) and the two measured by benchmarks (privacy & unlearning, focus group).
`write_card(data, out_dir)` writes both files. The JSON is byte-stable: sorted keys, no time, no
duration, no absolute path; the same results give the same bytes. Its JSON Schema,
`report.schema.json` in this package, is generated from `ReportData` (`card_schema()`); a test
keeps the committed file equal to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genguard.report.html import render_page
from genguard.report.page import Page, Paragraph, Section, SummaryRow
from genguard.report.results import FairnessRun, ReportData
from genguard.report.sections import FAIRNESS_BUILDERS
from genguard.report.sections.detection import detection_section
from genguard.report.sections.factuality import factuality_section
from genguard.report.sections.focusgroup import focusgroup_measured_section
from genguard.report.sections.guard import guard_section
from genguard.report.sections.privacy import privacy_section
from genguard.report.sections.provenance import provenance_section
from genguard.report.sections.watermark import watermark_section

SCHEMA_FILE = Path(__file__).with_name("report.schema.json")
FAIRNESS_KEYS = ("pronoun", "context", "pronoun_generation", "tone", "counterfactual", "tabular")


def fairness_sections(run: FairnessRun) -> list[Section]:
    """One section per fairness result that ran; the first carries the anchor "fairness"."""
    sections = [FAIRNESS_BUILDERS[k](getattr(run, k)) for k in FAIRNESS_KEYS if getattr(run, k) is not None]
    if not sections:
        return [Section("fairness", "Fairness", [Paragraph(run.skipped or "No fairness probe ran.")])]
    intro = Section(
        "fairness",
        "Fairness",
        [
            Paragraph(
                "The fairness audits below probe what the model writes about groups of people (pronouns "
                "for occupations, tone per group, gender-swapped texts) and, as a predictive-model "
                "example, a credit model's decisions per group. Each shows every estimate with its 95 % "
                "interval. The full audit: genguard audit fairness."
            )
        ],
    )
    return [intro, *sections]


def build_sections(data: ReportData) -> list[Section]:
    """The card's sections in order, for the concerns that ran."""
    builders: list[tuple[Any, Callable[[Any], list[Section]]]] = [
        (data.watermark, lambda r: [watermark_section(r)]),
        (data.detection, lambda r: [detection_section(r)]),
        (data.guard, lambda r: [guard_section(r)]),
        (data.fairness, fairness_sections),
        (data.provenance, lambda r: [provenance_section(r)]),
        (data.factuality, lambda r: [factuality_section(r)]),
        (data.privacy, lambda r: [privacy_section(r)]),
        (data.focusgroup, lambda r: [focusgroup_measured_section(r)]),
    ]
    return [section for result, build in builders if result is not None for section in build(result)]


def build_page(data: ReportData, byline: str = "") -> Page:
    """The card as a page; `byline` (e.g. version, date, run time) goes under the title, HTML only."""
    summary = [SummaryRow(s.concern, s.verdict, s.detail, s.anchor, s.status) for s in data.summary]
    return Page(
        title=f"genguard report card: {data.model_id}",
        sections=build_sections(data),
        summary=summary,
        byline=byline or f"genguard {data.genguard_version} · preset {data.preset} · seed {data.seed}",
        json_name="report.json",
    )


def card_json(data: ReportData) -> str:
    """report.json's text: sorted keys, two-space indent, UTF-8 characters kept, final newline."""
    return json.dumps(data.model_dump(mode="json"), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def card_schema() -> dict[str, Any]:
    """The JSON Schema of report.json, generated from `ReportData`.

    Two result classes of one name (two `Rate`s) get module-qualified names from pydantic
    ("genguard__provenance__memorization__Rate"), which would change whenever a module is split;
    they are renamed to the class and its capability ("Rate_provenance"), stable across such moves.
    """
    schema = ReportData.model_json_schema()
    renames = {}
    for name in schema.get("$defs", {}):
        parts = name.split("__")
        if len(parts) > 2 and parts[0] == "genguard":
            renames[name] = f"{parts[-1]}_{parts[1]}"
    if len(set(renames.values())) != len(renames):
        return schema  # two colliding classes in one capability: keep pydantic's names
    text = json.dumps(schema)
    for old, new in renames.items():
        text = text.replace(f'"#/$defs/{old}"', f'"#/$defs/{new}"').replace(f'"{old}":', f'"{new}":')
    return json.loads(text)


def schema_text() -> str:
    """The schema as committed in report.schema.json."""
    return json.dumps(card_schema(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write_card(data: ReportData, out_dir: Path, byline: str = "") -> tuple[Path, Path]:
    """Write out_dir/report.html and out_dir/report.json; returns (html path, json path)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "report.json"
    json_path.write_text(card_json(data), encoding="utf-8")
    return render_page(build_page(data, byline), out_dir / "report.html"), json_path
