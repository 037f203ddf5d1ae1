"""Streaming readers of bibliographic files: CSV, OpenAlex works JSONL, BibTeX and DBLP XML.

Each reader yields, in file order, one `(line, record_or_problem, bytes_read)` per entry: a
BibRecord, or an ImportProblem naming the entry's first line (1-based) and what is wrong with it,
so that one bad entry is reported and the rest imported. Files are read line by line in binary
and decoded per line, so memory stays flat on DBLP's multi-gigabyte dump and a file that is not
in its encoding (UTF-8, or the XML declaration's) stops with an InvalidInputError naming the line.
Files ending in .gz are decompressed on the fly.
"""

from __future__ import annotations

import csv
import gzip
import html.entities
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from genguard.errors import InvalidInputError
from genguard.factuality.records import BibRecord
from genguard.types import Result

FORMATS = ("csv", "jsonl", "bibtex", "dblp-xml")


class ImportProblem(Result):
    """An entry that could not be imported: its first line in the file (1-based) and why."""

    line: int
    message: str


Entry = tuple[int, BibRecord | ImportProblem, int]


def detect_format(path: Path) -> str:
    """The format of `path` from its name (.csv, .jsonl/.json, .bib/.bibtex, .xml, each optionally
    .gz); InvalidInputError naming the formats when the name says nothing."""
    name = path.name.lower().removesuffix(".gz")
    for suffix, fmt in ((".csv", "csv"), (".jsonl", "jsonl"), (".json", "jsonl"), (".bib", "bibtex"),
                        (".bibtex", "bibtex"), (".xml", "dblp-xml")):  # fmt: skip
        if name.endswith(suffix):
            return fmt
    raise InvalidInputError(
        f"cannot tell the format of {path.name} from its name; pass --format with one of {', '.join(FORMATS)}"
    )


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _lines(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, str, int]]:
    """(line number, decoded line, bytes read so far) for each line of `path`."""
    done = 0
    with _open(path) as f:
        for number, raw in enumerate(f, start=1):
            done += len(raw)
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InvalidInputError(
                    f"{path} line {number} is not valid {encoding} (byte {exc.start} of the line); re-encode "
                    "the file as UTF-8 (e.g. iconv -f latin1 -t utf-8). Entries before it were imported."
                ) from exc
            if number == 1:
                text = text.removeprefix("\ufeff")
            yield number, text, done


def _year(value: object) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(value or ""))
    return int(match.group(1)) if match else None


def _authors(value: str) -> list[str]:
    """Names from a CSV/JSON author field: ';' or ' and ' separated if present, else ','."""
    value = value.strip()
    if not value:
        return []
    parts = re.split(r"\s*;\s*|\s+and\s+", value) if (";" in value or " and " in value) else value.split(",")
    return [p.strip() for p in parts if p.strip()]


def _record(line: int, title: object, authors: list[str], venue: object, year: object, source_id: object):
    title = re.sub(r"\s+", " ", str(title or "")).strip()
    if not title:
        return ImportProblem(line=line, message="no title")
    venue = re.sub(r"\s+", " ", str(venue or "")).strip() or None
    return BibRecord(title=title, authors=authors, venue=venue, year=_year(year),
                     source_id=str(source_id) if source_id else None)  # fmt: skip


# -- CSV --------------------------------------------------------------------------------------------

_CSV_FIELDS = {
    "title": ("title",),
    "authors": ("authors", "author"),
    "venue": ("venue", "journal", "booktitle", "source"),
    "year": ("year", "publication_year"),
    "id": ("id", "key", "doi"),
}


def read_csv(path: Path) -> Iterator[Entry]:
    """Entries of a CSV file with a header naming title and authors columns (venue, year, id
    optional; DBLP2.csv's shape). Authors: ';'- or 'and'-separated, else comma-separated."""
    state = {"line": 0, "bytes": 0}

    def lines() -> Iterator[str]:
        for number, text, done in _lines(path):
            state["line"], state["bytes"] = number, done
            yield text

    reader = csv.reader(lines())
    header = [h.strip().lower() for h in next(reader, [])]
    columns = {}
    for field, names in _CSV_FIELDS.items():
        columns[field] = next((header.index(n) for n in names if n in header), None)
    if columns["title"] is None:
        raise InvalidInputError(f"{path}: the CSV header {header[:8]} has no 'title' column")
    start = 2
    for row in reader:
        line, start = start, state["line"] + 1

        def cell(field: str, row: list[str] = row) -> str:
            i = columns[field]
            return row[i] if i is not None and i < len(row) else ""

        if not any(c.strip() for c in row):
            continue
        item = _record(
            line, cell("title"), _authors(cell("authors")), cell("venue"), cell("year"), cell("id")
        )
        yield line, item, state["bytes"]


