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
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from genguard.errors import ConfigError, InvalidInputError
from genguard.provenance import shingles as shingles_module
from genguard.provenance.lsh import band_keys
from genguard.provenance.minhash import EMPTY, MinHasher, lsh_parameters
from genguard.provenance.shingles import (
    iter_piece_shingles,
    normalize_for_shingles,
    normalized_chunks,
    shingle_hashes,
)
from genguard.types import Result

DEFAULT_THRESHOLD = 0.8
LSH_MARGIN = 0.1  # the LSH bands are chosen for threshold - LSH_MARGIN (see the module docstring)
# From benchmarks/dedup_throughput.py at the defaults (see the module docstring for the corpus).
DEDUP_ERROR_RATES: dict[str, float] = {
    "recall_true_duplicates_k1": 0.960,
    "recall_true_duplicates_k3": 0.924,
    "found_true_jaccard_0.90_1.00": 1.000,
    "found_true_jaccard_0.85_0.90": 0.964,
    "found_true_jaccard_0.80_0.85": 0.751,
    "found_true_jaccard_0.70_0.80": 0.115,
    "false_removal_rate": 2.4e-5,
}

_BAD_IDS_KEPT = 100  # how many bad-line ids the stats list
_VERIFY_PAIRS = 65_536  # candidate pairs compared per block (2 x 512 bytes each)

OnBadLine = Literal["error", "skip"]


class DedupParameters(Result):
    """Everything that decides which documents are kept (both paths agree given these)."""

    threshold: float
    lsh_threshold: float
    num_perm: int
    bands: int
    rows: int
    shingle: str
    n: int
    seed: int
    max_occurrences: int
    text_field: str
    on_bad_line: str


class DedupStats(Result):
    """What a dedup run did. Counts are of lines/documents; `seconds` is wall-clock time."""

    engine: str  # "streaming", "memory" or "ray"
    lines: int  # lines (or texts) read, bad ones included
    documents: int  # lines that held a document (lines - bad_lines)
    kept: int
    dropped: int  # duplicates removed (empty documents are never dropped)
    empty: int  # documents with no text after normalisation (all kept)
    bad_lines: int
    bad_line_ids: list[int]  # the first 100 bad lines, 0-based
    duplicate_clusters: int  # clusters with more than one member
    largest_cluster: int
    candidate_pairs: int  # distinct (member, bucket head) pairs from the LSH bands
    edges: int  # distinct links after verification, exact duplicates included
    input_bytes: int
    seconds: float
    docs_per_s: float
    mb_per_s: float  # input megabytes (10^6 bytes) per second
    parameters: DedupParameters
    out_path: str | None = None
    dropped_path: str | None = None


class DedupResult(Result):
    """In-memory dedup: the kept positions (ascending) and, per dropped position, its representative."""

    kept: list[int]
    duplicate_of: dict[int, int]
    stats: DedupStats


@functools.lru_cache(maxsize=64)
def _bands_rows(threshold: float, num_perm: int) -> tuple[int, int]:
    return lsh_parameters(threshold, num_perm)


