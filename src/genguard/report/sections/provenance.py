"""Report section: does the model reproduce protected or memorised text?

Two checks: the memorization audit (greedy continuations of document prefixes against the true
suffixes, beside a mismatched-suffix control) and the model's answers queried against a small
protected-content index, with planted copies showing that the index finds what it should.
"""

from __future__ import annotations

from genguard.provenance.memorization import MemorizationReport
from genguard.report.format import pct, short
from genguard.report.page import Block, Cell, Fact, Facts, Figure, Paragraph, Section, Table
from genguard.report.plots import Bar, interval_bars
from genguard.report.results import ProtectedCheck, ProvenanceRun


def _rate_text(k: int, n: int, ci: tuple[float, float]) -> str:
    return f"{k} of {n} ({pct(k / n if n else 0.0)}) [{pct(ci[0])}, {pct(ci[1])}]"


def _memorization(report: MemorizationReport) -> list[Block]:
    decided = [s for s in report.sources if s.decided]
    rows = [
        [
            Cell(s.source, "label"),
            Cell(str(s.n), "num"),
            Cell(f"{s.exact_tokens.k}", "num") if s.exact_tokens else Cell("n/a", "small"),
            Cell(_rate_text(s.near_verbatim.k, s.near_verbatim.n, s.near_verbatim.ci), "num")
            if s.near_verbatim
            else Cell(s.reason, "small"),
            Cell(str(s.target_in_prefix), "num"),
            Cell(f"{s.control.near_verbatim.k} of {s.control.n}", "num")
            if s.control
            else Cell("n/a", "small"),
            Cell(
                f"{s.mean_edit_similarity:.3f}"
                + (f" vs {s.control.mean_edit_similarity:.3f}" if s.control else ""),
                "num",
            )
            if s.mean_edit_similarity is not None
            else Cell("n/a", "small"),
        ]
        for s in report.sources
    ]
    bars = [
        Bar(
            s.source,
            s.near_verbatim.rate if s.near_verbatim else None,
            *(s.near_verbatim.ci if s.near_verbatim else (None, None)),
            n=s.n,
            mark=s.control.near_verbatim.rate if s.control else None,
        )
        for s in report.sources
    ]
    examples = [
        [
            Cell(s.source, "label"),
            Cell("…" + short(e.prefix[-80:], 80)),
            Cell(short(e.target, 80)),
            Cell(short(e.continuation, 80)),
            Cell(f"{e.score.edit_similarity:.2f}", "num"),
        ]
        for s in decided
        for e in s.examples[:2]
    ]
    blocks: list[Block] = [
        Paragraph(
            f"Memorisation: the model was given {report.prefix_tokens} tokens of a document and decoded "
            f"greedily; a continuation is near-verbatim when its edit similarity to the true next "
            f"{report.suffix_tokens} tokens is at least {report.near_similarity:g} or it shares a run "
            f"covering {report.near_run_fraction:.0%} of them. The control scores the same continuations "
            "against another sample's suffix: what chance alone gives."
        ),
        Facts(
            [
                Fact("model", report.model_id),
                Fact("samples per source", str(report.samples_per_source), f"seed {report.seed}"),
                Fact("prefix / suffix", f"{report.prefix_tokens} / {report.suffix_tokens} tokens"),
            ]
        ),
    ]
    if not report.decided:
        return [*blocks, Paragraph(report.reason)]
    blocks += [
        Figure(
            interval_bars(
                bars,
                title="Near-verbatim continuations per source",
                axis_label="share of samples continued near-verbatim",
                domain=(0.0, 1.0),
                mark_label="control (mismatched suffix)",
                value_format="{:.1%}",
                tick_format="{:.0%}",
            ),
            "Bars: near-verbatim rate with its 95 % Wilson interval; diamonds: the control.",
        ),
        Table(
            [
                "source",
                "samples",
                "exact",
                "near-verbatim [95 % interval]",
                "target in prefix",
                "control",
                "similarity vs control",
            ],
            rows,
        ),
    ]
    if examples:
        blocks.append(
            Table(
                ["source", "prefix (end)", "true suffix", "model's continuation", "similarity"],
                examples,
                "The closest continuations.",
            )
        )
    return blocks


def _protected(check: ProtectedCheck) -> list[Block]:
    copies = sum(1 for m in check.answer_matches if m)
    recall = "; ".join(r.describe() for r in check.measured_recall) or "not measured"
    rows = [
        [
            Cell(str(i), "num"),
            Cell(m.key),
            Cell(f"{m.jaccard:.2f}", "num"),
            Cell(str(m.span.chars if m.span else 0), "num"),
        ]
        for i, matches in enumerate(check.answer_matches, 1)
        for m in matches
    ]
    blocks: list[Block] = [
        Paragraph(
            f"Protected content: {check.documents} passages of {check.source} were put in a protected "
            f"content index, and the model's {check.answers} answers were queried against it "
            f"(a match needs a shared run of {check.min_span} characters or a near-duplicate Jaccard). "
            f"{check.planted} known copies "
            "(an indexed excerpt inside new text) were queried too, to show that the index finds them."
        ),
        Facts(
            [
                Fact("answers with a copy", f"{copies} of {check.answers}"),
                Fact("planted copies found", f"{check.planted_found} of {check.planted}"),
                Fact("index recall (benchmark)", recall),
            ]
        ),
    ]
    if rows:
        blocks.append(Table(["answer", "document", "Jaccard", "shared characters"], rows))
    return blocks


def provenance_section(run: ProvenanceRun) -> Section:
    """The memorization audit and the protected-content check, whichever ran."""
    blocks: list[Block] = []
    if run.memorization is not None:
        blocks += _memorization(run.memorization)
    if run.protected is not None:
        blocks += _protected(run.protected)
    return Section("provenance", "Provenance: memorisation and protected content", blocks, data=run)
