"""What a decision audit will ask the model, worked out before any model is loaded.

`plan_decision_audit` reads the table (a preset of genguard.fairness.decisions_presets or the
user's CSV/TSV), samples rows, reads labels and groups as the tabular audit does
(genguard.fairness.table: labels_from, derive_groups), renders every prompt (the applications,
their counterfactual twins for the flip test, the held-out rows again with the fairness
instruction) and checks the template, so that a bad file, column or template fails at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.decisions_model import MIN_MASS
from genguard.fairness.decisions_presets import DECISION_PRESETS, DecisionPreset
from genguard.fairness.decisions_prompts import (
    FAIRNESS_INSTRUCTION,
    AnswerOptions,
    check_template,
    render,
    template_fields,
)
from genguard.fairness.table import labels_from, load_table
from genguard.fairness.table_columns import group_per_column
from genguard.fairness.table_io import as_text
from genguard.fairness.table_presets import TablePreset
from genguard.fairness.tabular import intersect
from genguard.types import Result

MAX_ROWS = 100_000  # one forward pass each; beyond this an audit would run for days on a CPU


class DecisionSettings(Result):
    """How the decisions are read and audited.

    `threshold` on the score (probability of the favourable answer among the two) turns it into a
    decision; `min_mass` is the least probability the two answers must hold together (below it the
    row is undecided); `rows` samples that many rows (seeded; None: all); `flip_rows` limits the
    flip test to a seeded sample of the audited rows (None: all); `test_size` is the held-out share
    for the mitigations (0: no mitigation); `instruction` is said before the application in the
    instructed pass; `chat` wraps prompts in the model's chat template.
    """

    answers: AnswerOptions = AnswerOptions()
    chat: bool = False
    threshold: float = 0.5
    min_mass: float = MIN_MASS
    rows: int | None = None
    flip_rows: int | None = None
    test_size: float = 0.3
    seed: int = 0
    batch_size: int = 16
    chunk_size: int = 64
    instruction: str = FAIRNESS_INSTRUCTION


@dataclass(frozen=True)
class FlipPlan:
    """The flip test of one field: which audited rows (positions), their original values, and the
    counterfactual prompts."""

    field: str
    swaps: dict[str, str]
    positions: np.ndarray
    originals: np.ndarray
    prompts: list[str]


@dataclass(frozen=True)
class DecisionPlan:
    """Everything the audit will score and how to read it: rows (their ids in the table), labels,
    group labels per attribute (single columns, then their intersection), the prompts, the flip
    tests and the held-out split (positions into the rows; empty train/test: no mitigation)."""

    dataset: str | None
    source: str
    table_rows: int
    row_ids: list[int]
    label: str
    positive: str
    positive_meaning: str
    template: str
    settings: DecisionSettings
    labels: np.ndarray
    attributes: list[tuple[str, np.ndarray]]
    group_columns: list[str]
    prompts: list[str]
    flips: list[FlipPlan]
    train: np.ndarray
    test: np.ndarray
    instructed: list[str]
    notes: list[str]

    def all_prompts(self) -> list[str]:
        """Every prompt to score, in order: applications, flips, instructed held-out rows."""
        return [*self.prompts, *(p for f in self.flips for p in f.prompts), *self.instructed]


def _fields_of(df, preset: DecisionPreset | None):
    if preset is not None:
        return preset.fields(df)
    return df.apply(lambda col: as_text(col).fillna("unknown")).astype(str)


def _split(labels: np.ndarray, strata: np.ndarray, test_size: float, seed: int) -> tuple[np.ndarray, ...]:
    """Held-out split stratified by label x groups, else by label alone when a stratum is too small."""
    from sklearn.model_selection import train_test_split

    index = np.arange(labels.size)
    for by in (np.char.add(strata.astype(str), labels.astype(str)), labels.astype(str)):
        _, counts = np.unique(by, return_counts=True)
        if counts.min() >= 2:
            train, test = train_test_split(index, test_size=test_size, random_state=seed, stratify=by)
            return np.sort(train), np.sort(test)
    raise InvalidInputError("too few rows with each label to hold out a test split; use more rows")


def plan_decision_audit(
    data: str | Path | None = None,
    *,
    dataset: str | None = None,
    template: str | None = None,
    label: str | None = None,
    positive: str | None = None,
    groups: Sequence[str] = (),
    maps: Mapping[str, Mapping[str, str]] | None = None,
    bins: Mapping[str, Sequence[float]] | None = None,
    flips: Mapping[str, Mapping[str, str]] | None = None,
    settings: DecisionSettings | None = None,
) -> DecisionPlan:
    """The DecisionPlan for a table: `data` (a CSV/TSV path) or `dataset` (a DECISION_PRESETS key,
    whose template, label, groups, maps, bins and flips are the defaults; explicit arguments win).

    `flips` maps a template field to its swaps ({"sex": {"male": "female", "female": "male"}}).
    Raises InvalidInputError for an unknown preset, a missing file or column (named), an empty
    table, a template without placeholders or answer options or with unknown fields, a flip field
    the template does not use, or settings out of range.
    """
    s = settings or DecisionSettings()
    if not 0 < s.threshold < 1:
        raise InvalidInputError(f"threshold must lie between 0 and 1, got {s.threshold}")
    if not 0 <= s.min_mass < 1:
        raise InvalidInputError(f"min_mass must lie in [0, 1), got {s.min_mass}")
    if not 0 <= s.test_size < 1:
        raise InvalidInputError(f"test size must lie in [0, 1) (0: no mitigation), got {s.test_size}")
    for name in ("rows", "flip_rows"):
        value = getattr(s, name)
        if value is not None and not 1 <= value <= MAX_ROWS:
            raise InvalidInputError(f"{name} must lie between 1 and {MAX_ROWS:,}, got {value}")
    preset: DecisionPreset | None = None
    if dataset is not None:
        if dataset not in DECISION_PRESETS:
            raise InvalidInputError(f"unknown dataset {dataset!r}; known: {', '.join(DECISION_PRESETS)}")
        preset = DECISION_PRESETS[dataset]
    table: TablePreset | None = preset.table if preset else None
    if data is not None:
        df, source = load_table(data), str(data)
    elif table is not None:
        df, source = table.loader(), str(dataset)
    else:
        raise InvalidInputError("give a data file or --dataset (one of: " + ", ".join(DECISION_PRESETS) + ")")
    template = template if template is not None else (preset.template if preset else None)
    if template is None:
        raise InvalidInputError("give a decision template (--template FILE) for your own table")
    label = label or (table.label if table else None)
    if label is None:
        raise InvalidInputError("name the label column with --label (or use --dataset)")
    positive = str(positive if positive is not None else (table.positive if table else "1"))
    names = dict(preset.names) if preset else {}
    by_name = {v: k for k, v in names.items()}
    columns = [by_name.get(g, g) if g not in df.columns else g for g in groups] or (
        list(preset.groups) if preset else []
    )
    if not columns:
        raise InvalidInputError("name at least one group column with --group")
    user_maps = {by_name.get(c, c): dict(m) for c, m in (maps or {}).items()}
    user_bins = {by_name.get(c, c): list(b) for c, b in (bins or {}).items()}
    all_maps = {
        c: m for c, m in (preset.maps if preset else {}).items() if c in columns and c not in user_bins
    }
    all_bins = {
        c: b for c, b in (preset.bins if preset else {}).items() if c in columns and c not in user_maps
    }
    all_maps.update(user_maps)
    all_bins.update(user_bins)
    total = len(df)
    if s.rows is not None and s.rows < total:
        df = df.sample(n=s.rows, random_state=s.seed).sort_index()
    if len(df) > MAX_ROWS:
        raise InvalidInputError(
            f"the table has {len(df):,} rows, each one forward pass of the model; audit a sample "
            f"(--rows, at most {MAX_ROWS:,})"
        )
    y = labels_from(df, label, positive)
    singles = group_per_column(df, columns, all_maps, all_bins, names)
    attributes = [(a, g) for g, a in singles]
    if len(singles) > 1:
        attributes.append((" x ".join(a for _, a in singles), intersect(*(g for g, _ in singles))))
    fields = _fields_of(df, preset)
    check_template(template, s.answers, list(fields.columns))
    records = fields.to_dict("records")
    prompts = render(template, records)
    rng = np.random.default_rng(s.seed)
    flip_specs = dict(flips) if flips is not None else dict(preset.flips if preset else {})
    used = set(template_fields(template))
    flip_plans, notes = [], []
    for field, swaps in flip_specs.items():
        if field not in used:
            raise InvalidInputError(
                f"flip field {field!r} is not in the decision template "
                f"(its fields: {', '.join(sorted(used))})"
            )
        swaps = {str(k): str(v) for k, v in swaps.items()}
        values = fields[field].to_numpy(dtype=str)
        positions = np.flatnonzero(np.isin(values, list(swaps)))
        if s.flip_rows is not None and s.flip_rows < positions.size:
            positions = np.sort(rng.choice(positions, size=s.flip_rows, replace=False))
        if positions.size == 0:
            notes.append(f"flip test of {field}: no row has one of the values {sorted(swaps)}")
            continue
        twins = [{**records[i], field: swaps[values[i]]} for i in positions]
        flip_plans.append(FlipPlan(field, swaps, positions, values[positions], render(template, twins)))
    train = test = np.array([], dtype=np.int64)
    instructed: list[str] = []
    if s.test_size > 0:
        train, test = _split(y, attributes[-1][1], s.test_size, s.seed)
        instructed = render(template, [records[i] for i in test], instruction=s.instruction)
    return DecisionPlan(
        dataset=dataset,
        source=source,
        table_rows=total,
        row_ids=[int(i) for i in df.index],
        label=label,
        positive=positive,
        positive_meaning=table.positive_meaning if table else f"{label} = {positive}",
        template=template,
        settings=s,
        labels=y,
        attributes=attributes,
        group_columns=columns,
        prompts=prompts,
        flips=flip_plans,
        train=train,
        test=test,
        instructed=instructed,
        notes=notes,
    )
