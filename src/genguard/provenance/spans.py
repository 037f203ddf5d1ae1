"""Verbatim spans shared by two texts, whatever their case, spacing, punctuation or look-alike letters.

Both texts are compared in the shingle normal form (`normalize_for_shingles`: folded look-alikes,
lower case, every run of non-word characters one space). To find candidates in a large index
each text is reduced to winnowed character k-gram hashes (Schleimer et al. 2003): in every window
of `w` consecutive k-grams the smallest hash is kept. Two texts sharing a normalised run of at
least k + w - 1 characters (124 with the defaults) always share a kept hash, at about 2 / (w + 1)
of the positions stored. The exact longest shared run is then found by seed and extend: every
k-gram of the query is looked up in the other text with `str.find` and extended both ways.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.provenance.shingles import CHUNK_CHARS, _char_grams, _fmix64, _span_hashes, normalized_chunks
from genguard.provenance.winnow import window_minima
from genguard.text import normalize_with_offsets
from genguard.types import Result

K_CHARS = 25
WINDOW = 100
GUARANTEED_CHARS = K_CHARS + WINDOW - 1  # a shared run this long always shares a kept hash
_WORD = re.compile(r"[^\W_]+")
_MAX_SEEDS_PER_GRAM = 16  # repeated k-grams (a refrain) seed at most this many places
_FIND_SEEDS = 32  # up to this many seeds look up their places with str.find, more hash `doc` once


class SharedSpan(Result):
    """The longest run shared by a query and a document, in normalised characters.

    `query_start`/`query_end` index the query as given (so the run can be redacted there);
    `doc_start`/`doc_end` index the document's normal form; `text` is the run in normal form.
    """

    chars: int
    text: str
    query_start: int
    query_end: int
    doc_start: int
    doc_end: int


def normalize_with_map(text: str) -> tuple[str, np.ndarray]:
    """(`normalize_for_shingles(text)`, offsets): offsets[i] is the index in `text` of normalised
    character i (a separating space maps to the character before the next word)."""
    clean, offsets = normalize_with_offsets(text, ("nfkc", "invisible", "homoglyphs"))
    lowered = clean.lower()
    if len(lowered) != len(clean):  # a few letters lower to two characters (e.g. dotted capital I)
        pieces = [c.lower() for c in clean]
        offsets = [o for piece, o in zip(pieces, offsets, strict=True) for _ in piece]
        lowered = "".join(pieces)
    words = np.array([m.span() for m in _WORD.finditer(lowered)], dtype=np.int64).reshape(-1, 2)
    if not len(words):
        return "", np.empty(0, dtype=np.int64)
    # Each word after the first is preceded by its separating space, mapped to the character before it.
    lead = (np.arange(len(words)) > 0).astype(np.int64)
    first, length = words[:, 0] - lead, words[:, 1] - words[:, 0] + lead
    out_start = np.concatenate([[0], np.cumsum(length)[:-1]])
    index = np.repeat(first - out_start, length) + np.arange(length.sum())
    norm = " ".join(lowered[s:e] for s, e in words.tolist())
    return norm, np.asarray(offsets, dtype=np.int64)[index]


def codepoints(text: str) -> np.ndarray:
    """The text's Unicode code points, uint32 (one per character, unlike its UTF-8 bytes)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _kgram_hashes(text: str) -> np.ndarray:
    """uint64 hash of every K_CHARS consecutive characters (none if the text is shorter)."""
    return _fmix64(_char_grams(codepoints(text), K_CHARS, whole=False))


