"""Corpus deduplication with an occurrence cap: MinHash-LSH near-duplicate clusters, kept in input order.

One definition, implemented bit for bit by the streaming path here (`dedup_jsonl`, `dedup_texts`)
and by the Ray Data job (`genguard.pipeline.ray_dedup_jsonl`): on the same input and parameters
both write byte-identical files.

Documents and ids. A document's id is its position in the input, from 0: for JSONL, the line
number (lines end at b"\\n" only; a last line without one counts; nothing after a final b"\\n"
does). A line must be UTF-8 JSON holding an object whose `text_field` is a string. Any other line
(bad UTF-8, bad JSON or a blank line, not an object, field missing, not a string, a lone
surrogate) is a bad line: with on_bad_line="error" (the default) the run stops with
InvalidInputError naming the line (1-based) and what is wrong; with "skip" the line is left out
of the output and counted (`bad_lines`, the first ids in `bad_line_ids`). Bad lines keep their
id, so ids stay line numbers either way.

Sketch of a document. t = normalize_for_shingles(text) (NFKC, invisible characters, homoglyphs,
case, punctuation and spacing folded). A document with t == "" is empty: it is kept, in its own
cluster, never linked (it has no content to compare) and counted in `empty`; dedup is not a
content filter. Otherwise:
- exact key: BLAKE2b-128 of t (UTF-8);
- signature: `MinHasher(num_perm, seed).signatures(shingle_hashes([text], shingle, n))`; a text
  over CHUNK_CHARS = 1 Mi characters is read once in normal-form pieces (`normalized_chunks`)
  that feed both its shingles (`iter_piece_shingles`, the same set as the whole text's; the
  pieces' signatures merge by minimum) and its exact key, so memory stays bounded (measured below);
- band keys: `band_keys(signature, bands, rows)` with (bands, rows) = lsh_parameters(
  lsh_threshold, num_perm): (14, 9) at the default lsh_threshold = threshold - 0.1 = 0.7.

Edges. (1) For each band, the non-empty documents sharing a key form a bucket; every member m
other than the bucket's smallest id h gets the edge m-h when their signatures agree in at least
ceil(threshold * num_perm) positions (estimated Jaccard >= threshold; 103 of 128 at 0.8). Only
member-to-head pairs are compared. (2) Documents with the same exact key are linked to the
smallest id among them unconditionally, short documents included.

Clusters and the cap. Clusters are the connected components of the edges; a cluster's
representative is its smallest id. Each cluster keeps its `max_occurrences` smallest ids (1:
classic dedup; k: no piece of content appears more than k times) and drops the rest; each
dropped id is recorded with its representative.

Output. The kept lines, in input order, each line's bytes unchanged and ended with b"\\n"; and a
JSONL map of the dropped lines, one `{"id": i, "duplicate_of": r}` per dropped id in id order.

Threshold 0.8 on word 5-grams is the near-duplicate setting of Lee et al. (2022), "Deduplicating
Training Data Makes Language Models Better" (MinHash over 5-grams, Jaccard 0.8): with 5-grams it
matches copies with a few percent of their words changed (one word in 100 changed gives about
0.9, four in 100 about 0.7), not texts on the same topic. The bands are chosen for 0.7 rather
than 0.8 because the S-curve of (9, 13) bands, chosen for 0.8, finds a pair at Jaccard 0.8 only
40 % of the time; verification at 0.8 keeps the looser candidates from merging more. On 20,000
documents of the benchmark corpus, lsh_threshold 0.8 / 0.7 / 0.6 removed 90.4 / 95.8 / 96.3 % of
the planted true duplicates (2,512 / 2,974 / 3,275 candidate pairs, same time).

Measured error rates (benchmarks/dedup_throughput.py at the defaults: 56,000 documents from BOLD
Wikipedia paragraphs, Shakespeare passages and mixes of BOLD sentences, 9,035 planted copies; a
copy is a true duplicate when the exact Jaccard of its word 5-grams with its base's is >= 0.8):
- recall: 96.0 % of the true duplicates removed at max_occurrences=1 (92.4 % at 3, where 143 of
  5,890 families kept more than 3 because a copy was missed); a copy lands in its base's cluster
  at true Jaccard >= 0.9: 100 %, 0.85-0.9: 96.4 %, 0.8-0.85: 75.1 %; below the threshold, at
  0.7-0.8: 11.5 % (MinHash estimates scatter by about +-0.035 at 128 permutations), < 0.7: 0;
- false removals: 1 of 41,075 documents with no planted copy was dropped with a true Jaccard
  below 0.8 to its representative (2.4e-5; 4 more were duplicates already in the source data),
  and no dropped document had a true Jaccard below 0.5 to its representative;
- datasketch's MinHashLSH at 0.8 in the usual greedy loop removed 88.7 % on the same corpus.

Memory (streaming path): per document in RAM (bands + 3) x 8 bytes (136 bytes at 14 bands: band
keys, exact key, id), plus num_perm x 4 bytes (512 bytes at 128) in a temporary file read back
only for candidate pairs; at the end one band at a time is sorted (about 32 more bytes per
document) and the clustering holds a few int64 arrays per line. Text is held one batch at a
time (`batch_size` documents or `batch_bytes` bytes, whichever comes first). Measured: a 50 MB
line (and its upper-case copy) peaked at 365 MB resident against 89 MB for a one-line file, about
5.5 bytes per byte of the longest line (the line read, decoded and parsed, plus the working set of
one piece), at about 4.3 MB/s.

Modules: the parameters and result models are in `dedup_params`, JSONL records and output files in
`dedup_records`, sketching in `dedup_sketch`, candidate pairs, clusters and the cap in
`dedup_cluster`; this module runs them (streaming and in memory) and re-exports their names.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Unpack

import numpy as np

from genguard.errors import ConfigError, InvalidInputError
from genguard.provenance.dedup_cluster import (
    Decision,
    bucket_pairs,
    decide,
    dropped_map_lines,
    exact_pairs,
    make_stats,
    min_equal_positions,
    unique_pairs,
    write_dropped_map,
)
from genguard.provenance.dedup_params import (
    DEDUP_ERROR_RATES,
    DEFAULT_THRESHOLD,
    LSH_MARGIN,
    DedupOptions,
    DedupParameters,
    DedupResult,
    DedupStats,
    JsonlOptions,
    OnBadLine,
    SketchOptions,
    dedup_parameters,
)
from genguard.provenance.dedup_records import (
    AtomicWriter,
    bad_line_error,
    check_paths,
    line_batches,
    parse_line,
    prepare_jsonl_run,
    write_kept,
)
from genguard.provenance.dedup_sketch import Sketcher, Sketches, sketch_lines

__all__ = [
    "DEDUP_ERROR_RATES",
    "DEFAULT_THRESHOLD",
    "LSH_MARGIN",
    "AtomicWriter",
    "Decision",
    "DedupOptions",
    "DedupParameters",
    "DedupResult",
    "DedupStats",
    "JsonlOptions",
    "OnBadLine",
    "SketchOptions",
    "Sketcher",
    "Sketches",
    "bad_line_error",
    "bucket_pairs",
    "check_paths",
    "decide",
    "dedup_jsonl",
    "dedup_parameters",
    "dedup_texts",
    "dropped_map_lines",
    "exact_pairs",
    "make_stats",
    "min_equal_positions",
    "near_duplicate_clusters",
    "parse_line",
    "sketch_lines",
    "unique_pairs",
]


def dedup_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    *,
    dropped_path: str | Path | None = None,
    batch_size: int = 2048,
    batch_bytes: int = 32 << 20,
    tmp_dir: str | Path | None = None,
    **options: Unpack[JsonlOptions],
) -> DedupStats:
    """Deduplicate a JSONL file on one machine in two passes; returns the run's DedupStats.

    Pass 1 sketches the documents batch by batch (signatures go to a temporary file in `tmp_dir`);
    the clusters are then formed in memory; pass 2 copies the kept lines to `out_path`. The map of
    dropped lines goes to `dropped_path` (default: OUT.dropped.jsonl beside the output). Semantics,
    memory and error rates: see the module docstring. `options` (JsonlOptions: text_field,
    threshold, lsh_threshold, num_perm, shingle, n, seed, max_occurrences, on_bad_line) default
    as in `dedup_parameters`.
    """
    started = time.perf_counter()
    params, src, out, dropped_out = prepare_jsonl_run(
        in_path, out_path, dropped_path, batch_size, batch_bytes, options
    )
    sketcher = Sketcher(params)
    ids_parts, keys_parts, exact_parts, empty_parts = [], [], [], []
    bad: list[tuple[int, str]] = []
    lines = 0
    with tempfile.TemporaryDirectory(prefix="genguard-dedup-", dir=tmp_dir) as work:
        sig_path = Path(work) / "signatures.u32"
        with open(sig_path, "wb") as sig_file:
            for first, batch in line_batches(src, batch_size, batch_bytes):
                sketches, batch_bad = sketch_lines(batch, first, sketcher, src)
                lines = first + len(batch)
                del batch
                sig_file.write(sketches.signatures.tobytes())
                ids_parts.append(sketches.ids)
                keys_parts.append(sketches.keys)
                exact_parts.append(sketches.exact)
                empty_parts.append(sketches.empty_ids)
                bad.extend(batch_bad)
        ok_ids = np.concatenate([np.empty(0, np.int64), *ids_parts])
        keys = np.concatenate([np.empty((0, params.bands), np.uint64), *keys_parts])
        exact = np.concatenate([np.empty((0, 2), np.uint64), *exact_parts])
        del ids_parts, keys_parts, exact_parts
        members, heads = [], []
        for band in range(params.bands):  # one band at a time bounds the sort's memory
            m, h = bucket_pairs([keys[:, band]], ok_ids)
            members.append(m)
            heads.append(h)
        del keys
        exact_m, exact_h = exact_pairs(ok_ids, exact)
        del exact
        bad_ids = np.array([i for i, _ in bad], dtype=np.int64)
        decision = decide(
            lines,
            bad_ids,
            np.concatenate([np.empty(0, np.int64), *members]),
            np.concatenate([np.empty(0, np.int64), *heads]),
            exact_m,
            exact_h,
            _signature_file(sig_path, ok_ids, params.num_perm),
            params,
        )
    write_kept(src, out, decision.keep)
    write_dropped_map(dropped_out, decision)
    empty, size = int(sum(e.size for e in empty_parts)), src.stat().st_size
    seconds = time.perf_counter() - started
    return make_stats("streaming", decision, lines, bad_ids, empty, size, seconds, params, out, dropped_out)


def _signature_file(path: Path, ids: np.ndarray, num_perm: int) -> Callable[[np.ndarray], np.ndarray]:
    """Signature rows of the given document ids, read from pass 1's file (rows in `ids` order)."""
    if ids.size == 0:
        return lambda wanted: np.empty((len(wanted), num_perm), dtype=np.uint32)
    table = np.memmap(path, dtype=np.uint32, mode="r", shape=(ids.size, num_perm))
    return lambda wanted: np.asarray(table[np.searchsorted(ids, wanted)])


