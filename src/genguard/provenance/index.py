"""A persistent index of protected content on SQLite: add, remove, and query by text.

Each document is stored once (its normal form and, optionally, the text as given, both zlib
compressed) with its MinHash signature and its winnowed span fingerprints. One postings table
maps 64-bit keys to documents: the LSH band keys of the signature (near duplicates: documents
whose word-shingle Jaccard passes the index threshold share a band with probability given by the
S-curve) and the span fingerprints (verbatim copies: any normalised run of GUARANTEED_CHARS = 124
characters or more shared with a document always shares a fingerprint, however little else of the
two texts agrees). A query looks up both kinds of keys in one indexed SELECT, then checks the
candidates with the most hits directly: estimated and exact Jaccard and the longest shared run.

Removal deletes the document and every posting it owns in one transaction, so a removed document
is never a candidate again, also after reopening. All writes are transactions: a batch is added
or removed wholly or not at all, and an interrupted write leaves the file as it was.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from genguard.errors import InvalidInputError, StorageError
from genguard.provenance import shingles as shingles_module
from genguard.provenance.lsh import band_keys
from genguard.provenance.minhash import MinHasher, estimate_jaccard, lsh_parameters
from genguard.provenance.shingles import MAX_CHARS, _fmix64, normalized_chunks, shingles_of_pieces
from genguard.provenance.spans import (
    K_CHARS,
    SharedSpan,
    located_span,
    longest_shared_run,
    normalize_with_map,
    query_fingerprints,
    seeded_run,
    span_fingerprints,
)
from genguard.storage.sqlite import connect, storage_errors, transaction
from genguard.text import check_texts
from genguard.types import Result

STORE = "provenance-index"
VERSION = 1
SCHEMA = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL,
    chars INTEGER NOT NULL,
    signature BLOB NOT NULL,
    fingerprints BLOB NOT NULL,
    norm BLOB NOT NULL,
    text BLOB,
    meta TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE postings (h INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (h, doc)) WITHOUT ROWID
"""
_BAND_SALT = np.uint64(0xA0761D6478BD642F)
_SPAN_SALT = np.uint64(0xE7037ED1A0B428DB)
_SQL_VARS = 30_000  # below SQLite's limit of host parameters per statement
MAX_CANDIDATES = 32
_ESTIMATE_MARGIN = 0.2  # 4.5 standard errors of a 128-permutation estimate at J = 0.5
MAX_QUERY_CHARS = 1 << 23  # 8 Mi: a query costs time linear in its length; documents may be 1 Gi


class IndexParams(Result):
    """How documents are shingled and hashed; fixed when an index file is created."""

    threshold: float = 0.5
    num_perm: int = 128
    seed: int = 1
    shingle: str = "word"
    n: int = 5
    bands: int = 0
    rows: int = 0


class IndexMatch(Result):
    """An indexed document that matches a query.

    `estimated_jaccard` is the MinHash estimate (standard error about sqrt(J(1-J)/num_perm), 0.044
    at J = 0.5 with 128 permutations); `jaccard` the exact Jaccard similarity of the two word-shingle
    sets; `span` the longest normalised run both share (None if under K_CHARS = 25 characters).
    """

    key: str
    estimated_jaccard: float
    jaccard: float
    span: SharedSpan | None
    meta: dict[str, Any]


class AddReport(Result):
    """What `add` did: keys stored, keys already there with the same content, keys replaced."""

    added: list[str]
    unchanged: list[str]
    replaced: list[str]


@dataclass
class Candidate:
    """An indexed document sharing postings with a query: its normal form, the MinHash estimate,
    whether an LSH band matched (`near`) and where shared span fingerprints sit in the query."""

    key: str
    norm: str
    meta: dict[str, Any]
    estimated_jaccard: float
    near: bool
    seeds: list[int]


@dataclass
class Query:
    """A query text in normal form, the map back to the text as given, its shingles, candidates."""

    norm: str
    where: np.ndarray
    shingles: np.ndarray
    candidates: list[Candidate]


def compress(text: str) -> bytes:
    """zlib level 6 of the UTF-8 text: how documents are kept in the index."""
    return zlib.compress(text.encode("utf-8"), 6)


