"""The command line, run as a user runs it: a real subprocess per command."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genguard.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=300,
        check=False,
    )


def test_generate_detect_certify_verify_roundtrip(tmp_path: Path) -> None:
    key = tmp_path / "wm.key"
    made = run("watermark", "keygen", str(key))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = str(json.loads(key.read_text())["hash_key"])

    gen = run(
        "generate",
        "Write three sentences about the sea.",
        "--watermark",
        "--key",
        str(key),
        "--scheme",
        "lefthash",
        "--delta",
        "4",  # a strong mark: the key is random, so the test must not depend on a lucky draw
        "--max-new-tokens",
        "100",
        "--seed",
        "1",
        "--json",
    )
    assert gen.returncode == 0, gen.stderr
    record = json.loads(gen.stdout)
    assert record["watermark"]["key_id"] in key.with_name("wm.key.pub").read_text()
    text_file = tmp_path / "answer.txt"
    text_file.write_text(record["text"], encoding="utf-8")

    cert = tmp_path / "answer.cert"
    det = run(
        "watermark",
        "detect",
        str(text_file),
        "--scheme",
        "lefthash",
        "--key",
        str(key),
        "--certify",
        "--cert-out",
        str(cert),
        "--json",
    )
    assert det.returncode == 0, det.stderr
    detection = json.loads(det.stdout)["detection"]
    assert detection["decision"] == "watermarked"
    for out in (gen.stdout, gen.stderr, det.stdout, det.stderr, cert.read_bytes()):
        assert secret.encode() not in (out if isinstance(out, bytes) else out.encode())

    pub = str(key) + ".pub"
    ok = run("watermark", "verify", str(cert), "--public-key", pub, "--text", str(text_file))
    assert ok.returncode == 0 and b"VALID" in ok.stdout
    data = bytearray(cert.read_bytes())
    data[len(data) // 2] ^= 0x01
    cert.write_bytes(bytes(data))
    bad = run("watermark", "verify", str(cert), "--public-key", pub)
    assert bad.returncode == 1 and b"INVALID" in bad.stdout

    plain = run(
        "watermark",
        "detect",
        "-",
        "--key",
        str(key),
        "--json",
        stdin=b"A plain sentence written by a person.",
    )
    assert json.loads(plain.stdout)["detection"]["decision"] in {"not_watermarked", "insufficient_evidence"}


def test_bad_inputs_give_clear_errors(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    r = run("watermark", "detect", str(latin1))
    assert r.returncode == 2 and b"not valid UTF-8" in r.stderr and b"Traceback" not in r.stderr

    r = run("watermark", "detect", "-", "--scheme", "rot13", stdin=b"some text")
    assert r.returncode == 2 and b"'--scheme'" in r.stderr and b"'rot13' is not one of" in r.stderr

    corrupt = tmp_path / "corrupt.key"
    corrupt.write_bytes(b'{"format": "genguard-watermark-key/1", "hash_key": 12345')
    r = run("watermark", "detect", "-", "--key", str(corrupt), stdin=b"some text")
    assert r.returncode == 2 and b"corrupt" in r.stderr and b"12345" not in r.stderr

    r = run("watermark", "detect", str(tmp_path / "missing.txt"))
    assert r.returncode == 2 and b"not found" in r.stderr

    key = tmp_path / "k.key"
    assert run("watermark", "keygen", str(key)).returncode == 0
    r = run("watermark", "keygen", str(key))
    assert r.returncode == 2 and b"already exists" in r.stderr

    r = run("watermark", "detect", "-", "--json", stdin=b"")
    assert r.returncode == 0 and json.loads(r.stdout)["detection"]["decision"] == "insufficient_evidence"


@pytest.mark.slow
def test_generate_writes_the_answer_and_warns_when_too_short_to_detect(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    gen = run(
        "generate", "Name a colour.", "--watermark", "--max-new-tokens", "4", "--seed", "1",
        "--out", str(answer),
    )  # fmt: skip
    assert gen.returncode == 0, gen.stderr
    assert gen.stdout == b""  # the answer went to the file
    assert answer.read_text(encoding="utf-8").strip()
    assert b"warning: the answer is too short for detection to decide" in gen.stderr
    assert b"raise --min-new-tokens" in gen.stderr

    refused = run("generate", "x", "--min-new-tokens", "10", "--max-new-tokens", "5")
    assert (
        refused.returncode == 2 and b"--min-new-tokens 10 is more than --max-new-tokens 5" in refused.stderr
    )