# ---------------------------------------------------------------------------------------------
# In memory


def dedup_texts(
    texts: Sequence[str],
    *,
    batch_size: int = 2048,
    **options: Unpack[DedupOptions],
) -> DedupResult:
    """Deduplicate a list of texts (ids = positions) with the same semantics as `dedup_jsonl`.

    Returns the kept positions and, for every dropped position, its cluster's smallest position.
    InvalidInputError for a bare string or non-str items. `options` (DedupOptions: threshold,
    lsh_threshold, num_perm, shingle, n, seed, max_occurrences) default as in `dedup_parameters`.
    """
    started = time.perf_counter()
    if isinstance(texts, str | bytes):
        raise InvalidInputError("dedup_texts takes a list of documents, not a single string")
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInputError(f"document {i} is {type(text).__name__}, not str")
    params = dedup_parameters(**options)
    sketcher = Sketcher(params)
    parts = [
        sketcher.sketch(texts[b0 : b0 + batch_size], np.arange(b0, min(b0 + batch_size, len(texts))))
        for b0 in range(0, len(texts), batch_size)
    ]
    ids = np.concatenate([np.empty(0, np.int64), *[p.ids for p in parts]])
    keys = np.concatenate([np.empty((0, params.bands), np.uint64), *[p.keys for p in parts]])
    exact = np.concatenate([np.empty((0, 2), np.uint64), *[p.exact for p in parts]])
    signatures = np.concatenate([np.empty((0, params.num_perm), np.uint32), *[p.signatures for p in parts]])
    pairs = [bucket_pairs([keys[:, band]], ids) for band in range(params.bands)]
    exact_m, exact_h = exact_pairs(ids, exact)
    decision = decide(
        len(texts),
        np.empty(0, np.int64),
        np.concatenate([np.empty(0, np.int64), *[m for m, _ in pairs]]),
        np.concatenate([np.empty(0, np.int64), *[h for _, h in pairs]]),
        exact_m,
        exact_h,
        lambda i: signatures[np.searchsorted(ids, i)],
        params,
    )
    stats = make_stats(
        "memory",
        decision,
        len(texts),
        np.empty(0, np.int64),
        int(sum(p.empty_ids.size for p in parts)),
        sum(len(t.encode("utf-8")) for t in texts),
        time.perf_counter() - started,
        params,
    )
    return DedupResult(
        kept=np.flatnonzero(decision.keep).tolist(),
        duplicate_of=dict(
            zip(decision.dropped.tolist(), decision.representative[decision.dropped].tolist(), strict=True)
        ),
        stats=stats,
    )


def near_duplicate_clusters(texts: Sequence[str], **options: Unpack[SketchOptions]) -> np.ndarray:
    """The cluster of each text as its smallest member's position (int64 [len(texts)]); a text
    with no near duplicate is its own cluster (value = its own position). `options`
    (SketchOptions) default as in `dedup_parameters`."""
    result = dedup_texts(texts, **options)
    out = np.arange(len(result.kept) + len(result.duplicate_of), dtype=np.int64)
    if result.duplicate_of:
        dropped = np.fromiter(result.duplicate_of.keys(), dtype=np.int64)
        out[dropped] = np.fromiter(result.duplicate_of.values(), dtype=np.int64)
    return out