def _pieces(norm: str, overlap: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) of a normal-form string in pieces of CHUNK_CHARS, each also holding the next
    `overlap` characters, so every run of `overlap` + 1 characters lies wholly inside one piece."""
    step = max(CHUNK_CHARS, overlap + 1)
    for start in range(0, max(len(norm) - overlap, 1), step):
        yield start, norm[start : start + step + overlap]


def span_fingerprints(text: str) -> np.ndarray:
    """Sorted distinct int64 winnowed k-gram hashes of the normal form of `text` (about 2 % of its
    characters; none for a normal form shorter than K_CHARS). Memory is bounded for any length:
    long texts are normalised and hashed in overlapping pieces."""
    found, carry = [], ""
    for piece in normalized_chunks(text):
        joined = carry + piece
        found.append(np.unique(window_minima(_kgram_hashes(joined), WINDOW)))
        carry = joined[-(GUARANTEED_CHARS - 1) :] + " "
    if not found:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(found)).view(np.int64)


def _common(a: str, i: int, b: str, j: int, step: int) -> int:
    """How many characters a[i:] and b[j:] share from the start (step 1) or a[:i] and b[:j] share
    from the end (step -1), compared in halving blocks so long copies cost few comparisons."""
    n, block = 0, 256
    limit = min(len(a) - i, len(b) - j) if step > 0 else min(i, j)
    while block:
        take = min(block, limit - n)
        if take > 0 and (
            a[i + n : i + n + take] == b[j + n : j + n + take]
            if step > 0
            else a[i - n - take : i - n] == b[j - n - take : j - n]
        ):
            n += take
        else:
            block //= 2
    return n


def _seed_runs(query: str, doc: str, top: int | None, min_grams: int = 1) -> list[tuple[int, int]]:
    """(query position, doc position) of the `top` longest runs (all if None) of at least
    `min_grams` equal k-gram hashes along one diagonal; a k-gram repeated in `doc` pairs with at
    most 16 of its places."""
    q, d = _kgram_hashes(query), _kgram_hashes(doc)
    if not q.size or not d.size:
        return []
    order = np.argsort(d, kind="stable")
    sorted_d = d[order]
    lo, hi = np.searchsorted(sorted_d, q, "left"), np.searchsorted(sorted_d, q, "right")
    count = np.minimum(hi - lo, _MAX_SEEDS_PER_GRAM)
    if not count.any():
        return []
    qpos = np.repeat(np.arange(q.size), count)
    within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    dpos = order[np.repeat(lo, count) + within]
    diagonal = dpos - qpos
    sort = np.lexsort((qpos, diagonal))
    qpos, diagonal = qpos[sort], diagonal[sort]
    new_run = np.ones(qpos.size, dtype=bool)
    new_run[1:] = (diagonal[1:] != diagonal[:-1]) | (qpos[1:] != qpos[:-1] + 1)
    starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(starts, qpos.size))
    keep = lengths >= min_grams
    starts, lengths = starts[keep], lengths[keep]
    best = starts[np.argsort(-lengths, kind="stable")[:top]]
    return [(int(qpos[s]), int(qpos[s] + diagonal[s])) for s in best]


def shared_runs(
    query: str, doc: str, min_chars: int = K_CHARS, top: int | None = None
) -> list[tuple[int, int, int]]:
    """(query start, doc start, length) of maximal runs of characters both normal-form strings
    share, of at least `min_chars` (>= K_CHARS), longest first; the `top` longest seeds per piece
    pair only, when given.

    Seeds are runs of equal k-gram hashes (numpy, both strings in pieces of CHUNK_CHARS, so memory
    stays bounded), each extended both ways by direct comparison, which also discards hash
    collisions. Exact unless a k-gram repeats more than 16 times in `doc`.
    """
    if min_chars < K_CHARS:
        raise InvalidInputError(f"min_chars must be at least {K_CHARS}, got {min_chars}")
    runs: set[tuple[int, int, int]] = set()
    for q0, q_piece in _pieces(query, K_CHARS - 1):
        for d0, d_piece in _pieces(doc, K_CHARS - 1):
            # A run cut by a piece boundary may be shorter inside the piece: seed it whatever its length.
            min_grams = 1 if top is not None or len(query) > CHUNK_CHARS or len(doc) > CHUNK_CHARS else None
            for i, j in _seed_runs(q_piece, d_piece, top, min_grams or min_chars - K_CHARS + 1):
                i, j = q0 + i, d0 + j
                back = _common(query, i, doc, j, -1)
                length = back + _common(query, i, doc, j, 1)
                if length >= min_chars:
                    runs.add((i - back, j - back, length))
    return sorted(runs, key=lambda r: (-r[2], r[0], r[1]))


def longest_shared_run(query: str, doc: str, min_chars: int = K_CHARS) -> tuple[int, int, int] | None:
    """(query start, doc start, length) of the longest run of characters both normal-form strings
    share, if it has at least `min_chars` (>= K_CHARS), else None (see `shared_runs`)."""
    runs = shared_runs(query, doc, min_chars, top=4)
    return runs[0] if runs else None


def query_fingerprints(norm: str) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, positions) of a normal-form query: its winnowed k-gram hashes as in
    `span_fingerprints` (int64), each with one position in `norm` where it occurs."""
    hashes = _kgram_hashes(norm)
    if not hashes.size:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    chosen = np.unique(window_minima(hashes, WINDOW))
    positions = np.flatnonzero(np.isin(hashes, chosen))
    found, first = np.unique(hashes[positions], return_index=True)
    return found.view(np.int64), positions[first]


