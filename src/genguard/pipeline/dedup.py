"""Corpus deduplication as a Ray Data job: the same kept set, byte for byte, as the streaming path.

Semantics are those of `genguard.provenance.dedup` (ids = line numbers, LSH buckets linked to
their smallest id after signature verification, exact duplicates always linked, connected
components, the `max_occurrences` smallest ids of each cluster kept); this module only
distributes the work:

1. The file is cut into byte ranges; a range owns the lines that start inside it (a task finds
   its first line by reading past the first b"\\n" before its start, as Hadoop's line reader
   does), so every task reads its own part of the file. A first map counts each range's lines,
   which numbers them: ids stay line numbers.
2. A map sketches each range in batches (signatures, band keys, exact keys; numpy in the task)
   into a materialised dataset: num_perm x 4 + bands x 8 + 40 bytes per line in the object store
   (which spills to disk when full).
3. Bucket rows (band, key, id), one per band per document plus one exact-key row, are grouped by
   a partition of the key (`groupby(part).map_groups`, 16 partitions): each group is a numpy batch
   whose buckets are found with a sort, so the work is vectorised rather than one call per bucket.
   Only (member, head) pairs come back to the driver.
4. The signatures of documents in candidate pairs, and the lines that are empty or bad, are
   fetched with a filtering map; the driver verifies the pairs and forms the clusters
   (`provenance.dedup.decide`): a few int64 per line on the driver.
5. A map copies each range's kept lines (the keep bits travel with the range); the driver writes
   the ranges' bytes to the output in range order.

Under on_bad_line="error" the task that meets a bad line stops the job with InvalidInputError
naming it (with several bad lines in different ranges, not necessarily the first one).
"""

from __future__ import annotations

import importlib
import logging
import math
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Unpack

import numpy as np

from genguard.errors import ConfigError, InvalidInputError
from genguard.provenance.dedup_cluster import bucket_pairs, decide, make_stats, write_dropped_map
from genguard.provenance.dedup_params import DedupParameters, DedupStats, JsonlOptions
from genguard.provenance.dedup_records import AtomicWriter, prepare_jsonl_run
from genguard.provenance.dedup_sketch import Sketcher, sketch_lines

_PARTITIONS = 16
_KIND_DOC, _KIND_EMPTY, _KIND_BAD = 0, 1, 2


def require_ray() -> ModuleType:
    """The ray module; ConfigError naming the extra to install when it is missing."""
    try:
        ray = importlib.import_module("ray")
        importlib.import_module("ray.data")
    except ImportError as e:
        raise ConfigError(
            f"the Ray Data jobs need ray with ray[data] ({e}); install them with "
            "`pip install genguard[pipeline]`, or use genguard.provenance.dedup.dedup_jsonl on one machine"
        ) from e
    return ray


# ---------------------------------------------------------------------------------------------
# Byte ranges of the file (run inside tasks)


def _line_start_at_or_after(f, pos: int, size: int) -> int:
    if pos <= 0:
        return 0
    if pos >= size:
        return size
    f.seek(pos - 1)
    f.readline()  # the line holding byte pos-1 belongs to the range before
    return f.tell()


def _range(f, chunk: int, chunk_bytes: int, size: int) -> tuple[int, int]:
    start = _line_start_at_or_after(f, chunk * chunk_bytes, size)
    return start, max(start, _line_start_at_or_after(f, (chunk + 1) * chunk_bytes, size))


def _range_lines(path: str, chunk: int, chunk_bytes: int, size: int) -> Iterator[bytes]:
    with open(path, "rb") as f:
        start, end = _range(f, chunk, chunk_bytes, size)
        f.seek(start)
        pos = start
        while pos < end:
            line = f.readline()
            pos += len(line)
            yield line


def _count_range(row: dict[str, Any], path: str, chunk_bytes: int, size: int) -> dict[str, Any]:
    with open(path, "rb") as f:
        start, end = _range(f, int(row["chunk"]), chunk_bytes, size)
        f.seek(start)
        lines, left, last = 0, end - start, b""
        while left > 0:
            block = f.read(min(left, 8 << 20))
            lines += block.count(b"\n")
            left -= len(block)
            last = block[-1:]
        if end > start and last != b"\n":
            lines += 1  # the file's last line, without a final newline
    return {"chunk": int(row["chunk"]), "lines": lines}