def decompress(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def content_key(text: str) -> str:
    """The default key of a document: `sha256:` and the first 16 hex digits of its UTF-8 bytes."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _salted(values: np.ndarray, salt: np.uint64) -> list[int]:
    """64-bit posting keys as SQLite integers (signed)."""
    with np.errstate(over="ignore"):
        return _fmix64(values.astype(np.uint64) ^ salt).view(np.int64).tolist()


class ProtectedIndex:
    """Protected content in one SQLite file (created if missing). Use as a context manager or call
    `close()`. StorageError for a file that is not an index, is corrupt or locked, or was made with
    other parameters than the ones passed."""

    def __init__(
        self,
        path: str | Path,
        *,
        threshold: float | None = None,
        num_perm: int | None = None,
        seed: int | None = None,
        n: int | None = None,
        store_text: bool = True,
    ) -> None:
        self.path = Path(path)
        self.store_text = store_text
        asked = {
            k: v
            for k, v in {"threshold": threshold, "num_perm": num_perm, "seed": seed, "n": n}.items()
            if v is not None
        }
        self._conn = connect(self.path, store=STORE, version=VERSION, schema=SCHEMA)
        try:
            self.params = self._params(asked)
        except BaseException:
            self._conn.close()
            raise
        self._hasher = MinHasher(self.params.num_perm, self.params.seed)

    def _params(self, asked: dict[str, Any]) -> IndexParams:
        with storage_errors(self.path):
            row = self._conn.execute("SELECT value FROM genguard_meta WHERE key = 'params'").fetchone()
            if row is None:
                params = IndexParams(**asked)
                bands, rows = lsh_parameters(params.threshold, params.num_perm)
                params = params.model_copy(update={"bands": bands, "rows": rows})
                with transaction(self._conn):
                    self._conn.execute(
                        "INSERT OR IGNORE INTO genguard_meta VALUES ('params', ?)",
                        (params.model_dump_json(),),
                    )
                row = self._conn.execute("SELECT value FROM genguard_meta WHERE key = 'params'").fetchone()
        params = IndexParams.model_validate_json(row[0])
        differ = {k: (v, getattr(params, k)) for k, v in asked.items() if getattr(params, k) != v}
        if differ:
            detail = ", ".join(f"{k}={v[0]} (index has {v[1]})" for k, v in differ.items())
            raise StorageError(
                f"{self.path} was created with other parameters: {detail}; open it without them"
            )
        return params

    def __enter__(self) -> ProtectedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def __len__(self) -> int:
        with storage_errors(self.path):
            return self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def _shingles(self, norm: str) -> np.ndarray:
        """Shingle hashes of a text already in normal form (not normalised again; long ones in pieces)."""
        pieces = [norm] if len(norm) <= shingles_module.CHUNK_CHARS else normalized_chunks(norm)
        return shingles_of_pieces(pieces, self.params.shingle, self.params.n)

    def _band_postings(self, signatures: np.ndarray) -> list[list[int]]:
        keys = band_keys(signatures, self.params.bands, self.params.rows)
        keys = keys ^ (np.arange(self.params.bands, dtype=np.uint64) * _BAND_SALT)
        return [_salted(k, np.uint64(0)) for k in keys]

    def _postings(self, signatures: np.ndarray, fingerprints: list[np.ndarray]) -> list[list[int]]:
        return [
            sorted(set(bands) | set(_salted(f.view(np.uint64), _SPAN_SALT)))
            for bands, f in zip(self._band_postings(signatures), fingerprints, strict=True)
        ]

    def add(
        self,
        texts: Sequence[str],
        keys: Sequence[str] | None = None,
        metas: Sequence[dict[str, Any]] | None = None,
        replace: bool = False,
    ) -> AddReport:
        """Index `texts` under `keys` (default: content_key of each), in one transaction.

        A key already indexed with the same content is left as it is (`unchanged`); with other
        content it is an InvalidInputError unless `replace`. Empty documents (nothing left after
        normalisation) are refused: they would match nothing.
        """
        texts = check_texts(texts, max_chars=MAX_CHARS)
        keys = [content_key(t) for t in texts] if keys is None else list(keys)
        metas = [{} for _ in texts] if metas is None else list(metas)
        if len(keys) != len(texts) or len(metas) != len(texts):
            raise InvalidInputError(f"{len(texts)} texts but {len(keys)} keys and {len(metas)} metas")
        if any(not isinstance(k, str) or not k for k in keys) or len(set(keys)) != len(keys):
            raise InvalidInputError("keys must be distinct non-empty strings")
        norms = [" ".join(normalized_chunks(t)) for t in texts]
        empty = [k for k, norm in zip(keys, norms, strict=True) if not norm]
        if empty:
            raise InvalidInputError(f"{len(empty)} empty document(s) (nothing to index), e.g. {empty[0]!r}")
        digests = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        with storage_errors(self.path):
            found = self._existing(keys)
        report: dict[str, list[str]] = {"added": [], "unchanged": [], "replaced": []}
        todo = []
        for i, key in enumerate(keys):
            if key not in found:
                report["added"].append(key)
            elif found[key][1] == digests[i]:
                report["unchanged"].append(key)
                continue
            elif not replace:
                raise InvalidInputError(
                    f"key {key!r} is already indexed with other content; pass replace=True"
                )
            else:
                report["replaced"].append(key)
            todo.append(i)
        sets = [self._shingles(norms[i]) for i in todo]
        signatures = self._hasher.signatures(sets)
        rows = [(i, norms[i], signatures[r : r + 1], span_fingerprints(norms[i])) for r, i in enumerate(todo)]
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with storage_errors(self.path), transaction(self._conn):
            for key in report["replaced"]:
                self._remove_one(key)
            for i, norm, signature, fingerprints in rows:
                cur = self._conn.execute(
                    "INSERT INTO documents (key, digest, chars, signature, fingerprints, norm, text, meta,"
                    " added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        keys[i],
                        digests[i],
                        len(texts[i]),
                        signature[0].tobytes(),
                        fingerprints.tobytes(),
                        compress(norm),
                        compress(texts[i]) if self.store_text else None,
                        json.dumps(metas[i], ensure_ascii=False),
                        now,
                    ),
                )
                doc = cur.lastrowid
                postings = self._postings(signature, [fingerprints])[0]
                self._conn.executemany(
                    "INSERT OR IGNORE INTO postings VALUES (?, ?)", ((h, doc) for h in postings)
                )
        return AddReport(**report)

    def _existing(self, keys: Sequence[str]) -> dict[str, tuple[int, str]]:
        rows = self._select_in("SELECT key, id, digest FROM documents WHERE key IN ({})", keys)
        return {key: (doc, digest) for key, doc, digest in rows}

    def _select_in(self, sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql` (one `IN ({})`) for all `values`, in statements under SQLite's host
        parameter limit."""
        for c in range(0, len(values), _SQL_VARS):
            chunk = list(values[c : c + _SQL_VARS])
            yield from self._conn.execute(sql.format(",".join("?" * len(chunk))), chunk)

    def _remove_one(self, key: str) -> bool:
        row = self._conn.execute(
            "SELECT id, signature, fingerprints FROM documents WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return False
        doc, signature, fingerprints = row
        postings = self._postings(
            np.frombuffer(signature, dtype=np.uint32)[None, :], [np.frombuffer(fingerprints, dtype=np.int64)]
        )[0]
        self._conn.executemany("DELETE FROM postings WHERE h = ? AND doc = ?", ((h, doc) for h in postings))
        self._conn.execute("DELETE FROM documents WHERE id = ?", (doc,))
        return True

    def remove(self, keys: Sequence[str]) -> list[str]:
        """Remove the documents under `keys` with all their postings, in one transaction. Returns the
        keys that were not in the index (nothing to remove)."""
        if isinstance(keys, str):
            raise InvalidInputError("pass a list of keys, not a single string")
        with storage_errors(self.path), transaction(self._conn):
            return [key for key in keys if not self._remove_one(key)]

    def keys(self) -> list[str]:
        """Every indexed key, in the order added."""
        with storage_errors(self.path):
            return [r[0] for r in self._conn.execute("SELECT key FROM documents ORDER BY id")]

    def text(self, key: str) -> str | None:
        """The document as added (its normal form if the index does not store texts), or None."""
        with storage_errors(self.path):
            row = self._conn.execute("SELECT text, norm FROM documents WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return decompress(row[0] if row[0] is not None else row[1])

    def query(
        self,
        texts: Sequence[str],
        top_k: int = 5,
        min_jaccard: float | None = None,
        min_span: int = 150,
    ) -> list[list[IndexMatch]]:
        """For each text, up to `top_k` indexed documents it copies, best first.

        A document matches when the exact word-shingle Jaccard reaches `min_jaccard` (default: the
        index threshold) or the longest shared normalised run has at least `min_span` characters
        (any run of GUARANTEED_CHARS = 124 or more is found; shorter `min_span` values also work
        but runs under 124 characters are only found when the documents are near duplicates).
        Ranked by shared run, then Jaccard. At most MAX_CANDIDATES = 32 candidates per text are
        checked, those sharing the most postings first.
        """
        if not isinstance(top_k, int) or top_k < 1:
            raise InvalidInputError(f"top_k must be a positive int, got {top_k!r}")
        if min_span < K_CHARS:
            raise InvalidInputError(f"min_span must be at least {K_CHARS} characters, got {min_span}")
        min_jaccard = self.params.threshold if min_jaccard is None else min_jaccard
        out = []
        for query in self.candidates(texts):
            matches = []
            for c in query.candidates:
                # A verbatim run of 124+ characters passes through a shared fingerprint, so seeding
                # there finds it; near-duplicate candidates get a full search for shorter runs too.
                run = seeded_run(query.norm, c.norm, c.seeds) if c.seeds else None
                plausible = c.near and c.estimated_jaccard >= min_jaccard - _ESTIMATE_MARGIN
                if plausible:
                    run = longest_shared_run(query.norm, c.norm) or run
                long_run = run is not None and run[2] >= min_span
                if not (plausible or long_run):
                    continue
                doc_shingles = self._shingles(c.norm)
                # Both are sorted distinct hashes: one intersection gives the union's size too.
                shared = np.intersect1d(query.shingles, doc_shingles, assume_unique=True).size
                union = query.shingles.size + doc_shingles.size - shared
                jaccard = shared / union if union else 0.0
                if jaccard >= min_jaccard or long_run:
                    span = located_span(query.norm, query.where, run) if run and run[2] >= K_CHARS else None
                    matches.append(
                        IndexMatch(
                            key=c.key,
                            estimated_jaccard=c.estimated_jaccard,
                            jaccard=jaccard,
                            span=span,
                            meta=c.meta,
                        )
                    )
            matches.sort(key=lambda m: (-(m.span.chars if m.span else 0), -m.jaccard, m.key))
            out.append(matches[:top_k])
        return out

    def candidates(self, texts: Sequence[str]) -> list[Query]:
        """Each text in normal form with the indexed documents that share postings with it: at most
        MAX_CANDIDATES = 32, those sharing the most first. Every document sharing a normalised run
        of GUARANTEED_CHARS or more is among them (unless 32 others share more postings)."""
        texts = check_texts(texts, "pass a list of texts", MAX_QUERY_CHARS)
        mapped = [normalize_with_map(t) for t in texts]
        sets = [self._shingles(norm) for norm, _ in mapped]
        signatures = self._hasher.signatures(sets)
        bands = self._band_postings(signatures)
        seeds = []  # per text: span posting -> where in the normal form that fingerprint occurs
        for norm, _ in mapped:
            hashes, positions = query_fingerprints(norm)
            seeds.append(
                dict(zip(_salted(hashes.view(np.uint64), _SPAN_SALT), positions.tolist(), strict=True))
            )
        with storage_errors(self.path):
            owners = self._owners({h for b in bands for h in b} | {h for s in seeds for h in s})
            hits = [
                Counter(d for h in [*b, *s] for d in owners.get(h, ()))
                for b, s in zip(bands, seeds, strict=True)
            ]
            docs = self._documents({d for h in hits for d, _ in h.most_common(MAX_CANDIDATES)})
        out = []
        for (norm, where), shingles, signature, band, seed, counts in zip(
            mapped, sets, signatures, bands, seeds, hits, strict=True
        ):
            near = {d for h in band for d in owners.get(h, ())}
            copied: dict[int, list[int]] = {}
            for h, position in seed.items():
                for d in owners.get(h, ()):
                    copied.setdefault(d, []).append(position)
            found = []
            for doc, _ in counts.most_common(MAX_CANDIDATES):
                if doc not in docs:  # removed between the two reads
                    continue
                key, doc_signature, doc_norm, meta = docs[doc]
                estimate = float(estimate_jaccard(signature, doc_signature))
                found.append(Candidate(key, doc_norm, meta, estimate, doc in near, copied.get(doc, [])))
            out.append(Query(norm, where, shingles, found))
        return out

    def _owners(self, wanted: set[int]) -> dict[int, list[int]]:
        """Documents holding each posting key."""
        owners: dict[int, list[int]] = {}
        for h, doc in self._select_in("SELECT h, doc FROM postings WHERE h IN ({})", sorted(wanted)):
            owners.setdefault(h, []).append(doc)
        return owners

    def _documents(self, ids: set[int]) -> dict[int, tuple[str, np.ndarray, str, dict[str, Any]]]:
        rows = self._select_in(
            "SELECT id, key, signature, norm, meta FROM documents WHERE id IN ({})", sorted(ids)
        )
        return {
            doc: (key, np.frombuffer(signature, dtype=np.uint32), decompress(norm), json.loads(meta))
            for doc, key, signature, norm, meta in rows
        }

    def stats(self) -> dict[str, int]:
        """Documents, postings and the file's size in bytes (database plus its write-ahead log)."""
        with storage_errors(self.path):
            documents = self._conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            postings = self._conn.execute("SELECT COUNT(*) FROM postings").fetchone()[0]
        size = sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())
        return {"documents": documents, "postings": postings, "bytes_on_disk": size}
