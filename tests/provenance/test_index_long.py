"""Long queries: the fast seeding path gives the same runs as seeding every place with str.find, and a
query over a long text with planted copies finds each copy as querying it alone does."""

from __future__ import annotations

import random

from genguard.provenance import spans
from genguard.provenance.index import ProtectedIndex
from genguard.provenance.spans import K_CHARS, query_fingerprints, seeded_run

WORDS = [
    *("amber", "basin", "cellar", "dune", "ferry", "garnet", "hollow", "inlet", "juniper", "kiln"),
    *("lagoon", "mantle", "nectar", "oyster", "pewter", "quarry", "ripple", "saddle", "tundra"),
]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _reference_run(query: str, doc: str, positions: list[int]) -> tuple[int, int, int] | None:
    """The definition, slowly: every seed, its first 16 places by str.find, extended one character
    at a time; the first longest wins."""
    best = None
    for i in positions:
        j, tries = 0, 0
        while tries < 16 and (j := doc.find(query[i : i + K_CHARS], j)) >= 0:
            back = 0
            while i - back > 0 and j - back > 0 and query[i - back - 1] == doc[j - back - 1]:
                back += 1
            ahead = 0
            while i + ahead < len(query) and j + ahead < len(doc) and query[i + ahead] == doc[j + ahead]:
                ahead += 1
            if best is None or back + ahead > best[2]:
                best = (i - back, j - back, back + ahead)
            j, tries = j + 1, tries + 1
    return best


def test_seeded_run_on_a_long_copy_equals_seeding_every_place_with_find(monkeypatch) -> None:
    rng = random.Random(3)
    refrain = "tundra ripple saddle " * 40  # a k-gram repeated more than 16 times in the document
    block = _words(rng, 60)  # three times in the document; only the third place runs on into "zz"
    doc = _words(rng, 3000) + " " + refrain + _words(rng, 3000) + f" {block} x {block} y {block} zz"
    copy = doc[2000:14000]  # hundreds of seeds on one run: the hashed path
    # A copy with a letter changed every few hundred characters: several runs on one diagonal.
    cuts = {rng.randrange(10_000) for _ in range(25)}
    edited = "".join("#" if k in cuts else c for k, c in enumerate(doc[15000:25000]))
    query = " ".join(
        [
            _words(rng, 500),
            copy,
            refrain,
            _words(rng, 500),
            doc[300:600],
            edited,
            f"{block} zz",
            _words(rng, 99),
        ]
    )
    _, positions = query_fingerprints(query)
    assert len(positions) > 100
    expected = _reference_run(query, doc, positions.tolist())
    assert seeded_run(query, doc, positions.tolist()) == expected
    assert expected is not None and expected[2] >= len(copy)
    # The same answer when every seed uses str.find, and with pieces far smaller than the texts.
    monkeypatch.setattr(spans, "_FIND_SEEDS", 1 << 30)
    assert seeded_run(query, doc, positions.tolist()) == expected
    monkeypatch.setattr(spans, "_FIND_SEEDS", 0)
    monkeypatch.setattr(spans, "CHUNK_CHARS", 1000)
    assert seeded_run(query, doc, positions.tolist()) == expected
    assert seeded_run(query, doc, positions[::-1].tolist()) == _reference_run(
        query, doc, positions[::-1].tolist()
    )
    # Each stretch alone, so that no longer copy hides it: the edited copy's longest piece, the
    # block found at its third place.
    for part in (edited, f"{block} zz"):
        _, seeds = query_fingerprints(part)
        assert seeded_run(part, doc, seeds.tolist()) == _reference_run(part, doc, seeds.tolist())
    _, seeds = query_fingerprints(f"{block} zz")
    assert seeded_run(f"{block} zz", doc, seeds.tolist())[2] == len(block) + 3


def test_query_on_a_long_text_with_planted_copies_equals_querying_each_piece(tmp_path) -> None:
    rng = random.Random(5)
    docs = [_words(rng, rng.randint(100, 400)) + "." for _ in range(60)]
    docs.append(_words(rng, 6000))  # one long document, copied at length below
    keys = [f"doc{i}" for i in range(len(docs))]
    pieces = []
    for k in (3, 17, 42, 60):
        doc = docs[k]
        start = rng.randrange(len(doc) // 4)
        copy = doc[start : start + (20_000 if k == 60 else 400)].upper()  # case does not hide a copy
        pieces.append(_words(rng, 2000) + ", " + copy + " ... " + _words(rng, 2000))
    with ProtectedIndex(tmp_path / "ix.db") as index:
        index.add(docs, keys=keys)
        [whole] = index.query([" ".join(pieces)], top_k=10)
        offset = 0
        alone = {}
        for piece in pieces:
            [matches] = index.query([piece], top_k=10)
            for m in matches:
                alone[m.key] = (m.span.chars, m.span.text, m.span.query_start + offset, m.span.doc_start)
            offset += len(piece) + 1
    assert {m.key for m in whole} == {"doc3", "doc17", "doc42", "doc60"} == set(alone)
    for m in whole:
        assert (m.span.chars, m.span.text, m.span.query_start, m.span.doc_start) == alone[m.key]
        assert m.span.chars >= 300 and m.jaccard < 0.5
    assert whole[0].key == "doc60" and whole[0].span.chars >= 19_000
