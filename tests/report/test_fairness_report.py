"""The fairness report and its SVG plots, on hand-built results (no model; fast)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from genguard.errors import InvalidInputError
from genguard.fairness.pronoun import OccupationResult, PronounProbe
from genguard.fairness.stats import wilson_interval
from genguard.fairness.tabular import GroupReport, MitigationResult, Rate, TabularAudit
from genguard.report import fairness_report as fr
from genguard.report.plots import Bar, Point, grouped_interval_bars, interval_bars, scatter
from genguard.types import Result

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"


def _occupation(name: str, female_of_gendered: float, labour: float | None) -> OccupationResult:
    neutral = 0.2
    f, m = female_of_gendered * (1 - neutral), (1 - female_of_gendered) * (1 - neutral)
    return OccupationResult(
        occupation=name,
        female=f,
        male=m,
        neutral=neutral,
        female_ci=(max(0.0, f - 0.05), f + 0.05),
        male_ci=(max(0.0, m - 0.05), m + 0.05),
        female_of_gendered=female_of_gendered,
        female_of_gendered_ci=(max(0.0, female_of_gendered - 0.06), min(1.0, female_of_gendered + 0.06)),
        pronoun_mass=0.3,
        pct_female_labour=labour,
    )


@pytest.fixture
def probe() -> PronounProbe:
    occupations = [
        _occupation("nurse", 0.8, 90.0),
        _occupation("carpenter", 0.1, 2.0),
        _occupation(EVIL, 0.45, 50.0),
        _occupation("secretary", 0.7, 94.0),
        _occupation("plumber", 0.15, None),
    ]
    return PronounProbe(
        model_id="test-model",
        templates=["The {occupation} said that", "The {occupation} was late because"],
        occupations=occupations,
        mean_absolute_skew=0.5,
        correlation=0.9,
        correlation_ci=(0.2, 0.99),
        spearman=0.8,
        n_prompts=10,
    )


def _rate(k: int, n: int) -> Rate:
    if n < 10:
        return Rate(value=None, low=None, high=None, n=n)
    low, high = wilson_interval(k, n)
    return Rate(value=k / n, low=low, high=high, n=n)


def _group(name: str, n: int, positives: int, false_rejections: int) -> GroupReport:
    rates = {
        "selection_rate": _rate(n // 2, n),
        "false_rejection_rate": _rate(false_rejections, positives),
        "false_positive_rate": _rate(1, n - positives),
        "error_rate": _rate(n // 5, n),
    }
    return GroupReport(group=name, n=n, too_small=any(r.value is None for r in rates.values()), **rates)


def _audit(frr: int) -> TabularAudit:
    groups = [_group("female", 60, 40, frr), _group("male", 60, 40, 4), _group("other", 8, 6, 1)]
    return TabularAudit(
        attribute="sex", groups=groups, false_rejection_gap=(frr - 4) / 40, gap_between=["male", "female"]
    )


@pytest.fixture
def mitigation() -> MitigationResult:
    return MitigationResult(
        attribute="sex",
        epsilon=0.05,
        method="exponentiated_gradient",
        seed=0,
        n_train=300,
        n_test=128,
        baseline_accuracy=0.75,
        constrained_accuracy=0.73,
        baseline_gap=0.2,
        constrained_gap=0.025,
        gap_ci=(0.0, 0.1),
        meets_epsilon=True,
        miss_by=None,
        baseline=_audit(12),
        constrained=_audit(5),
    )


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", page, flags=re.DOTALL)]


def _bars(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(f".//{SVG}rect[@class='bar']")


def _texts(el: ET.Element) -> list[str]:
    return [t.text or "" for t in el.iter(f"{SVG}text")]


def test_report_pages_plots_and_json(
    tmp_path: Path, probe: PronounProbe, mitigation: MitigationResult
) -> None:
    page_path, json_path = fr.write_fairness_report(tmp_path, pronoun=probe, tabular=mitigation)
    assert (page_path, json_path) == (tmp_path / "fairness.html", tmp_path / "fairness.json")
    page = page_path.read_text(encoding="utf-8")
    bars, scatter_svg, grouped = _svgs(page)

    # One bar per occupation, sorted by female share, each with an interval and the labour marker.
    assert len(_bars(bars)) == len(probe.occupations)
    labels = [t for t in _texts(bars) if t in {o.occupation for o in probe.occupations}]
    assert labels == ["carpenter", "plumber", EVIL, "secretary", "nurse"]
    assert len(bars.findall(f".//{SVG}path[@class='mark']")) == 4  # plumber has no labour statistics
    assert bars.find(f".//{SVG}line[@class='reference']") is not None

    # The scatter has the occupations with labour statistics, a fit line and hover labels.
    points = scatter_svg.findall(f".//{SVG}circle[@class='point']")
    assert len(points) == 4
    assert {p.find(f"{SVG}title").text.split(":")[0] for p in points} == {
        "nurse",
        "carpenter",
        EVIL,
        "secretary",
    }
    assert scatter_svg.find(f".//{SVG}line[@class='fit']") is not None

    # Grouped bars: two series x three groups; "other" is too small for both: no bar, the text instead.
    assert len(_bars(grouped)) == 4
    small = grouped.findall(f".//{SVG}g[@class='row small']")
    assert len(small) == 2
    for row in small:
        assert not _bars(row)
        assert "too small to judge (n=6)" in _texts(row)

    # The raw label never reaches the page unescaped, in the SVG or in the tables.
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # Headline numbers, the epsilon sentence, the table's too-small cells and the plain explanations.
    assert "0.90 [0.20, 0.99]" in page and "test-model" in page
    assert "meets the target" in page and "2.5 pp" in page
    assert page.count("too small to judge (n=8)") == 4  # selection and error rate, two models
    assert "fewer than 10 members are not judged" in page
    assert "95 % interval" in page

    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert PronounProbe.model_validate(data["pronoun"]) == probe
    assert MitigationResult.model_validate(data["tabular"]) == mitigation
    assert data["meta"]["types"] == {
        "pronoun": "genguard.fairness.pronoun.PronounProbe",
        "tabular": "genguard.fairness.tabular.MitigationResult",
    }
    assert data["meta"]["genguard_version"]
    assert datetime.fromisoformat(data["meta"]["created"]).tzinfo is not None


def test_same_results_give_identical_files(
    tmp_path: Path, probe: PronounProbe, mitigation: MitigationResult
) -> None:
    first = fr.write_fairness_report(tmp_path / "a", pronoun=probe, tabular=mitigation)
    second = fr.write_fairness_report(tmp_path / "b", pronoun=probe, tabular=mitigation)
    stamps = [json.loads(j.read_text())["meta"]["created"] for _, j in (first, second)]
    for a, b in zip(first, second, strict=True):
        text_a = a.read_text(encoding="utf-8").replace(stamps[0], "CREATED")
        text_b = b.read_text(encoding="utf-8").replace(stamps[1], "CREATED")
        assert text_a == text_b
    fixed = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    c = fr.write_fairness_report(tmp_path / "c", pronoun=probe, created=fixed)
    d = fr.write_fairness_report(tmp_path / "d", pronoun=probe, created=fixed)
    assert [p.read_bytes() for p in c] == [p.read_bytes() for p in d]
    assert "2025-01-02T03:04:05+00:00" in c[0].read_text(encoding="utf-8")


def test_single_audit_and_an_added_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class ToneAudit(Result):
        groups: list[str]
        means: list[float | None]

    def tone_section(result: ToneAudit) -> fr.Section:
        bars = [
            Bar(g, m, None if m is None else m - 0.1, None if m is None else m + 0.1, n=12)
            for g, m in zip(result.groups, result.means, strict=True)
        ]
        return fr.Section(
            "tone",
            "Tone per group",
            [
                fr.Paragraph("Mean sentiment of completions per group."),
                fr.Figure(interval_bars(bars, title="tone", axis_label="sentiment", value_format="{:+.2f}")),
                fr.Table(
                    ["group", "mean"],
                    [
                        [fr.Cell(g), fr.num(m, "{:+.2f}")]
                        for g, m in zip(result.groups, result.means, strict=True)
                    ],
                ),
            ],
            data=result,
        )

    monkeypatch.setitem(fr.SECTION_BUILDERS, "tone", tone_section)
    tone = ToneAudit(groups=["a", "b", "c"], means=[-0.3, 0.2, None])
    page_path, json_path = fr.write_fairness_report(tmp_path, tabular=_audit(12), sections={"tone": tone})
    page = page_path.read_text(encoding="utf-8")
    audit_svg, tone_svg = _svgs(page)
    assert len(_bars(audit_svg)) == 2  # female and male; "other" too small
    assert len(_bars(tone_svg)) == 2
    assert '<section id="tone">' in page and "Tone per group" in page and "+0.20" in page
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert TabularAudit.model_validate(data["tabular"]) == _audit(12)
    assert ToneAudit.model_validate(data["tone"]) == tone
    assert data["meta"]["types"]["tone"].endswith("ToneAudit")


def test_clear_errors(tmp_path: Path, probe: PronounProbe) -> None:
    with pytest.raises(InvalidInputError, match="nothing to report"):
        fr.write_fairness_report(tmp_path)
    with pytest.raises(InvalidInputError, match="no section builder for 'nosuch'"):
        fr.write_fairness_report(tmp_path, sections={"nosuch": probe})
    with pytest.raises(InvalidInputError, match="given twice"):
        fr.write_fairness_report(tmp_path, pronoun=probe, sections={"pronoun": probe})
    with pytest.raises(InvalidInputError, match="section key"):
        fr.write_fairness_report(tmp_path, sections={"Bad Key": probe})
    with pytest.raises(InvalidInputError, match="PronounProbe"):
        fr.write_fairness_report(tmp_path, pronoun=_audit(5))
    with pytest.raises(InvalidInputError, match="one per group"):
        grouped_interval_bars(["a", "b"], {"s": [(0.1, 0.0, 0.2)]}, title="t", axis_label="x")


def test_interval_bars_negative_values_reference_and_many_rows() -> None:
    rows = [Bar(f"occupation {i}", (i - 30) / 100, (i - 35) / 100, (i - 25) / 100, n=20) for i in range(60)]
    rows.append(Bar("tiny\x00group", None, n=3))
    svg_text = interval_bars(rows, title="paired differences", axis_label="difference", reference=0.0)
    svg = ET.fromstring(svg_text)
    view = [float(v) for v in svg.get("viewBox").split()]
    assert view[3] >= 61 * 20  # grows with the rows
    bars = _bars(svg)
    assert len(bars) == 60
    x0 = float(svg.find(f".//{SVG}line[@class='reference']").get("x1"))
    # Negative values extend left of the zero line, positive ones right of it.
    assert float(bars[0].get("x")) + float(bars[0].get("width")) == pytest.approx(x0, abs=0.2)
    assert float(bars[-1].get("x")) == pytest.approx(x0, abs=0.2)
    assert "too small to judge (n=3)" in _texts(svg)
    assert "tiny\ufffdgroup" in _texts(svg)  # a character XML forbids is replaced, the SVG stays well-formed
    assert interval_bars(rows, title="paired differences", axis_label="difference", reference=0.0) == svg_text


def test_scatter_escapes_annotates_and_is_deterministic() -> None:
    points = [Point(i / 10, i / 10 + (0.4 if i == 3 else 0.0), f"p{i}") for i in range(10)]
    points.append(Point(0.5, 0.5, EVIL))
    text = scatter(points, title=f"{EVIL} title", x_label="x", y_label="y", annotate=1)
    assert EVIL not in text
    svg = ET.fromstring(text)
    assert len(svg.findall(f".//{SVG}circle")) == 11
    annotations = svg.findall(f".//{SVG}text[@class='annotation']")
    assert [a.text for a in annotations] == ["p3"]  # the point farthest from the fitted line
    assert svg.find(f"{SVG}title").text == f"{EVIL} title"
    assert scatter(points, title=f"{EVIL} title", x_label="x", y_label="y", annotate=1) == text
    assert ET.fromstring(scatter([(0.5, 0.5, "one")], title="t", x_label="x", y_label="y")) is not None
