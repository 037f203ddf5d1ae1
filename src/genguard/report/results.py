"""The result models of the report's own runs (what the capabilities return, gathered per part),
and `ReportData`, the whole card as one JSON document (report.json; its JSON Schema is
`report.schema.json` beside this file).

Nothing here holds a time, a duration or an absolute path: the same seed gives the same bytes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from genguard.detection.result import MachineTextDetection
from genguard.factuality.demo import FactualityDemo
from genguard.fairness.counterfactual import CounterfactualAudit
from genguard.fairness.pronoun import ContextProbe, GenerationProbe, PronounProbe
from genguard.fairness.table import TabularReport
from genguard.fairness.tone import ToneAudit
from genguard.guard.error_rates import MeasuredRate
from genguard.provenance.index import IndexMatch
from genguard.provenance.memorization import MemorizationReport
from genguard.report.measured import FocusGroupMeasured, PrivacyResults
from genguard.types import Result, Verdict
from genguard.watermark.detector import Detection

SCHEMA_VERSION = 1


class WatermarkItem(Result):
    """One text tested for the watermark: watermarked or plain model answer, or human text."""

    kind: str
    prompt: str
    text: str
    tokens: list[str]
    detection: Detection


class WatermarkRun(Result):
    """Watermarked and plain answers of the model and human texts, each with its Detection."""

    model_id: str
    tokenizer_id: str
    scheme: str
    gamma: float
    delta: float
    key_id: str
    z_threshold: float
    false_positive_rate: float
    max_new_tokens: int
    seed: int
    items: list[WatermarkItem]


class GuardRule(Result):
    """A rule of a profile as the report explains it: threshold, action and the measured rate."""

    profile: str
    stage: str
    scorer: str
    threshold: float | None
    action: str
    measured: MeasuredRate | None


class GuardItem(Result):
    """One text checked at one stage by every profile (profile name -> Verdict)."""

    stage: str
    kind: str
    text: str
    expected: str | None  # the default profile's intended action on a sample prompt; None for answers
    verdicts: dict[str, Verdict]


class GuardRun(Result):
    """The built-in policy's profiles on sample prompts (input) and the model's answers (output)."""

    policy: str
    profiles: list[str]
    rules: list[GuardRule]
    items: list[GuardItem]


class ProtectedCheck(Result):
    """The model's answers queried against a small protected-content index built in the run folder.

    `planted` texts are known copies (an excerpt of an indexed document inside new text) queried
    beside the answers: `planted_found` of them must be found for the check to mean anything.
    """

    source: str
    documents: int
    answers: int
    answer_matches: list[list[IndexMatch]]
    planted: int
    planted_found: int
    min_span: int
    measured_recall: list[MeasuredRate]


class ProvenanceRun(Result):
    """The memorization audit (its `seconds` set to 0: run time is no result) and the index check."""

    memorization: MemorizationReport | None
    protected: ProtectedCheck | None


class FairnessRun(Result):
    """The fairness probes that ran (None: not in this preset) and the tabular credit audit."""

    pronoun: PronounProbe | None = None
    context: ContextProbe | None = None
    pronoun_generation: GenerationProbe | None = None
    tone: ToneAudit | None = None
    counterfactual: CounterfactualAudit | None = None
    tabular: TabularReport | None = None
    skipped: str = ""


class DetectionItem(Result):
    """One text scored by the zero-shot machine-text detector (its watermark verdict inside)."""

    kind: str
    text: str
    detection: MachineTextDetection


class DetectionRun(Result):
    """The watermark part's texts (the model's watermarked and plain answers, human texts) scored
    by genguard.detection on the same model with the packaged calibration (`calibration` names
    it; `threshold` holds `target_fpr` on human text like it, 95 % interval `fpr_interval`)."""

    model_id: str
    calibration: str
    threshold: float
    target_fpr: float
    fpr_interval: tuple[float, float]
    min_tokens: int
    items: list[DetectionItem]


class SummaryLine(Result):
    """One concern of the card: verdict word, the number behind it, the section it links to."""

    concern: str
    status: Literal["ok", "attention", "info", "not-run"]
    verdict: str
    detail: str
    anchor: str | None


class ReportData(Result):
    """The whole card: settings, summary and every section's results (None: not run, see summary)."""

    schema_version: int = SCHEMA_VERSION
    genguard_version: str
    model_id: str
    preset: str
    seed: int
    summary: list[SummaryLine]
    watermark: WatermarkRun | None = None
    guard: GuardRun | None = None
    fairness: FairnessRun | None = None
    provenance: ProvenanceRun | None = None
    detection: DetectionRun | None = None
    factuality: FactualityDemo | None = None  # `seconds` and paths cleared: no run time in the card
    privacy: PrivacyResults | None = None  # measured by the benchmarks, not by the run
    focusgroup: FocusGroupMeasured | None = None  # measured by benchmarks/focusgroup_run.py
    not_run: dict[str, str] = Field(default_factory=dict)
