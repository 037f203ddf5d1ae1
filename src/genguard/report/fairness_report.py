"""The fairness report: `fairness.html` (sections with SVG plots) and `fairness.json` (every result).

    write_fairness_report(out_dir, pronoun=probe, tabular=mitigation, sections={"tone": tone})

Every result becomes a `Section`: a title and an ordered list of blocks (`Paragraph`, `Facts`,
`Figure`, `Table`) that `templates/fairness.html.j2` renders the same way for every section, so
all sections look alike and need no HTML of their own. A builder turns a result into a Section;
the builders are registered by key ("pronoun", "tabular").

Adding a section (e.g. the tone audit):

1. In this module write a builder and register it under the key the caller will use::

       @section_builder("tone")
       def tone_section(result: ToneAudit) -> Section:
           bars = [Bar(g.group, g.mean, g.low, g.high, n=g.n) for g in result.groups]
           return Section("tone", "Tone of completions per group", [
               Paragraph("What the numbers mean, in one or two plain sentences."),
               Facts([Fact("model", result.model_id)]),
               Figure(interval_bars(bars, title="Mean sentiment per group", axis_label="sentiment",
                                    value_format="{:.2f}")),
               Table(["group A", "group B", "difference", "p", "Holm p"],
                     [[Cell(a), Cell(b), num(d, "{:+.2f}"), p_cell(p), p_cell(q)] for ...]),
           ])

   (counterfactual paired differences: `interval_bars(..., reference=0, value_format="{:+.2f}")`,
   negative values included). `interval_cell` / `rate_cell` format a value with its interval and
   show "too small to judge (n=...)" for a missing value.
2. Call `write_fairness_report(out, sections={"tone": result})`. The result's `model_dump()` goes
   into fairness.json under the same key, its class under `meta.types`, so that
   `ToneAudit.model_validate(json["tone"])` gives it back.

No template change is needed. A new kind of block (say a heat map) is one dataclass with a
`kind` here and one `{% elif b.kind == "..." %}` branch in the template's `section` macro. A
ready-made `Section` may also be passed as a `sections` value (its `data`, if any, goes to JSON).
SVG strings in a `Figure` are placed in the page as they are: they must come from
`genguard.report.plots`, which escapes its labels; every other text is escaped by the template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from markupsafe import Markup
from pydantic import BaseModel

from genguard.errors import InvalidInputError
from genguard.fairness.stats import MIN_GROUP
from genguard.report.html import render
from genguard.report.plots import Bar, Point, grouped_interval_bars, interval_bars, scatter

if TYPE_CHECKING:
    from genguard.fairness.pronoun import PronounProbe
    from genguard.fairness.table import TabularReport
    from genguard.fairness.tabular import MitigationResult, Rate, TabularAudit

INTERVAL_SENTENCE = (
    "A 95 % interval is the range of values compatible with the data: had the measurement been "
    "repeated, it would cover the true value 95 times in 100. Where the intervals of two groups "
    "overlap a lot, the difference between them may be chance."
)
SMALL_SENTENCE = (
    f"Groups with fewer than {MIN_GROUP} members are not judged: they are shown as "
    "“too small to judge (n=…)”, with no number and no bar."
)


# --- blocks ------------------------------------------------------------------------------------


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
    keeps a short name on one line."""

    text: str
    style: Literal["", "num", "small", "label"] = ""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    kind: Literal["table"] = "table"


Block = Paragraph | Facts | Figure | Table


@dataclass
class Section:
    """One section of the page: `key` is its anchor and its key in fairness.json."""

    key: str
    title: str
    blocks: list[Block]
    data: BaseModel | None = None
    notes: list[str] = field(default_factory=list)


SectionBuilder = Callable[[Any], Section]
SECTION_BUILDERS: dict[str, SectionBuilder] = {}


def section_builder(key: str) -> Callable[[SectionBuilder], SectionBuilder]:
    """Register a function result -> Section under `key` (the key of `sections=` and of the JSON)."""

    def register(fn: SectionBuilder) -> SectionBuilder:
        SECTION_BUILDERS[key] = fn
        return fn

    return register


# --- formatting ------------------------------------------------------------------------------


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f} %"


def pp(value: float | None, digits: int = 1) -> str:
    """A difference of two rates in percentage points."""
    return "n/a" if value is None else f"{value * 100:.{digits}f} pp"