def dedup_parameters(
    *,
    threshold: float = DEFAULT_THRESHOLD,
    lsh_threshold: float | None = None,
    num_perm: int = 128,
    shingle: str = "word",
    n: int = 5,
    seed: int = 1,
    max_occurrences: int = 1,
    text_field: str = "text",
    on_bad_line: str = "error",
) -> DedupParameters:
    """Checked parameters with the LSH bands and rows filled in; ConfigError says which is wrong."""

    def is_int(x: object) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    if not isinstance(threshold, int | float) or not 0.0 < threshold < 1.0:
        raise ConfigError(f"threshold must lie strictly between 0 and 1, got {threshold!r}")
    if lsh_threshold is None:
        lsh_threshold = round(max(0.05, threshold - LSH_MARGIN), 6)
    if not isinstance(lsh_threshold, int | float) or not 0.0 < lsh_threshold < 1.0:
        raise ConfigError(f"lsh_threshold must lie strictly between 0 and 1, got {lsh_threshold!r}")
    if not is_int(num_perm) or not 1 <= num_perm <= 4096:
        raise ConfigError(f"num_perm must be an int from 1 to 4096, got {num_perm!r}")
    if shingle not in ("word", "char"):
        raise ConfigError(f"shingle must be 'word' or 'char', not {shingle!r}")
    if not is_int(n) or not 1 <= n <= 64:
        raise ConfigError(f"shingle size n must be an int from 1 to 64, got {n!r}")
    if not is_int(seed):
        raise ConfigError(f"seed must be an int, got {seed!r}")
    if not is_int(max_occurrences) or max_occurrences < 1:
        raise ConfigError(f"max_occurrences must be an int >= 1, got {max_occurrences!r}")
    if not isinstance(text_field, str) or not text_field:
        raise ConfigError(f"text_field must be a non-empty string, got {text_field!r}")
    if on_bad_line not in ("error", "skip"):
        raise ConfigError(f"on_bad_line must be 'error' or 'skip', not {on_bad_line!r}")
    bands, rows = _bands_rows(float(lsh_threshold), num_perm)
    return DedupParameters(
        threshold=float(threshold),
        lsh_threshold=float(lsh_threshold),
        num_perm=num_perm,
        bands=bands,
        rows=rows,
        shingle=shingle,
        n=n,
        seed=seed,
        max_occurrences=max_occurrences,
        text_field=text_field,
        on_bad_line=on_bad_line,
    )


# ---------------------------------------------------------------------------------------------
# Lines -> texts


_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def _json_type(value: object) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def parse_line(line: bytes, text_field: str) -> str | tuple[None, str]:
    """The text of one JSONL line, or (None, reason) when the line is bad."""
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, f"is not valid UTF-8 ({e.reason} at byte {e.start})"
    try:
        obj = json.loads(decoded)
    except (ValueError, RecursionError) as e:  # RecursionError: nesting deeper than Python's stack
        return None, f"is not valid JSON ({e})"
    del decoded  # a long line is held once as bytes and once as its text, not three times
    if not isinstance(obj, dict):
        return None, f"holds a JSON {_json_type(obj)}, not an object"
    if text_field not in obj:
        return None, f"has no {text_field!r} field"
    text = obj[text_field]
    if not isinstance(text, str):
        return None, f"has a {text_field!r} that is a JSON {_json_type(text)}, not a string"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as e:
            return None, f"has a {text_field!r} holding a lone surrogate at character {e.start}"
    return text


def bad_line_error(path: str | Path, line_id: int, reason: str) -> InvalidInputError:
    """The error for a bad line under on_bad_line='error' (the line is named 1-based, as editors do)."""
    return InvalidInputError(
        f"{path}: line {line_id + 1} (id {line_id}) {reason}; fix the line, or pass "
        f"on_bad_line='skip' (CLI: --skip-bad-lines) to leave bad lines out and count them"
    )


# ---------------------------------------------------------------------------------------------
# Texts -> sketches


@dataclass
class Sketches:
    """Per-document state of a batch: non-empty documents only, plus the ids of the empty ones."""

    ids: np.ndarray  # [m] int64
    signatures: np.ndarray  # [m, num_perm] uint32
    keys: np.ndarray  # [m, bands] uint64
    exact: np.ndarray  # [m, 2] uint64, BLAKE2b-128 of the normalised text
    empty_ids: np.ndarray  # int64


