"""The guard's training-data scan: the streaming path (`genguard.guard.scan.scan_corpus`) against
the Ray Data job (`genguard.pipeline.scan_ray.ray_scan_corpus`) on the same corpus.

Corpus (built in a temporary folder): --records JSON lines (default 56,000) of human-written
text, BOLD Wikipedia sentences read in place from ../shared/data, a fifth of them with planted
personal data (e-mail addresses, phone numbers, card numbers, IBANs), every third line
ASCII-escaped, plus broken, blank and non-UTF-8 lines. Policy: personal data only (the built-in
policy's training-stage PII rule: redact). Measured: both paths' output and rejects must be
byte-identical (the script exits 1 otherwise); records per second end to end, the Ray job with
Ray started beforehand (its start-up time given apart) and, as run from a cold start, with it.
The two paths run one after the other in the same process, streaming first; the machine is
shared (2 cores, other jobs running): the load average is printed.

Usage: python benchmarks/scan_ray.py [--records 56000] [--num-cpus 2]
Results go to benchmarks/results/scan_ray.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from genguard.datasets import bold_wikipedia_sentences
from genguard.guard.pipeline import Guard
from genguard.guard.scan import scan_corpus
from genguard.pipeline.scan_ray import ray_scan_corpus

OUT = Path(__file__).resolve().parent / "results" / "scan_ray.json"
POLICY = """\
profiles:
  pii:
    description: personal data only (the built-in policy's training-stage PII rule)
    training:
      pii: {action: redact, reason: personal data}
"""


def build(path: Path, records: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    sentences = bold_wikipedia_sentences()
    planted = 0
    lines = []
    for i in range(records):
        text = rng.choice(sentences)
        if rng.random() < 0.2:
            planted += 1
            text += rng.choice(
                [
                    f" Write to {rng.choice(['anna', 'j.doe', 'office'])}{i}@example.org for details.",
                    f" Call +44 20 7946 {rng.randint(1000, 9999)} after six.",
                    " Paid with card 4111 1111 1111 1111.",
                    " IBAN GB82 WEST 1234 5698 7654 32.",
                ]
            )
        lines.append(json.dumps({"id": i, "text": text}, ensure_ascii=i % 3 == 0).encode() + b"\n")
    for k, bad in enumerate([b"not json\n", b"\n", b'{"text": 5}\n', b"\xff\xfe not utf-8\n"]):
        lines[(k + 1) * records // 5] = bad
    path.write_bytes(b"".join(lines))
    return {"records": records, "bytes": path.stat().st_size, "planted_pii": planted}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=56_000)
    parser.add_argument("--num-cpus", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import ray

    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        policy = tmp / "pii.yaml"
        policy.write_text(POLICY)
        corpus = tmp / "corpus.jsonl"
        info = build(corpus, args.records)
        print(
            f"corpus: {info['records']:,} records, {info['bytes'] / 1e6:.1f} MB, "
            f"{info['planted_pii']:,} with planted PII"
        )
        start = time.perf_counter()
        stream = scan_corpus(corpus, tmp / "stream.jsonl", Guard.from_policy(policy, "pii"))
        stream_s = time.perf_counter() - start
        print(f"streaming: {stream_s:.1f} s, {info['records'] / stream_s:,.0f} records/s", flush=True)
        start = time.perf_counter()
        ray_scan_corpus(corpus, tmp / "cold.jsonl", policy=policy, profile="pii", num_cpus=args.num_cpus)
        cold_s = time.perf_counter() - start
        print(f"ray, cold (starts and stops Ray): {cold_s:.1f} s", flush=True)
        start = time.perf_counter()
        ray.init(
            num_cpus=args.num_cpus,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
        startup_s = time.perf_counter() - start
        start = time.perf_counter()
        warm = ray_scan_corpus(corpus, tmp / "ray.jsonl", policy=policy, profile="pii")
        ray_s = time.perf_counter() - start
        ray.shutdown()
        print(f"ray, Ray already started ({startup_s:.1f} s start-up): {ray_s:.1f} s", flush=True)
        identical = all(
            (tmp / f"{name}.jsonl{suffix}").read_bytes() == (tmp / f"stream.jsonl{suffix}").read_bytes()
            for name in ("ray", "cold")
            for suffix in ("", ".rejects.jsonl")
        )
        same_summary = {k: v for k, v in warm.model_dump().items() if k not in ("output", "rejects")} == {
            k: v for k, v in stream.model_dump().items() if k not in ("output", "rejects")
        }
    result = {
        "corpus": info,
        "policy": "pii redact (training stage)",
        "num_cpus": args.num_cpus,
        "streaming_seconds": stream_s,
        "streaming_records_per_s": info["records"] / stream_s,
        "ray_cold_seconds": cold_s,
        "ray_cold_records_per_s": info["records"] / cold_s,
        "ray_startup_seconds": startup_s,
        "ray_seconds": ray_s,
        "ray_records_per_s": info["records"] / ray_s,
        "ray_vs_streaming": stream_s / ray_s,
        "byte_identical": identical,
        "same_summary": same_summary,
        "redacted": stream.redacted,
        "broken": stream.broken,
        "blank": stream.blank,
        "load_average_start": load_start,
        "load_average_end": os.getloadavg()[0],
    }
    print(
        f"byte-identical output and rejects: {identical}; summaries equal: {same_summary}; "
        f"{stream.redacted:,} redacted; Ray/streaming speed {result['ray_vs_streaming']:.2f}x; "
        f"load average {load_start:.1f} -> {result['load_average_end']:.1f}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if identical and same_summary else 1


if __name__ == "__main__":
    sys.exit(main())
