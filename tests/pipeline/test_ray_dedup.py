"""The Ray Data dedup job against the streaming path: byte-identical outputs (Ray local mode, 2 CPUs)."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.pipeline import ray_dedup_jsonl, require_ray
from genguard.provenance.dedup import dedup_jsonl

needs_ray = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install genguard[pipeline])"
)
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "du", "fe", "go", "ha", "ji", "pu", "ze"]
VOLATILE = {"engine", "seconds", "docs_per_s", "mb_per_s", "out_path", "dropped_path"}


def doc(rng: random.Random, count: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(count))


def corpus(path: Path, docs: int, seed: int = 0, bad: bool = False) -> Path:
    """Unrelated documents with planted exact, normalised and near copies, clusters larger than 3,
    empty documents, CRLF lines and a last line without a newline."""
    rng = random.Random(seed)
    texts = [doc(rng, rng.randint(3, 150)) for _ in range(docs)]
    for _ in range(docs // 3):
        base = rng.choice(texts[: docs // 4])  # a quarter of the bases get most copies: big clusters
        words = base.split()
        if len(words) > 20:
            words[rng.randrange(len(words))] = "edited"
        copy = rng.choice([base, base.upper(), " ".join(words), base.replace(" ", " , ")])
        texts.insert(rng.randrange(len(texts) + 1), copy)
    texts[5:5] = ["", "?!", ""]
    lines = []
    for i, text in enumerate(texts):
        raw = json.dumps({"id": i, "text": text}, ensure_ascii=i % 2 == 0).encode()
        lines.append(raw + (b"\r\n" if i % 50 == 0 else b"\n"))
    if bad:
        lines[7] = b'{"text": 3}\n'
        lines[len(lines) // 2] = b"not json\n"
    path.write_bytes(b"".join(lines).rstrip(b"\n"))
    return path


def test_a_missing_ray_is_named_with_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when ray is not installed
    with pytest.raises(ConfigError, match=r"pip install genguard\[pipeline\]"):
        require_ray()


@needs_ray
def test_the_job_starts_and_stops_its_own_ray_when_none_runs(tmp_path: Path) -> None:
    import ray

    if ray.is_initialized():
        pytest.skip("a Ray instance is already running in this process")
    src = corpus(tmp_path / "in.jsonl", 200)
    stats = ray_dedup_jsonl(src, tmp_path / "ray.jsonl", num_cpus=2)
    assert not ray.is_initialized()
    expected = dedup_jsonl(src, tmp_path / "stream.jsonl")
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "stream.jsonl").read_bytes()
    assert stats.engine == "ray" and stats.dropped == expected.dropped > 0


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install genguard[pipeline])")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    if started:
        ray.shutdown()


@pytest.mark.parametrize("cap", [1, 3])
def test_ray_output_is_byte_identical_to_the_streaming_path(local_ray, tmp_path: Path, cap: int) -> None:
    src = corpus(tmp_path / "in.jsonl", 2400)
    stream = dedup_jsonl(src, tmp_path / "stream.jsonl", max_occurrences=cap)
    # Small byte ranges (about 20 of them), so many lines straddle a range boundary.
    ray_stats = ray_dedup_jsonl(src, tmp_path / "ray.jsonl", max_occurrences=cap, chunk_bytes=50_000)
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "stream.jsonl").read_bytes()
    assert (tmp_path / "ray.dropped.jsonl").read_bytes() == (tmp_path / "stream.dropped.jsonl").read_bytes()
    assert ray_stats.model_dump(exclude=VOLATILE) == stream.model_dump(exclude=VOLATILE)
    assert stream.dropped > (300 if cap == 1 else 100) and stream.empty == 3 and stream.largest_cluster > cap
    assert local_ray.is_initialized()  # a caller's Ray instance is left running


def test_ray_bad_lines_are_skipped_and_counted_or_stop_the_job(local_ray, tmp_path: Path) -> None:
    src = corpus(tmp_path / "in.jsonl", 400, seed=1, bad=True)
    stream = dedup_jsonl(src, tmp_path / "stream.jsonl", on_bad_line="skip")
    ray_stats = ray_dedup_jsonl(src, tmp_path / "ray.jsonl", on_bad_line="skip", chunk_bytes=20_000)
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "stream.jsonl").read_bytes()
    assert ray_stats.bad_lines == stream.bad_lines == 2 and ray_stats.bad_line_ids == stream.bad_line_ids
    with pytest.raises(InvalidInputError, match=r"line \d+ \(id \d+\) (is not valid JSON|has a 'text')"):
        ray_dedup_jsonl(src, tmp_path / "ray2.jsonl", chunk_bytes=20_000)
    assert not (tmp_path / "ray2.jsonl").exists()
