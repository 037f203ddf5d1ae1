"""Shingles of texts as 32-bit hashes, computed with numpy over each text's bytes (no per-shingle loop).

Texts go through the shared normaliser (NFKC, invisible characters, homoglyphs; lower case;
every run of non-alphanumeric characters becomes one space), so case, punctuation, spacing and
look-alike letters do not change the shingles. Then, on the UTF-8 bytes of the normalised text:

- word shingles: each word gets a polynomial hash from prefix sums (the inverse of the odd base
  mod 2^64 turns a prefix difference into the hash of the word), and n consecutive word hashes are
  combined with a second polynomial;
- character shingles: the same prefix-sum hash over every window of n bytes.

Each 64-bit value is finished with the MurmurHash3 64-bit finaliser and folded to 32 bits; the
set of distinct values is the text's shingle set. A text with fewer than n words (or bytes) has
one shingle: the whole normalised text, so short texts still compare; an empty text has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.text import check_texts, normalize

_BASE = np.uint64(0x100000001B3)  # odd, so invertible mod 2^64
_BASE_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_WORD_BASE = np.uint64(0x9E3779B97F4A7C15)
_NON_WORD = re.compile(r"[\W_]+")  # one run of anything but letters and digits
_MAX_N = 64
CHUNK_CHARS = 1 << 20  # texts longer than this are shingled in pieces (bounded memory)
MAX_CHARS = 1 << 30


def normalize_for_shingles(text: str) -> str:
    """The text as shingled: folded look-alikes, lower case, words separated by single spaces."""
    folded = normalize(text, ("nfkc", "invisible", "homoglyphs")).lower()
    return _NON_WORD.sub(" ", folded).strip()


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _powers(base: np.uint64, n: int) -> np.ndarray:
    """base**0 .. base**(n-1) mod 2^64 (uint64 arithmetic wraps, which is the modulo)."""
    out = np.ones(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        out[1:] = np.cumprod(np.full(n - 1, base, dtype=np.uint64))
    return out


_POWER_TABLES: dict[int, np.ndarray] = {}


def _power_table(base: np.uint64, n: int) -> np.ndarray:
    """The first n powers of `base`, from a table kept across calls (grown by doubling, so texts
    of up to CHUNK_CHARS cost at most 16 MB of tables)."""
    table = _POWER_TABLES.get(int(base))
    if table is None or table.size < n:
        table = _powers(base, max(n, 2 * (table.size if table is not None else 4096)))
        _POWER_TABLES[int(base)] = table
    return table[:n]


def _span_hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Polynomial hash (mod 2^64) of data[start:end] for every span, from one prefix sum."""
    powers = _power_table(_BASE, len(data) + 1)
    inverse = _power_table(_BASE_INV, len(data) + 1)
    with np.errstate(over="ignore"):
        prefix = np.concatenate(
            [[np.uint64(0)], np.cumsum((data.astype(np.uint64) + np.uint64(1)) * powers[:-1])]
        )
        return (prefix[ends] - prefix[starts]) * inverse[starts]


def _fold(h: np.ndarray) -> np.ndarray:
    mixed = _fmix64(h)
    return np.unique(((mixed >> np.uint64(32)) ^ mixed).astype(np.uint32))


