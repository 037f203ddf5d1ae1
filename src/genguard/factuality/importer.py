"""Importing bibliographic files into a BibDatabase: incremental, idempotent and resumable.

Entries are stored in batches; each batch and the count of entries read so far are committed in
one transaction, so an interrupted import (Ctrl-C, a crash, a locked database) resumes after the
last stored batch when run again, and a finished file is recognised and skipped. A changed file
(another size or other first/last MiB) is read again from the start; merging by key keeps that
idempotent. Bad entries are reported with their line (at most MAX_PROBLEMS kept, all counted).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from genguard.errors import InvalidInputError
from genguard.factuality.bibdb import BibDatabase
from genguard.factuality.readers import READERS, ImportProblem, detect_format
from genguard.factuality.records import BibRecord
from genguard.types import Result

BATCH = 5000
MAX_PROBLEMS = 100


class ImportReport(Result):
    """What an import did: entries read (records and problems, this run), works added and merged
    into stored ones, the problems (line and reason; `problems_total` counts all), the entries
    skipped because an earlier run had stored them, the time in seconds and the rate in entries
    read per second, and the number of works in the database afterwards."""

    source: str
    format: str
    entries_read: int
    added: int
    merged: int
    problems: list[ImportProblem]
    problems_total: int
    resumed_after: int
    already_imported: bool
    seconds: float
    entries_per_second: float
    records_in_database: int


def fingerprint(path: Path) -> str:
    """The file's size and the SHA-256 of its first and last MiB: cheap on a 4 GB dump, and
    changes when the file is replaced or appended to."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as f:
        digest.update(f.read(1 << 20))
        if size > 2 << 20:
            f.seek(-(1 << 20), 2)
            digest.update(f.read())
    return f"{size}:{digest.hexdigest()[:32]}"


def import_file(
    db: BibDatabase,
    path: str | Path,
    fmt: str | None = None,
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the bibliographic file at `path` (format from its name unless `fmt`: csv, jsonl,
    bibtex, dblp-xml) into `db`; `progress(n)` is called with the bytes read since the last call.

    Raises InvalidInputError for a missing, empty or wrongly encoded file (entries before the bad
    line stay stored and a rerun resumes there) and StorageError when the database is locked.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise InvalidInputError(f"{path} is empty")
    fmt = fmt or detect_format(path)
    if fmt not in READERS:
        raise InvalidInputError(f"unknown format {fmt!r}; use one of {', '.join(READERS)}")
    source, mark = str(path.resolve()), fingerprint(path)
    state = db.import_state(source)
    started = time.perf_counter()
    if state is not None and state[0] == mark and state[2]:
        if progress is not None:
            progress(path.stat().st_size)
        return _report(db, source, fmt, 0, 0, 0, [], 0, state[1], True, started)
    skip = state[1] if state is not None and state[0] == mark else 0
    done = added = merged = problems_total = read = 0
    problems: list[ImportProblem] = []
    pending: list[BibRecord] = []
    last_bytes = 0
    for _line, item, bytes_read in READERS[fmt](path):
        done += 1
        if done <= skip:
            continue
        read += 1
        if isinstance(item, ImportProblem):
            problems_total += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(item)
        else:
            pending.append(item)
        if len(pending) >= batch:
            a, m = db.add_entries(pending, source, mark, done, finished=False)
            added, merged, pending = added + a, merged + m, []
        if progress is not None and bytes_read > last_bytes:
            progress(bytes_read - last_bytes)
            last_bytes = bytes_read
    a, m = db.add_entries(pending, source, mark, done, finished=True)
    return _report(
        db, source, fmt, read, added + a, merged + m, problems, problems_total, skip, False, started
    )


def _report(db, source, fmt, read, added, merged, problems, total, skipped, already, started) -> ImportReport:
    seconds = time.perf_counter() - started
    return ImportReport(
        source=source,
        format=fmt,
        entries_read=read,
        added=added,
        merged=merged,
        problems=problems,
        problems_total=total,
        resumed_after=skipped,
        already_imported=already,
        seconds=round(seconds, 3),
        entries_per_second=round(read / seconds, 1) if seconds > 0 else 0.0,
        records_in_database=db.count(),
    )
