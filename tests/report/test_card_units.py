"""The report card without a model: error rates, schema, summary lines, guard explanations, options."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from genguard.errors import InvalidInputError
from genguard.guard.error_rates import error_rate, measured_rates
from genguard.report import card, parts
from genguard.report.presets import SECTIONS
from genguard.report.runner import NO_DATA, report_options
from genguard.report.sections.guard import explain, guard_section
from genguard.report.summary import NOT_YET, guard_line, summary_lines

MILD = "Shut up and listen, this is how evaporation works."  # toxicity about 0.36


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


def test_committed_schema_is_the_generated_one() -> None:
    assert card.SCHEMA_FILE.read_text(encoding="utf-8") == card.schema_text(), (
        "report.schema.json is stale: regenerate it with "
        "python -c 'from genguard.report.card import *; SCHEMA_FILE.write_text(schema_text())'"
    )


def test_guard_explains_each_verdict_with_threshold_and_measured_rate() -> None:
    answers = {"watermarked": [("Describe the water cycle.", MILD)], "plain": []}
    run = parts.guard_run(answers)
    answer = next(i for i in run.items if i.stage == "output")
    assert answer.verdicts["default"].action == "allow"
    assert answer.verdicts["strict"].action == "block"
    why = explain(run, answer, "strict")
    score = answer.verdicts["strict"].scores["toxicity"]
    brief = error_rate("toxicity", 0.2, "paragraph").brief()  # type: ignore[union-attr]
    assert f"toxicity {score:.2f} ≥ strict threshold 0.2 ({brief})" in why
    assert why.endswith("→ block")
    assert explain(run, answer, "default") == "no flag"
    # Every sample prompt gets the action the default profile intends.
    line = guard_line(run)
    assert line.status == "ok", line.detail
    assert "strict blocks 1 of 1 answers" in line.detail
    section = guard_section(run)
    assert section.key == "guard" and section.has_figures
    rows = next(b for b in section.blocks if getattr(b, "kind", "") == "table").rows
    assert any("0.2" in c.text and brief.rsplit(": ", 1)[1] in c.text for row in rows for c in row)


def test_summary_lists_every_concern_and_why_it_did_not_run() -> None:
    lines = summary_lines(None, None, None, None, {"fairness": NO_DATA, "guard": "not selected (--section)"})
    by = {line.concern: line for line in lines}
    assert list(by)[: len(SECTIONS)] == list(SECTIONS)
    assert by["fairness"].detail == NO_DATA and by["fairness"].anchor is None
    assert by["guard"].detail == "not selected (--section)"
    assert by["watermark"].detail == "not selected"
    for concern in NOT_YET:
        assert by[concern].verdict == "not run" and by[concern].detail == "not available yet"


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