def seeded_run(query: str, doc: str, positions: Sequence[int]) -> tuple[int, int, int] | None:
    """(query start, doc start, length) of the longest common run through the k-gram at one of
    `positions` of `query` (shared fingerprints), or None. Each k-gram seeds its first 16 places
    in `doc`; among runs of equal length the first found wins (positions in the order given, then
    places in `doc` left to right).

    Linear in the texts: a seed on a run already found on the same diagonal (a long copy holds a
    fingerprint every ~50 characters) reuses that run instead of extending it again, and many
    seeds look their places up in one hashed pass over `doc` instead of one `str.find` each."""
    best = None
    found: dict[int, list[tuple[int, int]]] = {}  # diagonal (doc - query) -> sorted (query start, length)
    for i, places in zip(positions, _places(query, doc, positions), strict=True):
        for j in places:
            run = _run_on_diagonal(found.setdefault(j - i, []), i)
            if run is None:
                back = _common(query, i, doc, j, -1)
                run = (i - back, back + _common(query, i, doc, j, 1))
                bisect.insort(found[j - i], run)
            if best is None or run[1] > best[2]:
                best = (run[0], run[0] + j - i, run[1])
    return best


def _run_on_diagonal(runs: list[tuple[int, int]], i: int) -> tuple[int, int] | None:
    """The maximal run of `runs` (disjoint, sorted by start) that holds query position `i`, if any:
    extending from `i` on that diagonal would find exactly it."""
    k = bisect.bisect_right(runs, (i, 1 << 62)) - 1
    return runs[k] if k >= 0 and runs[k][0] <= i < runs[k][0] + runs[k][1] else None


def _places(query: str, doc: str, positions: Sequence[int]) -> list[list[int]]:
    """For the k-gram of `query` at each of `positions`: its first 16 places in `doc`, ascending
    (every place where it occurs, overlapping ones included, as repeated `str.find` gives them)."""
    grams = [query[i : i + K_CHARS] for i in positions]
    if len(grams) <= _FIND_SEEDS:  # a few seeds: str.find scans at memchr speed, cheaper than hashing
        return [_find_places(doc, gram) for gram in grams]
    starts = np.arange(len(grams), dtype=np.int64) * K_CHARS  # the seeds' grams only, not the whole query
    wanted = _fmix64(_span_hashes(codepoints("".join(grams)), starts, starts + K_CHARS))
    table = np.unique(wanted)
    places: dict[int, list[int]] = {}
    for d0, piece in _pieces(doc, K_CHARS - 1):
        hashes = _kgram_hashes(piece)
        slot = np.minimum(np.searchsorted(table, hashes), table.size - 1)
        hit = np.flatnonzero(table[slot] == hashes)
        # Per hash, its first places in this piece (twice the cap, so a rare collision cannot crowd
        # out real occurrences), in doc order.
        order = np.argsort(hashes[hit], kind="stable")
        grouped, where = hashes[hit][order], hit[order]
        first = np.arange(order.size) - np.searchsorted(grouped, grouped) < 2 * _MAX_SEEDS_PER_GRAM
        for h, j in zip(grouped[first].tolist(), where[first].tolist(), strict=True):
            places.setdefault(h, []).append(d0 + j)
    out = []
    for gram, h in zip(grams, wanted.tolist(), strict=True):
        verified = (j for j in sorted(places.get(h, ())) if doc[j : j + K_CHARS] == gram)
        out.append(list(itertools.islice(verified, _MAX_SEEDS_PER_GRAM)))
    return out


def _find_places(doc: str, gram: str) -> list[int]:
    """The first 16 places of `gram` in `doc`, ascending, by `str.find`."""
    out, j = [], 0
    while len(out) < _MAX_SEEDS_PER_GRAM and (j := doc.find(gram, j)) >= 0:
        out.append(j)
        j += 1
    return out


def located_span(query_norm: str, query_map: np.ndarray, run: tuple[int, int, int]) -> SharedSpan:
    """A run of the normal-form query, located in the query as given."""
    start, doc_start, length = run
    # A run may begin or end on a separating space: report it from its first to its last letter.
    lead = len(query_norm[start : start + length]) - len(query_norm[start : start + length].lstrip(" "))
    start, doc_start, length = start + lead, doc_start + lead, length - lead
    length = len(query_norm[start : start + length].rstrip(" "))
    return SharedSpan(
        chars=length,
        text=query_norm[start : start + length],
        query_start=int(query_map[start]),
        query_end=int(query_map[start + length - 1]) + 1,
        doc_start=doc_start,
        doc_end=doc_start + length,
    )


def shared_span(query_norm: str, query_map: np.ndarray, doc_norm: str, min_chars: int) -> SharedSpan | None:
    """The longest shared run of `min_chars` or more, located in the query as given, or None."""
    run = longest_shared_run(query_norm, doc_norm, min_chars)
    return None if run is None else located_span(query_norm, query_map, run)
