"""Report section: what the guard policy blocks, the error rate beside each threshold, and why.

Every flag of every verdict is explained from the run's own data: which scorer, which score
against which threshold of which profile, the measured error rate at that threshold
(genguard/guard/error_rates.json), and the span it concerns.
"""

from __future__ import annotations

from genguard.report.format import short
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Piece, Section, Table, Tokens
from genguard.report.plots import Bar, interval_bars
from genguard.report.results import GuardItem, GuardRule, GuardRun
from genguard.types import Flag, Verdict

SPAN_LEGEND = [
    Piece("blocked span", "f-block"),
    Piece("redacted span", "f-redact"),
    Piece("annotated span (e.g. inside a quotation)", "f-annotate"),
]


def _rule(run: GuardRun, profile: str, stage: str, scorer: str) -> GuardRule | None:
    return next((r for r in run.rules if (r.profile, r.stage, r.scorer) == (profile, stage, scorer)), None)


def explain_flag(run: GuardRun, item: GuardItem, profile: str, flag: Flag) -> str:
    """Why a flag was raised: "toxicity 0.54 >= strict threshold 0.2 (FPR at 0.2 on BOLD
    paragraphs: 9.0 %) on “...span...” -> block"."""
    rule = _rule(run, profile, item.stage, flag.scorer)
    if rule is not None and rule.threshold is not None:
        why = f"{flag.scorer} {flag.score:.2f} ≥ {profile} threshold {rule.threshold:g}"
    else:
        why = f"{flag.scorer} found {flag.label} (any finding counts)"
    if rule is not None and rule.measured is not None:
        why += f" ({rule.measured.brief()})"
    if flag.quoted:
        why += ", inside a quotation"
    if flag.span is not None:
        why += f" on “{short(item.text[flag.span.start : flag.span.end], 50)}”"
    return f"{why} → {flag.action}"


def explain(run: GuardRun, item: GuardItem, profile: str) -> str:
    """Every flag of the profile's verdict explained, joined by "; " ("no flag" when it passed)."""
    verdict = item.verdicts[profile]
    return "; ".join(explain_flag(run, item, profile, f) for f in verdict.flags) or "no flag"


def highlight(text: str, verdict: Verdict) -> list[Piece]:
    """The text as pieces; flagged spans get the class f-<action> and their reason as hover."""
    pieces: list[Piece] = []
    pos = 0
    for f in sorted((f for f in verdict.flags if f.span), key=lambda f: (f.span.start, f.span.end)):
        if f.span.start >= pos:
            pieces += [
                Piece(text[pos : f.span.start]),
                Piece(text[f.span.start : f.span.end], f"f-{f.action}", f.reason),
            ]
            pos = f.span.end
    return [*pieces, Piece(text[pos:])]


def _rules_table(run: GuardRun) -> Table:
    rows = [
        [
            Cell(r.profile, "label"),
            Cell(r.stage),
            Cell(r.scorer, "label"),
            Cell("any finding" if r.threshold is None else f"{r.threshold:g}", "num"),
            Cell(r.action, f"a-{r.action}"),
            Cell(r.measured.describe() if r.measured else "not measured"),
        ]
        for r in run.rules
    ]
    return Table(
        ["profile", "stage", "scorer", "threshold", "action", "measured error rate at this threshold"],
        rows,
        "Rates from genguard/guard/error_rates.json (the benchmarks that produced them are named).",
    )


def guard_section(run: GuardRun) -> Section:
    """The rules with their error rates, every text's action per profile with the reasons, and the
    flagged spans of each text that was not simply allowed."""
    profiles = run.profiles
    rows = []
    for i, item in enumerate(run.items, 1):
        row = [Cell(str(i), "num"), Cell(item.stage), Cell(item.kind, "label"), Cell(short(item.text, 80))]
        row += [Cell(item.verdicts[p].action, f"a-{item.verdicts[p].action}") for p in profiles]
        row.append(Cell("\n".join(f"{p}: {explain(run, item, p)}" for p in profiles), "pre"))
        rows.append(row)
    tox = [
        Bar(f"{i}. {item.stage}: {item.kind}", item.verdicts[profiles[0]].scores.get("toxicity"))
        for i, item in enumerate(run.items, 1)
    ]
    thresholds = sorted(
        {r.threshold for r in run.rules if r.scorer == "toxicity" and r.threshold is not None}
    )
    blocks: list[Block] = [
        Paragraph(
            "The built-in policy checks prompts (input) and the model's answers (output) with each "
            "profile. Every threshold is shown with the error rate measured at it, and every verdict "
            "says why it was taken: which scorer gave which score against which threshold, on which span."
        ),
        Facts(
            [
                Fact("policy", run.policy),
                Fact("profiles", ", ".join(profiles)),
                Fact("texts", str(len(run.items)), "sample prompts and the model's answers"),
                Fact(
                    "models",
                    "; ".join(
                        sorted(
                            {
                                f"{k}: {v}"
                                for it in run.items
                                for k, v in it.verdicts[profiles[0]].model_ids.items()
                            }
                        )
                    ),
                ),
            ]
        ),
        _rules_table(run),
        Figure(
            interval_bars(
                tox,
                title="Toxicity score of each text",
                axis_label="toxicity (guardrail model's probability)",
                domain=(0.0, 1.0),
                reference=thresholds[0] if thresholds else None,
                reference_label=f"lowest threshold ({thresholds[0]:g})" if thresholds else None,
                value_format="{:.2f}",
            ),
            "Toxicity thresholds in the policy: " + ", ".join(f"{t:g}" for t in thresholds) + ".",
        ),
        Table(["#", "stage", "kind", "text", *profiles, "why"], rows),
    ]
    for i, item in enumerate(run.items, 1):
        flagged = [p for p in profiles if item.verdicts[p].flags]
        if not flagged:
            continue
        verdict = item.verdicts[flagged[0]]
        blocks.append(
            Tokens(
                f"{i}. {item.stage}: {item.kind}: "
                + ", ".join(f"{p} {item.verdicts[p].action}" for p in profiles),
                highlight(item.text, verdict),
                note=f"spans flagged by the {flagged[0]} profile",
                legend=[] if any(isinstance(b, Tokens) for b in blocks) else SPAN_LEGEND,
            )
        )
    return Section("guard", "Guard", blocks, data=run)