class Sketcher:
    """Signatures, band keys and exact keys of texts, as the module docstring defines them."""

    def __init__(self, params: DedupParameters) -> None:
        self.params = params
        self.hasher = MinHasher(params.num_perm, params.seed)

    def _sketch_long(self, text: str) -> tuple[np.ndarray, bytes, bool]:
        """(signature, exact-key digest, non-empty) of a text over CHUNK_CHARS characters: one pass
        over its normal form in pieces feeds both the shingles and the digest."""
        digest = hashlib.blake2b(digest_size=16)
        started = False

        def pieces() -> Iterator[str]:
            nonlocal started
            for piece in normalized_chunks(text):
                # The normal form is the pieces joined by single spaces.
                digest.update((" " + piece if started else piece).encode("utf-8"))
                started = True
                yield piece

        # The signature of a union is the minimum of the parts' signatures: no piece is kept.
        signature = np.full(self.params.num_perm, EMPTY, dtype=np.uint32)
        for part in iter_piece_shingles(pieces(), self.params.shingle, self.params.n):
            np.minimum(signature, self.hasher.signatures([part])[0], out=signature)
        return signature, digest.digest(), started

    def sketch(self, texts: Sequence[str], ids: np.ndarray) -> Sketches:
        """Sketches of `texts` (ids given); empty documents are listed apart."""
        p = self.params
        ids = np.asarray(ids, dtype=np.int64)
        signatures = np.empty((len(texts), p.num_perm), dtype=np.uint32)
        digests = [b""] * len(texts)
        nonempty = np.zeros(len(texts), dtype=bool)
        short = []
        for i, text in enumerate(texts):
            if len(text) > shingles_module.CHUNK_CHARS:
                signatures[i], digests[i], nonempty[i] = self._sketch_long(text)
                continue
            norm = normalize_for_shingles(text)
            if norm:
                nonempty[i] = True
                short.append(i)
                digests[i] = hashlib.blake2b(norm.encode("utf-8"), digest_size=16).digest()
        if short:
            sets = shingle_hashes([texts[i] for i in short], p.shingle, p.n)
            signatures[short] = self.hasher.signatures(sets)
            del sets
        where = np.flatnonzero(nonempty)
        exact = np.frombuffer(b"".join(digests[i] for i in where), dtype="<u8").reshape(-1, 2).copy()
        signatures = signatures[where]
        return Sketches(
            ids=ids[where],
            signatures=signatures,
            keys=band_keys(signatures, p.bands, p.rows),
            exact=exact,
            empty_ids=ids[~nonempty],
        )


# ---------------------------------------------------------------------------------------------
# Sketches -> clusters (shared by both paths)


