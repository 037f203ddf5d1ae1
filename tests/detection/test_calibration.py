"""Thresholds that hold a false-positive rate, their intervals, and the files they live in."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import norm

from genguard.detection.calibration import (
    Calibration,
    CalibrationFile,
    Threshold,
    fpr_threshold,
    load_calibration,
    read_human_jsonl,
    save_calibration,
)
from genguard.errors import ConfigError, InvalidInputError


def test_the_interval_covers_the_true_rate_about_95_percent_of_the_time():
    # Human scores N(0, 1): the true false-positive rate of a threshold t is norm.sf(t).
    rng = np.random.default_rng(0)
    covered, rates = 0, []
    for _ in range(400):
        t = fpr_threshold(rng.normal(size=199), 0.01)
        true = norm.sf(t.threshold)
        rates.append(true)
        covered += t.fpr_interval[0] <= true <= t.fpr_interval[1]
    assert 0.92 <= covered / 400 <= 0.98
    assert np.mean(rates) == pytest.approx(0.01, abs=0.002)  # k / (n + 1) = 2 / 200


def test_threshold_details_and_too_few_texts():
    t = fpr_threshold(np.arange(99, dtype=float), 0.01)  # k = 1: the highest score
    assert t.threshold == 98 and t.empirical_fpr == 0 and t.n == 99 and t.expected_fpr == 0.01
    with pytest.raises(InvalidInputError, match="at least 99"):
        fpr_threshold(np.arange(98, dtype=float), 0.01)
    with pytest.raises(InvalidInputError, match=r"in \(0, 1\)"):
        fpr_threshold([1.0, 2.0], 1.5)
    assert fpr_threshold([np.nan, *range(19)], 0.05).n == 19  # nan (no tokens) is dropped


def test_jsonl_reader(tmp_path):
    path = tmp_path / "human.jsonl"
    path.write_text('"plain string"\n\n{"text": "with domain", "domain": "news"}\n', encoding="utf-8")
    assert read_human_jsonl(path) == [("plain string", None), ("with domain", "news")]
    for content, match in [
        (b"{not json\n", "line 1 is not JSON"),
        (b'{"txt": "x"}\n', 'object with a "text"'),
        (b'{"text": "x", "domain": 3}\n', '"domain" must be a string'),
        (b"\n\n", "holds no texts"),
        (b'"caf\xe9"\n', "not valid UTF-8"),
    ]:
        path.write_bytes(content)
        with pytest.raises(InvalidInputError, match=match):
            read_human_jsonl(path)


def test_calibration_file_round_trip_and_bad_files(tmp_path):
    t = Threshold(threshold=1.5, target_fpr=0.01, expected_fpr=0.01, fpr_interval=(0.001, 0.03),
                  empirical_fpr=0.0, n=99)  # fmt: skip
    cal = Calibration(model_id="m", domain=None, source="test", created="now", min_tokens=8, text=t,
                      span=None, text_tokens=(10, 50, 100), skipped_short=0)  # fmt: skip
    path = save_calibration(CalibrationFile(pooled=cal, domains={"news": cal}), tmp_path / "cal.json")
    loaded = load_calibration(path)
    assert loaded.pick(None) == cal and loaded.pick("news") == cal
    with pytest.raises(ConfigError, match="no calibration for domain 'poems'"):
        loaded.pick("poems")
    (tmp_path / "bad.json").write_text(json.dumps({"threshold": 1}))
    with pytest.raises(ConfigError, match="not a genguard detection calibration"):
        load_calibration(tmp_path / "bad.json")
    with pytest.raises(ConfigError, match="not found"):
        load_calibration(tmp_path / "missing.json")
