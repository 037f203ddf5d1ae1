"""AuditLog on real SQLite files: rows in, rows out, two writer threads, a reader in another process."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from genguard.errors import InvalidInputError
from genguard.storage.api_keys import KeyStore
from genguard.storage.audit_log import AuditLog, AuditRecord


def _row(i: int, **extra) -> dict:
    return {
        "time": f"2025-01-01T00:00:{i % 60:02d}.000000Z",
        "request_id": f"r{i}",
        "route": "/v1/chat/completions",
        "method": "POST",
        "status": 200,
        "latency_ms": 1.5,
        **extra,
    }


def test_rows_come_back_as_written_oldest_first(tmp_path: Path) -> None:
    with AuditLog(tmp_path / "gateway.sqlite") as log:
        stored = log.append(
            _row(1, key_id="key_a", model="m", action="block", rules=["pii", "toxicity"], prompt_tokens=7)
        )
        assert stored.id == 1 and stored.rules == ["pii", "toxicity"]
        log.append(AuditRecord(**_row(2, key_id="key_b", completion_text="héllo\x00 \u202e")))
        log.append(_row(3, key_id="key_a", status=429))
        rows = log.rows()
        assert [r.request_id for r in rows] == ["r1", "r2", "r3"] and log.count() == 3
        assert rows[0] == stored and rows[1].completion_text == "héllo\x00 \u202e"
        assert [r.request_id for r in log.rows(limit=2)] == ["r2", "r3"]  # the latest two
        assert [r.request_id for r in log.rows(key_id="key_a")] == ["r1", "r3"]
        assert [r.request_id for r in log.rows(since=datetime(2025, 1, 1, 0, 0, 2))] == ["r2", "r3"]
        later = datetime(2025, 1, 1, 1, 0, 2, tzinfo=UTC) + timedelta(hours=-1)  # an aware time works too
        assert [r.request_id for r in log.rows(since=later)] == ["r2", "r3"]


@pytest.mark.parametrize(
    "bad", [_row(1, status="ok"), _row(1, outcome="maybe"), {"route": "/v1/models"}, _row(1, rules="pii")]
)
def test_a_bad_record_is_refused_and_writes_nothing(tmp_path: Path, bad: dict) -> None:
    with AuditLog(tmp_path / "gateway.sqlite") as log:
        with pytest.raises(InvalidInputError, match="audit record field"):
            log.append(bad)
        with pytest.raises(InvalidInputError, match="limit"):
            log.rows(limit=0)
        assert log.count() == 0


def test_two_threads_append_without_losing_a_row(tmp_path: Path) -> None:
    per_thread = 200
    with AuditLog(tmp_path / "gateway.sqlite") as log:
        errors: list[BaseException] = []

        def write(prefix: str) -> None:
            try:
                for i in range(per_thread):
                    log.append(_row(i, request_id=f"{prefix}{i}"))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(p,)) for p in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        rows = log.rows(limit=10_000)
        assert log.count() == 2 * per_thread
        assert len({r.id for r in rows}) == 2 * per_thread
        assert {r.request_id for r in rows} == {f"{p}{i}" for p in "ab" for i in range(per_thread)}


def test_another_process_reads_while_this_one_holds_the_file_open(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite"
    with AuditLog(path) as log, KeyStore(path) as keys:  # both tables in the one file
        keys.create("app")
        for i in range(5):
            log.append(_row(i))
        reader = (
            "import sys; from genguard.storage.audit_log import AuditLog; "
            "log = AuditLog(sys.argv[1]); print(log.count(), log.rows()[-1].request_id)"
        )
        done = subprocess.run(
            [sys.executable, "-c", reader, str(path)], capture_output=True, text=True, timeout=60, check=True
        )
        assert done.stdout.split() == ["5", "r4"]
        log.append(_row(5))  # still writable after the other process read
        assert log.count() == 6
