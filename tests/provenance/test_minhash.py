from __future__ import annotations

import numpy as np
import pytest

from genguard.errors import InvalidInputError
from genguard.provenance import minhash as mh
from genguard.provenance.minhash import EMPTY, MinHasher, estimate_jaccard, lsh_parameters, s_curve
from genguard.provenance.shingles import shingle_hashes

TEXTS = [
    "The quick brown fox jumps over the lazy dog again and again near the river bank.",
    "THE QUICK brown fox -- jumps over the lazy dog, again and again, near the river bank!",
    "The quick brown fox jumps over the lazy cat again and again near the old mill.",
    "",
    "word",
]


def test_normalisation_makes_case_punctuation_and_spacing_irrelevant() -> None:
    a, b, c, empty, short = shingle_hashes(TEXTS)
    assert np.array_equal(a, b)
    assert 0 < len(set(a) & set(c)) < len(a)
    assert empty.size == 0 and short.size == 1
    words = shingle_hashes(["one two three four five six seven"], n=3)[0]
    assert words.size == 5  # 7 words, windows of 3
    chars = shingle_hashes(["abcdef"], kind="char", n=4)[0]
    assert chars.size == 3
    homoglyph = shingle_hashes(
        ["The quick br\u043ewn fox jumps over the lazy dog again and again near the river bank."]
    )[0]
    assert np.array_equal(homoglyph, a)


def test_signatures_equal_datasketch_affine32_bit_for_bit() -> None:
    datasketch = pytest.importorskip("datasketch")
    sets = shingle_hashes(TEXTS, n=3)
    hasher = MinHasher(num_perm=64, seed=7)
    signatures = hasher.signatures(sets)
    for s, row in zip(sets, signatures, strict=True):
        m = datasketch.MinHash(
            num_perm=64, hashfunc=lambda x: x, permutations=(hasher.a, hasher.b), scheme="affine32"
        )
        m.update_batch([int(v) for v in s])
        assert np.array_equal(m.hashvalues, row)
    assert (signatures[3] == EMPTY).all()


def test_chunking_does_not_change_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    sets = [
        np.unique(rng.integers(0, 2**32, size, dtype=np.uint64).astype(np.uint32))
        for size in (5, 0, 900, 3, 40)
    ]
    hasher = MinHasher(num_perm=32)
    whole = hasher.signatures(sets)
    monkeypatch.setattr(mh, "_BLOCK_CELLS", 32 * 7)  # chunks of 7 shingles: documents split across chunks
    assert np.array_equal(hasher.signatures(sets), whole)


def test_estimates_track_true_jaccard() -> None:
    rng = np.random.default_rng(1)
    base = np.unique(rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32))
    hasher = MinHasher(num_perm=256)
    for keep in (0.2, 0.5, 0.9):
        other = np.concatenate(
            [
                base[: int(keep * base.size)],
                rng.integers(0, 2**32, int((1 - keep) * base.size), dtype=np.uint64).astype(np.uint32),
            ]
        )
        truth = len(np.intersect1d(base, other)) / len(np.union1d(base, other))
        sig = hasher.signatures([base, np.unique(other)])
        assert abs(estimate_jaccard(sig[0], sig[1]) - truth) < 4 * np.sqrt(truth * (1 - truth) / 256) + 0.01


def test_lsh_parameters_match_datasketch_and_the_s_curve_crosses_near_the_threshold() -> None:
    datasketch = pytest.importorskip("datasketch")
    for threshold in (0.3, 0.5, 0.8):
        b, r = lsh_parameters(threshold, 128)
        lsh = datasketch.MinHashLSH(threshold=threshold, num_perm=128)
        assert (b, r) == (lsh.b, lsh.r)
        assert s_curve(threshold - 0.2, b, r) < 0.5 < s_curve(min(threshold + 0.15, 0.99), b, r)


def test_bad_arguments() -> None:
    with pytest.raises(InvalidInputError):
        MinHasher(num_perm=0)
    with pytest.raises(InvalidInputError):
        shingle_hashes(TEXTS, kind="line")
    with pytest.raises(InvalidInputError):
        shingle_hashes(TEXTS, n=0)
    with pytest.raises(InvalidInputError):
        shingle_hashes("a single string")
    with pytest.raises(InvalidInputError):
        lsh_parameters(1.0, 128)


def test_lsh_index_finds_near_duplicates_and_not_unrelated_texts() -> None:
    from genguard.provenance.lsh import LSHIndex, band_keys

    base = " ".join(f"word{i}" for i in range(200))
    near = base.replace("word50 ", "changed ").replace("word150 ", "altered ")
    unrelated = " ".join(f"other{i}" for i in range(200))
    hasher = MinHasher(128)
    sigs = hasher.signatures(shingle_hashes([base, near, unrelated]))
    index = LSHIndex(threshold=0.5, num_perm=128)
    index.insert(["base", "unrelated"], sigs[[0, 2]])
    found = index.query(sigs[[1, 2]])
    assert found[0] == {"base"} and found[1] == {"unrelated"}
    assert band_keys(sigs, index.bands, index.rows).shape == (3, index.bands)
    with pytest.raises(InvalidInputError):
        index.insert(["only one key"], sigs)


@pytest.mark.parametrize(("kind", "n"), [("word", 1), ("word", 5), ("char", 1), ("char", 7)])
def test_long_texts_shingled_in_pieces_give_the_same_set(monkeypatch, kind: str, n: int) -> None:
    import random

    from genguard.provenance import shingles

    rng = random.Random(n)
    words = ["alpha", "Beta,", "gamma.", "DELTA", "\u00e9p", "x\u200by", "--", "na\u00efve", "\n"]
    text = " ".join(rng.choice(words) for _ in range(4000))
    whole = shingle_hashes([text], kind, n)[0]
    monkeypatch.setattr(shingles, "CHUNK_CHARS", 37)
    assert np.array_equal(shingle_hashes([text], kind, n)[0], whole)