def bucket_pairs(columns: Sequence[np.ndarray], ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(members, heads), int64: rows with equal values in every column form a bucket; each id other
    than the bucket's smallest is paired with the smallest."""
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.lexsort((ids, *reversed(columns)))  # by columns[0], columns[1], ..., then id
    starts = np.zeros(ids.size, dtype=bool)
    starts[0] = True
    for column in columns:
        c = np.asarray(column)[order]
        starts[1:] |= c[1:] != c[:-1]
    sorted_ids = ids[order]
    group = np.cumsum(starts) - 1
    heads = sorted_ids[starts][group]
    return sorted_ids[~starts], heads[~starts]


def unique_pairs(members: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (member, head) pairs, sorted."""
    if members.size == 0:
        return members.astype(np.int64), heads.astype(np.int64)
    pairs = np.unique(np.stack([members, heads], axis=1).astype(np.int64), axis=0)
    return pairs[:, 0], pairs[:, 1]


def min_equal_positions(threshold: float, num_perm: int) -> int:
    """Signature positions that must agree for an estimated Jaccard >= threshold."""
    return math.ceil(threshold * num_perm - 1e-9)  # the tolerance absorbs float error in the product


@dataclass
class Decision:
    """Clusters and what is kept, one entry per line id."""

    representative: np.ndarray  # int64 [lines]: the smallest id of each id's cluster
    keep: np.ndarray  # bool [lines]
    dropped: np.ndarray  # int64: dropped ids, ascending
    candidate_pairs: int
    edges: int
    duplicate_clusters: int
    largest_cluster: int


def decide(
    lines: int,
    bad_ids: np.ndarray,
    lsh_members: np.ndarray,
    lsh_heads: np.ndarray,
    exact_members: np.ndarray,
    exact_heads: np.ndarray,
    signatures_of: Callable[[np.ndarray], np.ndarray],
    params: DedupParameters,
) -> Decision:
    """Verify the LSH candidate pairs (`signatures_of(ids)` returns their signature rows), join all
    edges into clusters and apply the occurrence cap."""
    members, heads = unique_pairs(lsh_members, lsh_heads)
    need = min_equal_positions(params.threshold, params.num_perm)
    verified = np.zeros(members.size, dtype=bool)
    for b0 in range(0, members.size, _VERIFY_PAIRS):
        m, h = members[b0 : b0 + _VERIFY_PAIRS], heads[b0 : b0 + _VERIFY_PAIRS]
        equal = np.count_nonzero(signatures_of(m) == signatures_of(h), axis=1)
        verified[b0 : b0 + _VERIFY_PAIRS] = equal >= need
    edge_m, edge_h = unique_pairs(
        np.concatenate([members[verified], exact_members]).astype(np.int64),
        np.concatenate([heads[verified], exact_heads]).astype(np.int64),
    )
    ids = np.arange(lines, dtype=np.int64)
    if lines == 0:
        empty = np.empty(0, dtype=np.int64)
        return Decision(empty, np.empty(0, dtype=bool), empty, int(members.size), 0, 0, 0)
    graph = coo_matrix((np.ones(edge_m.size, dtype=np.int8), (edge_m, edge_h)), shape=(lines, lines))
    _, labels = connected_components(graph, directed=False)
    # Labels are 0..k-1; the first position of each label is its smallest id.
    representative = np.unique(labels, return_index=True)[1].astype(np.int64)[labels]
    order = np.argsort(representative, kind="stable")  # stable: ids ascend inside a cluster
    sorted_rep = representative[order]
    starts = np.concatenate([[True], sorted_rep[1:] != sorted_rep[:-1]])
    rank = ids - np.maximum.accumulate(np.where(starts, ids, 0))
    keep = np.empty(lines, dtype=bool)
    keep[order] = rank < params.max_occurrences
    valid = np.ones(lines, dtype=bool)
    valid[bad_ids] = False
    keep &= valid
    sizes = np.bincount(representative[valid], minlength=1)
    return Decision(
        representative=representative,
        keep=keep,
        dropped=np.flatnonzero(valid & ~keep).astype(np.int64),
        candidate_pairs=int(members.size),
        edges=int(edge_m.size),
        duplicate_clusters=int(np.count_nonzero(sizes > 1)),
        largest_cluster=int(sizes.max()) if valid.any() else 0,
    )


def make_stats(
    engine: str,
    decision: Decision,
    lines: int,
    bad_ids: np.ndarray,
    empty: int,
    input_bytes: int,
    seconds: float,
    params: DedupParameters,
    out_path: Path | None = None,
    dropped_path: Path | None = None,
) -> DedupStats:
    """The stats of a finished run."""
    bad_ids = np.sort(np.asarray(bad_ids, dtype=np.int64))
    seconds = max(seconds, 1e-9)
    return DedupStats(
        engine=engine,
        lines=lines,
        documents=lines - int(bad_ids.size),
        kept=int(np.count_nonzero(decision.keep)),
        dropped=int(decision.dropped.size),
        empty=empty,
        bad_lines=int(bad_ids.size),
        bad_line_ids=bad_ids[:_BAD_IDS_KEPT].tolist(),
        duplicate_clusters=decision.duplicate_clusters,
        largest_cluster=decision.largest_cluster,
        candidate_pairs=decision.candidate_pairs,
        edges=decision.edges,
        input_bytes=input_bytes,
        seconds=seconds,
        docs_per_s=lines / seconds,
        mb_per_s=input_bytes / 1e6 / seconds,
        parameters=params,
        out_path=None if out_path is None else str(out_path),
        dropped_path=None if dropped_path is None else str(dropped_path),
    )


def dropped_map_lines(decision: Decision) -> Iterator[bytes]:
    """The dropped map, one JSON line per dropped id, in blocks of bytes."""
    for b0 in range(0, decision.dropped.size, 65_536):
        block = decision.dropped[b0 : b0 + 65_536]
        reps = decision.representative[block]
        yield "".join(
            f'{{"id": {i}, "duplicate_of": {r}}}\n'
            for i, r in zip(block.tolist(), reps.tolist(), strict=True)
        ).encode("ascii")


# ---------------------------------------------------------------------------------------------
# The streaming path


def check_paths(
    in_path: str | Path, out_path: str | Path, dropped_path: str | Path | None
) -> tuple[Path, Path, Path]:
    """(input, output, dropped-map) paths; InvalidInputError for a missing input or clashing paths."""
    src, out = Path(in_path), Path(out_path)
    dropped = Path(dropped_path) if dropped_path is not None else out.with_name(out.stem + ".dropped.jsonl")
    if not src.is_file():
        raise InvalidInputError(f"input file {src} does not exist or is not a file")
    resolved = {p.resolve() for p in (src, out, dropped)}
    if len(resolved) < 3:
        raise ConfigError(
            f"input {src}, output {out} and dropped map {dropped} must be three different files"
        )
    return src, out, dropped


class AtomicWriter:
    """Writes to PATH.partial and renames it over PATH on success, so a failed run leaves no half file."""

    def __init__(self, path: Path) -> None:
        self.path, self.partial = path, path.with_name(path.name + ".partial")

    def __enter__(self) -> BinaryIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.partial, "wb")  # closed in __exit__
        return self.file

    def __exit__(self, kind: type[BaseException] | None, value: object, traceback: object) -> None:
        self.file.close()
        if kind is None:
            os.replace(self.partial, self.path)
        else:
            self.partial.unlink(missing_ok=True)


def _batches(path: Path, batch_size: int, batch_bytes: int) -> Iterator[tuple[int, list[bytes]]]:
    """(first id, lines) of consecutive batches; lines keep their b"\\n" (JSON ignores it)."""
    with open(path, "rb") as f:
        batch: list[bytes] = []
        size = first = 0
        for line in f:
            batch.append(line)
            size += len(line)
            if len(batch) >= batch_size or size >= batch_bytes:
                yield first, batch
                first += len(batch)
                batch, size = [], 0
        if batch:
            yield first, batch


def sketch_lines(
    lines: Sequence[bytes], first_id: int, sketcher: Sketcher, path: str | Path
) -> tuple[Sketches, list[tuple[int, str]]]:
    """Sketches of a batch of lines and the (id, reason) of its bad lines (raised at once under
    on_bad_line='error')."""
    texts: list[str] = []
    ids: list[int] = []
    bad: list[tuple[int, str]] = []
    field = sketcher.params.text_field
    for offset, line in enumerate(lines):
        parsed = parse_line(line, field)
        if isinstance(parsed, str):
            texts.append(parsed)
            ids.append(first_id + offset)
            continue
        if sketcher.params.on_bad_line == "error":
            raise bad_line_error(path, first_id + offset, parsed[1])
        bad.append((first_id + offset, parsed[1]))
    return sketcher.sketch(texts, np.array(ids, dtype=np.int64)), bad


def exact_pairs(ids: np.ndarray, exact: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges between documents with the same exact key (member -> smallest id)."""
    return bucket_pairs([exact[:, 0], exact[:, 1]], ids)


def dedup_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    *,
    text_field: str = "text",
    threshold: float = DEFAULT_THRESHOLD,
    lsh_threshold: float | None = None,
    num_perm: int = 128,
    shingle: str = "word",
    n: int = 5,
    seed: int = 1,
    max_occurrences: int = 1,
    on_bad_line: OnBadLine = "error",
    dropped_path: str | Path | None = None,
    batch_size: int = 2048,
    batch_bytes: int = 32 << 20,
    tmp_dir: str | Path | None = None,
) -> DedupStats:
    """Deduplicate a JSONL file on one machine in two passes; returns the run's DedupStats.

    Pass 1 sketches the documents batch by batch (signatures go to a temporary file in `tmp_dir`);
    the clusters are then formed in memory; pass 2 copies the kept lines to `out_path`. The map of
    dropped lines goes to `dropped_path` (default: OUT.dropped.jsonl beside the output). Semantics,
    memory and error rates: see the module docstring.
    """
    started = time.perf_counter()
    params = dedup_parameters(
        threshold=threshold,
        lsh_threshold=lsh_threshold,
        num_perm=num_perm,
        shingle=shingle,
        n=n,
        seed=seed,
        max_occurrences=max_occurrences,
        text_field=text_field,
        on_bad_line=on_bad_line,
    )
    if batch_size < 1 or batch_bytes < 1:
        raise ConfigError(f"batch_size and batch_bytes must be >= 1, got {batch_size}, {batch_bytes}")
    src, out, dropped_out = check_paths(in_path, out_path, dropped_path)
    sketcher = Sketcher(params)
    ids_parts, keys_parts, exact_parts, empty_parts = [], [], [], []
    bad: list[tuple[int, str]] = []
    lines = 0
    with tempfile.TemporaryDirectory(prefix="genguard-dedup-", dir=tmp_dir) as work:
        sig_path = Path(work) / "signatures.u32"
        with open(sig_path, "wb") as sig_file:
            for first, batch in _batches(src, batch_size, batch_bytes):
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
    _write_kept(src, out, decision.keep)
    with AtomicWriter(dropped_out) as f:
        for block in dropped_map_lines(decision):
            f.write(block)
    empty = int(sum(e.size for e in empty_parts))
    return make_stats(
        "streaming",
        decision,
        lines,
        bad_ids,
        empty,
        src.stat().st_size,
        time.perf_counter() - started,
        params,
        out,
        dropped_out,
    )


def _signature_file(path: Path, ids: np.ndarray, num_perm: int) -> Callable[[np.ndarray], np.ndarray]:
    """Signature rows of the given document ids, read from pass 1's file (rows in `ids` order)."""
    if ids.size == 0:
        return lambda wanted: np.empty((len(wanted), num_perm), dtype=np.uint32)
    table = np.memmap(path, dtype=np.uint32, mode="r", shape=(ids.size, num_perm))
    return lambda wanted: np.asarray(table[np.searchsorted(ids, wanted)])


def _write_kept(src: Path, out: Path, keep: np.ndarray) -> None:
    with open(src, "rb") as f, AtomicWriter(out) as w:
        for i, line in enumerate(f):
            if keep[i]:
                w.write(line if line.endswith(b"\n") else line + b"\n")


# ---------------------------------------------------------------------------------------------
# In memory


def dedup_texts(
    texts: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    lsh_threshold: float | None = None,
    num_perm: int = 128,
    shingle: str = "word",
    n: int = 5,
    seed: int = 1,
    max_occurrences: int = 1,
    batch_size: int = 2048,
) -> DedupResult:
    """Deduplicate a list of texts (ids = positions) with the same semantics as `dedup_jsonl`.

    Returns the kept positions and, for every dropped position, its cluster's smallest position.
    InvalidInputError for a bare string or non-str items.
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
    params = dedup_parameters(
        threshold=threshold,
        lsh_threshold=lsh_threshold,
        num_perm=num_perm,
        shingle=shingle,
        n=n,
        seed=seed,
        max_occurrences=max_occurrences,
    )
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


def near_duplicate_clusters(
    texts: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    lsh_threshold: float | None = None,
    num_perm: int = 128,
    shingle: str = "word",
    n: int = 5,
    seed: int = 1,
) -> np.ndarray:
    """The cluster of each text as its smallest member's position (int64 [len(texts)]); a text
    with no near duplicate is its own cluster (value = its own position)."""
    result = dedup_texts(
        texts,
        threshold=threshold,
        lsh_threshold=lsh_threshold,
        num_perm=num_perm,
        shingle=shingle,
        n=n,
        seed=seed,
    )
    out = np.arange(len(result.kept) + len(result.duplicate_of), dtype=np.int64)
    if result.duplicate_of:
        dropped = np.fromiter(result.duplicate_of.keys(), dtype=np.int64)
        out[dropped] = np.fromiter(result.duplicate_of.values(), dtype=np.int64)
    return out
