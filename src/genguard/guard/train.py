"""Training guardrail models: a logistic-regression head on MiniLM features, from labelled text.

`read_labelled` reads a CSV or JSONL file of (text, label) rows; `train_head` embeds every text
once, fits the head on the training splits with balanced class weights and reports AUC, F1 and
false-positive rates at the threshold on the validation and held-out test splits.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from genguard.errors import ConfigError, InvalidInputError

if TYPE_CHECKING:  # scikit-learn, torch and the embedder load only when a model is trained, so that
    # reading and checking the data (read_labelled, check_rows) answers at once
    from genguard.scoring.embedder import SentenceEmbedder
    from genguard.scoring.toxicity import ToxicityHead

# Fewest rows of each class in all, and fewest rows of a data set that is split 80/10/10: below
# this, validation and test hold one or two examples of a class and their AUC and F1 mean nothing.
MIN_ROWS_PER_CLASS = 10
_ONE_CLASS = "the training data has only one class; it needs toxic and non-toxic examples"
_TRUE = {"1", "true", "yes", "toxic", "positive"}
_FALSE = {"0", "false", "no", "non-toxic", "nontoxic", "clean", "negative", "neutral"}


@dataclass
class LabelledTexts:
    """Texts with 0/1 labels, the name of where they came from and how many rows were unusable."""

    name: str
    texts: list[str]
    labels: np.ndarray
    skipped: list[str] = field(default_factory=list)


def read_labelled(
    path: str | Path,
    text_field: str = "text",
    label_field: str = "label",
    positive: Iterable[str] | None = None,
) -> LabelledTexts:
    """Rows of a .csv (header line) or .jsonl file as LabelledTexts.

    Labels are 1 when their value is in `positive`; without `positive`, 1/0, true/false and
    toxic/non-toxic are understood and anything else is an error. Rows with an empty text or a
    missing label, and JSONL lines that are not JSON objects, are skipped and listed in `skipped`.
    """
    path = Path(path)
    pos = {str(p).strip().lower() for p in positive} if positive is not None else None
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            f"{path} is not valid UTF-8 (byte {exc.start}); re-encode it as UTF-8"
        ) from exc
    rows: list[tuple[int, object]] = []
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        for lineno, line in enumerate(raw.split("\n"), 1):
            if line.strip():
                try:
                    rows.append((lineno, json.loads(line)))
                except json.JSONDecodeError:
                    rows.append((lineno, None))
    elif path.suffix.lower() in {".csv", ".tsv"}:
        reader = csv.DictReader(
            io.StringIO(raw, newline=""), delimiter="\t" if path.suffix.lower() == ".tsv" else ","
        )
        missing = {text_field, label_field} - set(reader.fieldnames or [])
        if missing:
            raise InvalidInputError(
                f"{path} has no column(s) {sorted(missing)}; its columns are {reader.fieldnames}; "
                "choose them with --text-field and --label-field"
            )
        rows = [(reader.line_num, row) for row in reader]  # its last line (quoted fields may span lines)
    else:
        raise InvalidInputError(f"{path}: unsupported file type {path.suffix!r}; use .csv, .tsv or .jsonl")

    texts: list[str] = []
    labels: list[int] = []
    skipped: list[str] = []
    for lineno, row in rows:
        if not isinstance(row, dict):
            skipped.append(f"line {lineno}: not a JSON object")
            continue
        text, label = row.get(text_field), row.get(label_field)
        if not isinstance(text, str) or not text.strip() or label is None or str(label).strip() == "":
            skipped.append(f"line {lineno}: empty text or missing label")
            continue
        value = str(label).strip().lower()
        if pos is not None:
            labels.append(int(value in pos))
        elif value in _TRUE or value in _FALSE:
            labels.append(int(value in _TRUE))
        else:
            raise InvalidInputError(
                f"{path} line {lineno}: label {label!r} is not 0/1, true/false or toxic/non-toxic; "
                "say which values are toxic with --positive (e.g. --positive 0,1)"
            )
        texts.append(text)
    if not texts:
        raise InvalidInputError(f"{path} has no usable rows ({len(skipped)} skipped)")
    return LabelledTexts(path.name, texts, np.array(labels, dtype=np.int64), skipped)


@dataclass
class TrainingSource:
    """One data set in a training run: split 80/10/10 ("split") or used for training only ("train")."""

    data: LabelledTexts
    role: str = "split"
    weight: float = 1.0


def split_indices(labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train/validation/test indices (80/10/10), stratified by label when both classes have >= 10 rows."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(labels))
    strat = labels if min(np.bincount(labels, minlength=2)) >= 10 else None
    train, rest = train_test_split(idx, test_size=0.2, random_state=seed, stratify=strat)
    val, test = train_test_split(
        rest, test_size=0.5, random_state=seed, stratify=None if strat is None else labels[rest]
    )
    return np.sort(train), np.sort(val), np.sort(test)


def evaluate(labels: np.ndarray, probs: np.ndarray, threshold: float) -> dict[str, float | int | None]:
    """AUC (None with one class), F1, false-positive and true-positive rates at `threshold`, and counts."""
    from sklearn.metrics import f1_score, roc_auc_score

    pred = probs >= threshold
    both = 0 < labels.sum() < len(labels)
    neg, pos = labels == 0, labels == 1
    return {
        "n": len(labels),
        "positives": int(pos.sum()),
        "auc": round(float(roc_auc_score(labels, probs)), 4) if both else None,
        "f1": round(float(f1_score(labels, pred, zero_division=0)), 4) if pos.any() else None,
        "fpr": round(float(pred[neg].mean()), 4) if neg.any() else None,
        "tpr": round(float(pred[pos].mean()), 4) if pos.any() else None,
    }


def check_rows(sources: Sequence[TrainingSource]) -> None:
    """InvalidInputError unless the data has both classes, MIN_ROWS_PER_CLASS rows of each in all,
    and MIN_ROWS_PER_CLASS rows in every data set that is split (checked before anything is embedded)."""
    labels = np.concatenate([s.data.labels for s in sources])
    counts = np.bincount(labels, minlength=2)
    if counts.min() == 0:
        raise InvalidInputError(_ONE_CLASS)
    names = ", ".join(s.data.name for s in sources)
    if counts.min() < MIN_ROWS_PER_CLASS:
        raise InvalidInputError(
            f"{names}: {counts[1]} toxic and {counts[0]} non-toxic rows; training needs at least "
            f"{MIN_ROWS_PER_CLASS} rows of each class (80/10/10 split into training, validation and test)"
        )
    for s in sources:
        if s.role == "split" and len(s.data.labels) < MIN_ROWS_PER_CLASS:
            raise InvalidInputError(
                f"{s.data.name} has {len(s.data.labels)} rows; a data set split 80/10/10 needs at least "
                f"{MIN_ROWS_PER_CLASS}"
            )


def train_head(
    sources: Sequence[TrainingSource],
    name: str,
    layers: Sequence[int] = (4, 6),
    c: float = 1.0,
    seed: int = 0,
    threshold: float = 0.5,
    embedder: SentenceEmbedder | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ToxicityHead, dict]:
    """A trained head and its metrics (per source: validation and test AUC/F1/FPR at `threshold`).

    Classes are balanced by weight, so the default threshold 0.5 means equal odds whatever the
    training data's toxic share. (A threshold tuned for F1 would follow that share, which in
    Davidson is 83 %, and flag far more ordinary text elsewhere.)
    ConfigError without a data set to split; InvalidInputError from `check_rows` for too few rows.
    """
    if not sources:
        raise ConfigError("no training data given")
    if all(s.role != "split" for s in sources):
        raise ConfigError("at least one data set must be split (role 'split') to choose a threshold")
    check_rows(sources)
    from sklearn.linear_model import LogisticRegression

    from genguard.scoring.embedder import default_embedder
    from genguard.scoring.toxicity import ToxicityHead, prepare

    embedder = embedder or default_embedder()
    parts = []
    for s in sources:
        features = embedder.embed([prepare(t) for t in s.data.texts], layers=layers, progress=progress)
        if s.role == "split":
            train, val, test = split_indices(s.data.labels, seed)
        elif s.role == "train":
            train, val, test = np.arange(len(s.data.labels)), np.array([], int), np.array([], int)
        else:
            raise ConfigError(f"unknown data role {s.role!r}; use 'split' or 'train'")
        parts.append((s, features, train, val, test))

    x = np.vstack([f[tr] for _, f, tr, _, _ in parts])
    y = np.concatenate([s.data.labels[tr] for s, _, tr, _, _ in parts])
    if len(set(y.tolist())) < 2:
        raise InvalidInputError(_ONE_CLASS)
    weights = np.concatenate([np.full(len(tr), s.weight) for s, _, tr, _, _ in parts])
    model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    model.fit(x, y, sample_weight=weights)
    head = ToxicityHead(model.coef_[0], float(model.intercept_[0]), layers, {"name": name})

    metrics = {
        "threshold": threshold,
        "layers": list(layers),
        "C": c,
        "seed": seed,
        "sources": {
            s.data.name: {
                "role": s.role,
                "weight": s.weight,
                "rows": len(s.data.texts),
                "skipped": len(s.data.skipped),
                "train": len(tr),
                "validation": evaluate(s.data.labels[va], head.probabilities(f[va]), threshold)
                if len(va)
                else None,
                "test": evaluate(s.data.labels[te], head.probabilities(f[te]), threshold)
                if len(te)
                else None,
            }
            for s, f, tr, va, te in parts
        },
    }
    head.config.update({"threshold": threshold, "embedder": embedder.model_id, "metrics": metrics})
    return head, metrics
