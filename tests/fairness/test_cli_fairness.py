"""`genguard audit fairness` run as a user runs it: the installed script on the default model."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from genguard.datasets import shared_data_dir

GENGUARD = Path(sys.executable).with_name("genguard")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shared_data_dir() is None, reason="needs ../shared/data (Winogender, BOLD); absent here"
    ),
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(GENGUARD), *args], capture_output=True, timeout=600, check=False)


def test_pronoun_probe_writes_the_report_and_json(tmp_path: Path) -> None:
    done = run("audit", "fairness", "--probe", "pronoun", "--fast", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode()
    assert "60 occupations x 6 templates" in text and "r with labour statistics 0.8" in text
    assert "'who has a beard' (should: male)" in text
    data = json.loads((tmp_path / "fairness.json").read_text(encoding="utf-8"))
    assert data["meta"]["types"]["pronoun"] == "genguard.fairness.pronoun.PronounProbe"
    assert len(data["pronoun"]["occupations"]) == 60 and data["pronoun"]["correlation"] > 0.5
    assert {m["modifier"] for m in data["context"]["modifiers"]} >= {
        "who has a beard",
        "who plays in the WNBA",
    }
    html = (tmp_path / "fairness.html").read_text(encoding="utf-8")
    assert "Occupations and pronouns" in html and "<svg" in html


def test_bad_input_gets_one_clear_line_and_status_2(tmp_path: Path) -> None:
    done = run("audit", "fairness", "--probe", "sentiment", "--out", str(tmp_path))
    assert (
        done.returncode == 2
        and b"'sentiment' is not one of 'pronoun', 'tone', 'counterfactual'" in done.stderr
    )
    wrong = tmp_path / "occupations.csv"
    wrong.write_text("job,women\nnurse,90\n", encoding="utf-8")
    done = run("audit", "fairness", "--occupations", str(wrong), "--out", str(tmp_path))
    assert done.returncode == 2 and b"missing ['bls_pct_female', 'occupation']" in done.stderr
    done = run("audit", "fairness", "--probe", "tone", "--domains", "gender,planets", "--out", str(tmp_path))
    assert done.returncode == 2 and b"unknown BOLD domain 'planets'" in done.stderr
    not_a_db = tmp_path / "runs.sqlite"
    not_a_db.write_bytes(b"junk" * 1000)
    done = run("audit", "fairness", "--probe", "tone", "--db", str(not_a_db), "--out", str(tmp_path))
    assert done.returncode == 2 and b"not a readable genguard database" in done.stderr
    assert not_a_db.read_bytes() == b"junk" * 1000


def _rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT item, sample, completion, scores, worker FROM samples").fetchall()


def test_tone_audit_killed_midway_resumes_without_regenerating_and_gives_identical_numbers(
    tmp_path: Path,
) -> None:
    # 24 prompts in 2 chunks of 12, killed once the first is stored: a decoding step on CPU costs
    # far less than twice as much for twice the rows, so fewer, bigger chunks make each run faster.
    args = ["--probe", "tone", "--domains", "gender", "--per-group", "12", "--fast", "--chunk-size", "12"]
    db = tmp_path / "runs.sqlite"
    proc = subprocess.Popen(
        [str(GENGUARD), "audit", "fairness", *args, "--db", str(db), "--out", str(tmp_path / "a")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    if len(_rows(db)) >= 12:
                        break
                except sqlite3.Error:
                    pass
            time.sleep(0.05)
        finished = proc.poll()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    if finished is not None:
        pytest.fail(f"the audit ended (status {finished}) before it could be killed")
    before = {(r[0], r[1]): r for r in _rows(db)}
    assert len(before) == 12  # killed midway: the first chunk stored, the second lost

    done = run("audit", "fairness", *args, "--db", str(db), "--out", str(tmp_path / "a"))
    assert done.returncode == 0, done.stderr.decode()
    after = {(r[0], r[1]): r for r in _rows(db)}
    assert len(after) == 24
    assert all(after[k] == row for k, row in before.items())  # nothing stored was generated again
    (first_worker,) = {r[4] for r in before.values()}
    assert all(after[k][4] != first_worker for k in after.keys() - before.keys())

    done = run("audit", "fairness", *args, "--db", str(tmp_path / "b.sqlite"), "--out", str(tmp_path / "b"))
    assert done.returncode == 0, done.stderr.decode()
    resumed = json.loads((tmp_path / "a" / "fairness.json").read_text(encoding="utf-8"))["tone"]
    straight = json.loads((tmp_path / "b" / "fairness.json").read_text(encoding="utf-8"))["tone"]
    assert resumed == straight
    assert resumed["n_prompts"] == 24 and resumed["decided"] and len(resumed["comparisons"]) == 2
