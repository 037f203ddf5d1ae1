"""Personas of a virtual focus group: age, gender, occupation and location, from a grid or a CSV.

A grid names the values of each attribute; its personas are every combination, or `count` of
them drawn without replacement (seeded), so that a 4 x 3 x 10 x 8 grid can give 200 personas.
A CSV (or TSV) file has one persona per row and a header line naming at least the four columns;
a file without some of them is refused with the missing ones named. Numeric ages are grouped
into the bands of AGE_BANDS for the group comparisons, so that 200 personas do not form 50 age
groups of four.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from pathlib import Path

from pydantic import Field

from genguard.errors import InvalidInputError
from genguard.files import decode_utf8, read_bytes
from genguard.types import Result

ATTRIBUTES = ("age", "gender", "occupation", "location")
# Age bands (lower bound inclusive) used to group numeric ages: market research's usual cuts.
AGE_BANDS = ((18, "18-29"), (30, "30-44"), (45, "45-64"), (65, "65+"))
MAX_PERSONAS = 100_000  # a grid or file beyond this is refused: a study that size is a typo
MAX_VALUE_CHARS = 200  # one attribute value; longer text is not a persona attribute


class Persona(Result):
    """One respondent: `persona_id` is unique in a study; `age` is as given (a number or a band)."""

    persona_id: str
    age: str
    gender: str
    occupation: str
    location: str

    def describe(self) -> str:
        """The persona in words, as the survey prompt introduces the respondent."""
        age = f"{self.age} years old" if self.age.isdigit() else f"aged {self.age}"
        return f"{self.gender}, {age}, works as {_article(self.occupation)}, lives in {self.location}"

    def group(self, attribute: str) -> str:
        """The persona's group for `attribute`: its value, a numeric age in its AGE_BANDS band."""
        if attribute not in ATTRIBUTES:
            raise InvalidInputError(f"unknown attribute {attribute!r}; use one of {', '.join(ATTRIBUTES)}")
        value = getattr(self, attribute)
        return age_band(value) if attribute == "age" else value


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def age_band(age: str) -> str:
    """The AGE_BANDS label of a numeric age ("under 18" below the first band); other values as given."""
    if not age.isdigit():
        return age
    value = int(age)
    label = "under 18"
    for low, name in AGE_BANDS:
        if value >= low:
            label = name
    return label


class PersonaGrid(Result):
    """Values per attribute; `count` personas drawn from the combinations (None: all of them)."""

    age: list[str] = Field(min_length=1)
    gender: list[str] = Field(min_length=1)
    occupation: list[str] = Field(min_length=1)
    location: list[str] = Field(min_length=1)
    count: int | None = Field(None, ge=1)


def _clean(value: object, where: str) -> str:
    text = " ".join(str(value).split()) if value is not None else ""
    if not text:
        raise InvalidInputError(f"{where} is empty; every persona needs age, gender, occupation and location")
    if len(text) > MAX_VALUE_CHARS:
        raise InvalidInputError(f"{where} has {len(text)} characters (at most {MAX_VALUE_CHARS})")
    return text


def grid_personas(grid: PersonaGrid, seed: int = 0) -> list[Persona]:
    """The grid's personas in a fixed order (ids p0000, p0001 ...): every combination, or a seeded
    draw of `grid.count` of them. InvalidInputError when count exceeds the combinations or the
    grid holds more than MAX_PERSONAS."""
    values = {
        a: [_clean(v, f"grid {a} value {i}") for i, v in enumerate(getattr(grid, a))] for a in ATTRIBUTES
    }
    for attribute, vals in values.items():
        if len(set(vals)) != len(vals):
            raise InvalidInputError(f"grid {attribute} lists a value twice: {vals}")
    total = 1
    for vals in values.values():
        total *= len(vals)
    count = grid.count if grid.count is not None else total
    if count > total:
        raise InvalidInputError(f"grid has {total} combinations, fewer than count {count}")
    if count > MAX_PERSONAS:
        raise InvalidInputError(f"{count} personas exceed the limit of {MAX_PERSONAS:,}")
    combos = list(itertools.product(*(values[a] for a in ATTRIBUTES)))
    chosen = (
        sorted(random.Random(f"personas:{seed}").sample(range(total), count))
        if count < total
        else range(total)
    )
    width = max(4, len(str(count - 1)))
    return [
        Persona(persona_id=f"p{i:0{width}d}", **dict(zip(ATTRIBUTES, combos[j], strict=True)))
        for i, j in enumerate(chosen)
    ]


def read_personas(path: str | Path) -> list[Persona]:
    """The personas of a CSV/TSV file with a header line, in file order.

    Needs the columns age, gender, occupation and location (case-insensitive); an `id` or
    `persona_id` column names the personas (else p0000, p0001 ...). Raises InvalidInputError for a
    missing, unreadable, non-UTF-8 or empty file, missing columns (all of them named), an empty
    cell, duplicate ids, or more than MAX_PERSONAS rows.
    """
    path = Path(path)
    text = decode_utf8(read_bytes(path, InvalidInputError, "persona file"), path, InvalidInputError)
    if not text.strip():
        raise InvalidInputError(f"persona file {path} is empty")
    first = text.lstrip().splitlines()[0]
    delimiter = max(",\t;|", key=first.count)
    reader = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [a for a in ATTRIBUTES if a not in header]
    if missing:
        raise InvalidInputError(
            f"persona file {path} lacks the column(s) {', '.join(missing)}; its columns: {', '.join(header)}"
        )
    id_column = next((c for c in ("persona_id", "id") if c in header), None)
    personas: list[Persona] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InvalidInputError(f"{path} line {line} has {len(row)} fields, the header {len(header)}")
        cells = dict(zip(header, row, strict=False))
        if len(personas) >= MAX_PERSONAS:
            raise InvalidInputError(f"{path} holds more than {MAX_PERSONAS:,} personas")
        fields = {a: _clean(cells.get(a), f"{path} line {line}, column {a}") for a in ATTRIBUTES}
        pid = _clean(cells.get(id_column), f"{path} line {line}, column {id_column}") if id_column else ""
        personas.append(Persona(persona_id=pid or f"p{len(personas):04d}", **fields))
    if not personas:
        raise InvalidInputError(f"persona file {path} has a header but no personas")
    ids = [p.persona_id for p in personas]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InvalidInputError(f"persona id {dup!r} appears twice in {path}")
    return personas
