from __future__ import annotations

import hashlib
import json
import random
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from genguard.errors import ConfigError, InvalidInputError
from genguard.provenance import shingles
from genguard.provenance.dedup import (
    Sketcher,
    bucket_pairs,
    decide,
    dedup_jsonl,
    dedup_parameters,
    dedup_texts,
    near_duplicate_clusters,
)
from genguard.provenance.minhash import MinHasher
from genguard.provenance.shingles import normalize_for_shingles, shingle_hashes

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "du", "fe", "go", "ha", "ji", "pu", "ze"]


def words(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def doc(rng: random.Random, count: int = 100) -> str:
    return " ".join(words(rng, count)) + "."


def edit(text: str, changes: int, rng: random.Random) -> str:
    w = text.split()
    for i in rng.sample(range(len(w)), changes):
        w[i] = "x" + w[i][::-1]
    return " ".join(w)


def write_jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines))
    return path


def line(text: str, **extra) -> bytes:
    return json.dumps({"text": text, **extra}, ensure_ascii=False).encode("utf-8")


def kept_ids(out: Path, src: Path) -> list[int]:
    """Map output lines back to input ids (input lines are unique in these tests)."""
    index = {raw: i for i, raw in enumerate(src.read_bytes().splitlines(keepends=True))}
    return [index[raw] for raw in out.read_bytes().splitlines(keepends=True)]


def dropped_map(path: Path) -> dict[int, int]:
    return {d["id"]: d["duplicate_of"] for d in map(json.loads, path.read_text().splitlines())}


def test_exact_and_near_duplicates_are_dropped_and_unrelated_documents_kept(tmp_path: Path) -> None:
    rng = random.Random(1)
    a, b, c = doc(rng), doc(rng), doc(rng)
    texts = [
        a,
        b,
        a.upper().replace(" ", "  ,  "),  # case, punctuation, spacing: the same after normalisation
        edit(a, 1, rng),  # one word of 100: Jaccard about 0.9
        c,
        a.replace("o", "\u043e"),  # Cyrillic o: a homoglyph
        edit(b, 30, rng),  # 30 words of 100: far below 0.8, a different document
    ]
    lines = [
        b'{"id": "first", "text": ' + json.dumps(texts[0]).encode() + b', "meta": [1, 2.50, null]}',
        *[line(t, n=i) for i, t in enumerate(texts[1:], 1)],
    ]
    src = write_jsonl(tmp_path / "in.jsonl", lines)
    stats = dedup_jsonl(src, tmp_path / "out.jsonl")
    assert kept_ids(tmp_path / "out.jsonl", src) == [0, 1, 4, 6]
    assert (tmp_path / "out.jsonl").read_bytes().splitlines()[0] == lines[0]  # byte for byte
    assert dropped_map(tmp_path / "out.dropped.jsonl") == {2: 0, 3: 0, 5: 0}
    assert (stats.lines, stats.kept, stats.dropped, stats.duplicate_clusters, stats.largest_cluster) == (
        7,
        4,
        3,
        1,
        4,
    )
    assert stats.parameters.bands * stats.parameters.rows <= 128 and stats.engine == "streaming"


@pytest.mark.parametrize("cap", [1, 2, 3, 6, 9])
def test_the_occurrence_cap_keeps_the_k_smallest_ids_of_each_cluster(tmp_path: Path, cap: int) -> None:
    rng = random.Random(2)
    base, other = doc(rng), doc(rng)
    texts: list[str] = []
    family, family2 = [], []
    for i in range(6):
        texts.append(doc(rng))  # unrelated documents between the copies
        family.append(len(texts))
        texts.append(base if i % 2 else edit(base, 1, rng))
        if i < 4:
            family2.append(len(texts))
            texts.append(other.lower())
    src = write_jsonl(tmp_path / "in.jsonl", [line(t, i=i) for i, t in enumerate(texts)])
    stats = dedup_jsonl(src, tmp_path / "out.jsonl", max_occurrences=cap)
    expected_drop = set(family[cap:]) | set(family2[cap:])
    assert set(kept_ids(tmp_path / "out.jsonl", src)) == set(range(len(texts))) - expected_drop
    mapping = dropped_map(tmp_path / "out.dropped.jsonl")
    assert mapping == {i: family[0] for i in family[cap:]} | {i: family2[0] for i in family2[cap:]}
    assert stats.dropped == len(expected_drop) and stats.largest_cluster == 6


def test_short_documents_and_exact_copies_after_normalisation(tmp_path: Path) -> None:
    texts = ["Hello!", "hello", "Hello world", "HELLO...", "hello there world", "Hello, World"]
    result = dedup_texts(texts)
    assert result.kept == [0, 2, 4]
    assert result.duplicate_of == {1: 0, 3: 0, 5: 2}
    assert near_duplicate_clusters(texts).tolist() == [0, 0, 2, 0, 4, 2]


