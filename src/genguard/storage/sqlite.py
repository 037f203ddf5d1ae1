"""Opening genguard's SQLite files: WAL journal, schema versions, and clear errors.

Every store (audit runs, the provenance index, logs) is one SQLite file with a `genguard_meta`
table naming the store and its schema version. Opening checks both, so a file of another
store, of a newer genguard, a corrupt file or a file that is not a database at all is refused
with a StorageError that says what to do, before anything is written to it.

WAL lets readers (a report) work while an audit writes; `synchronous=NORMAL` under WAL keeps
every committed transaction across a process crash (a power cut may lose the last ones, which
a resumed run recomputes).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from genguard.errors import StorageError

BUSY_TIMEOUT_S = 10.0


def _fail(path: Path, exc: sqlite3.Error) -> StorageError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StorageError(
            f"{path} is locked by another process; wait for it to finish or stop it, then retry"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError(
            f"{path} is not a readable genguard database ({text}); it was left untouched. "
            "Move it aside or pass another path."
        )
    return StorageError(f"{path}: SQLite error: {text}")


def connect(
    path: str | Path, *, store: str, version: int, schema: str, timeout: float = BUSY_TIMEOUT_S
) -> sqlite3.Connection:
    """An open connection to the `store` database at `path`, created with `schema` if new.

    Returns a connection in autocommit mode (use `transaction` for writes). Raises StorageError
    when the file is not a SQLite database or is corrupt, belongs to another store, has a newer
    schema version than `version`, is locked, or its folder cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise StorageError(f"{path} is a folder; pass the path of a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the folder for {path}: {exc.strerror or exc}") from exc
    conn = None
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
        # Reading the schema first makes a non-database file fail here, before any write.
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "genguard_meta" not in tables:
            raise StorageError(f"{path} is a SQLite database, but not a genguard {store} store")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        if not tables:
            with transaction(conn):
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS genguard_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
                conn.execute(
                    "INSERT OR IGNORE INTO genguard_meta VALUES ('store', ?), ('version', ?)",
                    (store, str(version)),
                )
                for statement in schema.split(";"):
                    if statement.strip():
                        conn.execute(statement)
        meta = dict(conn.execute("SELECT key, value FROM genguard_meta"))
        if meta.get("store") != store:
            raise StorageError(f"{path} is a genguard {meta.get('store')!r} store, not a {store} store")
        found = int(meta.get("version", "0"))
        if found > version:
            raise StorageError(
                f"{path} has {store} schema version {found}, newer than this genguard's {version}; "
                "upgrade genguard to read it"
            )
        if found < version:
            raise StorageError(
                f"{path} has the old {store} schema version {found} (this genguard writes {version}); "
                "start a new file"
            )
        return conn
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise _fail(path, exc) from exc
    except StorageError:
        if conn is not None:
            conn.close()
        raise


@contextlib.contextmanager
def storage_errors(path: str | Path) -> Iterator[None]:
    """Turns sqlite3 errors raised inside the block into a StorageError naming `path`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _fail(Path(path), exc) from exc


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception: all of a batch is stored, or none."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
