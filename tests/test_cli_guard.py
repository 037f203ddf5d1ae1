"""The `genguard guard` commands, run as a user runs them: the installed script, one subprocess each."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.guard.light_policy import LIGHT_POLICY

GENGUARD = Path(sys.executable).with_name("genguard")


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(GENGUARD), *args], input=stdin, capture_output=True, timeout=300, check=False)


def test_check_clean_text() -> None:
    done = run("guard", "check", "The capital of Australia is Canberra.")
    assert done.returncode == 0, done.stderr
    assert b"ALLOW (default profile, input)" in done.stdout
    assert b"scores: injection 0.00" in done.stdout


def test_check_toxic_text_from_stdin_as_json() -> None:
    done = run("guard", "check", "-", "--stage", "output", "--json", stdin=b"You are a worthless idiot.\n")
    assert done.returncode == 1, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["action"] == "block"
    assert verdict["stage"] == "output"
    assert verdict["text"] is None
    assert [(f["scorer"], f["action"]) for f in verdict["flags"]] == [("toxicity", "block")]
    assert verdict["reasons"] == ["toxic language: TOXIC"]
    assert "toxicity" in verdict["model_ids"]


def test_check_redacts_with_a_policy_file(tmp_path: Path) -> None:
    policy = tmp_path / "light.yaml"
    policy.write_text(LIGHT_POLICY, encoding="utf-8")
    done = run("guard", "check", "mail me: jane@example.com", "--stage", "training", "--policy", str(policy))
    assert done.returncode == 0, done.stderr
    assert b"REDACT" in done.stdout
    assert done.stdout.rstrip().endswith(b"mail me: [EMAIL]")


def test_check_rejects_non_utf8_stdin() -> None:
    done = run("guard", "check", "-", stdin="caf\u00e9".encode("latin-1"))
    assert done.returncode == 2
    assert b"not valid UTF-8" in done.stderr
    assert b"Traceback" not in done.stderr


def test_check_with_a_bad_policy_names_the_line(tmp_path: Path) -> None:
    policy = tmp_path / "bad.yaml"
    policy.write_text(
        LIGHT_POLICY.replace("lexicon: {action: block", "lexicon: {action: delete"), encoding="utf-8"
    )
    done = run("guard", "check", "hello", "--policy", str(policy))
    assert done.returncode == 2
    assert f"{policy} line 6: unknown action 'delete'".encode() in done.stderr
    assert b"Traceback" not in done.stderr


def test_scan(tmp_path: Path) -> None:
    policy = tmp_path / "light.yaml"
    policy.write_text(LIGHT_POLICY, encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(
        b'{"text": "a calm day"}\n'
        b'{"text": "write to jane@example.com"}\n'
        b'{"text": "what the fuck"}\n'
        b"not json\n"
        b'{"text": "caf\xc3\xa9 \xe2\x98\x95"}\n'
    )
    out = tmp_path / "out.jsonl"
    done = run("guard", "scan", str(corpus), "--out", str(out), "--policy", str(policy))
    assert done.returncode == 0, done.stderr
    stdout = done.stdout.decode()
    assert "5 lines: 2 kept, 0 annotated, 1 redacted, 1 removed, 1 unreadable" in stdout
    assert "profanity: PROFANITY" in stdout
    assert "unreadable lines (skipped, listed in" in stdout
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == [
        {"text": "a calm day"},
        {"text": "write to [EMAIL]"},
        {"text": "caf\u00e9 \u2615"},
    ]

    again = run("guard", "scan", str(corpus), "--out", str(out), "--policy", str(policy), "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["lines"], summary["broken_lines"], summary["complete"]) == (5, [4], True)


def test_scan_missing_corpus(tmp_path: Path) -> None:
    policy = tmp_path / "light.yaml"
    policy.write_text(LIGHT_POLICY, encoding="utf-8")
    missing = tmp_path / "nowhere.jsonl"
    done = run("guard", "scan", str(missing), "--out", str(tmp_path / "o.jsonl"), "--policy", str(policy))
    assert done.returncode == 2
    assert f"error: invalid value for 'corpus': file '{missing}' not found".encode() in done.stderr
    assert b"Traceback" not in done.stderr


def test_train(tmp_path: Path) -> None:
    adjectives = ["worthless", "pathetic", "stupid", "disgusting", "brainless", "useless"]
    nouns = ["idiot", "moron", "loser", "clown", "fool"]
    names = ["Anna", "Ben", "Chloe", "David", "Emma", "Farid"]
    rows = ["tweet,class"]
    rows += [
        f"You are a {a} {n}.,{i % 2}" for i, (a, n) in enumerate((a, n) for a in adjectives for n in nouns)
    ]
    rows += [
        f"Thanks for the help {n}! See you at {t}.,2"
        for n in names
        for t in ("noon", "six", "lunch", "ten", "nine")
    ]
    data = tmp_path / "small.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out_dir = tmp_path / "model"
    done = run(
        "guard", "train", "--data", str(data), "--text-field", "tweet", "--label-field", "class",
        "--positive", "0,1", "--out", str(out_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (out_dir / "head.safetensors").is_file()
    config = json.loads((out_dir / "config.json").read_text())
    assert config["name"] == "model"
    stdout = done.stdout.decode()
    assert f"model written to {out_dir}" in stdout
    assert "small.csv: 60 rows, test AUC " in stdout
    auc = float(stdout.split("test AUC ")[1].split(",")[0])
    assert auc > 0.9
    assert auc == config["metrics"]["sources"]["small.csv"]["test"]["auc"]