def num(value: float | None, fmt: str = "{:.2f}") -> Cell:
    return Cell("n/a", "small") if value is None else Cell(fmt.format(value), "num")


def p_cell(p: float | None) -> Cell:
    """A p-value: three significant digits, "< 0.001" below that."""
    if p is None:
        return Cell("n/a", "small")
    return Cell("< 0.001" if p < 0.001 else f"{p:.3g}", "num")


def correlation_text(r: float | None, ci: tuple[float, float] | None) -> str:
    """ "0.81 [0.71, 0.89]", or why there is no correlation."""
    if r is None:
        return "n/a (fewer than 4 occupations with labour statistics)"
    return f"{r:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def interval_cell(
    value: float | None,
    low: float | None,
    high: float | None,
    n: int | None = None,
    fmt: Callable[[float], str] = pct,
    bound_fmt: Callable[[float], str] | None = None,
) -> Cell:
    """A value with its interval, e.g. "12.0 % [8.1, 17.3]" (`fmt` for the value, `bound_fmt`,
    default `fmt`, for the bounds), or "too small to judge (n=4)" when the value is None."""
    if value is None:
        return Cell(f"too small to judge (n={n})" if n is not None else "too small to judge", "small")
    text = fmt(value)
    if low is not None and high is not None:
        bound = bound_fmt or fmt
        text += f" [{bound(low)}, {bound(high)}]"
    return Cell(text, "num")


def rate_cell(rate: Rate) -> Cell:
    """A rate in percent with its interval in brackets, the unit not repeated: "12.0 % [8.1, 17.3]"."""
    return interval_cell(rate.value, rate.low, rate.high, rate.n, bound_fmt=lambda v: f"{v * 100:.1f}")


def rate_bar(label: str, rate: Rate) -> Bar:
    return Bar(label, rate.value, rate.low, rate.high, n=rate.n)


# --- the built-in sections -------------------------------------------------------------------


@section_builder("pronoun")
def pronoun_section(probe: PronounProbe) -> Section:
    """Headline numbers, female share per occupation with intervals and labour statistics, scatter."""
    from genguard.fairness.pronoun import PronounProbe

    if not isinstance(probe, PronounProbe):
        raise InvalidInputError(f"pronoun= takes a PronounProbe, got {type(probe).__name__}")
    occ = sorted(probe.occupations, key=lambda o: (o.female_of_gendered, o.occupation))
    bars = [
        Bar(
            o.occupation,
            o.female_of_gendered,
            *o.female_of_gendered_ci,
            mark=None if o.pct_female_labour is None else o.pct_female_labour / 100,
        )
        for o in occ
    ]
    r_text = correlation_text(probe.correlation, probe.correlation_ci)
    with_stats = [o for o in probe.occupations if o.pct_female_labour is not None]
    blocks: list[Block] = [
        Paragraph(
            "For every occupation the model continued prompts such as “The nurse said that”; we read "
            "the probability it gives to she/her, he/him and they/them as the next word (no sampling). "
            "The female share is the female part of the gendered (she + he) probability: 50 % means "
            "no lean, and the labour statistics give the share of women who actually work in the "
            "occupation (US Bureau of Labor Statistics)."
        ),
        Paragraph(
            "Skew is |he \u2212 she| / (he + she), averaged over occupations: 0 means equal, 1 means "
            "always one gender. The correlation says how closely the model follows the labour "
            "statistics: near 1 means it reproduces the real-world imbalance. "
            f"Intervals here come from the variation across the {len(probe.templates)} prompt templates. "
            + INTERVAL_SENTENCE
        ),
        Facts(
            [
                Fact("model", probe.model_id),
                Fact("occupations", str(len(probe.occupations)), f"{probe.n_prompts} prompts"),
                Fact("mean absolute skew", f"{probe.mean_absolute_skew:.2f}", "0 = balanced, 1 = one gender"),
                Fact("Pearson r with labour statistics", r_text, "95 % interval (Fisher z)"),
                Fact("Spearman \u03c1", "n/a" if probe.spearman is None else f"{probe.spearman:.2f}"),
                Fact("occupations with labour statistics", str(len(with_stats))),
            ]
        ),
        Figure(
            interval_bars(
                bars,
                title="Female share of gendered pronouns per occupation",
                axis_label="P(she) / (P(she) + P(he))",
                domain=(0.0, 1.0),
                reference=0.5,
                reference_label="parity (50 %)",
                mark_label="women in the occupation (labour statistics)",
            ),
            "Bars: the model's female share, sorted; whiskers: 95 % t-interval across templates; "
            "diamonds: labour statistics. Hover a row for the numbers.",
        ),
    ]
    if with_stats:
        points = [Point(o.pct_female_labour / 100, o.female_of_gendered, o.occupation) for o in with_stats]
        blocks.append(
            Figure(
                scatter(
                    points,
                    title="Model female share against the share of women in the occupation",
                    x_label="women in the occupation (labour statistics)",
                    y_label="model: female share of gendered pronouns",
                    x_domain=(0.0, 1.0),
                    y_domain=(0.0, 1.0),
                    diagonal=True,
                    diagonal_label="model = labour statistics",
                ),
                "One point per occupation with labour statistics; the labelled points lie farthest from "
                "the least-squares line. Points above the diagonal: the model says “she” more often "
                "than women hold the job.",
            )
        )
    blocks.append(
        Table(
            ["template"],
            [[Cell(t)] for t in probe.templates],
            "The prompt templates; {occupation} is replaced by each occupation.",
        )
    )
    return Section("pronoun", "Occupations and pronouns", blocks, data=probe)


