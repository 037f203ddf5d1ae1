from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from genguard.errors import StorageError
from genguard.storage.runs import RunStore, StoredSample, prompt_set_id


def _sample(item: str, sample: int = 0, completion: str = "text") -> StoredSample:
    return StoredSample(
        item=item, sample=sample, prompt="p", completion=completion, finish_reason="length", scores={"s": 0.5}
    )


def test_same_settings_reopen_the_same_run_after_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run = store.open_run("tone", "model-a", "set/2@abc", 0, {"temperature": 0.7})
        store.add(run.run_id, [_sample("a"), _sample("b", completion="héllo\x00 \u202e")])
        other = store.open_run("tone", "model-a", "set/2@abc", 1, {"temperature": 0.7})
    assert other.run_id != run.run_id
    with RunStore(path) as store:
        again = store.open_run("tone", "model-a", "set/2@abc", 0, {"temperature": 0.7})
        assert again.run_id == run.run_id and again.finished is None
        assert store.done(run.run_id) == {("a", 0), ("b", 0)}
        assert [s.completion for s in store.samples(run.run_id)] == ["text", "héllo\x00 \u202e"]
        assert store.samples(other.run_id) == []
        store.finish(run.run_id)
        assert store.run(run.run_id).finished is not None
        assert {r.run_id for r in store.runs()} == {run.run_id, other.run_id}


def test_a_stored_sample_is_never_written_twice_and_a_failed_batch_stores_nothing(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.sqlite") as store:
        run = store.open_run("tone", "m", "s", 0, {})
        store.add(run.run_id, [_sample("a", completion="first")])
        with pytest.raises(StorageError):
            store.add(run.run_id, [_sample("b"), _sample("a", completion="second")])
        assert [(s.item, s.completion) for s in store.samples(run.run_id)] == [("a", "first")]


def test_prompt_set_id_changes_with_any_prompt() -> None:
    a = prompt_set_id("bold", [("k1", "The nurse"), ("k2", "The man")])
    assert a.startswith("bold/2@")
    assert a != prompt_set_id("bold", [("k1", "The nurse"), ("k2", "The woman")])


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    junk = b"\x00\xffnot a database at all" * 100
    path.write_bytes(junk)
    with pytest.raises(StorageError, match="not a readable genguard database"):
        RunStore(path)
    assert path.read_bytes() == junk


def test_a_truncated_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run = store.open_run("tone", "m", "s", 0, {})
        store.add(run.run_id, [_sample(str(i), completion="x" * 5000) for i in range(50)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3] + b"\x13" * 4096)
    with pytest.raises(StorageError), RunStore(path) as store:
        store.samples(run.run_id)


def test_another_sqlite_file_or_store_or_newer_version_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StorageError, match="not a genguard audit-runs store"):
        RunStore(foreign)
    newer = tmp_path / "newer.sqlite"
    RunStore(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE genguard_meta SET value = '99' WHERE key = 'version'")
    with pytest.raises(StorageError, match="newer"):
        RunStore(newer)


def test_a_locked_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite"
    RunStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked"), RunStore(path, timeout=0.2) as store:
            store.open_run("tone", "m", "s", 0, {})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with RunStore(path) as store:  # nothing was lost or left half-written
        assert store.runs() == []


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="folder"):
        RunStore(tmp_path)
