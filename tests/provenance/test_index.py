from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from genguard.errors import InvalidInputError, StorageError
from genguard.provenance.index import ProtectedIndex, content_key
from genguard.provenance.shingles import normalize_for_shingles

WORDS = [
    *("river", "stone", "lantern", "harbor", "violet", "quiet", "engine", "marble", "orchard"),
    *("thunder", "copper", "meadow", "whistle", "shadow", "velvet", "canyon", "ember", "glacier"),
    *("falcon", "harvest", "island", "jasmine", "kettle", "ledger", "mirror", "needle"),
]


def _doc(rng: random.Random, n: int = 120) -> str:
    sentences = []
    while sum(len(s.split()) for s in sentences) < n:
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


@pytest.fixture
def corpus() -> list[str]:
    rng = random.Random(0)
    return [_doc(rng) for _ in range(300)]


def test_near_duplicate_and_verbatim_copy_are_found_and_unrelated_text_is_not(tmp_path, corpus) -> None:
    with ProtectedIndex(tmp_path / "ix.db") as index:
        report = index.add(corpus, metas=[{"n": i} for i in range(len(corpus))])
        assert len(report.added) == 300 and len(index) == 300
        words = corpus[10].split()
        near = " ".join(w.upper() if i % 9 == 0 else w for i, w in enumerate(words[:-4])) + " lantern."
        excerpt = " ".join(corpus[20].split()[30:70])
        disguised = excerpt.upper().replace(" ", "  ")
        embedded = f"{_doc(random.Random(9), 60)} {disguised} {_doc(random.Random(8), 60)}"
        unrelated = "Completely different words about rockets, cheese and the price of tea in 1874."
        near_m, embedded_m, unrelated_m = index.query([near, embedded, unrelated])
    assert near_m[0].key == content_key(corpus[10]) and near_m[0].meta == {"n": 10}
    assert near_m[0].jaccard > 0.7 and abs(near_m[0].estimated_jaccard - near_m[0].jaccard) < 0.15
    top = embedded_m[0]
    assert top.key == content_key(corpus[20]) and top.jaccard < 0.3
    assert top.span is not None and top.span.chars >= len(normalize_for_shingles(excerpt))
    # The span is located in the query as given, so it can be cut out there.
    located = embedded[top.span.query_start : top.span.query_end]
    assert located.lower().split() == excerpt.lower().rstrip(".").split()
    assert unrelated_m == []


def test_removed_documents_never_come_back_also_after_reopening(tmp_path, corpus) -> None:
    path = tmp_path / "ix.db"
    with ProtectedIndex(path) as index:
        index.add(corpus[:50])
        missing = index.remove([content_key(corpus[3]), "no-such-key"])
        assert missing == ["no-such-key"]
        assert index.query([corpus[3]]) == [[]]
    with ProtectedIndex(path) as index:
        kept = index.keys()
        assert len(kept) == 49 and content_key(corpus[3]) not in kept
        assert index.query([corpus[3]]) == [[]]
        assert index.query([corpus[4]])[0][0].key == content_key(corpus[4])
        postings = sqlite3.connect(path).execute("SELECT COUNT(*) FROM postings").fetchone()[0]
        index.remove([content_key(t) for t in corpus[:50] if t != corpus[3]])
        assert len(index) == 0
    assert postings > 0
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM postings").fetchone()[0] == 0


def test_add_is_idempotent_and_refuses_silent_overwrites(tmp_path, corpus) -> None:
    with ProtectedIndex(tmp_path / "ix.db") as index:
        index.add(corpus[:2], keys=["a", "b"])
        again = index.add(corpus[:2], keys=["a", "b"])
        assert again.unchanged == ["a", "b"] and again.added == []
        with pytest.raises(InvalidInputError, match="already indexed"):
            index.add([corpus[5]], keys=["a"])
        assert index.add([corpus[5]], keys=["a"], replace=True).replaced == ["a"]
        assert index.text("a") == corpus[5]
        assert index.query([corpus[0]]) == [[]]
        for bad in (["", "  ...  "], "a bare string", [b"bytes"], [None]):
            with pytest.raises(InvalidInputError):
                index.add(bad)
        with pytest.raises(InvalidInputError, match="distinct"):
            index.add(corpus[:2], keys=["x", "x"])
        assert len(index) == 2


def test_binary_junk_and_empty_queries_give_no_match(tmp_path, corpus) -> None:
    rng = random.Random(4)
    junk = bytes(rng.randrange(256) for _ in range(5000)).decode("latin-1")
    with ProtectedIndex(tmp_path / "ix.db") as index:
        index.add([*corpus[:20], junk], keys=[str(i) for i in range(21)])
        found = index.query(["", "   ", junk[:3000], "\x00\x01\x02"])
    assert found[0] == found[1] == found[3] == []
    assert found[2][0].key == "20"


def test_params_are_fixed_when_the_file_is_created(tmp_path) -> None:
    path = tmp_path / "ix.db"
    ProtectedIndex(path, threshold=0.8).close()
    with ProtectedIndex(path) as index:
        assert index.params.threshold == 0.8 and index.params.bands * index.params.rows <= 128
    with pytest.raises(StorageError, match=r"threshold=0.5 \(index has 0.8\)"):
        ProtectedIndex(path, threshold=0.5)


def test_corrupt_foreign_and_locked_files_are_refused_and_left_untouched(tmp_path, corpus) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StorageError, match="not a readable genguard database"):
        ProtectedIndex(junk)
    assert junk.read_bytes() == b"not a database at all" * 100
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    with pytest.raises(StorageError, match="not a genguard"):
        ProtectedIndex(other)

    path = tmp_path / "ix.db"
    with ProtectedIndex(path) as index:
        index.add(corpus[:5], keys=list("abcde"))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sqlite3, sys, time
                c = sqlite3.connect({str(path)!r}, isolation_level=None)
                c.execute("BEGIN EXCLUSIVE")
                print("locked", flush=True)
                time.sleep(30)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with ProtectedIndex(path) as index:
            index._conn.execute("PRAGMA busy_timeout = 200")
            with pytest.raises(StorageError, match="locked"):
                index.add(corpus[5:6], keys=["f"])
    finally:
        holder.kill()
        holder.wait()
    with ProtectedIndex(path) as index:
        assert index.keys() == list("abcde")
        assert index.query([corpus[2]])[0][0].key == "c"


def test_a_large_document_is_indexed_and_an_excerpt_found(tmp_path) -> None:
    rng = random.Random(5)
    big = " ".join(_doc(rng, 400) for _ in range(600))  # about 1.7 MB: indexed in pieces
    excerpt = " ".join(big.split()[150_000:150_060])
    with ProtectedIndex(tmp_path / "ix.db") as index:
        index.add([big], keys=["big"])
        [matches] = index.query([f"Preface. {excerpt} Afterword."])
    assert matches[0].key == "big" and matches[0].span.chars >= len(normalize_for_shingles(excerpt))
    assert Path(tmp_path / "ix.db").stat().st_size < len(big)
