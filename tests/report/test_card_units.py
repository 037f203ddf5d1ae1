"""The report card without a model: error rates, schema, summary lines, guard explanations, options."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.guard.error_rates import error_rate, measured_rates
from genguard.report import card, measured, parts
from genguard.report.presets import SECTIONS
from genguard.report.results import GuardRun, ReportData
from genguard.report.runner import NO_DATA, WHY_NOT_FOCUSGROUP, report_options
from genguard.report.sections.focusgroup import focusgroup_measured_section
from genguard.report.sections.guard import explain, guard_section
from genguard.report.sections.privacy import privacy_section
from genguard.report.summary import CONCERNS, focusgroup_line, guard_line, privacy_line, summary_lines

MILD = "Pay attention this time, this is how evaporation works."  # toxicity about 0.38 (model 3)


def test_error_rates_in_one_place() -> None:
    rate = error_rate("toxicity", 0.2, "paragraph")
    assert rate is not None and rate.n == 1540
    assert rate.brief() == f"FPR at 0.2 on BOLD paragraphs: {100 * rate.value:.1f} %"
    assert "benchmarks/guard_quality.py" in rate.describe()
    assert error_rate("toxicity", 0.3) is None  # never measured: the report says so instead of guessing
    assert all(0 <= r.value <= 1 for r in measured_rates())


def test_policy_comments_and_model_card_point_to_the_rates_file() -> None:
    root = Path(__file__).resolve().parents[2]
    paragraph = error_rate("toxicity", 0.2, "paragraph")
    assert paragraph is not None
    repeated = f"{100 * paragraph.value:.1f} %"
    for name in ("src/genguard/guard/policies/default.yaml", "models/toxicity-minilm/README.md"):
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert "error_rates.json" in text, path
        assert repeated not in text, f"{path} repeats a measured rate ({repeated})"


@pytest.fixture(scope="module")
def guard_run() -> GuardRun:
    """The report's guard part: every profile on the sample prompts and one mild answer."""
    return parts.guard_run({"watermarked": [("Describe the water cycle.", MILD)], "plain": []})


def sample_actions(run: GuardRun) -> tuple[dict[str, str], dict[str, str | None]]:
    """(action the default profile takes, action it intends) per sample prompt kind, as in the report."""
    samples = [i for i in run.items if i.expected is not None]
    return {i.kind: i.verdicts["default"].action for i in samples}, {i.kind: i.expected for i in samples}


def test_sample_prompts_get_the_intended_default_action(guard_run: GuardRun) -> None:
    """Injection model 7 blocked the personal-data prompt (model card, item 35); models 9 and 10
    leave it to PII, which redacts it."""
    got, intended = sample_actions(guard_run)
    assert got == intended
    assert got["personal data"] == "redact"


def test_committed_schema_is_the_generated_one() -> None:
    assert card.SCHEMA_FILE.read_text(encoding="utf-8") == card.schema_text(), (
        "report.schema.json is stale: regenerate it with "
        "python -c 'from genguard.report.card import *; SCHEMA_FILE.write_text(schema_text())'"
    )


def test_guard_explains_each_verdict_with_threshold_and_measured_rate(guard_run: GuardRun) -> None:
    run = guard_run
    answer = next(i for i in run.items if i.stage == "output")
    assert answer.verdicts["default"].action == "allow"
    assert answer.verdicts["strict"].action == "block"
    why = explain(run, answer, "strict")
    score = answer.verdicts["strict"].scores["toxicity"]
    brief = error_rate("toxicity", 0.2, "paragraph").brief()  # type: ignore[union-attr]
    assert f"toxicity {score:.2f} ≥ strict threshold 0.2 ({brief})" in why
    assert why.endswith("→ block")
    assert explain(run, answer, "default") == "no flag"
    line = guard_line(run)  # the sample prompts' actions: the two sample-prompt tests above
    assert "strict blocks 1 of 1 answers" in line.detail
    section = guard_section(run)
    assert section.key == "guard" and section.has_figures
    rows = next(b for b in section.blocks if getattr(b, "kind", "") == "table").rows
    assert any("0.2" in c.text and brief.rsplit(": ", 1)[1] in c.text for row in rows for c in row)


