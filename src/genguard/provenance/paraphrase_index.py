"""Reworded copies of indexed documents: sentence vectors cached beside a ProtectedIndex.

The exact layer finds candidates by shared shingles and runs, which a thorough paraphrase does not
leave. So every indexed document's sentences are embedded once (MiniLM, see paraphrase.py) and
kept in a sidecar SQLite file, `<index>.sentences`, refreshed on use when documents were added,
replaced or removed. A query's sentences are compared with every cached sentence in one matrix
product; the best alignment each document could reach (each text sentence's best gain, order
ignored) bounds its alignment, and only the PREFILTER documents with the highest bound are aligned
(and scored with their share of new words, paraphrase.match).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from genguard.errors import InvalidInputError
from genguard.provenance.index import ProtectedIndex, content_key
from genguard.provenance.paraphrase import (
    BASELINE,
    REWORDING,
    THRESHOLD,
    VECTORS,
    ParaphraseMatch,
    Split,
    match,
    split_and_embed,
)
from genguard.storage.sqlite import connect, storage_errors, transaction
from genguard.text import check_texts

STORE = "provenance-sentences"
VERSION = 1
SCHEMA = "CREATE TABLE docs (key TEXT PRIMARY KEY, digest TEXT NOT NULL, spans BLOB NOT NULL, vectors BLOB)"
AUTO_DOCS = 1_000  # paraphrase on by default up to here: a cold sidecar costs about 0.2 s per 1 KB document
PREFILTER = 16  # documents aligned per text, by their bound; the bound is exact for one-sentence texts


def sidecar_path(index: ProtectedIndex) -> Path:
    """Where the sentence vectors of `index` are cached: the index file's name + '.sentences'."""
    return index.path.with_name(index.path.name + ".sentences")


def paraphrase_on(index: ProtectedIndex, asked: bool | None = None) -> bool:
    """`asked` if given, else True for indexes of at most AUTO_DOCS documents or whose sentences are
    already cached (the paraphrase layer's default in the CLI)."""
    if asked is not None:
        return asked
    return sidecar_path(index).is_file() or len(index) <= AUTO_DOCS


class SentenceStore:
    """Every indexed document's sentence spans and vectors (float16), in step with the index."""

    def __init__(self, index: ProtectedIndex) -> None:
        self.index = index
        self.path = sidecar_path(index)
        self._conn = connect(self.path, store=STORE, version=VERSION, schema=SCHEMA)

    def __enter__(self) -> SentenceStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.close()

    def refresh(self) -> int:
        """Embed documents new or changed since the last refresh, forget removed ones; returns how
        many were embedded (about 100 sentences/s on this project's 2-core CPU)."""
        keys = self.index.keys()
        texts = {k: self.index.text(k) or "" for k in keys}
        # The vectors' name is part of the digest: a cache of other vectors is re-embedded, not misread.
        digests = {k: f"{content_key(t)}/{VECTORS}" for k, t in texts.items()}
        with storage_errors(self.path):
            cached = dict(self._conn.execute("SELECT key, digest FROM docs"))
        stale = [k for k in cached if digests.get(k) != cached[k]]
        fresh = [k for k in texts if cached.get(k) != digests[k]]
        if not stale and not fresh:
            return 0
        rows = [
            (
                k,
                digests[k],
                np.asarray(s.spans, dtype=np.int32).tobytes(),
                s.vectors.astype(np.float16).tobytes(),
            )
            for k, s in zip(fresh, split_and_embed([texts[k] for k in fresh]), strict=True)
        ]
        with storage_errors(self.path), transaction(self._conn):
            self._conn.executemany("DELETE FROM docs WHERE key = ?", [(k,) for k in stale])
            self._conn.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?)", rows)
        return len(fresh)

    def load(self) -> tuple[list[str], list[list[tuple[int, int]]], np.ndarray, np.ndarray]:
        """Keys, sentence spans per document, all vectors stacked (float32) and each document's
        first row in the stack (plus the end)."""
        with storage_errors(self.path):
            rows = self._conn.execute("SELECT key, spans, vectors FROM docs ORDER BY key").fetchall()
        keys = [r[0] for r in rows]
        spans = [
            [tuple(p) for p in np.frombuffer(r[1], dtype=np.int32).reshape(-1, 2).tolist()] for r in rows
        ]
        vectors = [
            np.frombuffer(r[2], dtype=np.float16).reshape(len(s), -1)
            for r, s in zip(rows, spans, strict=True)
        ]
        starts = np.cumsum([0] + [len(s) for s in spans])
        stack = np.concatenate(vectors).astype(np.float32) if vectors else np.zeros((0, 0), np.float32)
        return keys, spans, stack, starts


def paraphrase_search(
    index: ProtectedIndex, texts: Sequence[str], top_k: int = 5, min_score: float = THRESHOLD
) -> list[list[ParaphraseMatch]]:
    """For each text, up to `top_k` indexed documents it rewords with score >= `min_score`, best
    first (ParaphraseMatch: score, reworded coverage, aligned sentence pairs). The first call on an
    index embeds all its documents (cached in `<index>.sentences`)."""
    if not isinstance(top_k, int) or top_k < 1:
        raise InvalidInputError(f"top_k must be a positive int, got {top_k!r}")
    if not 0.0 <= min_score <= 1.0:
        raise InvalidInputError(f"min_score must be in [0, 1], got {min_score}")
    with SentenceStore(index) as store:
        store.refresh()
        keys, spans, stack, starts = store.load()
    out = []
    for query in split_and_embed(check_texts(texts)):
        if not query.spans or not keys:
            out.append([])
            continue
        lengths = np.array([b - a for a, b in query.spans], dtype=float)
        gain = np.clip((query.vectors @ stack.T - BASELINE) / (1.0 - BASELINE), 0.0, None)
        # Bound per document: each text sentence's best gain in it, order and reuse ignored.
        nonempty = np.flatnonzero(np.diff(starts) > 0)
        best = np.zeros((len(query.spans), len(keys)))
        best[:, nonempty] = np.maximum.reduceat(gain, starts[nonempty], axis=1)
        bound = (lengths / lengths.sum()) @ best
        # score adds at most REWORDING (all words new) to the alignment.
        reachable = bound + REWORDING >= min_score
        order = [d for d in np.argsort(-bound, kind="stable")[:PREFILTER] if reachable[d]]
        found = []
        for d in order:
            source = Split(index.text(keys[d]) or "", spans[d], stack[starts[d] : starts[d + 1]])
            found.append(match(query, source, keys[d]))
        found = sorted((m for m in found if m.score >= min_score), key=lambda m: (-m.score, m.key))
        out.append(found[:top_k])
    return out
