"""The LLM-as-decision-maker audit (genguard.fairness.decisions) with the real default model, real
SQLite run files and real CSV files: bad input, undecided rows, resumption, report, presets.

Model calls are few and short (about 60 prompts of 15-40 tokens in all)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from genguard.errors import InvalidInputError
from genguard.fairness.decisions import DecisionSettings, plan_decision_audit, run_decision_audit
from genguard.fairness.decisions_model import answer_token_ids, decide
from genguard.fairness.decisions_prompts import AnswerOptions, check_template, render
from genguard.fairness.decisions_store import score_stored
from genguard.storage.runs import RunStore

TEMPLATE = (
    "Loan application. Applicant: {sex}, {age} years old, income {income} DM. "
    "Should the bank approve it? Answer Approve or Deny.\nAnswer:"
)
# The answers are offered, but the prompt ends inside a web address: no answer word can follow.
IMPOSSIBLE = "Applicant: {sex}, {age}. Answer Approve or Deny. https://www."


def _csv(path: Path, rows: int = 24) -> Path:
    lines = ["sex,age,income,label"]
    for i in range(rows):
        sex = "female" if i % 2 else "male"
        lines.append(f"{sex},{20 + (i * 7) % 45},{1000 + 250 * (i % 9)},{int(i % 4 != 0)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    return _csv(tmp_path_factory.mktemp("decisions") / "applicants.csv")


@pytest.fixture(scope="module")
def audited(model, table, tmp_path_factory):
    """One audit of 24 rows: 24 applications, 12 flipped twins, 6 instructed held-out rows."""
    db = tmp_path_factory.mktemp("runs") / "runs.sqlite"
    plan = plan_decision_audit(
        table,
        template=TEMPLATE,
        label="label",
        groups=["sex"],
        flips={"sex": {"male": "female", "female": "male"}},
        settings=DecisionSettings(test_size=0.25, flip_rows=12, batch_size=32),
    )
    with RunStore(db) as store:
        report = run_decision_audit(model, store, plan)
    return plan, report, db


# ---- bad input, refused before any model call ----


def test_a_template_without_the_answer_options_is_refused(table) -> None:
    with pytest.raises(InvalidInputError, match="does not offer the answer option 'deny'"):
        check_template("Applicant {sex}. Answer Approve or Reject.\nAnswer:", AnswerOptions())
    with pytest.raises(InvalidInputError, match="answer option 'approve'"):
        plan_decision_audit(table, template="Applicant {sex}, {age}.\nAnswer:", label="label", groups=["sex"])


def test_template_placeholders_that_reach_into_objects_or_name_missing_columns_are_refused(table) -> None:
    for bad in ("{sex.__class__} Approve or Deny", "{sex!r} Approve or Deny", "{sex:>9} Approve or Deny"):
        with pytest.raises(InvalidInputError, match="may only name a field"):
            check_template(bad, AnswerOptions())
    with pytest.raises(InvalidInputError, match="no \\{field\\} placeholder"):
        check_template("Approve or Deny?", AnswerOptions())
    with pytest.raises(InvalidInputError, match=r"\['salary', 'debt'\].*available: sex, age, income, label"):
        plan_decision_audit(
            table, template="{salary} {debt} {sex}: Approve or Deny?", label="label", groups=["sex"]
        )
    with pytest.raises(InvalidInputError, match="flip field 'race' is not in the decision template"):
        plan_decision_audit(
            table, template=TEMPLATE, label="label", groups=["sex"], flips={"race": {"a": "b"}}
        )
    # a value with braces is inserted as text, never expanded
    assert render("{sex}: Approve or Deny", [{"sex": "{age}"}]) == ["{age}: Approve or Deny"]


def test_missing_columns_and_empty_tables_are_named(table, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="label column 'outcome' not found; available columns"):
        plan_decision_audit(table, template=TEMPLATE, label="outcome", groups=["sex"])
    with pytest.raises(InvalidInputError, match="group column 'race' not found"):
        plan_decision_audit(table, template=TEMPLATE, label="label", groups=["race"])
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="is empty"):
        plan_decision_audit(empty, template=TEMPLATE, label="label", groups=["sex"])
    header = tmp_path / "header.csv"
    header.write_text("sex,age,income,label\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="header line but no rows"):
        plan_decision_audit(header, template=TEMPLATE, label="label", groups=["sex"])
    with pytest.raises(InvalidInputError, match="give a decision template"):
        plan_decision_audit(table, label="label", groups=["sex"])


def test_the_cli_refuses_a_template_without_answers_before_loading_a_model(table, tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from genguard.cli_decisions import audit_decisions

    app = typer.Typer()
    app.command()(audit_decisions)
    template = tmp_path / "template.txt"
    template.write_text("Applicant {sex}, {age}. Yes or no?\n", encoding="utf-8")
    args = [
        str(table),
        "--template",
        str(template),
        "--label",
        "label",
        "--group",
        "sex",
        "--model",
        "nowhere",
    ]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, InvalidInputError), result.output
    assert "answer option" in str(result.exception)


def test_answer_forms_that_share_a_first_token_are_refused(tokenizer) -> None:
    with pytest.raises(InvalidInputError, match="both start with the token ' Appro'"):
        answer_token_ids(tokenizer, AnswerOptions(favourable=(" Approve",), unfavourable=(" Approves",)))
    fav, unfav = answer_token_ids(tokenizer, AnswerOptions())
    assert len(fav) == 2 and len(unfav) == 2 and not set(fav) & set(unfav)


# ---- the real model ----


def test_a_model_that_puts_no_probability_on_either_answer_is_counted_undecided(
    model, table, tmp_path
) -> None:
    plan = plan_decision_audit(
        table,
        template=IMPOSSIBLE,
        label="label",
        groups=["sex"],
        settings=DecisionSettings(rows=6, test_size=0, batch_size=32),
    )
    with RunStore(tmp_path / "runs.sqlite") as store:
        report = run_decision_audit(model, store, plan)
    assert report.mass_median < 1e-5  # measured 7.6e-8 on a prompt like these
    assert report.n_undecided == 6 and report.n_decided == 0 and report.audits == []
    assert report.accuracy.n == 0 and report.accuracy.value is None
    assert "6 of 6 rows undecided" in report.notes[0]
    _, _, decision = decide(np.log([[0.004, 0.005], [0.006, 0.005]]))  # mass 0.009 and 0.011
    assert decision.tolist() == [-1, 1]


def test_the_audit_reads_decisions_flips_and_mitigations(audited) -> None:
    plan, report, _ = audited
    assert report.rows == 24 and report.n_decided + report.n_undecided == 24
    assert report.mass_min > 0.01  # this prompt offers the answers where they can follow
    assert report.prompts_scored == 24 + 12 + 6 and report.prompts_scored_now == 42
    assert report.seconds_per_decision is not None and report.seconds_per_decision > 0
    (audit,) = report.audits
    assert {g.group for g in audit.groups} == {"female", "male"}
    assert sum(g.n for g in audit.groups) == report.n_decided
    (flip,) = report.flips
    assert flip.n_pairs == 12 and 0 <= flip.n_flipped <= flip.n_decided
    assert {(d.original, d.counterfactual) for d in flip.directions} == {
        ("female", "male"),
        ("male", "female"),
    }
    # a twin differs from its original in the sex word alone
    twin, original = plan.flips[0].prompts[0], plan.prompts[plan.flips[0].positions[0]]
    assert re.sub(r"\b(fe)?male\b", "X", twin) == re.sub(r"\b(fe)?male\b", "X", original) and twin != original
    m = report.mitigation
    assert m is not None and m.n_test == 6 and m.n_train == 18
    names = [v.name for v in m.variants]
    assert names[:3] == ["plain", "fitted threshold", "instruction"]
    assert all(v.n == 6 for v in m.variants)
    assert plan.instructed[0].startswith("Judge the application")


def test_a_killed_audit_resumes_without_scoring_anything_twice(model, audited, table, tmp_path) -> None:
    plan, _, first_db = audited
    prompts = plan.prompts[:8]

    def crash(index: int) -> None:
        raise KeyboardInterrupt

    db = tmp_path / "runs.sqlite"
    with RunStore(db) as store, pytest.raises(KeyboardInterrupt):
        score_stored(model, store, prompts, AnswerOptions(), batch_size=32, chunk_size=3, after_chunk=crash)
    with RunStore(db) as store:
        resumed = score_stored(model, store, prompts, AnswerOptions(), batch_size=32, chunk_size=3)
        again = score_stored(model, store, prompts, AnswerOptions(), batch_size=32, chunk_size=3)
        assert len(store.samples(resumed.run.run_id)) == 8
    assert resumed.scored_now == 5 and again.scored_now == 0
    assert np.array_equal(resumed.logprobs, again.logprobs)
    with RunStore(first_db) as store:
        straight = score_stored(model, store, prompts, AnswerOptions(), batch_size=32)
    assert straight.scored_now == 0  # stored by the audit already
    np.testing.assert_allclose(resumed.logprobs, straight.logprobs, atol=1e-4)  # batch rounding only


def test_the_report_section_and_json(audited, tmp_path: Path) -> None:
    from genguard.report.fairness_report import write_fairness_report
    from genguard.report.sections.fairness_decisions import decisions_section

    _, report, _ = audited
    html, js = write_fairness_report(tmp_path, sections={"decisions": decisions_section(report)})
    page = html.read_text(encoding="utf-8")
    assert "The model as decision-maker" in page and "flip test on sex" in page
    data = json.loads(js.read_text(encoding="utf-8"))["decisions"]
    assert data["rows"] == 24 and data["flips"][0]["n_pairs"] == 12


def test_german_credit_preset_renders_readable_applications() -> None:
    from genguard.datasets import shared_data_dir

    if shared_data_dir() is None or not (shared_data_dir() / "german-credit").exists():
        pytest.skip("../shared/data/german-credit is absent")
    plan = plan_decision_audit(dataset="german-credit", settings=DecisionSettings(rows=30, flip_rows=5))
    assert len(plan.prompts) == 30 and len(plan.flips[0].prompts) == 5 and len(plan.instructed) == 9
    assert not any(re.search(r"\bA\d{2,3}\b", p) for p in plan.prompts)  # no UCI codes left
    assert all(p.endswith("Answer Approve or Deny.\nAnswer:") for p in plan.prompts)
    assert [a for a, _ in plan.attributes] == ["sex", "age", "sex x age"]