def _sketch_range(
    batch: dict[str, np.ndarray],
    path: str,
    chunk_bytes: int,
    size: int,
    params: DedupParameters,
    batch_size: int,
    batch_bytes: int,
) -> Iterator[dict[str, np.ndarray]]:
    sketcher = Sketcher(params)
    for chunk, first in zip(batch["chunk"].tolist(), batch["first_id"].tolist(), strict=True):
        lines: list[bytes] = []
        held = 0
        for line in _range_lines(path, chunk, chunk_bytes, size):
            lines.append(line)
            held += len(line)
            if len(lines) >= batch_size or held >= batch_bytes:
                yield _sketch_rows(lines, first, sketcher, path)
                first += len(lines)
                lines, held = [], 0
        if lines:
            yield _sketch_rows(lines, first, sketcher, path)


def _sketch_rows(lines: list[bytes], first: int, sketcher: Sketcher, path: str) -> dict[str, np.ndarray]:
    """One row per line: documents with their sketch, empty and bad lines with zeros and a reason."""
    p = sketcher.params
    s, bad = sketch_lines(lines, first, sketcher, path)
    m, e, b = s.ids.size, s.empty_ids.size, len(bad)
    total = m + e + b
    signatures = np.zeros((total, p.num_perm), dtype=np.uint32)
    keys = np.zeros((total, p.bands), dtype=np.uint64)
    exact = np.zeros((total, 2), dtype=np.uint64)
    signatures[:m], keys[:m], exact[:m] = s.signatures, s.keys, s.exact
    reasons = np.array([""] * (m + e) + [r for _, r in bad], dtype=object)
    return {
        "id": np.concatenate([s.ids, s.empty_ids, np.array([i for i, _ in bad], dtype=np.int64)]),
        "kind": np.repeat(np.array([_KIND_DOC, _KIND_EMPTY, _KIND_BAD], dtype=np.int8), [m, e, b]),
        "signature": signatures,
        "keys": keys,
        "exact": exact,
        "reason": reasons,
    }


def _bucket_rows(batch: dict[str, np.ndarray], bands: int, parts: int) -> dict[str, np.ndarray]:
    """One row per band per document, plus one exact-key row (band = bands), with its partition."""
    ok = batch["kind"] == _KIND_DOC
    ids, keys, exact = batch["id"][ok], batch["keys"][ok], batch["exact"][ok]
    m = ids.size
    key_a = np.concatenate([np.ascontiguousarray(keys.T).ravel(), exact[:, 0]]).astype(np.uint64)
    return {
        "band": np.repeat(np.arange(bands + 1, dtype=np.int64), m),
        "key_a": key_a,
        "key_b": np.concatenate([np.zeros(m * bands, dtype=np.uint64), exact[:, 1]]).astype(np.uint64),
        "id": np.tile(ids, bands + 1).astype(np.int64),
        "part": (key_a % np.uint64(parts)).astype(np.int64),
    }


def _bucket_group(group: dict[str, np.ndarray], bands: int) -> dict[str, np.ndarray]:
    """Pairs (member, head) of every bucket in one partition; `exact` marks exact-key pairs."""
    is_exact = group["band"] == bands
    lsh, ex = ~is_exact, is_exact
    lm, lh = bucket_pairs([group["band"][lsh], group["key_a"][lsh]], group["id"][lsh])
    em, eh = bucket_pairs([group["key_a"][ex], group["key_b"][ex]], group["id"][ex])
    return {
        "member": np.concatenate([lm, em]),
        "head": np.concatenate([lh, eh]),
        "exact": np.repeat(np.array([False, True]), [lm.size, em.size]),
    }


def _lookup_rows(batch: dict[str, np.ndarray], needed: np.ndarray) -> dict[str, np.ndarray]:
    """Lines that are empty or bad, and the documents whose signatures verify candidate pairs."""
    pick = (batch["kind"] != _KIND_DOC) | np.isin(batch["id"], needed)
    return {key: batch[key][pick] for key in ("id", "kind", "reason", "signature")}


def _copy_kept(
    batch: dict[str, np.ndarray], path: str, chunk_bytes: int, size: int
) -> Iterator[dict[str, np.ndarray]]:
    for chunk, lines, bits in zip(
        batch["chunk"].tolist(), batch["lines"].tolist(), batch["keep"], strict=True
    ):
        keep = np.unpackbits(np.frombuffer(bits, dtype=np.uint8), count=lines).astype(bool)
        out = [
            line if line.endswith(b"\n") else line + b"\n"
            for line, k in zip(_range_lines(path, chunk, chunk_bytes, size), keep, strict=True)
            if k
        ]
        yield {"chunk": np.array([chunk]), "data": np.array([b"".join(out)], dtype=object)}


# ---------------------------------------------------------------------------------------------
# The driver


