"""Importing CSV, BibTeX, DBLP XML and OpenAlex JSONL into a real SQLite file: merging,
idempotence, resuming, and bad input (malformed entries with their lines, wrong encodings,
locked or foreign databases)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from genguard.errors import InvalidInputError, StorageError
from genguard.factuality.bibdb import BibDatabase
from genguard.factuality.importer import import_file

BIBTEX = r"""@string{vldb = "Very Large Data Bases"}

@article{kearns94,
  title = {An Introduction to Computational Learning Theory},
  author = {Kearns, Michael J. and Vazirani, Umesh},
  journal = {MIT Press},
  year = 1994
}

@inproceedings{broken,
  title = {This entry never closes its title,
  author = {Nobody},

@inproceedings{mueller01,
  title = {{Sch{\"o}nes} Indexing of {XML}},
  author = {M{\"u}ller, J{\"o}rg and Smith, Jr., John},
  booktitle = vldb,
  year = {2001}
}
"""

DBLP_XML = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE dblp SYSTEM "dblp.dtd">
<dblp>
<article mdate="2020-01-01" key="journals/x/Kearns98">
<author>Michael J. Kearns</author>
<title>Efficient noise-tolerant learning from statistical queries.</title>
<journal>J. ACM</journal>
<year>1998</year>
</article>
<www key="homepages/k/MichaelKearns"><author>Michael Kearns</author><title>Home Page</title></www>
<inproceedings mdate="2020-01-01" key="conf/x/Broken">
<author>A. B&uuml;ro</author>
<title>An unclosed <i>element</title>
<year>2001</year>
</inproceedings>
<inproceedings mdate="2020-01-01" key="conf/x/Schek01">
<author>Hans-J&ouml;rg Schek</author><author>Wei Wang 0001</author>
<title>Database <i>Kernel</i> Design &amp; Beyond</title>
<booktitle>VLDB</booktitle>
<year>2001</year>
</inproceedings>
</dblp>
"""


def test_csv_import_merges_duplicates_and_is_idempotent(dblp_csv, tmp_path):
    with BibDatabase(tmp_path / "bib.db") as db:
        first = import_file(db, dblp_csv)
        assert first.entries_read == 2616 and first.problems_total == 0
        assert first.added + first.merged == 2616 and first.merged > 0  # same title and first author
        assert first.entries_per_second > 0
        again = import_file(db, dblp_csv)
        assert again.already_imported and again.entries_read == 0
        assert db.count() == first.added == again.records_in_database


def test_bibtex_malformed_entry_reported_with_its_line(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(BIBTEX, encoding="utf-8")
    with BibDatabase(tmp_path / "bib.db") as db:
        report = import_file(db, path)
        assert report.problems_total == 1 and report.problems[0].line == 10
        titles = {r.title: r for r in db.candidates(["Schönes Indexing of XML"])[0]}
        record = titles["Schönes Indexing of XML"]
        assert record.authors == ["Jörg Müller", "John Smith Jr."] or record.authors[0] == "Jörg Müller"
        assert record.venue == "Very Large Data Bases" and record.year == 2001  # the @string macro
        kearns = db.candidates(["An introduction to computational learning theory"])[0][0]
        assert kearns.authors == ["Michael J. Kearns", "Umesh Vazirani"] and kearns.year == 1994


def test_dblp_xml_latin1_entities_and_a_malformed_record(tmp_path):
    path = tmp_path / "dblp.xml"
    path.write_bytes(DBLP_XML.encode("iso-8859-1"))
    with BibDatabase(tmp_path / "bib.db") as db:
        report = import_file(db, path)
        assert report.added == 2 and report.problems_total == 1
        problem = report.problems[0]  # the record starts on line 11; its bad tag is on line 13
        assert problem.line == 13 and "malformed XML in the record that starts on line 11" in problem.message
        schek = db.candidates(["Database Kernel Design & Beyond"])[0][0]
        assert schek.authors == ["Hans-Jörg Schek", "Wei Wang"] and schek.venue == "VLDB"
        assert schek.source_id == "conf/x/Schek01"


def test_openalex_jsonl_with_a_bad_line(tmp_path):
    authors = [{"author": {"display_name": "Ashish Vaswani"}}, {"author": {"display_name": "Noam Shazeer"}}]
    works = [
        {"id": "https://openalex.org/W1", "display_name": "Attention Is All You Need",
         "publication_year": 2017,
         "authorships": authors,
         "primary_location": {"source": {"display_name": "Neural Information Processing Systems"}}},
        {"id": "https://openalex.org/W2", "title": None, "publication_year": 2020},
    ]  # fmt: skip
    path = tmp_path / "works.jsonl"
    path.write_text(json.dumps(works[0]) + "\n{not json\n" + json.dumps(works[1]) + "\n", encoding="utf-8")
    with BibDatabase(tmp_path / "bib.db") as db:
        report = import_file(db, path)
        assert report.added == 1 and [p.line for p in report.problems] == [2, 3]
        record = db.candidates(["attention is all you need"])[0][0]
        assert record.year == 2017 and record.authors[1] == "Noam Shazeer"


def test_interrupted_import_resumes_after_the_last_batch(dblp_csv, tmp_path):
    seen = {"bytes": 0}

    def stop_midway(n: int) -> None:
        seen["bytes"] += n
        if seen["bytes"] > 150_000:
            raise KeyboardInterrupt

    with BibDatabase(tmp_path / "bib.db") as db:
        with pytest.raises(KeyboardInterrupt):
            import_file(db, dblp_csv, batch=200, progress=stop_midway)
        partial = db.count()
        assert 0 < partial < 2549
        resumed = import_file(db, dblp_csv, batch=200)
        assert resumed.resumed_after > 0 and resumed.resumed_after % 200 == 0
        assert resumed.resumed_after + resumed.entries_read == 2616
        assert db.count() == 2549  # the same as one uninterrupted import (test above)


def test_non_utf8_csv_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "title,authors,year\nGood title,Ann Lee,2001\nCaf\u00e9 society,J\u00f6rg M,1999\n".encode("latin-1")
    )
    with BibDatabase(tmp_path / "bib.db") as db:
        with pytest.raises(InvalidInputError, match="line 3 is not valid utf-8"):
            import_file(db, path, batch=1)
        assert db.count() == 1  # the entry before the bad line is stored


def test_empty_file_unknown_format_and_foreign_database(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with BibDatabase(tmp_path / "bib.db") as db:
        with pytest.raises(InvalidInputError, match="empty"):
            import_file(db, empty)
        with pytest.raises(InvalidInputError, match="--format"):
            import_file(db, other)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StorageError, match="not a genguard"):
        BibDatabase(foreign)


def test_locked_database_is_a_storage_error_and_nothing_is_half_written(tmp_path):
    path = tmp_path / "bib.db"
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("title,authors\nOne paper,Ann Lee\n", encoding="utf-8")
    with BibDatabase(path, timeout=0.1) as db:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StorageError, match="locked"):
                import_file(db, csv_path)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert db.count() == 0 and db.import_state(str(csv_path.resolve())) is None
        assert import_file(db, csv_path).added == 1
