"""`genguard audit pairs FILE`: a bring-your-own sentence-pair benchmark (CSV/TSV or JSON Lines)
scored by a language model; see genguard.fairness.pairs.

The file is read and its columns checked before the model loads, so a bad file fails at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard import cli_common as common

PairTest = common.choices("PairTest", ["sign", "wilcoxon", "permutation"], "Paired tests (fairness.paired).")
Alternative = common.choices(
    "Alternative", ["two-sided", "greater", "less"], "Direction of the test; greater: the first is preferred."
)
ScoreKind = common.choices(
    "ScoreKind", ["total", "mean"], "Sentence score: total or per-token log-probability."
)


def audit_pairs(
    file: Annotated[
        Path,
        typer.Argument(
            callback=common.input_file,
            help="CSV/TSV with a header line, or JSON Lines (.jsonl), one sentence pair per row.",
        ),
    ],
    more: Annotated[
        str, typer.Option("--more", help="Column of the first (e.g. more stereotypical) sentence.")
    ],
    less: Annotated[str, typer.Option("--less", help="Column of the second (less stereotypical) sentence.")],
    category: Annotated[
        str | None, typer.Option("--category", help="Column of the bias category (per-category tests, Holm).")
    ] = None,
    test: Annotated[
        PairTest, typer.Option("--test", case_sensitive=False, help="Paired test.")
    ] = PairTest.sign,
    alternative: Annotated[
        Alternative,
        typer.Option(
            "--alternative", case_sensitive=False, help="Chosen before the data: two-sided, greater or less."
        ),
    ] = Alternative.two_sided,
    score: Annotated[
        ScoreKind,
        typer.Option(
            "--score", case_sensitive=False, help="total: sentence log-probability; mean: per token."
        ),
    ] = ScoreKind.total,
    alpha: Annotated[
        float, typer.Option(callback=common.open_unit, help="Significance level (Holm over categories).")
    ] = 0.05,
    seed: Annotated[
        int, typer.Option(min=0, help="Seed of the null control's flips and the resampling.")
    ] = 0,
    model: common.ModelOpt = "default",
    as_json: common.JsonOpt = False,
) -> None:
    """Does the model prefer the first sentence of each pair? Share with a Wilson interval, a
    paired test chosen up front, per category (Holm), and a null control (random order flips)."""
    from genguard.errors import InvalidInputError
    from genguard.fairness.pairs import audit_pairs as run_audit
    from genguard.fairness.pairs_io import read_pairs

    pairs = read_pairs(file, more, less, category)
    if not pairs:
        raise InvalidInputError(f"pairs file {file} has a header but no rows")
    lm = common.load_model_with_spinner(model, common.show_progress(as_json))
    audit = run_audit(
        lm, pairs, test=test.value, alternative=alternative.value, score=score.value, alpha=alpha, seed=seed
    )
    if as_json:
        common.emit(audit.model_dump(mode="json"))
        return
    _print(audit)


def _row_line(row, alpha: float) -> str:
    if row.too_small:
        return f"{row.name}: {row.n} pairs, too small to test"
    r = row.result
    share = "n/a" if r.share_positive is None else f"{r.share_positive:.1%}"
    verdict = "significant" if row.significant else "not significant"
    return (
        f"{row.name}: first preferred in {share} [{r.share_ci[0]:.1%}, {r.share_ci[1]:.1%}] of {r.n} pairs"
        f"{f' ({r.n_ties} ties)' if r.n_ties else ''}; mean difference {r.mean:+.3f} "
        f"[{r.mean_ci[0]:+.3f}, {r.mean_ci[1]:+.3f}]; p {r.p_value:.3g}"
        + (f", Holm {row.p_adjusted:.3g}" if row.p_adjusted != r.p_value else "")
        + f"; {verdict} at {alpha:g}"
    )


def _print(audit) -> None:
    say = common.out.print
    start = f" after {audit.start.token}" if audit.start else ""
    say(
        f"{audit.n_scored} of {audit.n_pairs} pairs scored ({audit.n_identical} identical, "
        f"{audit.n_empty} with an empty sentence, not scored); score: {audit.score} log-probability "
        f"(nats){start}; {audit.model_id}",
        markup=False,
    )
    say(f"test: {audit.test}, {audit.alternative}", markup=False)
    say("  " + _row_line(audit.overall, audit.alpha), markup=False)
    say("  " + _row_line(audit.null_control, audit.alpha) + " (order flipped at random)", markup=False)
    for row in audit.categories:
        say("    " + _row_line(row, audit.alpha), markup=False)