def _invalid_input_in(error: BaseException) -> InvalidInputError | None:
    """The InvalidInputError a task raised, found through Ray's wrappers (cause chains)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, InvalidInputError):
            return e
        stack += [e.__cause__, e.__context__, getattr(e, "cause", None)]
    return None


@contextmanager
def _ray_session(ray: ModuleType, num_cpus: int | None, progress: bool | None) -> Iterator[None]:
    """A local Ray instance unless one is running (then it is left running), Ray Data kept quiet
    unless `progress` (None: only when stderr is a terminal)."""
    started = not ray.is_initialized()
    if started:
        ray.init(
            num_cpus=num_cpus or 2,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    from ray.data import DataContext
    from ray.data.context import ShuffleStrategy

    with warnings.catch_warnings():
        # Ray's own DataContext() sets deprecated fields of its own and warns about them.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="ray")
        ctx = DataContext.get_current()
    show = sys.stderr.isatty() if progress is None else progress
    saved = (ctx.enable_progress_bars, ctx.enable_auto_log_stats, ctx.shuffle_strategy)
    # The sort shuffle runs as plain tasks; the default hash shuffle starts and stops aggregator
    # actors, which cost about 6 s per job on a 2-CPU machine (measured: groupby 4.2 s + 2.7 s
    # before the next stage could start, against 1.2 s + 0.1 s) for 16 partitions of small rows.
    ctx.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    # The per-dataset "execution finished" lines (INFO) and the one-off "Progress bars disabled".
    loggers = [logging.getLogger("ray.data"), logging.getLogger("ray.data._internal.progress")]
    saved_levels = [logger.level for logger in loggers]
    if not show:
        loggers[0].setLevel(logging.WARNING)
        loggers[1].setLevel(logging.ERROR)
        ctx.enable_progress_bars, ctx.enable_auto_log_stats = False, False
    try:
        yield
    finally:
        ctx.enable_progress_bars, ctx.enable_auto_log_stats, ctx.shuffle_strategy = saved
        for logger, level in zip(loggers, saved_levels, strict=True):
            logger.setLevel(level)
        if started:
            ray.shutdown()


def _collect(ds) -> dict[str, np.ndarray]:
    """All rows of a small dataset as concatenated numpy columns."""
    columns: dict[str, list[np.ndarray]] = {}
    for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
        for key, value in batch.items():
            columns.setdefault(key, []).append(value)
    return {key: np.concatenate(values) for key, values in columns.items()}


def ray_dedup_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    *,
    dropped_path: str | Path | None = None,
    batch_size: int = 2048,
    batch_bytes: int = 32 << 20,
    num_cpus: int | None = None,
    chunk_bytes: int | None = None,
    progress: bool | None = None,
    **options: Unpack[JsonlOptions],
) -> DedupStats:
    """Deduplicate a JSONL file with Ray Data; returns DedupStats (engine "ray").

    Writes the same `out_path` and dropped map as `dedup_jsonl` with the same parameters, byte for
    byte. Starts a local Ray instance (`num_cpus`, default 2) when none is running and shuts it
    down at the end; a running instance is used and left running. `chunk_bytes` is the size of the
    byte ranges the file is cut into (default: about 4 per CPU, 1 to 64 MiB). `seconds` in the
    stats include starting Ray when this call starts it. `options` are dedup_jsonl's (JsonlOptions).
    """
    started_at = time.perf_counter()
    ray = require_ray()
    params, src, out, dropped_out = prepare_jsonl_run(
        in_path, out_path, dropped_path, batch_size, batch_bytes, options
    )
    if chunk_bytes is not None and chunk_bytes < 1:
        raise ConfigError(f"chunk_bytes must be >= 1, got {chunk_bytes}")
    path = str(src.resolve())  # tasks may run in another working directory
    size = src.stat().st_size
    with _ray_session(ray, num_cpus, progress):
        try:
            lines, bad_ids, empty, decision, chunks = _run(
                ray, path, size, params, batch_size, batch_bytes, chunk_bytes
            )
        except Exception as e:
            found = _invalid_input_in(e)
            if found is None:
                raise
            raise InvalidInputError(str(found)) from None
        _write_output(ray, path, out, size, chunks, decision.keep)
    write_dropped_map(dropped_out, decision)
    seconds = time.perf_counter() - started_at
    return make_stats("ray", decision, lines, bad_ids, empty, size, seconds, params, out, dropped_out)


def _run(
    ray: ModuleType,
    path: str,
    size: int,
    params: DedupParameters,
    batch_size: int,
    batch_bytes: int,
    chunk_bytes: int | None,
):
    """Stages 1-4: (lines, bad ids, empty count, Decision, per-range (chunk, first id, lines, bytes))."""
    import ray.data as rd

    if chunk_bytes is None:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        chunk_bytes = min(64 << 20, max(1 << 20, math.ceil(size / (4 * cpus))))
    n_chunks = math.ceil(size / chunk_bytes) if size else 0
    if n_chunks == 0:
        empty = np.empty(0, dtype=np.int64)
        decision = decide(0, empty, empty, empty, empty, empty, lambda i: i, params)
        return 0, empty, 0, decision, (chunk_bytes, [])
    geometry = {"path": path, "chunk_bytes": chunk_bytes, "size": size}

    # 1. Lines per range -> the first id of each range.
    ranges = rd.from_items([{"chunk": k} for k in range(n_chunks)], override_num_blocks=n_chunks)
    counted = sorted(
        (r["chunk"], r["lines"]) for r in ranges.map(_count_range, fn_kwargs=geometry).take_all()
    )
    counts = np.array([c for _, c in counted], dtype=np.int64)
    firsts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    lines = int(counts.sum())

    # 2. Sketches, materialised: stages 3 and 4 both read them.
    items = [{"chunk": k, "first_id": int(firsts[k])} for k in range(n_chunks)]
    sketches = (
        rd.from_items(items, override_num_blocks=n_chunks)
        .map_batches(
            _sketch_range,
            batch_size=1,
            batch_format="numpy",
            fn_kwargs={**geometry, "params": params, "batch_size": batch_size, "batch_bytes": batch_bytes},
        )
        .materialize()
    )

    # 3. Buckets per partition of the key -> candidate pairs.
    pairs = _collect(
        sketches.map_batches(
            _bucket_rows, batch_format="numpy", fn_kwargs={"bands": params.bands, "parts": _PARTITIONS}
        )
        .groupby("part", num_partitions=_PARTITIONS)
        .map_groups(_bucket_group, batch_format="numpy", fn_kwargs={"bands": params.bands})
    )
    member = pairs.get("member", np.empty(0, np.int64)).astype(np.int64)
    head = pairs.get("head", np.empty(0, np.int64)).astype(np.int64)
    is_exact = pairs.get("exact", np.empty(0, bool)).astype(bool)

    # 4. Signatures for verification, and the empty and bad lines.
    needed = np.unique(np.concatenate([member[~is_exact], head[~is_exact]]))
    looked = _collect(sketches.map_batches(_lookup_rows, batch_format="numpy", fn_kwargs={"needed": needed}))
    kind = looked.get("kind", np.empty(0, np.int8))
    ids = looked.get("id", np.empty(0, np.int64)).astype(np.int64)
    docs = kind == _KIND_DOC
    order = np.argsort(ids[docs])
    sig_ids = ids[docs][order]
    sig_rows = looked["signature"][docs][order] if docs.any() else np.empty((0, params.num_perm), np.uint32)
    bad_ids = np.sort(ids[kind == _KIND_BAD])
    empty_count = int(np.count_nonzero(kind == _KIND_EMPTY))
    del sketches  # frees the object store before the copy stage

    decision = decide(
        lines,
        bad_ids,
        member[~is_exact],
        head[~is_exact],
        member[is_exact],
        head[is_exact],
        lambda i: sig_rows[np.searchsorted(sig_ids, i)],
        params,
    )
    return (
        lines,
        bad_ids,
        empty_count,
        decision,
        (chunk_bytes, list(zip(range(n_chunks), firsts, counts, strict=True))),
    )


def _write_output(ray: ModuleType, path: str, out: Path, size: int, chunks, keep: np.ndarray) -> None:
    """Stage 5: each range's kept lines, written in range order."""
    import ray.data as rd

    chunk_bytes, ranges = chunks
    with AtomicWriter(out) as f:
        if not ranges:
            return
        items = [
            {"chunk": k, "lines": int(c), "keep": np.packbits(keep[first : first + c]).tobytes()}
            for k, first, c in ranges
        ]
        copied = rd.from_items(items, override_num_blocks=len(items)).map_batches(
            _copy_kept,
            batch_size=1,
            batch_format="numpy",
            fn_kwargs={"path": path, "chunk_bytes": chunk_bytes, "size": size},
        )
        # Ranges may come back out of order; hold early ones until their turn.
        pending: dict[int, bytes] = {}
        expected = 0
        for batch in copied.iter_batches(batch_size=1, batch_format="numpy"):
            pending[int(batch["chunk"][0])] = batch["data"][0]
            while expected in pending:
                f.write(pending.pop(expected))
                expected += 1
        if expected != len(ranges):
            raise RuntimeError(f"the copy stage returned {expected} of {len(ranges)} byte ranges")
