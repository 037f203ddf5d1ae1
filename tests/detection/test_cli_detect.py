"""`genguard detect FILE|-` and `genguard detect calibrate` through the real command line (in
process, the session's model), with the packaged calibration and a user's own."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from genguard.cli import run
from genguard.datasets import bold_wikipedia_paragraphs
from genguard.detection.calibration import default_calibration, load_calibration
from genguard.errors import ConfigError

MACHINE = json.loads((Path(__file__).parent / "data" / "machine_texts.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def human_jsonl(tmp_path_factory) -> Path:
    try:
        paragraphs = [p for p in bold_wikipedia_paragraphs(["race"]) if 300 <= len(p) <= 500][:18]
    except ConfigError:
        pytest.skip("../shared/data/bold is absent (set GENGUARD_DATA)")
    path = tmp_path_factory.mktemp("detect") / "human.jsonl"
    lines = [json.dumps({"text": p, "domain": "wiki" if i % 2 else "bio"}) for i, p in enumerate(paragraphs)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_packaged_calibration_states_its_rate_and_length_floor():
    cal = default_calibration()
    assert cal.text.target_fpr == 0.01 and cal.text.n >= 99
    assert cal.text.fpr_interval[0] < 0.01 < cal.text.fpr_interval[1]
    assert cal.min_tokens >= 1 and cal.span is not None


def test_calibrate_then_detect_with_the_users_calibration(tmp_path, human_jsonl, capsys, model):
    out = tmp_path / "cal.json"
    assert run(["detect", "calibrate", str(human_jsonl), "--fpr", "0.1", "--out", str(out)]) == 0
    assert "pooled: threshold" in capsys.readouterr().out
    file = load_calibration(out)
    assert set(file.domains) == {"wiki", "bio"}
    assert file.pooled.text.n + file.pooled.skipped_short == 18
    text = tmp_path / "machine.txt"
    text.write_text(MACHINE["watermarked"][1], encoding="utf-8")
    args = ["detect", str(text), "--calibration", str(out), "--domain", "wiki", "--spans", "--json"]
    assert run(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["decision"] == "machine_generated" and result["spans"]
    assert result["threshold"] == file.domains["wiki"].text.threshold


def test_detect_reads_standard_input_with_the_packaged_calibration(monkeypatch, capsys, model):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MACHINE["watermarked"][0].encode())))
    assert run(["detect", "-"]) == 0
    printed = capsys.readouterr().out
    assert printed.split(":")[0] in ("machine_generated", "not_detected") and "evidence:" in printed


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, human_jsonl):
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"\xff\xfe\x00text")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    few = tmp_path / "few.jsonl"
    few.write_text('"one text"\n"another"\n')
    for args, message in [
        (["detect", str(binary)], "not valid UTF-8"),
        (["detect", str(empty)], "has no text"),
        (["detect", str(empty), "--domain", "wiki"], "--domain needs --calibration"),
        (["detect", "calibrate", str(binary)], "not valid UTF-8"),
        (["detect", "calibrate", str(few)], "at least 99"),
    ]:
        assert run(args) == 2, args
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, (args, err)