def test_summary_lists_every_concern_and_why_it_did_not_run() -> None:
    lines = summary_lines({}, {"fairness": NO_DATA, "guard": "not selected (--section)"})
    by = {line.concern: line for line in lines}
    assert list(by) == [concern for concern, _ in CONCERNS.values()]
    assert [k for k in CONCERNS if k in SECTIONS] == list(SECTIONS)
    assert by["fairness"].detail == NO_DATA and by["fairness"].anchor is None
    assert by["guard"].detail == "not selected (--section)"
    assert by["watermark"].detail == "not selected"
    assert all(line.verdict == "not run" for line in lines)
    assert not any("not available yet" in line.detail for line in lines)


def test_measured_concerns_from_the_committed_benchmark_results() -> None:
    """Privacy & unlearning and the focus group as the card shows them: from the benchmarks' JSON,
    each number traceable to it, the section saying it was measured by the benchmark."""
    if not (measured.RESULTS / "privacy_audit.json").is_file():
        pytest.skip("benchmarks/results is not there (installed package)")
    privacy = measured.load_privacy_results()
    line = privacy_line(privacy)
    models = privacy.audit["adult"]["models"].values()
    strongest = max(
        row[k]["auc"] for row in models if "privacy" not in row for k in ("loss_threshold", "lira")
    )
    assert line.status == "info" and line.anchor == "privacy"
    assert f"attack AUC {strongest:.3f} [" in line.detail
    assert "with DP" in line.detail and "SISA forgets exactly in" in line.detail
    section = privacy_section(privacy)
    assert "not by this report run" in section.blocks[0].text and section.has_figures
    fg = measured.load_focusgroup_measured()
    line = focusgroup_line(fg)
    assert line.verdict == "position bias" and f"{fg.position_before.n_answers:,} answers" in line.detail
    assert f"{len(fg.significant_gaps)} of {fg.comparisons} group gaps" in line.detail
    section = focusgroup_measured_section(fg)
    assert "benchmarks/focusgroup_run.py, not by this report run" in section.blocks[0].text
    assert "genguard focusgroup run spec.yaml" in section.blocks[0].text
    # Both fit the card's JSON document and its schema's types.
    data = ReportData(
        genguard_version="0", model_id="m", preset="p", seed=0, summary=[line], privacy=privacy, focusgroup=fg
    )
    assert ReportData.model_validate_json(card.card_json(data)) == data


def test_missing_or_malformed_benchmark_results_say_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"run benchmarks/focusgroup_run\.py"):
        measured.load_focusgroup_measured(tmp_path)
    (tmp_path / "focusgroup_run.json").write_text('{"real": {"model_id": "m"}}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not as benchmarks/focusgroup_run\.py writes it"):
        measured.load_focusgroup_measured(tmp_path)
    with pytest.raises(ConfigError, match=r"run benchmarks/privacy_audit\.py"):
        measured.load_privacy_results(tmp_path)
    assert "genguard focusgroup run spec.yaml" in WHY_NOT_FOCUSGROUP


def test_options_are_checked_before_any_model_loads(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="unknown section"):
        report_options("default", tmp_path, True, 0, ["watermark", "nosuch"])
    with pytest.raises(InvalidInputError, match="--seed"):
        report_options("default", tmp_path, True, -1, None)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        report_options("default", tmp_path / "file", True, 0, None)
    options = report_options("default", tmp_path, False, 3, ["provenance", "watermark"])
    assert options.sections == ("watermark", "provenance") and options.preset == "full"


def test_cli_rejects_a_bad_section_quickly_without_traceback(tmp_path: Path) -> None:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "genguard.cli", "report", "--section", "nosuch", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "unknown section(s) nosuch" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert time.perf_counter() - started < 60  # no model was loaded
    assert not (tmp_path / "runs.sqlite").exists()