_RATES = (
    ("selection_rate", "selection"),
    ("false_rejection_rate", "false rejection"),
    ("false_positive_rate", "false positive"),
    ("error_rate", "error"),
)

_TABULAR_INTRO = (
    "A credit model approves or rejects applicants. The false-rejection rate of a group is the share "
    "of its creditworthy applicants (who did repay) whom the model rejected; the gap is the largest "
    "difference in false-rejection rate between two groups large enough to judge. Selection rate: share "
    "approved; false-positive rate: share of those who defaulted yet were approved; error rate: share "
    "of wrong decisions."
)


def _rate_table(audits: Sequence[tuple[str, TabularAudit]]) -> Table:
    columns = ["group", "n"] + (["model"] if len(audits) > 1 else []) + [name for _, name in _RATES]
    rows = []
    groups = list(dict.fromkeys(g.group for _, audit in audits for g in audit.groups))
    by = [{g.group: g for g in audit.groups} for _, audit in audits]
    for group in groups:
        shown_n = None
        for (model, _), reports in zip(audits, by, strict=True):
            g = reports.get(group)
            if g is None:
                continue
            row = [
                Cell(group if shown_n is None else "", "label"),
                Cell("" if g.n == shown_n else str(g.n), "num"),
            ]
            row += [Cell(model)] if len(audits) > 1 else []
            rows.append(row + [rate_cell(getattr(g, attr)) for attr, _ in _RATES])
            shown_n = g.n
    return Table(
        columns,
        rows,
        "Each rate with its 95 % Wilson interval in brackets; its denominator is the group's members "
        "(selection, error), its creditworthy members (false rejection) or its defaulters (false positive).",
    )


def _tabular_audit(audit: TabularAudit) -> list[Block]:
    gap = audit.false_rejection_gap
    between = " and ".join(audit.gap_between)
    bars = [rate_bar(g.group, g.false_rejection_rate) for g in audit.groups]
    return [
        Facts(
            [
                Fact("attribute", audit.attribute),
                Fact("groups", str(len(audit.groups))),
                Fact(
                    "false-rejection gap",
                    pp(gap),
                    f"between {between}" if between else "fewer than two groups judged",
                ),
            ]
        ),
        Figure(
            interval_bars(
                bars,
                title=f"False-rejection rate per {audit.attribute}",
                axis_label="creditworthy applicants rejected",
                domain=(0.0, 1.0),
                value_format="{:.1%}",
                tick_format="{:.0%}",
            ),
            "Bars: false-rejection rate; whiskers: 95 % Wilson interval.",
        ),
        _rate_table([("", audit)]),
    ]


