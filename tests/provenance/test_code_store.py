"""CodeStore: the same ranking as code_assignment.scan, persistence, idempotent adds, document
frequencies kept under add/replace/remove, refusals that leave the store as it was, and the CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from genguard.cli import run
from genguard.errors import InvalidInputError, StorageError
from genguard.provenance.code_assignment import scan
from genguard.provenance.code_features import FAMILIES, fragments
from genguard.provenance.code_store import CodeStore, content_id

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "plagiarism" / "code" / "python"


def _task(name: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((CORPUS / name).glob("*.py"))}


@pytest.fixture(scope="module")
def task() -> dict[str, str]:
    return _task("bank_account") | {f"wc/{k}": v for k, v in _task("word_count").items()}


def _expected_frequencies(sources: dict[str, str], family: str) -> dict[int, int]:
    counts: Counter[int] = Counter()
    for source in sources.values():
        counts.update(fragments(source, "python").sets[family].tolist())
    return dict(counts)


def _assert_frequencies(store: CodeStore, sources: dict[str, str]) -> None:
    for family in FAMILIES:
        values, df = store.frequencies("python", family)
        assert dict(zip(values.tolist(), df.tolist(), strict=True)) == _expected_frequencies(sources, family)


def _ranking(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return sorted(pairs, key=lambda p: (-round(p[1], 9), p[0]))


@pytest.mark.parametrize("with_base", [False, True])
def test_same_ranking_as_scan_one_against_the_rest(
    task: dict[str, str], tmp_path: Path, with_base: bool
) -> None:
    base = {"skeleton.py": "class BankAccount:\n    def __init__(self, owner):\n        self.owner = owner\n"}
    report = scan(task, "python", base_code=base if with_base else None, top=10_000)
    with CodeStore(tmp_path / "s.db") as store:
        store.add(task, "python")
        for query in list(task)[::5]:
            store.remove([query])  # the store then holds the rest of the set
            got = store.query(
                task[query], "python", top_k=len(task), base_code=list(base.values()) * with_base
            )
            store.add({query: task[query]}, "python")
            want = [(p.b if p.a == query else p.a, p.score) for p in report.pairs if query in (p.a, p.b)]
            assert len(got) == len(task) - 1
            assert all(m.refined != with_base for m in got)
            mine = _ranking([(m.id, m.score) for m in got])
            theirs = _ranking(want)
            assert [k for k, _ in mine] == [k for k, _ in theirs], query
            np.testing.assert_allclose([s for _, s in mine], [s for _, s in theirs], atol=1e-12)


def test_survives_reopen_and_adding_twice_is_a_no_op(task: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    query = task["original_1_L3.py"]
    rest = {k: v for k, v in task.items() if k != "original_1_L3.py"}
    with CodeStore(path) as store:
        first = store.add(rest, "python")
        before = store.query(query, "python", top_k=5)
    assert sorted(first.added) == sorted(rest)
    with CodeStore(path) as store:
        again = store.add(rest, "python")
        assert again.added == again.replaced == [] and sorted(again.unchanged) == sorted(rest)
        assert len(store) == len(rest)
        _assert_frequencies(store, rest)
        assert store.query(query, "python", top_k=5) == before
    assert before[0].id.startswith("original_1_L") and before[0].regions
    # Without ids the content hash is the id: the same program twice is stored once.
    with CodeStore(tmp_path / "anon.db") as store:
        report = store.add([query, query, rest["solution_1.py"]], "python")
        assert len(store) == 2 and report.added == [content_id(query), content_id(rest["solution_1.py"])]


def test_remove_and_replace_update_document_frequencies(task: dict[str, str], tmp_path: Path) -> None:
    with CodeStore(tmp_path / "s.db") as store:
        store.add(task, "python")
        _assert_frequencies(store, task)
        gone = ["solution_1.py", "wc/solution_2.py"]
        assert store.remove([*gone, "no-such-id"]) == ["no-such-id"]
        rest = {k: v for k, v in task.items() if k not in gone}
        _assert_frequencies(store, rest)
        # A removed program is never a candidate again.
        assert all(m.id not in gone for m in store.query(task["solution_1.py"], "python", top_k=50))
        with pytest.raises(InvalidInputError, match="other content"):
            store.add({"solution_2.py": task["solution_3.py"]}, "python")
        _assert_frequencies(store, rest)
        report = store.add({"solution_2.py": task["solution_3.py"]}, "python", replace=True)
        assert report.replaced == ["solution_2.py"]
        _assert_frequencies(store, rest | {"solution_2.py": task["solution_3.py"]})
        store.remove(list(store.corpus("python").names))
        assert len(store) == 0 and all(store.frequencies("python", f)[0].size == 0 for f in FAMILIES)
        assert store.query(task["solution_1.py"], "python") == []


def test_bad_input_is_refused_and_the_store_left_as_it_was(task: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with CodeStore(path) as store:
        store.add({"a.py": task["solution_1.py"]}, "python")
        java = "public class A { public static void main(String[] a) { System.out.println(1); } }"
        for bad, match in (("", "empty"), ("x = 1\x00\x01", "NUL"), (java, "does not parse as python")):
            with pytest.raises(InvalidInputError, match=match):
                store.add({"ok.py": task["solution_2.py"], "bad": bad}, "python")  # one bad: none stored
            with pytest.raises(InvalidInputError, match=match):
                store.query(bad, "python")
        with pytest.raises(InvalidInputError):
            store.add({"b": b"\xff\xfe binary"}, "python")
        with pytest.raises(InvalidInputError, match="unsupported language"):
            store.query(task["solution_1.py"], "cobol")
        with pytest.raises(InvalidInputError, match="top_k"):
            store.query(task["solution_1.py"], "python", top_k=0)
        assert store.corpus("python").names == ["a.py"]
        _assert_frequencies(store, {"a.py": task["solution_1.py"]})
    for name, content in (("short", b"x"), ("garbage", bytes(range(256)) * 20), ("text", b"not a db\n")):
        other = tmp_path / name
        other.write_bytes(content)
        with pytest.raises(StorageError, match="not a code store"):
            CodeStore(other)
        assert other.read_bytes() == content
    from genguard.provenance.index import ProtectedIndex

    with ProtectedIndex(tmp_path / "text.db") as ix:
        ix.add(["a protected text of some words"], ["k"])
    with pytest.raises(StorageError, match="not a code-store store"):
        CodeStore(tmp_path / "text.db")


def test_cli(task: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ("solution_1.py", "solution_2.py", "solution_4.py", "original_1_L2.py"):
        (folder / name).write_text(task[name], encoding="utf-8")
    query = tmp_path / "q.py"
    query.write_text(task["original_1_L5.py"], encoding="utf-8")
    fresh = tmp_path / "fresh.py"
    fresh.write_text(task["wc/solution_3.py"], encoding="utf-8")
    store = str(tmp_path / "code.db")
    assert run(["provenance", "code-index", "add", store, str(folder), "--json"]) == 0
    added = json.loads(capsys.readouterr().out)
    assert added["documents"] == 4 and "subs/original_1_L2.py" in added["added"]
    assert run(["provenance", "code-index", "add", store, str(folder)]) == 0
    assert "unchanged 4" in capsys.readouterr().out
    assert run(["provenance", "code-index", "query", store, str(query), "--json"]) == 1  # a copy: exit 1
    result = json.loads(capsys.readouterr().out)
    assert result["derived"] and result["matches"][0]["id"] in ("subs/original_1_L2.py", "subs/solution_1.py")
    assert run(["provenance", "code-index", "query", store, str(fresh)]) == 0  # another task: exit 0
    assert "no evidence of copying" in capsys.readouterr().out
    assert run(["provenance", "code-index", "remove", store, "subs/original_1_L2.py", "nope"]) == 0
    assert "not found: nope" in capsys.readouterr().out
    assert run(["provenance", "code-index", "stats", store, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["languages"] == {"python": 3}
    (tmp_path / "x.java").write_text("class A {}", encoding="utf-8")
    assert run(["provenance", "code-index", "query", store, str(tmp_path / "x.java")]) == 0
    assert "no stored java program" in capsys.readouterr().out
    assert run(["provenance", "code-index", "query", store, str(query), "--language", "java"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
