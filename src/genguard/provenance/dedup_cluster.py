"""Sketches -> clusters, shared by the streaming, in-memory and Ray paths: LSH buckets and exact
keys give candidate pairs, verified pairs join into clusters, the occurrence cap decides what is
kept; and the stats and dropped map of a finished run."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from genguard.provenance.dedup_params import DedupParameters, DedupStats
from genguard.provenance.dedup_records import AtomicWriter

_BAD_IDS_KEPT = 100  # how many bad-line ids the stats list
_VERIFY_PAIRS = 65_536  # candidate pairs compared per block (2 x 512 bytes each)


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


def exact_pairs(ids: np.ndarray, exact: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges between documents with the same exact key (member -> smallest id)."""
    return bucket_pairs([exact[:, 0], exact[:, 1]], ids)


def dropped_map_lines(decision: Decision) -> Iterator[bytes]:
    """The dropped map, one JSON line per dropped id, in blocks of bytes."""
    for b0 in range(0, decision.dropped.size, 65_536):
        block = decision.dropped[b0 : b0 + 65_536]
        reps = decision.representative[block]
        yield "".join(
            f'{{"id": {i}, "duplicate_of": {r}}}\n'
            for i, r in zip(block.tolist(), reps.tolist(), strict=True)
        ).encode("ascii")


def write_dropped_map(path: Path, decision: Decision) -> None:
    """Write the dropped map (one JSON line per dropped id, in id order) atomically to `path`."""
    with AtomicWriter(path) as f:
        for block in dropped_map_lines(decision):
            f.write(block)
