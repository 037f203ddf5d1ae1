"""The result models of the memorisation audit (definitions in `provenance.memorization`)."""

from __future__ import annotations

from pydantic import Field

from genguard.fairness.stats import PairedTest
from genguard.types import Result


class Rate(Result):
    """k of n samples, the rate k / n and its 95 % Wilson interval (fractions in [0, 1]); with n = 0
    the rate is 0 and the interval (0, 1): nothing is known."""

    k: int
    n: int
    rate: float
    ci: tuple[float, float]


class ContinuationScore(Result):
    """How close one continuation is to its target, on the shingle normal form.

    `edit_similarity` is 1 - (Levenshtein distance to the closest prefix of the continuation) /
    `target_chars`, in [0, 1]; `run_chars` the longest shared run in normalised characters (0 when
    under MIN_RUN_CHARS); `run_fraction` = run_chars / target_chars.
    """

    exact_text: bool
    edit_similarity: float
    run_chars: int
    target_chars: int
    run_fraction: float
    near_verbatim: bool


class MemorizationSample(Result):
    """One prompt: where it came from, what the model wrote, and how close that is to the truth.

    `position` is the prefix's first token in the document's token stream; `continuation` is the
    whole greedy output (suffix_tokens + slack tokens); `matched_tokens` counts leading generated ids
    equal to the target's; `control_*` score the same continuation against another sample's target.
    `retokenized_same` is False when the decoded prefix re-tokenised to other ids than the prefix's.
    `target_in_prefix` is True when the model could have copied (part of) the target from its prompt
    rather than from memory: the target's normal form occurs in the prefix's, or the two share a run
    of at least MIN_RUN_CHARS normalised characters (a refrain, a list, a speaker's name).
    """

    source: str
    document: int
    position: int
    prefix: str
    target: str
    continuation: str
    finish_reason: str
    retokenized_same: bool
    target_in_prefix: bool
    exact_tokens: bool
    matched_tokens: int
    score: ContinuationScore
    control_edit_similarity: float | None
    control_near_verbatim: bool | None


class ControlReport(Result):
    """The chance level: the same measures on mismatched (continuation, other sample's target) pairs."""

    method: str
    n: int
    exact_text: Rate
    near_verbatim: Rate
    mean_edit_similarity: float
    mean_run_fraction: float


class SourceReport(Result):
    """Memorisation of one source. Rates are fractions of `n` samples with 95 % Wilson intervals.

    `decided` is False (with `reason`) when no window could be drawn; the rate fields are then None.
    `near_verbatim_not_in_prefix` counts only the samples whose target could not be copied from the
    prompt (`target_in_prefix` False; `target_in_prefix` counts the others): near-verbatim output
    there comes from the weights, not from the context.
    `similarity_gain` tests the per-sample difference edit_similarity - control similarity (mean,
    95 % bootstrap CI, two-sided sign-flip p); None below 2 samples. `examples` are the samples with
    the highest edit similarity, best first; `samples` all of them in drawing order when the audit
    was asked to keep them, else empty.
    """

    source: str
    documents: int
    skipped_empty: int
    skipped_short: int
    windows_available: int
    n: int
    decided: bool
    reason: str
    exact_tokens: Rate | None
    exact_text: Rate | None
    near_verbatim: Rate | None
    target_in_prefix: int
    near_verbatim_not_in_prefix: Rate | None
    mean_edit_similarity: float | None
    mean_run_fraction: float | None
    mean_matched_tokens: float | None
    retokenized_changed: int
    control: ControlReport | None
    similarity_gain: PairedTest | None
    examples: list[MemorizationSample]
    samples: list[MemorizationSample] = Field(default_factory=list)


class MemorizationReport(Result):
    """The audit: settings, the model that was prompted, and one SourceReport per source (input order).

    `decided` is False (with `reason`) when no source yielded a sample. `seconds` is wall time.
    """

    model_id: str
    tokenizer_id: str
    prefix_tokens: int
    suffix_tokens: int
    generated_tokens: int
    samples_per_source: int
    seed: int
    near_similarity: float
    near_run_fraction: float
    control_method: str
    decided: bool
    reason: str
    sources: list[SourceReport]
    seconds: float