def _word_grams(data: np.ndarray, n: int, whole: bool) -> np.ndarray:
    """64-bit hashes of every n consecutive words of normalised bytes (one gram if fewer words and
    `whole`, else none)."""
    spaces = np.flatnonzero(data == 32)
    starts = np.concatenate([[0], spaces + 1])
    ends = np.concatenate([spaces, [data.size]])
    words = _span_hashes(data, starts, ends)
    if words.size < n and not whole:
        return np.empty(0, dtype=np.uint64)
    width = min(n, words.size)  # fewer words than n: the whole text is one shingle
    grams = np.zeros(words.size - width + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(width):  # a loop over positions in the window, not over shingles
            grams = grams * _WORD_BASE + words[k : words.size - width + 1 + k]
    return grams


def _char_grams(data: np.ndarray, n: int, whole: bool) -> np.ndarray:
    if data.size < n and not whole:
        return np.empty(0, dtype=np.uint64)
    starts = np.array([0]) if data.size <= n else np.arange(data.size - n + 1)
    return _span_hashes(data, starts, np.minimum(starts + n, data.size))


def normalized_chunks(text: str, chunk_chars: int | None = None) -> Iterator[str]:
    """The normalised text in pieces of about `chunk_chars` (default CHUNK_CHARS), cut at spaces or
    newlines: joined by single spaces they equal `normalize_for_shingles(text)`, except that a
    word longer than a chunk is split."""
    chunk_chars = chunk_chars or CHUNK_CHARS
    pos = 0
    while pos < len(text):
        end = min(pos + chunk_chars, len(text))
        if end < len(text):
            cut = max(text.rfind(" ", pos, end), text.rfind("\n", pos, end))
            end = cut + 1 if cut > pos else end
        piece = normalize_for_shingles(text[pos:end])
        if piece:
            yield piece
        pos = end


def shingle_hashes(texts: Sequence[str], kind: str = "word", n: int = 5) -> list[np.ndarray]:
    """Distinct 32-bit shingle hashes (sorted uint32 array) of each text.

    `kind` "word" (n consecutive words) or "char" (n consecutive UTF-8 bytes of the normalised
    text). Texts longer than CHUNK_CHARS are normalised and hashed in pieces that overlap by n - 1
    words (or bytes), so memory stays a small multiple of the chunk plus the distinct hashes
    (4 bytes each), up to MAX_CHARS characters per text. InvalidInputError for a bare string,
    non-str items, an unknown kind, n outside 1..64 or a text over MAX_CHARS.
    """
    if kind not in ("word", "char"):
        raise InvalidInputError(f"shingle kind must be 'word' or 'char', not {kind!r}")
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= _MAX_N:
        raise InvalidInputError(f"shingle size n must be an int from 1 to {_MAX_N}, got {n!r}")
    out = []
    for text in check_texts(texts, max_chars=MAX_CHARS):
        if len(text) <= CHUNK_CHARS:
            out.append(shingles_of_pieces([normalize_for_shingles(text)], kind, n))
        else:
            out.append(shingles_of_pieces(normalized_chunks(text), kind, n))
    return out


def shingles_of_pieces(pieces: Iterable[str], kind: str, n: int) -> np.ndarray:
    """Distinct 32-bit shingle hashes of the normal-form text that `pieces` (normal form, as from
    `normalized_chunks`) make when joined by single spaces: the same set as for the joined text.
    A text of fewer than n words (or bytes) has one shingle, the whole text; an empty one none."""
    found = list(iter_piece_shingles(pieces, kind, n))
    return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.uint32)


def iter_piece_shingles(pieces: Iterable[str], kind: str, n: int) -> Iterator[np.ndarray]:
    """The shingle hashes of `shingles_of_pieces`, one array per piece (hashed with an overlap of
    n - 1 words or bytes with the piece before), so a caller can fold them (e.g. into a MinHash
    signature) without holding the whole set; arrays may share values."""
    grams = _word_grams if kind == "word" else _char_grams
    head: list[str] | None = []  # the pieces read until a first full shingle is seen
    carry = b""
    for piece in pieces:
        if not piece:
            continue
        data = np.frombuffer(carry + piece.encode("utf-8"), dtype=np.uint8)
        found = _fold(grams(data, n, whole=False))
        if head is not None:
            head = None if found.size else [*head, piece]
        yield found
        if kind == "word":
            words = bytes(data).rsplit(b" ", n - 1)  # the last n - 1 words, or all if fewer
            carry = b" ".join(words[1:] if len(words) == n else words) + b" " if n > 1 else b""
        else:
            carry = bytes(data[-(n - 1) :]) + b" " if n > 1 else b""
    if head:  # fewer than n words (or bytes) overall: one shingle, the whole text
        yield _fold(grams(np.frombuffer(" ".join(head).encode("utf-8"), dtype=np.uint8), n, whole=True))