def test_empty_documents_are_kept_in_their_own_clusters_and_counted(tmp_path: Path) -> None:
    rng = random.Random(3)
    a = doc(rng)
    texts = ["", a, "   ", "!!! ...", a, "\u200b", ""]
    src = write_jsonl(tmp_path / "in.jsonl", [line(t, i=i) for i, t in enumerate(texts)])
    stats = dedup_jsonl(src, tmp_path / "out.jsonl")
    assert kept_ids(tmp_path / "out.jsonl", src) == [0, 1, 2, 3, 5, 6]
    assert (stats.empty, stats.dropped, stats.kept) == (5, 1, 6)
    assert dedup_texts(texts).kept == [0, 1, 2, 3, 5, 6]


BAD_LINES = {
    "not JSON": (b'{"text": "abc"', "is not valid JSON"),
    "blank": (b"", "is not valid JSON"),
    "array": (b'["text"]', "holds a JSON array, not an object"),
    "missing field": (b'{"body": "abc"}', "has no 'text' field"),
    "number": (b'{"text": 17}', "'text' that is a JSON number, not a string"),
    "null": (b'{"text": null}', "'text' that is a JSON null"),
    "bad UTF-8": (b'{"text": "caf\xe9"}', "is not valid UTF-8"),
    "lone surrogate": (b'{"text": "a \\ud800 b"}', "lone surrogate"),
    "deep nesting": (b'{"text": ' + b"[" * 100_000, "is not valid JSON"),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_a_bad_line_stops_the_run_with_its_line_number(tmp_path: Path, name: str) -> None:
    bad, reason = BAD_LINES[name]
    rng = random.Random(4)
    src = write_jsonl(tmp_path / "in.jsonl", [line(doc(rng)), line(doc(rng)), bad, line(doc(rng))])
    with pytest.raises(InvalidInputError, match=r"line 3 \(id 2\)") as info:
        dedup_jsonl(src, tmp_path / "out.jsonl")
    assert reason in str(info.value) and "on_bad_line='skip'" in str(info.value)
    assert not (tmp_path / "out.jsonl").exists() and not list(tmp_path.glob("*.partial"))


def test_skipped_bad_lines_are_counted_and_ids_stay_line_numbers(tmp_path: Path) -> None:
    rng = random.Random(5)
    a = doc(rng)
    bads = [bad for bad, _ in BAD_LINES.values()]
    lines = [line(a), *bads, line(doc(rng)), line(a.upper()), b'{"text": "x"}']  # last: no newline
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join(lines))
    stats = dedup_jsonl(src, tmp_path / "out.jsonl", on_bad_line="skip")
    n = len(bads)
    assert (stats.lines, stats.bad_lines, stats.documents) == (n + 4, n, 4)
    assert stats.bad_line_ids == list(range(1, n + 1))
    assert dropped_map(tmp_path / "out.dropped.jsonl") == {n + 2: 0}
    assert (tmp_path / "out.jsonl").read_bytes() == lines[0] + b"\n" + lines[
        n + 1
    ] + b"\n" + b'{"text": "x"}\n'


def test_lines_are_copied_unchanged_whatever_their_ending_and_field(tmp_path: Path) -> None:
    rng = random.Random(6)
    a, b = doc(rng), doc(rng)
    lines = [
        b'{"content": ' + json.dumps(a).encode() + b"}\r\n",  # CRLF: the \r is part of the line
        b'  {"content":' + json.dumps(a.upper()).encode() + b',"x":"\\u00e9"}  \n',
        b'{"content": "' + b.encode() + b'", "emoji": "\xf0\x9f\x98\x80"}',  # last line, no newline
    ]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(lines))
    stats = dedup_jsonl(src, tmp_path / "out.jsonl", text_field="content")
    assert (tmp_path / "out.jsonl").read_bytes() == lines[0] + lines[2] + b"\n"
    assert stats.lines == 3 and stats.dropped == 1


def test_file_and_memory_paths_agree_on_a_larger_corpus(tmp_path: Path) -> None:
    rng = random.Random(7)
    texts = [doc(rng, rng.randint(20, 120)) for _ in range(300)]
    for _ in range(150):
        base = rng.choice(texts)
        texts.insert(rng.randrange(len(texts) + 1), rng.choice([base, base.upper(), edit(base, 1, rng)]))
    src = write_jsonl(tmp_path / "in.jsonl", [line(t, k=i) for i, t in enumerate(texts)])
    dropped = []
    for cap in (1, 2):
        stats = dedup_jsonl(src, tmp_path / "out.jsonl", max_occurrences=cap, batch_size=37)
        memory = dedup_texts(texts, max_occurrences=cap, batch_size=64)
        assert kept_ids(tmp_path / "out.jsonl", src) == memory.kept
        assert dropped_map(tmp_path / "out.dropped.jsonl") == memory.duplicate_of
        assert stats.model_dump(
            exclude={"engine", "seconds", "docs_per_s", "mb_per_s", "input_bytes", "out_path", "dropped_path"}
        ) == memory.stats.model_dump(
            exclude={"engine", "seconds", "docs_per_s", "mb_per_s", "input_bytes", "out_path", "dropped_path"}
        )
        dropped.append(stats.dropped)
    assert 120 <= dropped[0] <= 150 and dropped[1] < dropped[0]


