"""genguard.provenance.code_verdict: the score `code-compare` thresholds, on real programs."""

from __future__ import annotations

import ast
import builtins
import inspect
import shlex
import textwrap

import pytest

from genguard.provenance.code_verdict import (
    SHRINK_TOKENS,
    SIZE_THRESHOLDS,
    THRESHOLD,
    size_threshold,
    verdict,
    verdict_score,
)

GREETER = """import sys


def greet(name, times):
    for i in range(times):
        print("Hello, " + name + "!")
    return times


def main():
    if len(sys.argv) < 2:
        print("usage: greet NAME")
        return 1
    greet(sys.argv[1], 3)
    return 0
"""


def test_a_copy_with_every_literal_changed_is_identical_in_fingerprints() -> None:
    copy = GREETER.replace('"Hello, "', '"Hi there "').replace('"!"', '"."').replace("3", "5")
    copy = copy.replace("usage: greet NAME", "give a name")
    result = verdict(GREETER, copy, "python")
    assert result.strings == 0.0  # the strings family sees nothing shared ...
    assert result.identical and result.containment == 1.0  # ... the fingerprints see the same program
    assert result.score == 1.0 and result.derived and result.threshold == THRESHOLD
    assert result.pairwise < THRESHOLD  # code_pair's mean alone would have missed it


def test_shrinkage_and_identity_in_the_formula() -> None:
    score, pairwise = verdict_score(1.0, 1.0, None, None, 0.5, SHRINK_TOKENS)
    assert score == pairwise == pytest.approx(0.75)  # alignment halved at n = SHRINK_TOKENS
    assert verdict_score(0.2, 0.2, 0.0, None, 1.0, 100)[0] == 1.0
    assert verdict_score(1.0, 1.0, 1.0, None, 0.9, 0)[0] == pytest.approx(0.75)  # no tokens: no alignment


def test_unrelated_programs_and_the_threshold_argument() -> None:
    other = "def area(w, h):\n    return w * h\n\n\nprint(area(3, 4))\n"
    result = verdict(GREETER, other)  # language guessed
    assert result.language == "python" and not result.derived and result.score < 0.4
    assert verdict(GREETER, other, "python", threshold=0.0).derived


def _renamed_with_dead_code(source: str) -> str:
    """Every bound name (functions, classes, parameters, assigned variables) renamed consistently,
    an unused assignment at the top of every function body; ast.unparse also drops the comments."""
    tree = ast.parse(source)
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    new = {n: f"q{i}_{len(n)}" for i, n in enumerate(sorted(bound - set(dir(builtins)) - {"self", "cls"}))}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            node.name = new.get(node.name, node.name)
        elif isinstance(node, ast.arg):
            node.arg = new.get(node.arg, node.arg)
        elif isinstance(node, ast.Name):
            node.id = new.get(node.id, node.id)
        if isinstance(node, ast.FunctionDef):
            node.body.insert(0, ast.parse(f"unused_{len(node.body)} = {len(node.body)} * 7").body[0])
    return ast.unparse(tree)


def test_size_threshold_is_lower_for_long_pairs_and_finds_a_long_disguised_copy() -> None:
    sizes = [size_threshold(n) for n in range(0, 1000, 10)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == THRESHOLD == SIZE_THRESHOLDS[0][1]
    short = verdict(GREETER, "def area(w, h):\n    return w * h\n", "python", threshold=None)
    assert short.threshold == THRESHOLD and not short.derived
    original = inspect.getsource(textwrap)  # ~480 lines of the standard library
    copy = _renamed_with_dead_code(original)
    compile(copy, "copy", "exec")  # still a program
    assert "def wrap(" not in copy and "unused_" in copy
    long = verdict(original, copy, "python", threshold=None)
    assert long.tokens > 500 and long.threshold == size_threshold(long.tokens) < short.threshold
    assert long.derived and not long.identical
    assert long.score < THRESHOLD  # the fixed threshold misses it
    assert not verdict(original, copy, "python").derived
    unrelated = verdict(original, inspect.getsource(shlex), "python", threshold=None)  # as long
    assert unrelated.threshold == long.threshold and not unrelated.derived
