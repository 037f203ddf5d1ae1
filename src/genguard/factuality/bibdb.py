"""The bibliographic database: one SQLite file (genguard.storage) with an FTS5 index on titles and
authors.

A work is stored once per key = normalised title + first author's surname: a second record with
the same key (the same paper from another source, or its journal version) is merged into the
first, its years and venues kept beside the first ones, so importing a file twice changes nothing.
Candidates for a cited title come from the key index (exact normalised title) and from FTS5 (the
title's longest words, any of them, best BM25 first); the verifier re-scores them.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from genguard.errors import InvalidInputError
from genguard.factuality.records import BibRecord, content_words, name_key, norm_title
from genguard.storage import connect, storage_errors, transaction

STORE, VERSION = "bibliography", 1
SCHEMA = """
CREATE TABLE records (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  authors TEXT NOT NULL,
  venue TEXT,
  year INTEGER,
  years TEXT NOT NULL DEFAULT '[]',
  venues TEXT NOT NULL DEFAULT '[]',
  source_id TEXT
);
CREATE VIRTUAL TABLE records_fts USING fts5(
  title, authors, content='records', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE imports (
  source TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  entries_done INTEGER NOT NULL,
  finished INTEGER NOT NULL
)
"""
_COLUMNS = "id, title, authors, venue, year, years, venues, source_id"
_FTS_SELECT = (
    "SELECT r.id, r.title, r.authors, r.venue, r.year, r.years, r.venues, r.source_id FROM records_fts "
    "JOIN records r ON r.id = records_fts.rowid WHERE records_fts MATCH ? ORDER BY records_fts.rank LIMIT ?"
)
RARE_TERMS = 4  # a cited title's rarest words; candidates share at least two of them


def record_key(record: BibRecord) -> str:
    """The merge key of a record: normalised title and the first author's surname."""
    first = name_key(record.authors[0])[0] if record.authors else ""
    return f"{norm_title(record.title)}|{first}"


def _row(row: tuple) -> BibRecord:
    rid, title, authors, venue, year, years, venues, source_id = row
    return BibRecord(
        id=rid,
        title=title,
        authors=json.loads(authors),
        venue=venue,
        year=year,
        years=json.loads(years),
        venues=json.loads(venues),
        source_id=source_id,
    )


def _merged(old: BibRecord, new: BibRecord) -> BibRecord:
    """`old` with what `new` adds: its year and venue among the alternatives, missing fields filled."""
    years = sorted(
        {*old.years, *([old.year] if old.year else []), *new.years, *([new.year] if new.year else [])}
    )
    venues = list(dict.fromkeys([*old.venues, *([old.venue] if old.venue else []), *new.venues]))
    if new.venue and new.venue not in venues:
        venues.append(new.venue)
    authors = old.authors if len(old.authors) >= len(new.authors) else new.authors
    return old.model_copy(
        update={
            "authors": authors,
            "venue": old.venue or new.venue,
            "year": old.year or new.year,
            "years": years,
            "venues": venues,
            "source_id": old.source_id or new.source_id,
        }
    )


class BibDatabase:
    """A bibliographic database file (created if missing). Thread use: one connection per object.

    Raises StorageError when the file is another genguard store, not a database, corrupt or locked
    for longer than `timeout` seconds.
    """

    def __init__(self, path: str | Path, *, timeout: float = 10.0):
        self.path = Path(path)
        self.conn: sqlite3.Connection = connect(
            self.path, store=STORE, version=VERSION, schema=SCHEMA, timeout=timeout
        )
        self._dfs: dict[str, int] = {}  # word -> titles holding it; cleared on every write

    def close(self) -> None:
        """Close the connection (the object is unusable afterwards)."""
        self.conn.close()

    def __enter__(self) -> BibDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def count(self) -> int:
        """Number of works stored."""
        with storage_errors(self.path):
            return self.conn.execute("SELECT count(*) FROM records").fetchone()[0]

    def add(self, records: Iterable[BibRecord]) -> tuple[int, int]:
        """Store `records` in one transaction, merging duplicates; returns (added, merged).

        A record equal to what is stored after merging counts as merged and writes nothing."""
        self._dfs.clear()
        with storage_errors(self.path), transaction(self.conn):
            return self._store(records)

    def _store(self, records: Iterable[BibRecord]) -> tuple[int, int]:
        batch: dict[str, BibRecord] = {}
        added = merged = 0
        for record in records:
            if not record.title.strip():
                raise InvalidInputError("a bibliographic record needs a title")
            key = record_key(record)
            if key in batch:
                merged += 1
            batch[key] = _merged(batch[key], record) if key in batch else _merged(record, record)
        existing = self._by_keys(list(batch))
        for key, record in batch.items():
            old = existing.get(key)
            if old is None:
                authors = json.dumps(record.authors, ensure_ascii=False)
                rowid = self.conn.execute(
                    "INSERT INTO records (key, title, authors, venue, year, years, venues, source_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, record.title, authors, record.venue, record.year, json.dumps(record.years),
                     json.dumps(record.venues, ensure_ascii=False), record.source_id),
                ).lastrowid  # fmt: skip
                # The FTS index is kept by hand (storage.connect runs the schema statement by
                # statement, which triggers' bodies do not survive).
                self.conn.execute(
                    "INSERT INTO records_fts(rowid, title, authors) VALUES (?, ?, ?)",
                    (rowid, record.title, authors),
                )
                added += 1
                continue
            merged += 1
            new = _merged(old, record)
            if new != old:
                if new.authors != old.authors:
                    self.conn.execute(
                        "INSERT INTO records_fts(records_fts, rowid, title, authors) "
                        "VALUES ('delete', ?, ?, ?)",
                        (old.id, old.title, json.dumps(old.authors, ensure_ascii=False)),
                    )
                    self.conn.execute(
                        "INSERT INTO records_fts(rowid, title, authors) VALUES (?, ?, ?)",
                        (old.id, old.title, json.dumps(new.authors, ensure_ascii=False)),
                    )
                self.conn.execute(
                    "UPDATE records SET authors = ?, venue = ?, year = ?, years = ?, venues = ?, "
                    "source_id = ? WHERE id = ?",
                    (json.dumps(new.authors, ensure_ascii=False), new.venue, new.year, json.dumps(new.years),
                     json.dumps(new.venues, ensure_ascii=False), new.source_id, old.id),
                )  # fmt: skip
        return added, merged

    def _by_keys(self, keys: list[str]) -> dict[str, BibRecord]:
        found: dict[str, BibRecord] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                f"SELECT key, {_COLUMNS} FROM records WHERE key IN ({marks})", chunk
            ):
                found[row[0]] = _row(row[1:])
        return found

    def get(self, ids: Sequence[int]) -> list[BibRecord]:
        """The records with these row ids, in the same order (missing ids left out)."""
        with storage_errors(self.path):
            rows = {
                r[0]: _row(r)
                for r in self.conn.execute(
                    f"SELECT {_COLUMNS} FROM records WHERE id IN ({','.join('?' * len(ids))})", list(ids)
                )
            }
        return [rows[i] for i in ids if i in rows]

    def candidates(self, titles: Sequence[str], limit: int = 20) -> list[list[BibRecord]]:
        """Per cited title, up to `limit` records that may be it: those with the same normalised
        title first, then FTS5 matches on its longest words by BM25 ([] for a title with no words)."""
        results = []
        with storage_errors(self.path):
            for title in titles:
                norm = norm_title(title)
                found: dict[int, BibRecord] = {}
                if norm:
                    for row in self.conn.execute(
                        f"SELECT {_COLUMNS} FROM records WHERE key >= ? AND key < ? LIMIT ?",
                        (norm + "|", norm + "|\U0010ffff", limit),
                    ):
                        found[row[0]] = _row(row)
                if len(found) < limit:
                    ids = [i for i in self._sharing_rare_words(title, limit) if i not in found]
                    for record in self.get(ids):
                        found.setdefault(record.id, record)
                results.append(list(found.values())[:limit])
        return results

    def _df(self, word: str) -> int:
        """Number of stored titles holding `word` (cached until the next write)."""
        if word not in self._dfs:
            if len(self._dfs) > 100_000:
                self._dfs.clear()
            query = f'title : "{word}"'
            self._dfs[word] = self.conn.execute(
                "SELECT count(*) FROM records_fts WHERE records_fts MATCH ?", (query,)
            ).fetchone()[0]
        return self._dfs[word]

    def _sharing_rare_words(self, title: str, limit: int) -> list[int]:
        """Row ids of the titles that share the most of `title`'s RARE_TERMS rarest words (at least
        two of them when it has three or more), most shared first.

        A record within the verifier's title similarity shares nearly every word, so two rare ones
        suffice; and only rare words' posting lists are used, which keeps a lookup
        to a few milliseconds on a million titles: FTS5 intersects each pair of rare words' posting
        lists itself (one expression OR-ing all the title's words took about a second there, one
        OR of the pairs some 40 ms on 200,000 titles, six pair queries about 1 ms)."""
        words = sorted((self._df(w), w) for w in dict.fromkeys(content_words(title)) if len(w) >= 2)
        rare = [w for n, w in words if n > 0][:RARE_TERMS]
        if not rare:
            return []
        hits: Counter[int] = Counter()
        postings = "SELECT rowid FROM records_fts WHERE records_fts MATCH ? LIMIT 2000"
        # FTS5 intersects two posting lists without reading them into Python: one query per pair
        groups = itertools.combinations(rare, 2) if len(rare) >= 3 else [(w,) for w in rare]
        for group in groups:
            query = " AND ".join(f'title : "{w}"' for w in group)
            hits.update(r for (r,) in self.conn.execute(postings, (query,)))
        ranked = sorted((-n, rowid) for rowid, n in hits.items())
        return [rowid for _, rowid in ranked[:limit]]

    def search(self, text: str, limit: int = 50) -> list[BibRecord]:
        """Records whose title or authors contain any word of `text` (3+ letters), best BM25
        first: the free-text retrieval of grounded generation."""
        words = list(dict.fromkeys(w for w in re.findall(r"\w{3,}", text.lower()) if not w.isdigit()))
        if not words:
            return []
        query = " OR ".join(f'"{w}"' for w in words[:32])
        with storage_errors(self.path):
            return [_row(r) for r in self.conn.execute(_FTS_SELECT, (query, limit))]

    def by_author(self, name: str, limit: int = 50) -> list[BibRecord]:
        """Records with an author whose name has every word of `name` (any order, diacritics
        ignored), best BM25 first."""
        words = [w for w in re.findall(r"\w+", name.lower()) if len(w) > 1]
        if not words:
            return []
        query = " AND ".join(f'authors : "{w}"' for w in words)
        with storage_errors(self.path):
            return [_row(r) for r in self.conn.execute(_FTS_SELECT, (query, limit))]

    def top_authors(self, n: int, min_works: int = 3) -> list[str]:
        """Up to `n` authors (names of 2+ words, as written) with at least `min_works` works, most
        works first, ties by name: a deterministic choice of people the database knows well.
        Reads every record's authors (about a second per million records)."""
        counts: Counter[str] = Counter()
        with storage_errors(self.path):
            for (authors,) in self.conn.execute("SELECT authors FROM records"):
                counts.update(json.loads(authors))
        ranked = sorted(
            (a for a, c in counts.items() if c >= min_works and len(a.split()) >= 2),
            key=lambda a: (-counts[a], a),
        )
        return ranked[:n]

    # -- import bookkeeping (genguard.factuality.importer) ----------------------------------------

    def import_state(self, source: str) -> tuple[str, int, bool] | None:
        """(fingerprint, entries done, finished) of an earlier import of `source`, or None."""
        with storage_errors(self.path):
            row = self.conn.execute(
                "SELECT fingerprint, entries_done, finished FROM imports WHERE source = ?", (source,)
            ).fetchone()
        return None if row is None else (row[0], row[1], bool(row[2]))

    def add_entries(
        self, records: list[BibRecord], source: str, fingerprint: str, entries_done: int, finished: bool
    ) -> tuple[int, int]:
        """`add(records)` and the import's progress in the same transaction: after a crash the
        import resumes exactly after the last stored batch. Returns (added, merged)."""
        self._dfs.clear()
        with storage_errors(self.path), transaction(self.conn):
            added, merged = self._store(records)
            self.conn.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET "
                "fingerprint = excluded.fingerprint, entries_done = excluded.entries_done, "
                "finished = excluded.finished",
                (source, fingerprint, entries_done, int(finished)),
            )
        return added, merged
