"""genguard.provenance.code_verdict: the score `code-compare` thresholds, on real programs."""

from __future__ import annotations

import pytest

from genguard.provenance.code_verdict import SHRINK_TOKENS, THRESHOLD, verdict, verdict_score

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
