"""`genguard unlearn fit|forget|predict` and `genguard audit membership` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genguard.cli_privacy import audit_membership, unlearn_app
from genguard.datasets import shared_data_dir

needs_data = pytest.mark.skipif(
    shared_data_dir() is None or not (shared_data_dir() / "german-credit").exists(),
    reason="../shared/data/german-credit is not here",
)


def _run(args: list[str]) -> int:
    from genguard.cli import run

    return run(args)


@needs_data
def test_fit_forget_predict_on_german_credit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ens"
    assert _run(["unlearn", "fit", "--dataset", "german-credit", "--out", str(folder), "--shards", "4"]) == 0
    manifest = (folder / "manifest.json").read_bytes()
    capsys.readouterr()
    assert _run(["unlearn", "forget", str(folder), "--id", "5", "--id", "no-such-id"]) == 2
    assert "1 id(s) not in the ensemble" in capsys.readouterr().err
    assert (folder / "manifest.json").read_bytes() == manifest  # unchanged
    assert _run(["unlearn", "forget", str(folder), "--id", "5", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["forgotten"] == 1 and len(report["shards_retrained"]) == 1
    assert _run(["unlearn", "predict", str(folder), "--out", str(tmp_path / "p.csv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 1000
    assert (tmp_path / "p.csv").read_text().startswith("id,prediction,probability\n0,")
    (folder / "shard-001" / next(p.name for p in (folder / "shard-001").glob("data-*"))).write_bytes(b"junk")
    assert _run(["unlearn", "predict", str(folder)]) == 2
    assert "damaged" in capsys.readouterr().err


def test_membership_of_given_scores_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    rows = [(1, s) for s in rng.normal(1, 1, 500)] + [(0, s) for s in rng.normal(0, 1, 1200)]
    scores = tmp_path / "scores.csv"
    scores.write_text("member,score\n" + "".join(f"{m},{s}\n" for m, s in rows))
    assert _run(["audit", "membership", "--scores", str(scores), "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert 0.7 < result["auc"] < 0.8 and result["tpr_at"][0]["tpr"] is not None
    lopsided = tmp_path / "lopsided.csv"
    lopsided.write_text("member,score\n" + "".join(f"{int(i < 20)},{i}\n" for i in range(2000)))
    assert _run(["audit", "membership", "--scores", str(lopsided)]) == 2
    assert "20 members against 1,980 non-members" in capsys.readouterr().err
    assert _run(["audit", "membership", "--scores", str(lopsided), "--balance"]) == 0
    assert (
        _run(["audit", "membership", "--dataset", "german-credit", "--model", "dp", "--epsilon", "-1"]) == 2
    )
    assert "epsilon must be > 0" in capsys.readouterr().err
    assert unlearn_app is not None and callable(audit_membership)
