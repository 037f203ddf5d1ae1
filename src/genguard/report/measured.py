"""Results the card shows as measured by a benchmark, not by the report's own run: the privacy
audit and unlearning (benchmarks/privacy_audit.py, benchmarks/unlearning.py) and the focus-group
run (benchmarks/focusgroup_run.py), read from benchmarks/results/ of the source checkout.

These studies take minutes to hours (shadow models, 2,000 persona questions), too long for a
report run; the card says where each figure comes from instead of re-measuring it. Nothing is
copied here: the loaders read the JSON the benchmarks wrote, and raise ConfigError (which the
runner turns into "not run: <why>") when it is missing, e.g. in an installed package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from genguard.errors import ConfigError
from genguard.fairness.tone import Comparison
from genguard.focusgroup.bias import BiasFigures
from genguard.focusgroup.study import Share
from genguard.types import Result

RESULTS = Path(__file__).resolve().parents[3] / "benchmarks" / "results"


def _read(folder: Path, name: str, script: str) -> dict[str, Any]:
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"no {name} in {folder} ({exc}); run benchmarks/{script}") from exc


class PrivacyResults(BaseModel):
    """The two benchmarks' JSON as written (privacy_audit.json, unlearning.json)."""

    model_config = ConfigDict(frozen=True)
    audit: dict[str, Any]
    unlearning: dict[str, Any] | None = None


def load_privacy_results(folder: str | Path = RESULTS) -> PrivacyResults:
    """The measured results in `folder`; ConfigError when privacy_audit.json is missing or unreadable."""
    folder = Path(folder)
    audit = _read(folder, "privacy_audit.json", "privacy_audit.py")
    try:
        unlearning = json.loads((folder / "unlearning.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        unlearning = None
    return PrivacyResults(audit=audit, unlearning=unlearning)


class FocusGroupMeasured(Result):
    """The headline figures of benchmarks/focusgroup_run.py's study on the default model (its
    `real` part): personas, pairs and questions asked, position bias before and after correction,
    the answers that named neither product, and the group comparisons (Holm-corrected) that came
    out significant, of `comparisons` made. `machine` is where it ran, as the benchmark wrote it."""

    source: str = "benchmarks/results/focusgroup_run.json"
    machine: str
    model_id: str
    personas: int
    pairs: int
    questions: int
    neither: Share
    position_before: BiasFigures
    position_after: BiasFigures
    comparisons: int
    significant_gaps: list[Comparison]


def load_focusgroup_measured(folder: str | Path = RESULTS) -> FocusGroupMeasured:
    """focusgroup_run.json's study in `folder`; ConfigError when missing or not as written."""
    data = _read(Path(folder), "focusgroup_run.json", "focusgroup_run.py")
    try:
        real = data["real"]
        return FocusGroupMeasured(
            machine=str(data.get("machine", "not recorded")),
            **{k: real[k] for k in ("model_id", "personas", "pairs", "questions", "neither", "comparisons")},
            position_before=real["position_before"],
            position_after=real["position_after"],
            significant_gaps=real["significant_gaps"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"focusgroup_run.json in {folder} is not as benchmarks/focusgroup_run.py writes it: {exc}"
        ) from exc
