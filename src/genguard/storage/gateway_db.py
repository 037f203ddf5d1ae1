"""The gateway's one SQLite file: API keys and the audit log, one schema, WAL.

KeyStore and AuditLog each hold their own connection to the same file (a store named
"gateway"), so that `genguard keys` and `genguard audit log` can work on it while the server
runs: WAL lets a second process read while the server writes, and a write waits up to
BUSY_TIMEOUT_S for another writer instead of failing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from genguard.errors import StorageError
from genguard.storage.sqlite import connect, storage_errors, transaction

STORE = "gateway"
VERSION = 1
# IF NOT EXISTS: the server and a `genguard keys create` may create a new file at the same moment.
SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    profile TEXT,
    requests_per_minute INTEGER,
    tokens_per_minute INTEGER,
    secret_hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    request_id TEXT NOT NULL,
    key_id TEXT,
    client TEXT,
    route TEXT NOT NULL,
    method TEXT NOT NULL,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    model TEXT,
    backend TEXT,
    action TEXT,
    rules TEXT NOT NULL,
    watermark_key_id TEXT,
    scheme TEXT,
    latency_ms REAL NOT NULL,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    bytes_sent INTEGER NOT NULL,
    prompt_text TEXT,
    completion_text TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log(time);
CREATE INDEX IF NOT EXISTS audit_log_key ON audit_log(key_id, time)
"""


def utc_now() -> str:
    """The current UTC time as ISO 8601 with microseconds and a Z (fixed width: sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_text(moment: datetime) -> str:
    """`moment` (naive: taken as UTC) in the format of utc_now, for comparisons in SQL."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class GatewayDB:
    """One connection to the gateway file, shared by the threads of one process under a lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = connect(
            self.path, store=STORE, version=VERSION, schema=SCHEMA
        )
        self._lock = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection, for queries (sqlite3 errors become StorageError naming the file)."""
        with self._lock, storage_errors(self.path):
            yield self._open()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """The connection inside one transaction: committed at the end of the block, or rolled back."""
        with self._lock, storage_errors(self.path), transaction(self._open()) as conn:
            yield conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError(f"{self.path} was closed; open the store again")
        return self._conn

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class GatewayStore:
    """Base of KeyStore and AuditLog: their connection to the gateway file at `path` (created if
    missing), closed by close() or at the end of a `with` block."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = GatewayDB(self.path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
