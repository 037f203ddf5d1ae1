"""Texts -> sketches: MinHash signatures, LSH band keys and exact keys of documents, as
`genguard.provenance.dedup`'s docstring defines them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genguard.provenance import shingles as shingles_module
from genguard.provenance.dedup_params import DedupParameters
from genguard.provenance.dedup_records import bad_line_error, parse_line
from genguard.provenance.lsh import band_keys
from genguard.provenance.minhash import EMPTY, MinHasher
from genguard.provenance.shingles import (
    iter_piece_shingles,
    normalize_for_shingles,
    normalized_chunks,
    shingle_hashes,
)


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