def test_signatures_are_those_of_the_shared_shingles_and_minhash() -> None:
    rng = random.Random(8)
    texts = [doc(rng, k) for k in (1, 3, 50, 400)]
    params = dedup_parameters(num_perm=64, seed=9, shingle="char", n=7)
    sketches = Sketcher(params).sketch(texts, np.arange(4))
    expected = MinHasher(64, 9).signatures(shingle_hashes(texts, "char", 7))
    assert np.array_equal(sketches.signatures, expected)


@pytest.mark.parametrize(("kind", "n"), [("word", 5), ("word", 1), ("word", 2), ("char", 5), ("char", 9)])
def test_long_texts_sketched_in_pieces_match_the_whole_text(
    monkeypatch: pytest.MonkeyPatch, kind: str, n: int
) -> None:
    rng = random.Random(9)
    parts = [doc(rng, rng.randint(1, 60)) for _ in range(120)]
    # Punctuation runs, newlines, case and composed characters around the cuts.
    text = "".join(
        p + rng.choice([" ", "\n", " -- ", "!\n\t", ", ", " \u00c9t\u00e9 ", "... "]) for p in parts
    )
    params = dedup_parameters(shingle=kind, n=n)
    whole = MinHasher(params.num_perm, params.seed).signatures(shingle_hashes([text], kind, n))
    monkeypatch.setattr(shingles, "CHUNK_CHARS", 301)  # dozens of pieces
    assert len(list(shingles.normalized_chunks(text, 301))) > 20
    sketch = Sketcher(params).sketch([text, "x" * 5000], np.arange(2))
    assert np.array_equal(sketch.signatures[0], whole[0])
    digest = hashlib.blake2b(normalize_for_shingles(text).encode(), digest_size=16).digest()
    assert sketch.exact[0].tobytes() == digest
    assert sketch.ids.tolist() == [0, 1]  # a giant word is cut, not a crash


def test_a_document_over_the_shingle_limit_is_handled_in_bounded_memory(tmp_path: Path) -> None:
    rng = random.Random(10)
    vocab = words(rng, 5000)
    big = " ".join(rng.choices(vocab, k=1_460_000))  # about 10.2 MB, over shingle_hashes' 10M characters
    small = doc(rng)
    src = write_jsonl(tmp_path / "in.jsonl", [line(big), line(small), line(big.upper()), line(small)])
    tracemalloc.start()
    try:
        stats = dedup_jsonl(src, tmp_path / "out.jsonl")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert dropped_map(tmp_path / "out.dropped.jsonl") == {2: 0, 3: 1}
    # The line as bytes, decoded and as its text, plus the working set of one 1M-character piece
    # (about 80 MB: normalisation, shingle arrays, one MinHash block), whatever the line's length.
    assert peak < 3 * len(big) + 100e6, f"peak {peak / 1e6:.0f} MB for a {len(big) / 1e6:.1f} MB line"
    assert stats.kept == 2


def test_bucket_heads_and_the_cap_follow_the_definition() -> None:
    ids = np.array([7, 3, 9, 4, 5, 8], dtype=np.int64)
    keys = np.array([1, 2, 1, 2, 1, 6], dtype=np.uint64)
    members, heads = bucket_pairs([keys], ids)
    assert sorted(zip(members.tolist(), heads.tolist(), strict=True)) == [(4, 3), (7, 5), (9, 5)]
    params = dedup_parameters(max_occurrences=2)
    empty = np.empty(0, dtype=np.int64)
    # A chain 1-4-6 through exact edges, a bad line 2 and 0/3/5 alone.
    decision = decide(7, np.array([2]), empty, empty, np.array([4, 6]), np.array([1, 4]), lambda i: i, params)
    assert decision.representative.tolist() == [0, 1, 2, 3, 1, 5, 1]
    assert decision.keep.tolist() == [True, True, False, True, True, True, False]
    assert decision.dropped.tolist() == [6]


def test_bad_parameters_and_paths_are_refused(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [line("a b c")])
    for kwargs in ({"threshold": 1.0}, {"max_occurrences": 0}, {"shingle": "token"}, {"on_bad_line": "drop"}):
        with pytest.raises(ConfigError):
            dedup_jsonl(src, tmp_path / "out.jsonl", **kwargs)
    with pytest.raises(ConfigError, match="different files"):
        dedup_jsonl(src, src)
    with pytest.raises(InvalidInputError, match="does not exist"):
        dedup_jsonl(tmp_path / "missing.jsonl", tmp_path / "out.jsonl")
    with pytest.raises(InvalidInputError):
        dedup_texts("one text")
    assert (
        dedup_texts([]).kept == []
        and dedup_jsonl(write_jsonl(tmp_path / "e.jsonl", []), tmp_path / "o.jsonl").lines == 0
    )
