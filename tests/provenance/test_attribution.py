from __future__ import annotations

import itertools
import random

import pytest

from genguard.errors import InvalidInputError
from genguard.provenance.attribution import attribute
from genguard.provenance.index import ProtectedIndex
from genguard.provenance.shingles import normalize_for_shingles

WORDS = ["comet", "harbor", "willow", "saffron", "glacier", "lantern", "meadow", "cobalt", "falcon"]
WORDS += ["ember", "orchid", "timber", "velvet", "quarry", "nimbus", "thistle", "marrow", "pebble"]


def _doc(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def test_a_text_stitched_from_two_documents_is_credited_to_both_with_the_passages(tmp_path) -> None:
    rng = random.Random(0)
    docs = [_doc(rng, 200) for _ in range(30)]
    first = " ".join(docs[4].split()[20:60])
    second = " ".join(docs[17].split()[100:130])
    text = f"In summary: {first.upper()}. Also, {second}! {_doc(random.Random(5), 10)}"
    with ProtectedIndex(tmp_path / "ix.db") as index:
        index.add(docs, keys=[f"d{i}" for i in range(len(docs))], metas=[{"i": i} for i in range(30)])
        [result] = attribute(index, [text], min_chars=50)
        [clean] = attribute(index, ["Nothing here comes from the training documents at all."])
    keys = [s.key for s in result.sources]
    assert keys[:2] == ["d4", "d17"]
    top = result.sources[0]
    assert top.meta == {"i": 4} and top.chars >= len(normalize_for_shingles(first)) - 1
    first_span = top.spans[0]
    assert normalize_for_shingles(text[first_span.query_start : first_span.query_end]) == first_span.text
    assert 0.6 < result.coverage <= 1.0
    # No character is credited twice.
    spans = sorted((sp.query_start, sp.query_end) for s in result.sources for sp in s.spans)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert clean.sources == [] and clean.coverage == 0.0
    with pytest.raises(InvalidInputError):
        attribute(index, [text], min_chars=5)
