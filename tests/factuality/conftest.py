"""Shared fixtures: DBLP2.csv (../shared/data/dblp) imported once per test session into a real
SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

DBLP_CSV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "dblp" / "DBLP2.csv"


@pytest.fixture(scope="session")
def dblp_csv() -> Path:
    if not DBLP_CSV.is_file():
        pytest.skip(f"{DBLP_CSV} is absent (the DBLP side of DBLP-ACM, from ../shared/data)")
    return DBLP_CSV


@pytest.fixture(scope="session")
def dblp_db(dblp_csv, tmp_path_factory) -> Path:
    from genguard.factuality.bibdb import BibDatabase
    from genguard.factuality.importer import import_file

    path = tmp_path_factory.mktemp("bib") / "dblp.db"
    with BibDatabase(path) as db:
        import_file(db, dblp_csv)
    return path