# -- OpenAlex works JSONL ---------------------------------------------------------------------------


def read_openalex(path: Path) -> Iterator[Entry]:
    """Entries of a JSONL file of OpenAlex "works" (title or display_name, publication_year,
    authorships[].author.display_name, primary_location.source.display_name or host_venue)."""
    for number, text, done in _lines(path):
        if not text.strip():
            continue
        try:
            work = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, ImportProblem(line=number, message=f"not JSON: {exc.msg}"), done
            continue
        if not isinstance(work, dict):
            yield number, ImportProblem(line=number, message="not a JSON object"), done
            continue
        authors = [
            str(((a or {}).get("author") or {}).get("display_name") or "").strip()
            for a in work.get("authorships") or []
            if isinstance(a, dict)
        ]
        source = ((work.get("primary_location") or {}).get("source") or {}).get("display_name")
        venue = source or (work.get("host_venue") or {}).get("display_name")
        item = _record(number, work.get("title") or work.get("display_name"), [a for a in authors if a],
                       venue, work.get("publication_year"), work.get("id"))  # fmt: skip
        yield number, item, done


# -- DBLP XML ---------------------------------------------------------------------------------------

DBLP_TYPES = ("article", "inproceedings", "incollection", "book", "phdthesis", "mastersthesis")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_START = re.compile(r"<(" + "|".join(DBLP_TYPES) + r")[\s>]")


def _entity(match: re.Match[str]) -> str:
    # dblp.xml names Latin-1 letters as HTML entities (&uuml;) declared in dblp.dtd, which a
    # parser without the DTD rejects: they become characters before parsing.
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    point = html.entities.name2codepoint.get(name)
    return chr(point) if point is not None else match.group(0)


def _xml_encoding(path: Path) -> str:
    with _open(path) as f:
        head = f.read(200)
    match = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", head.lstrip(b"\xef\xbb\xbf"))
    return match.group(1).decode("ascii").lower() if match else "utf-8"


def _dblp_record(line: int, chunk: str) -> BibRecord | ImportProblem:
    try:
        element = ET.fromstring(_ENTITY.sub(_entity, chunk))
    except ET.ParseError as exc:
        row, column = getattr(exc, "position", None) or (1, 0)
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        return ImportProblem(
            line=line + row - 1,
            message=f"malformed XML in the record that starts on line {line}: {reason} (column {column + 1})",
        )

    def text(tag: str) -> str:
        found = element.find(tag)
        return "".join(found.itertext()).strip() if found is not None else ""

    title = text("title").rstrip(".")
    authors = ["".join(a.itertext()).strip() for a in element.findall("author")]
    # DBLP disambiguates homonyms with a 4-digit suffix ("Wei Wang 0001"): not part of the name.
    authors = [re.sub(r"\s+\d{4}$", "", a) for a in authors if a]
    venue = text("journal") or text("booktitle") or text("publisher") or text("school")
    return _record(line, title, authors, venue, text("year"), element.get("key"))


def read_dblp_xml(path: Path) -> Iterator[Entry]:
    """Entries of a DBLP XML dump (article, inproceedings, incollection, book, theses; person
    pages and proceedings volumes skipped), streamed one record element at a time.

    Records are cut out of the line stream and parsed one by one (not with a single iterparse
    over the file) so that a malformed record is reported with its line and the next one read:
    an XML parser stops at the first well-formedness error of a document.
    """
    buffer: list[str] = []
    tag, start, done = "", 0, 0
    for number, text, done in _lines(path, _xml_encoding(path)):
        rest = text
        while rest:
            if not tag:
                match = _START.search(rest)
                if match is None:
                    break
                tag, start, rest = match.group(1), number, rest[match.start() :]
                buffer = []
            end = rest.find(f"</{tag}>")
            if end < 0:
                buffer.append(rest)
                break
            cut = end + len(tag) + 3
            buffer.append(rest[:cut])
            yield start, _dblp_record(start, "".join(buffer)), done
            tag, rest = "", rest[cut:]
    if tag:
        yield (
            start,
            ImportProblem(line=start, message=f"<{tag}> never closed before the end of the file"),
            done,
        )


