"""replace_rates: the benchmarks' one writer of the shipped error_rates.json."""

from __future__ import annotations

import json
import shutil

import pytest

from genguard.guard import error_rates


@pytest.fixture
def rates_file(tmp_path, monkeypatch):
    copy = tmp_path / "error_rates.json"
    shutil.copy(error_rates.RATES_FILE, copy)
    monkeypatch.setattr(error_rates, "RATES_FILE", copy)
    error_rates.measured_rates.cache_clear()
    yield copy
    error_rates.measured_rates.cache_clear()


def _entry(value: float) -> dict:
    return {
        "scorer": "toxicity",
        "threshold": 0.5,
        "measure": "false-positive rate",
        "value": value,
        "unit": "tweet",
        "data": "a test set",
        "n": 10,
        "benchmark": "benchmarks/guard_quality.py",
        "label": "test tweets",
    }


def test_replaces_one_benchmarks_entries_in_place(rates_file) -> None:
    before = json.loads(rates_file.read_text(encoding="utf-8"))["rates"]
    mine = [
        i
        for i, r in enumerate(before)
        if (r["scorer"], r["benchmark"]) == ("toxicity", _entry(0)["benchmark"])
    ]
    assert len(mine) > 1
    error_rates.replace_rates("toxicity", "benchmarks/guard_quality.py", [_entry(0.25)])
    after = json.loads(rates_file.read_text(encoding="utf-8"))["rates"]
    assert after[mine[0]] == _entry(0.25)
    others = [r for i, r in enumerate(before) if i not in mine]
    assert after[: mine[0]] + after[mine[0] + 1 :] == others  # the language benchmark's toxicity row stays
    assert error_rates.error_rate("toxicity", 0.5, unit="tweet").value == 0.25  # the cache was cleared


def test_bad_entry_leaves_the_file_alone(rates_file) -> None:
    text = rates_file.read_text(encoding="utf-8")
    bad = {k: v for k, v in _entry(0.1).items() if k != "n"} | {"value": "high"}
    with pytest.raises(ValueError):
        error_rates.replace_rates("toxicity", "benchmarks/guard_quality.py", [bad])
    assert rates_file.read_text(encoding="utf-8") == text
