"""The paired comparison injection_quality.py prints for a candidate model: counts of texts each
policy flags alone, and the exact McNemar p-value, checked against scipy's binomial test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binomtest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def quality():
    sys.path.insert(0, str(BENCHMARKS))  # its own imports (large_queries and friends) live there
    try:
        spec = importlib.util.spec_from_file_location(
            "injection_quality_paired", BENCHMARKS / "injection_quality.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module


@pytest.mark.parametrize(("b", "c"), [(3, 11), (1, 5), (0, 2), (7, 7), (0, 30), (40, 25)])
def test_mcnemar_exact_is_the_two_sided_binomial_test(quality, b: int, c: int) -> None:
    assert quality.mcnemar_exact(b, c) == pytest.approx(binomtest(min(b, c), b + c, 0.5).pvalue, rel=1e-9)


def test_no_discordant_texts_give_p_one(quality) -> None:
    assert quality.mcnemar_exact(0, 0) == 1.0


def test_paired_counts(quality) -> None:
    shipped = np.array([1, 1, 0, 0, 1, 0], bool)
    candidate = np.array([1, 0, 1, 1, 1, 0], bool)
    got = quality.paired(shipped, candidate)
    assert (got["both"], got["shipped_only"], got["candidate_only"]) == (2, 1, 2)
    assert got["p"] == pytest.approx(1.0)
