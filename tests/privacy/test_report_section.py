"""The privacy report section: built from benchmark-shaped results, with a log-log ROC plot that
renders as SVG, and a clear error when the results are missing."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genguard.errors import ConfigError
from genguard.privacy import evaluate_scores
from genguard.report.sections.privacy import load_privacy_results, privacy_section


def test_the_section_reads_the_benchmark_results(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    attack = evaluate_scores(rng.normal(1, 1, 1500), rng.normal(0, 1, 1500), "loss-threshold", bootstrap=50)
    dp = {
        "epsilon": 0.99,
        "delta": 5e-6,
        "accountant": "rdp",
        "noise_multiplier": 4.2,
        "sample_rate": 0.1,
        "steps": 9,
    }
    audit = {
        "adult": {
            "members": 1500,
            "models": {
                "overfit": {"accuracy": 0.8, "loss_threshold": attack.model_dump(), "lira": None},
                "dp-eps1": {
                    "accuracy": 0.82,
                    "loss_threshold": attack.model_dump(),
                    "lira": None,
                    "privacy": dp,
                },
            },
        },
        "toxicity_head": {
            "heads": {"dp-eps1": {"auc": 0.9, "accuracy": 0.9, "auc_cost": 0.05, "privacy": dp}}
        },
    }
    (tmp_path / "privacy_audit.json").write_text(json.dumps(audit))
    section = privacy_section(load_privacy_results(tmp_path))
    assert section.key == "privacy" and len(section.blocks) == 4
    svg = section.blocks[2].svg
    assert svg.startswith("<svg") and svg.count("<polyline") == 2 and "0.001" in svg
    assert section.blocks[1].rows[1][-1].text == "0.99 / 5e-06"
    with pytest.raises(ConfigError, match=r"run benchmarks/privacy_audit\.py"):
        load_privacy_results(tmp_path / "nowhere")
