"""A focus-group study from YAML: personas (a grid or a CSV file), product pairs and settings.

    personas:
      grid: {age: [18-29, 30-44], gender: [woman, man], occupation: [nurse], location: [Ohio], count: 4}
      # or: csv: personas.csv   (a path relative to the spec file)
    pairs:
      - {id: coffee, first: a cold brew coffee in a can, second: a hot filter coffee}
    question: Which of these two products would you rather buy?
    comments: {samples: 2, max_new_tokens: 20}   # free-text answers per persona
    seed: 0
    alpha: 0.05
    profile: strict

Every mistake is an InvalidInputError naming the file and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ConfigDict, Field, ValidationError, field_validator

from genguard.errors import InvalidInputError
from genguard.files import decode_utf8, read_bytes
from genguard.focusgroup.personas import MAX_VALUE_CHARS, Persona, PersonaGrid, grid_personas, read_personas
from genguard.types import Result

DEFAULT_QUESTION = "Which of these two products would you rather buy?"
MAX_PAIRS = 1000


class ProductPair(Result):
    """Two products compared; `pair_id` names the pair in results (letters, digits, - and _)."""

    pair_id: str = Field(alias="id", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")
    first: str = Field(min_length=1, max_length=MAX_VALUE_CHARS)
    second: str = Field(min_length=1, max_length=MAX_VALUE_CHARS)

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="forbid")


class Comments(Result):
    """Free-text answers: `samples` per persona of up to `max_new_tokens` tokens each, at
    `temperature` / `top_p`; every one goes through the guard profile of the study."""

    samples: int = Field(2, ge=0, le=100)
    max_new_tokens: int = Field(20, ge=1, le=256)
    temperature: float = Field(0.7, gt=0, le=2)
    top_p: float = Field(0.9, gt=0, le=1)


class StudySpec(Result):
    """A validated study: personas, pairs, question and settings (see the module docstring)."""

    personas: list[Persona]
    pairs: list[ProductPair] = Field(min_length=1, max_length=MAX_PAIRS)
    question: str = Field(DEFAULT_QUESTION, min_length=1, max_length=500)
    comments: Comments = Comments()
    seed: int = Field(0, ge=0)
    alpha: float = Field(0.05, gt=0, lt=1)
    profile: str = "strict"
    chunk_size: int = Field(32, ge=1, le=4096)

    @field_validator("pairs")
    @classmethod
    def _unique(cls, pairs: list[ProductPair]) -> list[ProductPair]:
        ids = [p.pair_id for p in pairs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"pair ids must be unique, got {ids}")
        for p in pairs:
            if p.first.strip().lower() == p.second.strip().lower():
                raise ValueError(f"pair {p.pair_id!r} compares a product with itself")
        return pairs


def _where(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(x) for x in first["loc"]) or "spec"
    return f"{field}: {first['msg']}".replace("Value error, ", "")


def study_from_dict(data: Any, base: Path | None = None, source: str = "spec") -> StudySpec:
    """The study described by `data` (the parsed YAML); a `personas.csv` path is read relative to
    `base`. Raises InvalidInputError naming `source` and the bad field."""
    if not isinstance(data, dict):
        raise InvalidInputError(
            f"{source} must be a mapping with personas and pairs, got {type(data).__name__}"
        )
    unknown = sorted(
        set(data) - {"personas", "pairs", "question", "comments", "seed", "alpha", "profile", "chunk_size"}
    )
    if unknown:
        raise InvalidInputError(f"{source}: unknown key(s) {', '.join(map(str, unknown))}")
    spec = data.get("personas")
    if not isinstance(spec, dict) or len(set(spec) & {"grid", "csv"}) != 1 or set(spec) - {"grid", "csv"}:
        raise InvalidInputError(f"{source}: personas needs exactly one of grid: {{...}} or csv: FILE")
    seed = data.get("seed", 0)
    try:
        if "csv" in spec:
            path = Path(str(spec["csv"]))
            personas = read_personas(path if path.is_absolute() or base is None else base / path)
        else:
            if not isinstance(spec["grid"], dict):
                raise InvalidInputError(f"{source}: personas.grid must be a mapping of attribute lists")
            missing = [a for a in ("age", "gender", "occupation", "location") if a not in spec["grid"]]
            if missing:
                raise InvalidInputError(f"{source}: personas.grid lacks {', '.join(missing)}")
            personas = grid_personas(
                PersonaGrid.model_validate(spec["grid"]), seed if isinstance(seed, int) else 0
            )
        return StudySpec.model_validate({**data, "personas": personas})
    except ValidationError as exc:
        raise InvalidInputError(f"{source}: {_where(exc)}") from exc


def load_study(path: str | Path) -> StudySpec:
    """The study in the YAML file at `path` (InvalidInputError for an unreadable, non-UTF-8,
    malformed or invalid file, naming it)."""
    path = Path(path)
    text = decode_utf8(read_bytes(path, InvalidInputError, "study spec"), path, InvalidInputError)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"{path} is not valid YAML: {' '.join(str(exc).split())}") from exc
    return study_from_dict(data, path.parent, str(path))
