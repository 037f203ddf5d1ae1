"""Column choices for the shared public data sets (German credit, Adult), and the parsers of the
CLI-style group specs: --map COL=CODE:name,... and --bins COL=EDGE,..."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from genguard.errors import InvalidInputError

if TYPE_CHECKING:
    import pandas as pd


GERMAN_SEX = {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}


@dataclass(frozen=True)
class TablePreset:
    """Column choices for one public data set: where its rows come from, its label and its groups."""

    title: str
    loader: Callable[[], pd.DataFrame]
    label: str
    positive: str
    positive_meaning: str
    groups: tuple[str, ...]
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    bins: dict[str, list[float]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def _german():
    from genguard.datasets import german_credit

    return german_credit()


def _adult():
    from genguard.datasets import adult

    return adult()


PRESETS: dict[str, TablePreset] = {
    # CLASSIFICATION 1 = good credit (repaid); false rejection = creditworthy applicant predicted
    # to default. Sex comes from PERSONAL_STATUS_AND_SEX (which also codes marital status, so the
    # model does not see marital status either); age is split at 25, as in Kamiran & Calders (2009).
    "german-credit": TablePreset(
        title="UCI Statlog German Credit",
        loader=_german,
        label="CLASSIFICATION",
        positive="1",
        positive_meaning="creditworthy: repaid",
        groups=("PERSONAL_STATUS_AND_SEX", "AGE"),
        maps={"PERSONAL_STATUS_AND_SEX": GERMAN_SEX},
        bins={"AGE": [25]},
        names={"PERSONAL_STATUS_AND_SEX": "sex", "AGE": "age"},
    ),
    # "positive" = high income (>50K): the false-rejection rate is the share of people earning
    # >50K whom the model predicts to earn <=50K.
    "adult": TablePreset(
        title="UCI Adult census income",
        loader=_adult,
        label="income",
        positive=">50K",
        positive_meaning="high income, >50K",
        groups=("sex", "race"),
    ),
}


def parse_map(spec: str) -> tuple[str, dict[str, str]]:
    """'COL=CODE:name,CODE:name' -> (COL, {CODE: name})."""
    column, eq, rest = spec.partition("=")
    pairs = [p.partition(":") for p in rest.split(",") if p.strip()]
    if not eq or not column.strip() or not pairs or any(not c.strip() or not s for c, s, _ in pairs):
        raise InvalidInputError(f"cannot read map {spec!r}; write COLUMN=CODE:name,CODE:name")
    return column.strip(), {c.strip(): n.strip() for c, _, n in pairs}


def parse_bins(spec: str) -> tuple[str, list[float]]:
    """'COL=25,40' -> (COL, [25.0, 40.0])."""
    column, eq, rest = spec.partition("=")
    try:
        edges = [float(e) for e in rest.split(",") if e.strip()]
    except ValueError:
        edges = []
    if not eq or not column.strip() or not edges or any(not math.isfinite(e) for e in edges):
        raise InvalidInputError(f"cannot read bins {spec!r}; write COLUMN=EDGE,EDGE (e.g. AGE=25,40)")
    return column.strip(), edges
