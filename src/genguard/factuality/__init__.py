"""Factuality: a bibliographic database (SQLite + FTS5), citation extraction and verification,
and grounded ("creativity off") generation. See issue 16 and benchmarks/citation_*.py."""

from genguard.factuality.bibdb import BibDatabase
from genguard.factuality.citations import Citation, extract_citations
from genguard.factuality.importer import ImportReport, import_file
from genguard.factuality.records import BibRecord
from genguard.factuality.verify import CitationCheck, CitationVerifier

__all__ = [
    "BibDatabase",
    "BibRecord",
    "Citation",
    "CitationCheck",
    "CitationVerifier",
    "ImportReport",
    "extract_citations",
    "import_file",
]
