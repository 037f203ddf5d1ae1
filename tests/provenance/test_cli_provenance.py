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


STATS = """def mean(values):
    total = 0
    for v in values:
        total += v
    return total / len(values)


def variance(values):
    m = mean(values)
    return sum((v - m) ** 2 for v in values) / len(values)


def report(values):
    if not values:
        print("no data to summarise")
        return
    print("mean:", round(mean(values), 2))
    print("variance:", round(variance(values), 2))
"""
# STATS with every name changed and the functions in reverse order.
STATS_COPY = """def summary(xs):
    if not xs:
        print("no data to summarise")
        return
    print("mean:", round(avg(xs), 2))
    print("variance:", round(spread(xs), 2))


def spread(xs):
    mu = avg(xs)
    return sum((x - mu) ** 2 for x in xs) / len(xs)


def avg(xs):
    acc = 0
    for x in xs:
        acc += x
    return acc / len(xs)
"""
# The same task solved independently: other names, other structure, other messages.
STATS_OTHER = """import math


def describe(numbers):
    count = len(numbers)
    if count == 0:
        print("Empty list, nothing to describe.")
        return
    average = math.fsum(numbers) / count
    squares = [(n - average) * (n - average) for n in numbers]
    print("Average:", round(average, 2))
    print("Variance:", round(math.fsum(squares) / count, 2))
"""
VERDICT_FIELDS = {"language", "score", "threshold", "derived", "pairwise", "identical", "structure",
                  "alignment", "statements", "strings", "comments", "containment", "tokens", "regions",
                  "method"}  # fmt: skip


def test_code_compare_flags_a_renamed_reordered_copy_not_an_independent_solution(tmp_path: Path) -> None:
    original, copy, other = tmp_path / "stats.py", tmp_path / "copy.py", tmp_path / "other.py"
    original.write_text(STATS)
    copy.write_text(STATS_COPY)
    other.write_text(STATS_OTHER)
    done = run("code-compare", str(original), str(copy), "--json")
    assert done.returncode == 1, done.stderr  # exit 1: derived
    result = json.loads(done.stdout)
    assert set(result) == VERDICT_FIELDS
    assert result["derived"] and result["language"] == "python"
    assert result["score"] >= result["threshold"] == 0.761
    assert result["strings"] == 1.0 and result["statements"] == 1.0 and result["comments"] is None
    # mean() is lines 1-5 of the original and 14-18 of the copy (avg): a region maps one onto the other.
    assert any(r["a_start"] >= 1 and r["a_end"] <= 5 and r["b_start"] >= 14 for r in result["regions"])
    independent = run("code-compare", str(original), str(other), "--json")
    assert independent.returncode == 0, independent.stderr
    result = json.loads(independent.stdout)
    assert not result["derived"] and result["score"] < 0.5
    text = run("code-compare", str(original), str(copy))
    assert text.returncode == 1 and "likely derived" in text.stdout
    assert "lines of stats.py" in text.stdout and "14-18" in text.stdout  # the regions table
    cobol = run("code-compare", str(original), str(copy), "--language", "cobol")
    assert cobol.returncode == 2 and "python, java, c, cpp, javascript" in cobol.stderr


GRADES = """import java.util.Scanner;

public class Grades {
    static double average(int[] marks) {
        int sum = 0;
        for (int i = 0; i < marks.length; i++) {
            sum += marks[i];
        }
        return (double) sum / marks.length;
    }

    static int highest(int[] marks) {
        int best = marks[0];
        for (int m : marks) {
            if (m > best) {
                best = m;
            }
        }
        return best;
    }

    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        System.out.print("How many students? ");
        int n = in.nextInt();
        int[] marks = new int[n];
        for (int i = 0; i < n; i++) {
            marks[i] = in.nextInt();
        }
        System.out.println("Average mark: " + average(marks));
        System.out.println("Highest mark: " + highest(marks));
    }
}
"""
GRADES_OTHER = """import java.util.ArrayList;
import java.util.List;
import java.util.Scanner;

public class Other {
    public static void main(String[] args) {
        Scanner scanner = new Scanner(System.in);
        List<Integer> grades = new ArrayList<>();
        System.out.println("Enter grades, end with -1:");
        int g = scanner.nextInt();
        while (g != -1) {
            grades.add(g);
            g = scanner.nextInt();
        }
        if (grades.isEmpty()) {
            System.out.println("No grades entered.");
            return;
        }
        int total = 0, max = Integer.MIN_VALUE;
        for (int value : grades) {
            total += value;
            max = Math.max(max, value);
        }
        System.out.printf("Mean %.2f, best %d%n", total / (double) grades.size(), max);
    }
}
"""


def _java_copy() -> str:
    """GRADES with its names changed and main() moved first, highest() before average()."""
    renamed = GRADES
    for old, new in (("Grades", "Copy"), ("average", "mean"), ("highest", "top"), ("marks", "scores"),
                     ("best", "max"), ("sum", "total"), (" in.", " sc."), ("in =", "sc =")):  # fmt: skip
        renamed = renamed.replace(old, new)
    head, body = renamed.split("{", 1)
    members = body.rsplit("}", 1)[0].strip("\n").split("\n\n")
    average, highest, main = members
    return head + "{\n" + "\n\n".join([main, highest, average]) + "\n}\n"


def test_code_compare_java_copy_and_independent_solution(tmp_path: Path) -> None:
    original, copy, other = tmp_path / "Grades.java", tmp_path / "Copy.java", tmp_path / "Other.java"
    original.write_text(GRADES)
    copy.write_text(_java_copy())
    other.write_text(GRADES_OTHER)
    assert "public static void main" in copy.read_text().split("static int top")[0]  # really reordered
    done = run("code-compare", str(original), str(copy), "--json")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["derived"] and result["language"] == "java" and result["score"] >= 0.761
    assert run("code-compare", str(original), str(other)).returncode == 0


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
