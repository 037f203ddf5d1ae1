"""The plagiarism benchmark's corpus (benchmarks/plagiarism/) is well-formed: the manifests match the
files, every program parses with tree-sitter, every task has its independent solutions and all six
copy levels, every topic its three copies and independent answers, and the tune and held-out splits
share no task."""

from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from genguard.lazy import load_script
from genguard.provenance.code_tokens import error_count

ROOT = Path(__file__).resolve().parents[2] / "benchmarks" / "plagiarism"
LEVELS = {f"L{n}" for n in range(1, 7)}


def _module(name: str) -> Any:
    """A module of benchmarks/plagiarism/ loaded by path (benchmarks/ is not a package)."""
    return load_script(ROOT / f"{name}.py", f"plagiarism_{name}")


def _manifest(kind: str) -> list[dict[str, Any]]:
    return json.loads((ROOT / kind / "manifest.json").read_text())


@pytest.mark.parametrize("kind", ["code", "text"])
def test_manifest_is_up_to_date(kind: str) -> None:
    make = _module("make_manifest")
    fresh = make.code_manifest() if kind == "code" else make.text_manifest()
    assert fresh == _manifest(kind), "run python benchmarks/plagiarism/make_manifest.py"


def test_every_program_parses_and_python_compiles() -> None:
    for entry in _manifest("code"):
        source = (ROOT / entry["path"]).read_text()
        # CS1 sized: mostly 10-40 lines; a few independent one-liner style solutions are shorter.
        assert 3 <= source.count("\n") <= 60, entry["path"]
        assert error_count(source, entry["language"]) == 0, entry["path"]
        if entry["language"] == "python":
            ast.parse(source, entry["path"])


def test_code_tasks_have_solutions_and_all_levels() -> None:
    tasks: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in _manifest("code"):
        tasks[entry["language"], entry["task"]].append(entry)
    # Issue 13: 12 tasks per language, the same task names in both.
    for language in ("python", "java"):
        assert sum(lang == language for lang, _ in tasks) >= 12, language
    assert {t for lang, t in tasks if lang == "python"} == {t for lang, t in tasks if lang == "java"}
    for (language, task), files in tasks.items():
        solutions = [f for f in files if f["role"] in ("original", "independent")]
        originals = [f for f in files if f["role"] == "original"]
        # >= 6: four varied solutions and at least two in the original's lecture style (the hard negatives).
        assert len(solutions) >= 6 and 1 <= len(originals) <= 2, (language, task)
        for original in originals:
            name = Path(original["path"]).name
            levels = {f["level"] for f in files if f["role"] == "copy" and f["copy_of"] == name}
            assert levels == LEVELS, (language, task, name)
        texts = [(ROOT / f["path"]).read_text() for f in files]
        assert len(set(texts)) == len(texts), f"identical files in {language}/{task}"


def test_text_topics_have_levels_and_independent_answers() -> None:
    topics: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in _manifest("text"):
        topics[entry["task"]].append(entry)
    assert len(topics) >= 12
    for topic, files in topics.items():
        roles = [f["role"] for f in files]
        assert roles.count("original") == 1 and roles.count("independent") >= 3, topic
        assert {f["level"] for f in files if f["role"] == "copy"} == {"copy", "light", "heavy"}, topic
        for f in files:
            words = len(re.findall(r"\w+", (ROOT / f["path"]).read_text()))
            assert 100 <= words <= 220, (f["path"], words)


@pytest.mark.parametrize("kind", ["code", "text"])
def test_splits_are_by_task_and_disjoint(kind: str) -> None:
    split_of: dict[str, set[str]] = defaultdict(set)
    for entry in _manifest(kind):
        split_of[entry["task"]].add(entry["split"])
    assert all(len(s) == 1 for s in split_of.values()), "a task in both splits"
    tune = {t for t, s in split_of.items() if s == {"tune"}}
    heldout = {t for t, s in split_of.items() if s == {"heldout"}}
    assert tune and heldout and not tune & heldout
    assert tune | heldout == set(split_of)


def test_metrics() -> None:
    metrics = _module("metrics")
    pos, neg = np.array([0.9, 0.8, 0.5]), np.array([0.5, 0.1])
    assert metrics.auc(pos, neg) == pytest.approx((2 + 2 + 1.5) / 6)
    # With two negatives, 1 % FPR allows none: a positive must beat the highest (a tie does not count).
    assert metrics.recall_at(pos, neg, 0.01) == pytest.approx(2 / 3)
    assert metrics.recall_at(pos, neg, 0.5) == pytest.approx(1.0)
