"""Audit runs stored as they go: one row per prompt sample, so an interrupted audit resumes.

A run is identified by what determines its numbers: the kind of audit, the model id, the prompt
set (a name and a hash of every prompt), the seed and the generation parameters. Opening the
same run again returns the rows already stored; the caller generates only what is missing.
Rows are inserted, never replaced: a sample once stored is never computed or written twice
(the primary key refuses it), and a batch of rows is stored in one transaction or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from genguard.errors import StorageError
from genguard.storage.sqlite import BUSY_TIMEOUT_S, connect, storage_errors, transaction
from genguard.types import Result

STORE = "audit-runs"
VERSION = 1
SCHEMA = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    model_id TEXT NOT NULL,
    prompt_set TEXT NOT NULL,
    seed INTEGER NOT NULL,
    params TEXT NOT NULL,
    created TEXT NOT NULL,
    finished TEXT
);
CREATE TABLE samples (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    item TEXT NOT NULL,
    sample INTEGER NOT NULL,
    prompt TEXT NOT NULL,
    completion TEXT NOT NULL,
    finish_reason TEXT NOT NULL,
    scores TEXT NOT NULL,
    worker TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (run_id, item, sample)
)
"""


_RUN_COLUMNS = ("run_id", "kind", "model_id", "prompt_set", "seed", "params", "created", "finished")
_SAMPLE_COLUMNS = ("item", "sample", "prompt", "completion", "finish_reason", "scores", "worker", "created")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def prompt_set_id(name: str, items: Sequence[tuple[str, str]]) -> str:
    """`name/<count>@<hash>` for (item key, prompt) pairs: another prompt list gives another id."""
    digest = hashlib.sha256(json.dumps(list(items), ensure_ascii=False).encode()).hexdigest()[:12]
    return f"{name}/{len(items)}@{digest}"


class RunInfo(Result):
    """What a stored run was computed with; `finished` is None while it is incomplete."""

    run_id: str
    kind: str
    model_id: str
    prompt_set: str
    seed: int
    params: dict[str, Any]
    created: str
    finished: str | None


class StoredSample(Result):
    """One stored completion with its scores; `worker` is the process (host:pid) that generated it."""

    item: str
    sample: int
    prompt: str
    completion: str
    finish_reason: str
    scores: dict[str, float]
    worker: str = ""
    created: str = ""


class RunStore:
    """The audit-run database at `path` (created if missing). StorageError for unusable files."""

    def __init__(self, path: str | Path, timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection = connect(
            self.path, store=STORE, version=VERSION, schema=SCHEMA, timeout=timeout
        )
        self.worker = f"{os.uname().nodename if hasattr(os, 'uname') else 'host'}:{os.getpid()}"

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open_run(
        self, kind: str, model_id: str, prompt_set: str, seed: int, params: dict[str, Any]
    ) -> RunInfo:
        """The run with exactly these settings: the stored one if it exists, else a new one."""
        canonical = json.dumps(
            {"kind": kind, "model_id": model_id, "prompt_set": prompt_set, "seed": seed, "params": params},
            sort_keys=True,
        )
        run_id = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        with storage_errors(self.path), transaction(self._conn):
            self._conn.execute(
                "INSERT OR IGNORE INTO runs (run_id, kind, model_id, prompt_set, seed, params, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, kind, model_id, prompt_set, seed, json.dumps(params, sort_keys=True), _now()),
            )
        return self.run(run_id)

    def _select(self, columns: tuple[str, ...], rest: str, args: tuple, json_column: str) -> list[dict]:
        """The rows of `SELECT <columns> <rest>` as dicts by column, `json_column` decoded from JSON."""
        # the column names are this module's constants, never the caller's input
        with storage_errors(self.path):
            rows = self._conn.execute(f"SELECT {', '.join(columns)} {rest}", args).fetchall()
        found = [dict(zip(columns, row, strict=True)) for row in rows]
        for data in found:
            data[json_column] = json.loads(data[json_column])
        return found

    def run(self, run_id: str) -> RunInfo:
        """The stored run `run_id` (StorageError if there is none)."""
        found = self._select(_RUN_COLUMNS, "FROM runs WHERE run_id = ?", (run_id,), "params")
        if not found:
            raise StorageError(f"{self.path} has no run {run_id!r}")
        return RunInfo(**found[0])

    def runs(self) -> list[RunInfo]:
        """Every run in the file, oldest first."""
        with storage_errors(self.path):
            ids = [r[0] for r in self._conn.execute("SELECT run_id FROM runs ORDER BY created, run_id")]
        return [self.run(i) for i in ids]

    def done(self, run_id: str) -> set[tuple[str, int]]:
        """(item, sample) pairs already stored for the run."""
        with storage_errors(self.path):
            return set(self._conn.execute("SELECT item, sample FROM samples WHERE run_id = ?", (run_id,)))

    def add(self, run_id: str, samples: Iterable[StoredSample]) -> None:
        """Store a batch of samples in one transaction; StorageError if any is already stored."""
        now = _now()
        rows = [
            (
                run_id,
                s.item,
                s.sample,
                s.prompt,
                s.completion,
                s.finish_reason,
                json.dumps(s.scores),
                self.worker,
                now,
            )
            for s in samples
        ]
        with storage_errors(self.path), transaction(self._conn):
            self._conn.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def samples(self, run_id: str) -> list[StoredSample]:
        """Every stored sample of the run, ordered by item and sample number."""
        rest = "FROM samples WHERE run_id = ? ORDER BY item, sample"
        return [StoredSample(**data) for data in self._select(_SAMPLE_COLUMNS, rest, (run_id,), "scores")]

    def finish(self, run_id: str) -> None:
        """Mark the run complete (its numbers can be recomputed from the stored samples)."""
        with storage_errors(self.path), transaction(self._conn):
            self._conn.execute("UPDATE runs SET finished = ? WHERE run_id = ?", (_now(), run_id))