# -- BibTeX -----------------------------------------------------------------------------------------

BIBTEX_CHUNK = 500  # entries parsed together (the parser works on a string)


def _bib_name(name: str) -> str:
    """'Kearns, Michael J.' -> 'Michael J. Kearns' (records store names in reading order)."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and parts[1]:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and parts[2]:  # "von Last, Jr, First"
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return name.strip()


def _middleware() -> list:
    from bibtexparser import middlewares as mw

    return [mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors()]


def _bib_chunk(text: str, first_line: int, prefix: str) -> Iterator[tuple[int, BibRecord | ImportProblem]]:
    import bibtexparser

    log = logging.getLogger("bibtexparser")
    level = log.level
    log.setLevel(logging.ERROR)  # its warnings repeat, on several lines, the problems reported here
    try:
        library = bibtexparser.parse_string(prefix + text, append_middleware=_middleware())
        shift = first_line - prefix.count("\n")  # parser lines are 0-based, counted from the prefix
        items: list[tuple[int, BibRecord | ImportProblem]] = []
        entries = [(e, e.start_line) for e in library.entries]
        for block in library.failed_blocks:
            line = block.start_line + shift
            if type(block).__name__ == "DuplicateBlockKeyBlock":  # two entries may share a key
                again = bibtexparser.parse_string(block.raw, append_middleware=_middleware()).entries
                entries += [(e, block.start_line) for e in again]
                continue
            error = getattr(block, "error", None)
            reason = getattr(error, "abort_reason", None) or str(error) or "unreadable entry"
            items.append((line, ImportProblem(line=line, message=reason.strip().splitlines()[0])))
    finally:
        log.setLevel(level)
    for entry, start in entries:
        line = start + shift
        if line < first_line:
            continue  # an entry of the @string prefix cannot be one; defensive
        fields = {k.lower(): v for k, v in entry.fields_dict.items()}

        def value(name: str, fields: dict = fields) -> object:
            field = fields.get(name)
            return field.value if field is not None else None

        authors = value("author") or value("editor") or []
        if isinstance(authors, str):
            authors = _authors(authors)
        title = re.sub(r"[{}]", "", str(value("title") or ""))
        venue = value("journal") or value("booktitle") or value("publisher") or value("school")
        names = [_bib_name(a) for a in authors]
        others = bool(names) and names[-1].lower() == "others"  # BibTeX's "and others" = et al.
        record = _record(line, title, names[:-1] if others else names, venue, value("year"), entry.key)
        if isinstance(record, BibRecord) and others:
            record = record.model_copy(update={"et_al": True})
        items.append((line, record))
    yield from sorted(items, key=lambda item: item[0])


def read_bibtex(path: Path) -> Iterator[Entry]:
    """Entries of a BibTeX file, parsed with bibtexparser 2 (LaTeX accents decoded, co-authors
    split) in chunks of BIBTEX_CHUNK entries; one-line @string macros apply to the entries after
    them."""
    strings: list[str] = []  # @string lines of earlier chunks, put before each later chunk
    pending: list[str] = []  # those of the current chunk
    chunk: list[str] = []
    entries, first_line, done = 0, 1, 0
    at = re.compile(r"^\s*@\s*(\w+)")
    for number, text, done in _lines(path):
        match = at.match(text)
        kind = match.group(1).lower() if match else ""
        if kind == "string":
            pending.append(text)
        elif kind and kind not in ("comment", "preamble"):
            if entries >= BIBTEX_CHUNK:
                for line, item in _bib_chunk("".join(chunk), first_line, "".join(strings)):
                    yield line, item, done
                strings += pending
                chunk, pending, entries = [], [], 0
            entries += 1
        if not chunk:
            first_line = number
        chunk.append(text)
    if chunk:
        for line, item in _bib_chunk("".join(chunk), first_line, "".join(strings)):
            yield line, item, done


READERS = {"csv": read_csv, "jsonl": read_openalex, "bibtex": read_bibtex, "dblp-xml": read_dblp_xml}