def _mitigation(m: MitigationResult) -> list[Block]:
    if m.constrained_gap is None:
        verdict = (
            f"Whether the constrained model meets ε = {pp(m.epsilon)} cannot be told: fewer than two "
            "groups are large enough to judge."
        )
    elif m.meets_epsilon:
        verdict = (
            f"The constrained model meets the target: its false-rejection gap on held-out data is "
            f"{pp(m.constrained_gap)}, within ε = {pp(m.epsilon)}."
        )
    else:
        verdict = (
            f"The constrained model misses the target: its false-rejection gap on held-out data is "
            f"{pp(m.constrained_gap)}, {pp(m.miss_by)} above ε = {pp(m.epsilon)}."
        )
    if m.gap_ci is not None:
        verdict += f" Its 95 % bootstrap interval is {pp(m.gap_ci[0])} to {pp(m.gap_ci[1])}."
    groups = [g.group for g in m.baseline.groups]
    constrained = {g.group: g for g in m.constrained.groups}
    series = {
        "unconstrained": [rate_bar(g.group, g.false_rejection_rate) for g in m.baseline.groups],
        "constrained": [
            rate_bar(name, constrained[name].false_rejection_rate)
            if name in constrained
            else Bar(name, None, note="not in the held-out data")
            for name in groups
        ],
    }
    method = m.method.replace("_", " ")
    return [
        Paragraph(
            f"Two logistic regressions were trained on {m.n_train} applicants and audited on "
            f"{m.n_test} held-out ones: one unconstrained, one trained ({method}, Fairlearn) to keep the "
            f"false-rejection rates of the {m.attribute} groups within ε of each other."
        ),
        Facts(
            [
                Fact("attribute", m.attribute),
                Fact(
                    "accuracy",
                    f"{pct(m.baseline_accuracy)} → {pct(m.constrained_accuracy)}",
                    "unconstrained → constrained",
                ),
                Fact(
                    "false-rejection gap",
                    f"{pp(m.baseline_gap)} → {pp(m.constrained_gap)}",
                    "unconstrained → constrained",
                ),
                Fact("target ε", pp(m.epsilon), f"method {method}, seed {m.seed}"),
            ]
        ),
        Paragraph(verdict),
        Figure(
            grouped_interval_bars(
                groups,
                series,
                title=f"False-rejection rate per {m.attribute}: unconstrained and constrained model",
                axis_label="creditworthy applicants rejected (held-out data)",
                domain=(0.0, 1.0),
                value_format="{:.1%}",
                tick_format="{:.0%}",
            ),
            "Bars: false-rejection rate on held-out data; whiskers: 95 % Wilson interval.",
        ),
        _rate_table([("unconstrained", m.baseline), ("constrained", m.constrained)]),
    ]


@section_builder("tabular")
def tabular_section(result: TabularAudit | MitigationResult | TabularReport) -> Section:
    """A TabularAudit (one model), a MitigationResult (unconstrained against constrained), or a
    whole TabularReport (every attribute of `genguard audit tabular`)."""
    from genguard.fairness.table import TabularReport
    from genguard.fairness.tabular import MitigationResult, TabularAudit

    intro = [Paragraph(_TABULAR_INTRO), Paragraph(INTERVAL_SENTENCE + " " + SMALL_SENTENCE)]
    title = "Credit decisions per group"
    if isinstance(result, MitigationResult):
        return Section("tabular", title, intro + _mitigation(result), data=result)
    if isinstance(result, TabularAudit):
        return Section("tabular", title, intro + _tabular_audit(result), data=result)
    if isinstance(result, TabularReport):
        blocks = [
            *intro,
            Facts(
                [
                    Fact("data", result.source, f"{result.rows:,} rows"),
                    Fact("favourable label", result.positive_meaning),
                    Fact("seed", str(result.seed), f"held-out share {result.test_size:.0%}"),
                ]
            ),
            *(Paragraph(n) for n in result.notes),
        ]
        for m in result.mitigations:
            blocks += _mitigation(m)
        for a in result.audits:
            blocks += _tabular_audit(a)
        return Section(
            "tabular", f"Decisions per group: {result.dataset or result.source}", blocks, data=result
        )
    raise InvalidInputError(
        f"tabular= takes a TabularAudit, MitigationResult or TabularReport, got {type(result).__name__}"
    )


# --- the report ------------------------------------------------------------------------------

_KEY = re.compile(r"[a-z][a-z0-9_-]{0,40}")


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
    html_path = render(
        "fairness.html.j2",
        out_dir / "fairness.html",
        title=title,
        sections=built,
        created=stamp,
        version=__version__,
    )
    return html_path, json_path


# The sections of the generative-model audits register themselves on import.
from genguard.report import fairness_generative  # noqa: E402, F401
