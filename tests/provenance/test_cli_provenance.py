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


def test_code_compare_sees_through_renaming_and_reordering(tmp_path: Path) -> None:
    original = tmp_path / "stats.py"
    original.write_text(
        "def mean(values):\n    total = 0\n    for v in values:\n        total += v\n"
        "    return total / len(values)\n\n\ndef variance(values):\n    m = mean(values)\n"
        "    return sum((v - m) ** 2 for v in values) / len(values)\n"
    )
    copy = tmp_path / "copy.py"
    copy.write_text(
        "def var_of(xs):\n    mu = avg(xs)\n    unused = 42\n"
        "    return sum((x - mu) ** 2 for x in xs) / len(xs)\n"
        "\n\ndef avg(xs):\n    acc = 0\n    for x in xs:\n        acc += x\n    return acc / len(xs)\n"
    )
    other = tmp_path / "other.py"
    other.write_text(
        "import os\n\nprint(os.getcwd())\nfor name in os.listdir('.'):\n    print(name.upper())\n"
    )
    done = run("code-compare", str(original), str(copy), "--json")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["derived"] and result["score"] >= 0.49
    regions = {(r["a_start"], r["a_end"], r["b_start"], r["b_end"]) for r in result["regions"]}
    assert (1, 5, 7, 11) in regions  # mean() is lines 1-5 of the original and 7-11 of the copy
    assert run("code-compare", str(original), str(other)).returncode == 0
    cobol = run("code-compare", str(original), str(copy), "--language", "cobol")
    assert cobol.returncode == 2 and "python, java, c, cpp, javascript" in cobol.stderr


def test_dedup_streaming_and_ray_keep_the_same_lines(tmp_path: Path) -> None:
    rng = random.Random(1)
    docs = [" ".join(rng.choice(WORDS) for _ in range(40)) for _ in range(30)]
    lines = [json.dumps({"text": d}) for d in docs]
    lines += [json.dumps({"text": docs[3].upper() + "!!"}), json.dumps({"text": docs[3]}), "not json"]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n")
    stopped = run("dedup", str(corpus), "--out", str(tmp_path / "x.jsonl"))
    assert stopped.returncode == 2 and "line 33" in stopped.stderr and "--skip-bad-lines" in stopped.stderr
    assert not (tmp_path / "x.jsonl").exists()
    kept = {}
    for engine in ("streaming", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        args = [
            "dedup",
            str(corpus),
            "--out",
            str(out),
            "--skip-bad-lines",
            "--max-occurrences",
            "2",
            "--json",
        ]
        done = run(*args, *(["--ray", "--num-cpus", "2"] if engine == "ray" else []))
        assert done.returncode == 0, done.stderr
        stats = json.loads(done.stdout)
        assert (stats["kept"], stats["dropped"], stats["bad_lines"]) == (31, 1, 1)
        kept[engine] = out.read_bytes()
    assert kept["streaming"] == kept["ray"]
    assert kept["streaming"].decode().splitlines() == lines[:31]


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


def test_audit_memorization_reports_rates_with_a_control_and_cannot_decide_on_nothing(tmp_path: Path) -> None:
    text = tmp_path / "licence.txt"
    text.write_text(
        "Permission is hereby granted, free of charge, to any person obtaining a copy of this software "
        "and associated documentation files (the Software), to deal in the Software without restriction, "
        "including without limitation the rights to use, copy, modify, merge, publish, distribute, "
        "sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is "
        "furnished to do so, subject to the following conditions."
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    audit = [str(GENGUARD), "audit", "memorization", "--per-source", "3", "--prefix-tokens", "8"]
    done = subprocess.run(
        [*audit, "--suffix-tokens", "8", "--source", str(text), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [source] = report["sources"]
    assert source["n"] == 3 and source["decided"] and source["control"]["n"] == 3
    assert 0 <= source["near_verbatim"]["rate"] <= 1 and len(source["near_verbatim"]["ci"]) == 2
    nothing = subprocess.run(
        [*audit, "--source", str(empty)], capture_output=True, text=True, timeout=300, check=False
    )
    assert nothing.returncode == 0 and "cannot decide" in nothing.stdout
