"""`genguard provenance ...`, run as a user runs it: the installed script, one subprocess each."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

GENGUARD = Path(sys.executable).with_name("genguard")
WORDS = ["amber", "basalt", "cedar", "delta", "ember", "fjord", "granite", "heron", "iris", "juniper"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(GENGUARD), "provenance", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_index_add_query_attribute_remove_round_trip(tmp_path: Path) -> None:
    rng = random.Random(0)
    docs = [" ".join(rng.choice(WORDS) for _ in range(120)) for _ in range(3)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"doc{i}", "text": d}) + "\n" for i, d in enumerate(docs)))
    index = str(tmp_path / "ix.db")
    added = run("index", "add", index, str(corpus), "--jsonl", "--key-field", "id", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["added"] == ["doc0", "doc1", "doc2"]
    copied = f"As requested: {docs[1][100:500].upper()} -- end."
    query = run("index", "query", index, "-", "--json", stdin=copied)
    assert query.returncode == 1, query.stderr  # exit 1: the text copies protected content
    [match] = json.loads(query.stdout)
    assert match["key"] == "doc1" and match["span"]["chars"] >= 150
    attributed = json.loads(run("attribute", index, "-", "--json", stdin=copied).stdout)
    assert attributed["sources"][0]["key"] == "doc1" and attributed["coverage"] > 0.9
    removed = run("index", "remove", index, "doc1", "nope", "--json")
    assert json.loads(removed.stdout) == {"removed": ["doc1"], "not_found": ["nope"], "documents": 2}
    again = run("index", "query", index, "-", "--json", stdin=copied)
    assert again.returncode == 0 and json.loads(again.stdout) == []


def test_bad_input_gives_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 200)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\u00e9".encode("latin-1"))
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text('{"text": "fine"}\n{"text": 5}\n')
    for args, message in [
        (("index", "query", str(tmp_path / "none.db"), "-"), "no index at"),
        (("index", "query", str(junk), "-"), "not a readable genguard database"),
        (("index", "add", str(tmp_path / "ix.db"), str(latin)), "not valid UTF-8"),
        (("index", "add", str(tmp_path / "ix.db"), str(bad_jsonl), "--jsonl"), "line 2 has no string field"),
        (("index", "add", str(tmp_path / "ix.db"), str(tmp_path / "missing.txt")), "not found"),
    ]:
        done = run(*args, stdin="some text")
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
    assert junk.read_bytes() == b"\x00garbage" * 200
