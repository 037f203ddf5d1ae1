"""The guard scan as a Ray Data job: byte-identical output and rejects to the streaming scan on a
corpus with PII, broken and blank lines, several byte ranges (Ray local mode, 2 CPUs)."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.guard.pipeline import Guard
from genguard.guard.scan import scan_corpus

POLICY = """\
profiles:
  pii:
    description: personal data only
    training:
      pii: {action: redact, reason: personal data}
"""
WORDS = [
    "the",
    "a",
    "river",
    "model",
    "data",
    "report",
    "city",
    "green",
    "market",
    "table",
    "energy",
    "école",
    "naïve",
    "東京",
]


def corpus(path: Path, n: int, seed: int = 0) -> Path:
    """Records with e-mail addresses, phone and card numbers, some ASCII-escaped, a broken JSON line,
    a blank line, a record without text, a line that is not UTF-8, no final newline."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 30)))
        r = rng.random()
        if r < 0.15:
            text += f" mail me at user{i}@example.org"
        elif r < 0.25:
            text += f" call +44 20 7946 {rng.randint(1000, 9999)}"
        elif r < 0.28:
            text += " card 4111 1111 1111 1111"
        lines.append(json.dumps({"id": i, "text": text}, ensure_ascii=i % 3 == 0).encode() + b"\n")
    lines[10], lines[20], lines[30] = b"not json\n", b"\n", b'{"text": 5}\n'
    lines[n // 2] = b"\xff\xfe not utf-8\n"
    path.write_bytes(b"".join(lines).rstrip(b"\n"))
    return path


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="ray is not installed (genguard[pipeline])"
)
def test_the_ray_scan_writes_the_streaming_scans_bytes(tmp_path: Path) -> None:
    from genguard.pipeline.scan_ray import ray_scan_corpus

    policy = tmp_path / "pii.yaml"
    policy.write_text(POLICY)
    src = corpus(tmp_path / "in.jsonl", 2000)
    stream = scan_corpus(src, tmp_path / "stream.jsonl", Guard.from_policy(policy, "pii"))
    ray = ray_scan_corpus(
        src, tmp_path / "ray.jsonl", policy=policy, profile="pii", num_cpus=2, chunk_bytes=100_000
    )
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "stream.jsonl").read_bytes()
    assert (tmp_path / "ray.jsonl.rejects.jsonl").read_bytes() == (
        tmp_path / "stream.jsonl.rejects.jsonl"
    ).read_bytes()
    volatile = {"output", "rejects"}
    assert {k: v for k, v in ray.model_dump().items() if k not in volatile} == {
        k: v for k, v in stream.model_dump().items() if k not in volatile
    }
    assert stream.redacted > 450 and stream.broken == 3 and stream.blank == 1
    assert not list(tmp_path.glob(".ray.jsonl.parts-*"))  # the scratch folder is gone
    # the same input checks as the streaming scan, before Ray starts
    with pytest.raises(ConfigError, match="already exists"):
        ray_scan_corpus(src, tmp_path / "ray.jsonl", policy=policy, profile="pii")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    with pytest.raises(InvalidInputError, match="is empty"):
        ray_scan_corpus(tmp_path / "empty.jsonl", tmp_path / "o.jsonl", policy=policy, profile="pii")
