"""The guard's training-data scan (`genguard.guard.scan.scan_corpus`) as a Ray Data job.

The corpus is cut into byte ranges as the dedup job cuts it (`pipeline.dedup`: a range owns the
lines that start inside it; a first map counts each range's lines, which numbers them). Each
range is scanned by `scan_corpus` itself, on a copy of its lines in a scratch folder beside the
output, with a guard built once per worker; the line numbers in its rejects are shifted to the
corpus' numbering. The driver concatenates the ranges' outputs in order and adds up their
summaries. The output and rejects files are therefore byte-identical to the streaming scan's
whenever the policy's scorers decide each text on its own (PII, lexicon, injection rules);
scorers whose scores move with the batch a text is padded in (the toxicity model in bf16) can
differ in the last digits, and so at a threshold. Tests and benchmarks/scan_ray.py check the
PII policy on >= 50,000 records.

The output folder must be visible to every worker (one machine, or a shared file system). There
is no checkpoint: an interrupted job is run again from the start.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from genguard.guard.scan import MAX_BROKEN_LISTED, ScanSummary, _no_records, _parse, check_scan, scan_corpus
from genguard.pipeline.dedup import _count_range, _range_lines, _ray_session, require_ray

_COUNTS = ("lines", "kept", "annotated", "redacted", "removed", "broken", "blank")


class _RangeScanner:
    """A Ray Data callable: scans one byte range per call with a guard built once per worker."""

    def __init__(self, policy: str | None, profile: str, path: str, chunk_bytes: int, size: int) -> None:
        from genguard.guard.pipeline import Guard

        self.guard = Guard.from_policy(policy, profile)
        self.geometry = (path, chunk_bytes, size)

    def __call__(self, batch: dict[str, Any], scratch: str, text_field: str, stage: str, batch_size: int):
        chunk, first = int(batch["chunk"][0]), int(batch["first"][0])
        part = Path(scratch) / f"part-{chunk:06d}.jsonl"
        lines = list(_range_lines(self.geometry[0], chunk, self.geometry[1], self.geometry[2]))
        summary = _scan_lines(lines, part, self.guard, text_field, stage, batch_size)
        _renumber(part.with_name(part.name + ".rejects.jsonl"), first)
        summary["broken_lines"] = [n + first for n in summary["broken_lines"]]
        return {"chunk": [chunk], "summary": [json.dumps(summary)]}


def _scan_lines(
    lines: list[bytes], part: Path, guard: Any, text_field: str, stage: str, batch_size: int
) -> dict:
    """scan_corpus on these lines (numbered from 1); a range with no usable record is counted here,
    since scan_corpus refuses a corpus without one."""
    source = part.with_name(part.name + ".in")
    source.write_bytes(b"".join(lines))
    rejects = part.with_name(part.name + ".rejects.jsonl")
    if not any(_parse(raw, text_field)[0] is not None for raw in lines):
        counts = dict.fromkeys(_COUNTS, 0) | {"removed_by_reason": {}, "redacted_by_reason": {}}
        counts["broken_lines"] = []
        with rejects.open("wb") as rej:
            for lineno, raw in enumerate(lines, 1):
                counts["lines"] += 1
                _, error = _parse(raw, text_field)
                if error is None:
                    counts["blank"] += 1
                    continue
                counts["broken"] += 1
                counts["broken_lines"].append(lineno)
                record = {"line": lineno, "error": error, "raw": raw[:200].decode("utf-8", "replace")}
                rej.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        part.write_bytes(b"")
        source.unlink()
        return counts
    result = scan_corpus(source, part, guard, text_field=text_field, stage=stage, batch_size=batch_size)
    source.unlink()
    return result.model_dump()


def _renumber(rejects: Path, first: int) -> None:
    """Shift the "line" of every reject by `first`; json round-trips its own output exactly, so
    every other byte stays as scan_corpus wrote it."""
    if first == 0 or not rejects.exists():
        return
    out = []
    for raw in rejects.read_bytes().splitlines(keepends=True):
        record = json.loads(raw)
        record["line"] += first
        out.append((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    rejects.write_bytes(b"".join(out))


def ray_scan_corpus(
    corpus: str | Path,
    out: str | Path,
    policy: str | Path | None = None,
    profile: str = "default",
    text_field: str = "text",
    stage: str = "training",
    batch_size: int = 256,
    num_cpus: int | None = None,
    chunk_bytes: int | None = None,
    progress: bool | None = None,
) -> ScanSummary:
    """Scan `corpus` (JSONL) into `out` with Ray Data; returns the ScanSummary the streaming scan
    would (and writes the same `<out>.rejects.jsonl` and `<out>.summary.json`).

    Starts a local Ray instance (`num_cpus`, default 2) when none runs and stops it at the end.
    `chunk_bytes`: size of the byte ranges (default about 4 per CPU, 256 KiB to 64 MiB). The same
    input checks as the streaming scan (check_scan); ConfigError when ray is not installed.
    """
    corpus, out = Path(corpus), Path(out)
    check_scan(corpus, out, restart=False)
    ray = require_ray()
    import ray.data as rd

    from genguard.guard.pipeline import Guard

    profile_name = Guard.from_policy(policy, profile).profile.name  # a bad policy fails here, not in a worker
    path, size = str(corpus.resolve()), corpus.stat().st_size
    rejects = out.with_name(out.name + ".rejects.jsonl")
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}.parts-", dir=out.parent))
    try:
        with _ray_session(ray, num_cpus, progress):
            cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
            chunk_bytes = chunk_bytes or min(64 << 20, max(256 << 10, math.ceil(size / (4 * cpus))))
            n_chunks = max(1, math.ceil(size / chunk_bytes))
            geometry = {"path": path, "chunk_bytes": chunk_bytes, "size": size}
            ranges = rd.from_items([{"chunk": k} for k in range(n_chunks)], override_num_blocks=n_chunks)
            counted = sorted(
                (r["chunk"], r["lines"]) for r in ranges.map(_count_range, fn_kwargs=geometry).take_all()
            )
            firsts, total = [], 0
            for _, n in counted:
                firsts.append(total)
                total += n
            items = [{"chunk": k, "first": firsts[k]} for k in range(n_chunks)]
            rows = (
                rd.from_items(items, override_num_blocks=n_chunks)
                .map_batches(
                    _RangeScanner,
                    batch_size=1,
                    compute=rd.ActorPoolStrategy(min_size=1, max_size=cpus),
                    fn_constructor_kwargs={
                        "policy": None if policy is None else str(policy),
                        "profile": profile,
                        **geometry,
                    },
                    fn_kwargs={
                        "scratch": str(scratch),
                        "text_field": text_field,
                        "stage": stage,
                        "batch_size": batch_size,
                    },
                )
                .take_all()
            )
        parts = {int(r["chunk"]): json.loads(r["summary"]) for r in rows}
        summary = _merge([parts[k] for k in range(n_chunks)], corpus, out, rejects, profile_name)
        with out.open("wb") as dst, rejects.open("wb") as rej:
            for k in range(n_chunks):
                part = scratch / f"part-{k:06d}.jsonl"
                for source, target in ((part, dst), (part.with_name(part.name + ".rejects.jsonl"), rej)):
                    if source.exists():
                        with source.open("rb") as f:
                            shutil.copyfileobj(f, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if summary.lines == summary.blank + summary.broken:
        _no_records(corpus, out, text_field, summary.broken)
    out.with_name(out.name + ".summary.json").write_text(
        summary.model_dump_json(indent=2) + "\n", encoding="utf-8"
    )
    return summary


def _merge(parts: list[dict], corpus: Path, out: Path, rejects: Path, profile: str) -> ScanSummary:
    """The ranges' summaries added up in range order (the first MAX_BROKEN_LISTED broken lines)."""
    counts = dict.fromkeys(_COUNTS, 0)
    removed, redacted, broken = Counter(), Counter(), []
    for p in parts:
        for key in _COUNTS:
            counts[key] += p[key]
        removed.update(p["removed_by_reason"])
        redacted.update(p["redacted_by_reason"])
        broken += p["broken_lines"]
    return ScanSummary(
        input=str(corpus),
        output=str(out),
        rejects=str(rejects),
        profile=profile,
        removed_by_reason=dict(removed),
        redacted_by_reason=dict(redacted),
        broken_lines=broken[:MAX_BROKEN_LISTED],
        complete=True,
        **counts,
    )
