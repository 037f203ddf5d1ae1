"""Pairwise similarity, the assignment-mode scan and `genguard provenance code-scan`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genguard.cli import run
from genguard.errors import InvalidInputError
from genguard.provenance.code_assignment import scan, score_matrix
from genguard.provenance.code_pair import similarity

ORIGINAL = """def average(values):
    total = 0
    for v in values:
        total += v
    return total / len(values)


def main():
    grades = [float(x) for x in input("Grades, comma separated: ").split(",")]
    print("Average grade:", average(grades))
    if average(grades) >= 60:
        print("Passed the course")
"""
# Renamed, loop and increment rewritten, functions reordered: the strings stay.
COPY = """def run():
    marks = [float(x) for x in input("Grades, comma separated: ").split(",")]
    print("Average grade:", mean(marks))
    if mean(marks) >= 60:
        print("Passed the course")


def mean(nums):
    acc = 0
    i = 0
    while i < len(nums):
        acc = acc + nums[i]
        i += 1
    return acc / len(nums)
"""
INDEPENDENT = """import statistics

def report(scores):
    m = statistics.mean(scores)
    print(f"mean {m:.1f}")
    return "pass" if m >= 60 else "fail"

print(report([int(s) for s in input("scores? ").split()]))
"""
TEMPLATE = """def main():
    print("Welcome to the grade calculator")
"""


def test_copy_scores_above_independent_solution() -> None:
    copy, other = similarity(ORIGINAL, COPY, "python"), similarity(ORIGINAL, INDEPENDENT, "python")
    assert copy.score > 0.7 > 0.4 > other.score
    assert copy.strings == 1.0 and copy.regions
    assert 0.0 <= other.score <= 1.0
    assert similarity(ORIGINAL, ORIGINAL, "python").score == pytest.approx(1.0)
    assert json.loads(copy.model_dump_json())["method"].startswith("structure")


def test_scan_ranks_the_copy_first_and_discounts_shared_strings() -> None:
    subs = {"a.py": ORIGINAL + TEMPLATE, "b.py": COPY + TEMPLATE, "c.py": INDEPENDENT + TEMPLATE}
    report = scan(subs, "python", top=3)
    assert (report.pairs[0].a, report.pairs[0].b) == ("a.py", "b.py")
    assert report.pairs_compared == 3 and report.submissions == 3 and len(report.pairs) == 3
    assert report.pairs[0].regions
    # The template's string is in every submission: it carries no weight, so c's strings score 0.
    independent = next(p for p in report.pairs if "c.py" in (p.a, p.b))
    assert independent.strings in (0.0, None)


def test_base_code_is_not_evidence() -> None:
    subs = {"a.py": ORIGINAL, "b.py": COPY, "c.py": INDEPENDENT}
    with_base = scan(subs, "python", base_code={"skeleton.py": ORIGINAL})
    without = scan(subs, "python")
    assert with_base.base_code_files == 1
    assert with_base.pairs[0].score < without.pairs[0].score


def test_score_matrix_is_symmetric_with_unit_diagonal() -> None:
    m = score_matrix([ORIGINAL, COPY, INDEPENDENT], "python")
    assert m.shape == (3, 3) and np.allclose(m, m.T) and np.allclose(np.diag(m), 1.0)
    assert m[0, 1] > m[0, 2] and ((m >= 0) & (m <= 1)).all()


def test_bad_input_is_a_typed_error() -> None:
    with pytest.raises(InvalidInputError, match="at least two"):
        scan({"a.py": ORIGINAL}, "python")
    with pytest.raises(InvalidInputError, match="empty"):
        scan({"a.py": ORIGINAL, "b.py": "  \n"}, "python")
    with pytest.raises(InvalidInputError, match="dict"):
        scan([ORIGINAL, COPY], "python")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="top"):
        scan({"a.py": ORIGINAL, "b.py": COPY}, "python", top=0)


def test_cli_scans_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name, source in (("a.py", ORIGINAL), ("b.py", COPY), ("c.py", INDEPENDENT)):
        (folder / name).write_text(source)
    (folder / "notes.txt").write_text("not code")
    assert run(["provenance", "code-scan", str(folder), "--top", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["submissions"] == 3 and len(report["pairs"]) == 2
    assert {report["pairs"][0]["a"], report["pairs"][0]["b"]} == {"class/a.py", "class/b.py"}
    base = tmp_path / "base.py"
    base.write_text(TEMPLATE)
    assert run(["provenance", "code-scan", str(folder), "--base-code", str(base)]) == 0
    assert "3 submissions" in capsys.readouterr().out


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.py").write_text(ORIGINAL)
    (tmp_path / "b.java").write_text("class B {}")
    empty = tmp_path / "empty"
    empty.mkdir()
    for argv in (
        [str(tmp_path / "a.py")],
        [str(tmp_path / "a.py"), str(tmp_path / "b.java")],
        [str(empty)],
    ):
        assert run(["provenance", "code-scan", *argv]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ")
