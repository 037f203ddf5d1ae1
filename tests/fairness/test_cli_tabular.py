"""`genguard audit tabular`, run as a user runs it: the installed script, one subprocess each."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from genguard.fairness.table import TabularReport

GENGUARD = Path(sys.executable).with_name("genguard")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(GENGUARD), "audit", "tabular", *args], capture_output=True, text=True, timeout=300, check=False
    )


def fails(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def german():
    from genguard.datasets import shared_data_dir

    if shared_data_dir() is None:
        pytest.skip("../shared/data (German credit) is not available in this clone")


@pytest.fixture
def predicted(tmp_path: Path) -> Path:
    """A loan table with a model's decisions: 200 women, 200 men, and 6 people of a third group."""
    rng = np.random.default_rng(0)
    sex = ["female"] * 200 + ["male"] * 200 + ["nonbinary"] * 6
    y = rng.integers(0, 2, len(sex))
    reject = np.array([0.35 if s == "female" else 0.15 for s in sex])  # women wrongly rejected more
    pred = np.where(y == 1, rng.random(len(sex)) > reject, rng.random(len(sex)) < 0.3).astype(int)
    lines = ["applicant,sex,age,repaid,approved"]
    lines += [f"{i},{s},{20 + i % 50},{t},{p}" for i, (s, t, p) in enumerate(zip(sex, y, pred, strict=True))]
    path = tmp_path / "loans.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_german_credit_preset_end_to_end(german, tmp_path: Path) -> None:
    done = run("--dataset", "german-credit", "--bootstrap", "200", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "german-credit preset: 1,000 rows, label CLASSIFICATION = 1" in text
    assert "groups: sex (PERSONAL_STATUS_AND_SEX, mapped), age (AGE, bands at 25)" in text
    for attribute in ("sex", "age", "sex x age"):
        assert f"\n{attribute}: 700 training / 300 held-out rows, exponentiated_gradient" in text
    assert len(re.findall(r"unconstrained model: accuracy \d+\.\d %", text)) == 3
    assert len(re.findall(r"false-rejection gap, constrained: +\d+\.\d points", text)) == 3
    assert len(re.findall(r"(meets epsilon = 1\.0 %|misses epsilon = 1\.0 % by \d+\.\d points)", text)) == 3
    report = TabularReport.model_validate_json((tmp_path / "tabular.json").read_text(encoding="utf-8"))
    assert report.dataset == "german-credit" and report.positive == "1" and report.seed == 0
    assert [m.attribute for m in report.mitigations] == ["sex", "age", "sex x age"]
    sex = report.mitigations[0]
    assert {g.group for g in sex.constrained.groups} == {"female", "male"}
    assert f"accuracy {100 * sex.baseline_accuracy:.1f} %" in text


def test_given_predictions_as_json_with_a_group_too_small(predicted: Path) -> None:
    done = run(str(predicted), "--label", "repaid", "--group", "sex", "--prediction", "approved", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["mode"] == "predictions" and report["mitigations"] == []
    (audit,) = report["audits"]
    by_group = {g["group"]: g for g in audit["groups"]}
    tiny = by_group["nonbinary"]
    assert tiny["too_small"] and tiny["n"] == 6
    assert all(tiny[rate]["value"] is None for rate in ("selection_rate", "false_rejection_rate"))
    assert audit["gap_between"] == ["male", "female"]
    assert 0.1 < audit["false_rejection_gap"] < 0.35


def test_given_predictions_as_a_table_with_bins_and_intersection(predicted: Path) -> None:
    done = run(
        str(predicted),
        *("--label", "repaid", "--prediction", "approved", "--group", "sex", "--group", "age"),
        *("--bins", "age=40", "--map", "sex=female:woman,male:man", "--exclude", "applicant"),
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "given predictions (approved): accuracy" in text
    assert "sex x age: all 406 rows" in text
    assert re.search(r"\n +nonbinary +6  too small to judge\n", text)
    assert re.search(r"\n +woman x <40 +\d+ +\d+\.\d %", text)
    assert "false-rejection gap: " in text


def test_missing_group_column_names_it_and_lists_the_columns(predicted: Path) -> None:
    err = fails(run(str(predicted), "--label", "repaid", "--group", "gender", "--prediction", "approved"))
    assert "group column 'gender' not found; available columns: applicant, sex, age, repaid, approved" in err


def test_bad_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("sex,repaid\nf,1\nm\u00e4,0\n".encode("latin-1"))
    err = fails(run(str(latin), "--label", "repaid", "--group", "sex"))
    assert "is not valid UTF-8 (byte 16, line 3: b'\\xe4')" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "is empty" in fails(run(str(empty), "--label", "repaid", "--group", "sex"))
    assert "not found" in fails(run(str(tmp_path / "nope.csv"), "--label", "repaid", "--group", "sex"))


def test_label_with_one_value_and_bins_on_text(predicted: Path, tmp_path: Path) -> None:
    rows = predicted.read_text(encoding="utf-8").splitlines()
    single = tmp_path / "single.csv"
    single.write_text("\n".join([rows[0]] + [r[: r.rfind(",", 0, r.rfind(","))] + ",1,1" for r in rows[1:]]))
    err = fails(run(str(single), "--label", "repaid", "--group", "sex", "--prediction", "approved"))
    assert "label column 'repaid' holds only one value ('1')" in err
    err = fails(run(str(predicted), "--label", "repaid", "--group", "sex", "--bins", "sex=25"))
    assert "column 'sex' has non-numeric values (e.g. 'female')" in err
    assert "use --map" in err
