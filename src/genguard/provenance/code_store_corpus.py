"""What code_store keeps per program, and the one-against-many scoring over it.

A stored program is two blobs (zlib level 1 of packed numpy arrays): its fragment sets, one sorted
uint64 array per code_features family (what the fast all-documents score needs), and its structural
stream (token hashes, lines, statement ranges, tokens: what the alignment of the best candidates
needs). `Corpus` holds one language's fragment sets as one sparse 0/1 matrix per family with the
stored document frequencies; `score_query` scores a query against all of it exactly as
code_assignment scores one submission against the rest of a set: the query counts as one of the
n = documents + 1 submissions, so a fragment's df includes the query.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from genguard.errors import StorageError
from genguard.provenance.code_assignment import (
    IDF_FAMILIES,
    combine_families,
    containment,
    fast_structure,
    rarity_weights,
)
from genguard.provenance.code_features import FAMILIES, Fragments
from genguard.provenance.code_normalize import StructuralStream

_TOKEN_SEP = "\x1f"  # unit separator: no structural token contains it (tokens are kinds and operators)


def _pack(arrays: Sequence[np.ndarray], tail: bytes = b"") -> bytes:
    sizes = np.array([a.nbytes for a in arrays], dtype=np.int64)
    body = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)
    return zlib.compress(np.int64(len(arrays)).tobytes() + sizes.tobytes() + body + tail, 1)


def _unpack(blob: bytes, dtypes: Sequence[type]) -> tuple[list[np.ndarray], bytes]:
    """The arrays (as `dtypes`) and trailing bytes of a _pack blob; StorageError if malformed."""
    try:
        raw = zlib.decompress(blob)
        count = int(np.frombuffer(raw[:8], dtype=np.int64)[0])
        if count != len(dtypes):
            raise ValueError(f"{count} arrays, expected {len(dtypes)}")
        sizes = np.frombuffer(raw[8 : 8 + 8 * count], dtype=np.int64)
        arrays, at = [], 8 + 8 * count
        for size, dtype in zip(sizes.tolist(), dtypes, strict=True):
            arrays.append(np.frombuffer(raw[at : at + size], dtype=dtype).copy())
            at += size
        return arrays, raw[at:]
    except (zlib.error, ValueError, IndexError) as exc:
        raise StorageError(f"a stored program is corrupt ({exc}); rebuild the code store") from None


def pack_sets(frags: Fragments) -> bytes:
    """The fragment sets of a program, one blob."""
    return _pack([frags.sets[f] for f in FAMILIES])


def unpack_sets(blob: bytes) -> dict[str, np.ndarray]:
    arrays, _ = _unpack(blob, [np.uint64] * len(FAMILIES))
    return dict(zip(FAMILIES, arrays, strict=True))


def pack_stream(stream: StructuralStream) -> bytes:
    """A structural stream without its evidence (kept in the fragment sets), one blob."""
    head = np.array([stream.line_count], dtype=np.int64)
    arrays = [head, stream.hashes, stream.lines, stream.statements.reshape(-1)]
    return _pack(arrays, _TOKEN_SEP.join(stream.tokens).encode("utf-8"))


def unpack_fragments(language: str, sets_blob: bytes, stream_blob: bytes) -> Fragments:
    """A stored program as code_features.Fragments (evidence left empty: code_pair does not read it)."""
    (head, hashes, lines, statements), tail = _unpack(stream_blob, [np.int64, np.uint64, np.int32, np.int64])
    text = tail.decode("utf-8")
    stream = StructuralStream(
        language=language,
        tokens=tuple(text.split(_TOKEN_SEP)) if text else (),
        hashes=hashes,
        lines=lines,
        statements=statements.reshape(-1, 2),
        evidence=(),
        line_count=int(head[0]),
    )
    return Fragments(stream=stream, sets=unpack_sets(sets_blob))


@dataclass(frozen=True)
class FamilyColumns:
    """One family over a corpus: `x` (documents x distinct fragments, 0/1 CSR), `values` the sorted
    fragments of the columns, `df` the stored document frequency of each."""

    x: sp.csr_matrix
    values: np.ndarray
    df: np.ndarray


@dataclass(frozen=True)
class Corpus:
    """The stored programs of one language: row r is document `ids[r]` (store row id), named `names[r]`."""

    language: str
    ids: np.ndarray
    names: list[str]
    families: dict[str, FamilyColumns]

    def __len__(self) -> int:
        return len(self.names)


def build_corpus(
    language: str,
    rows: Sequence[tuple[int, str, bytes]],
    frequencies: Callable[[str], tuple[np.ndarray, np.ndarray]],
) -> Corpus:
    """A Corpus from (row id, name, sets blob) rows and `frequencies(family)` -> (sorted fragments,
    df). StorageError when a stored fragment has no stored frequency (the store is out of step)."""
    sets = [unpack_sets(blob) for _, _, blob in rows]
    families = {}
    for family in FAMILIES:
        values, df = frequencies(family)
        parts = [s[family] for s in sets]
        sizes = np.array([p.size for p in parts], dtype=np.int64)
        flat = np.concatenate(parts) if parts else np.empty(0, np.uint64)
        columns = np.searchsorted(values, flat)
        if flat.size and (columns.max() >= values.size or not np.array_equal(values[columns], flat)):
            raise StorageError(f"the stored {family} frequencies miss fragments of stored programs; rebuild")
        x = sp.csr_matrix(
            (np.ones(flat.size), columns, np.concatenate([[0], np.cumsum(sizes)])),
            shape=(len(rows), values.size),
        )
        families[family] = FamilyColumns(x=x, values=values, df=df.astype(np.float64))
    return Corpus(
        language=language,
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        names=[r[1] for r in rows],
        families=families,
    )


def _family_containment(
    column: FamilyColumns, query: np.ndarray, base: np.ndarray, n: int, idf: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(containment of query and each document in [0, 1], present mask), weights as code_assignment."""
    inside = np.isin(column.values, query, assume_unique=True)
    weight = rarity_weights(column.values, column.df + inside, n, base, idf)
    only = np.setdiff1d(query, column.values, assume_unique=True)  # df 1: the query alone has them
    total_query = weight[inside].sum() + rarity_weights(only, np.ones(only.size), n, base, idf).sum()
    shared = column.x @ (weight * inside)
    return containment(shared, column.x @ weight, np.full(shared.shape, total_query))


def score_query(
    corpus: Corpus, query: Fragments, base: Sequence[Fragments] = ()
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """(per family (containment, present) over the corpus, fast combined score per document): row r
    is what code_assignment.family_matrices / combine_matrices give for the pair (query, document r)
    in the set {query} + corpus, with `base` fragments weighted 0."""
    n = len(corpus) + 1
    families = {}
    for family in FAMILIES:
        base_set = (
            np.unique(np.concatenate([b.sets[family] for b in base])) if base else np.empty(0, np.uint64)
        )
        families[family] = _family_containment(
            corpus.families[family], query.sets[family], base_set, n, family in IDF_FAMILIES
        )
    return families, combine_families(families, fast_structure(families))
