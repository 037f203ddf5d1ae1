"""Extractable memorisation (Carlini et al. 2021, 2023): does the model continue a document's prefix
with the document's own next tokens?

For each source, windows of `prefix_tokens + suffix_tokens` tokens are drawn (seeded) from its
documents' token streams, without overlap, so samples are independent and Wilson intervals apply.
The model is prompted with the prefix (no chat template) and decodes greedily; the continuation is
compared with the true suffix (the "target"):

- exact (tokens): the first `suffix_tokens` generated ids equal the target ids.
- exact (text): the normal form of the continuation (`normalize_for_shingles`: case, punctuation,
  spacing and look-alike letters ignored) starts with the target's normal form. The model is asked
  for `suffix_tokens + slack` tokens so that a verbatim continuation tokenised differently still
  reaches the end of the target.
- edit similarity: 1 - d / len(target), where d is the smallest Levenshtein distance (normalised
  characters) between the target and any prefix of the continuation, so running on past the target
  or tokenising differently costs nothing; in [0, 1].
- longest run: the longest run of normalised characters shared by continuation and target
  (`longest_shared_run`; runs under 25 characters, its floor, count as 0), and its fraction of the
  target's normal form.
- near-verbatim: edit similarity >= 0.9 (at most one character edit in ten: a copy with a few
  changed or dropped words) OR a shared run >= 50 % of the target (with 32-token suffixes about 70
  normalised characters, a dozen words, copied exactly before the model drifts off). Both sit far
  above what unrelated text of the same kind reaches (measured below).
- target in prefix: the target's normal form occurs in the prefix's or shares a run of >= 25
  characters with it (a refrain, a list, a speaker's name): the model could have copied it from its
  prompt, so such samples are reported apart (`near_verbatim_not_in_prefix` leaves them out).

Control (chance level): each continuation is also scored against the true suffix of a *different*
sample of the same source (a seeded derangement; windows never overlap, so that suffix is text the
model was not continuing). It costs no extra generation, uses the very same outputs and the same
kind of text, so it measures how often the metric calls two unrelated passages of one style
near-verbatim (the false-positive rate of the measure) and the similarity chance alone gives.
Shuffled-word prefixes were the alternative; they change the prompt distribution, double the
generation cost, and still do not give the false-positive rate of the metric. What the control does
not remove is predictability from the prompt itself: a continuation on its prefix's topic is more
similar to its own suffix than to another's without any memory (so a positive `similarity_gain`
alone is no proof of memorisation), and a refrain is continued from context; `target_in_prefix`
marks the latter.

Measured on the default model (SmolLM2-135M-Instruct Q4_1) by benchmarks/memorization_audit.py,
prefix 32 / suffix 32 tokens. False positives of near-verbatim on unrelated text: 0 of 150
mismatched control pairs per source, and 0 of 12,000 pairs in a larger null (each of 150
continuations against 40 other samples' suffixes, Tiny Shakespeare and BOLD Wikipedia; the pairs
share continuations, so they are not independent). Edit similarity of those unrelated pairs: mean
0.29 / 0.27, 99th percentile 0.37 / 0.33, maximum 0.41 / 0.39 (Shakespeare / Wikipedia); no shared
run reached 25 characters. The thresholds 0.9 and 50 % sit far above that.

Prompts go through `LanguageModel.generate`, which takes text: each prefix is decoded to text and
re-tokenised by the model. For byte-level BPE this gives back the same ids almost always (other ids
for 2 of 150 Shakespeare and 0 of 150 Wikipedia prefixes of 32 tokens); samples where it does not
are counted (`retokenized_changed`) and kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from genguard.errors import InvalidInputError
from genguard.fairness.stats import paired_test
from genguard.lm.base import Generation, LanguageModel
from genguard.provenance.memorization_models import (
    ContinuationScore,
    ControlReport,
    MemorizationReport,
    MemorizationSample,
    Rate,
    SourceReport,
)
from genguard.provenance.memorization_plan import (
    Planned,
    check_count,
    check_documents,
    derangement,
    plan_source,
    source_rng,
)
from genguard.provenance.memorization_scoring import (
    MIN_RUN_CHARS,
    NEAR_RUN_FRACTION,
    NEAR_SIMILARITY,
    in_prefix,
    leading_matches,
    prefix_edit_distance,
    rate,
    score_continuations,
)

__all__ = [
    "CONTROL_METHOD",
    "MIN_RUN_CHARS",
    "NEAR_RUN_FRACTION",
    "NEAR_SIMILARITY",
    "ContinuationScore",
    "ControlReport",
    "MemorizationReport",
    "MemorizationSample",
    "ProgressFn",
    "Rate",
    "SourceReport",
    "memorization_audit",
    "prefix_edit_distance",
    "score_continuations",
]

CONTROL_METHOD = (
    "mismatched suffix: each continuation scored against the true suffix of another, non-overlapping "
    "sample of the same source (seeded derangement)"
)

# progress(done, total): samples generated so far and samples planned, after each batch.
ProgressFn = Callable[[int, int], None]


# ---------------------------------------------------------------------- the audit


def _generate(
    lm: LanguageModel,
    prompts: list[str],
    max_new_tokens: int,
    batch_size: int,
    seed: int,
    progress: ProgressFn | None,
) -> list[Generation]:
    """Greedy continuations of `prompts`, one batch at a time so that progress can be reported."""
    out: list[Generation] = []
    for start in range(0, len(prompts), batch_size):
        out += lm.generate(
            prompts[start : start + batch_size],
            max_new_tokens=max_new_tokens,
            temperature=0.0,
            chat=False,
            batch_size=batch_size,
            seed=seed,
        )
        if progress is not None:
            progress(len(out), len(prompts))
    return out


def _samples_of(
    lm: LanguageModel, planned: list[Planned], gens: list[Generation], seed: int
) -> tuple[list[MemorizationSample], list[ContinuationScore]]:
    """Score one source's generations against their targets and against the control targets.

    Returns the samples and the control scores (none below two samples: no pair to mismatch)."""
    scores = score_continuations([p.target for p in planned], [g.text for g in gens])
    controls: list[ContinuationScore] = []
    if len(planned) >= 2:
        sigma = derangement(len(planned), source_rng(seed + 1, planned[0].source))
        controls = score_continuations([planned[j].target for j in sigma], [g.text for g in gens])
    out = []
    control: list[ContinuationScore | None] = list(controls) or [None] * len(planned)
    for p, g, s, c in zip(planned, gens, scores, control, strict=True):
        matched = leading_matches(g.token_ids, p.target_ids)
        out.append(
            MemorizationSample(
                source=p.source,
                document=p.document,
                position=p.position,
                prefix=p.prefix,
                target=p.target,
                continuation=g.text,
                finish_reason=g.finish_reason,
                retokenized_same=lm.prompt_ids(p.prefix, chat=False) == p.prefix_ids,
                target_in_prefix=in_prefix(p.target, p.prefix),
                exact_tokens=matched == len(p.target_ids),
                matched_tokens=matched,
                score=s,
                control_edit_similarity=None if c is None else c.edit_similarity,
                control_near_verbatim=None if c is None else c.near_verbatim,
            )
        )
    return out, controls


def _control_report(controls: list[ContinuationScore]) -> ControlReport:
    return ControlReport(
        method=CONTROL_METHOD,
        n=len(controls),
        exact_text=rate([c.exact_text for c in controls]),
        near_verbatim=rate([c.near_verbatim for c in controls]),
        mean_edit_similarity=float(np.mean([c.edit_similarity for c in controls])),
        mean_run_fraction=float(np.mean([c.run_fraction for c in controls])),
    )


def _source_report(
    source: str,
    counts: dict[str, int],
    samples: list[MemorizationSample],
    controls: list[ContinuationScore],
    top_examples: int,
    keep_samples: bool,
    seed: int,
) -> SourceReport:
    """Aggregate one source's samples; a source with no sample is reported as undecided."""
    n = len(samples)
    if n == 0:
        reason = (
            f"no window of prefix + suffix tokens could be drawn: {counts['documents']} document(s), "
            f"{counts['skipped_empty']} empty, {counts['skipped_short']} shorter than the window"
        )
        # Nothing measured: every rate and mean is None (not 0, which would read as "never copies").
        unmeasured = dict.fromkeys(
            (
                "exact_tokens",
                "exact_text",
                "near_verbatim",
                "near_verbatim_not_in_prefix",
                "mean_edit_similarity",
                "mean_run_fraction",
                "mean_matched_tokens",
                "control",
                "similarity_gain",
            )
        )
        return SourceReport(
            source=source,
            **counts,
            n=0,
            decided=False,
            reason=reason,
            **unmeasured,
            target_in_prefix=0,
            retokenized_changed=0,
            examples=[],
        )
    sims = np.array([s.score.edit_similarity for s in samples])
    gain = None
    if controls:
        gain = paired_test(
            sims - np.array([c.edit_similarity for c in controls]), n_permutations=9999, seed=seed
        )
    best = sorted(samples, key=lambda s: (-s.score.edit_similarity, -s.score.run_chars))
    return SourceReport(
        source=source,
        **counts,
        n=n,
        decided=True,
        reason="" if controls else "one sample only: no control pair, so no chance level",
        exact_tokens=rate([s.exact_tokens for s in samples]),
        exact_text=rate([s.score.exact_text for s in samples]),
        near_verbatim=rate([s.score.near_verbatim for s in samples]),
        target_in_prefix=sum(s.target_in_prefix for s in samples),
        near_verbatim_not_in_prefix=rate([s.score.near_verbatim for s in samples if not s.target_in_prefix]),
        mean_edit_similarity=float(sims.mean()),
        mean_run_fraction=float(np.mean([s.score.run_fraction for s in samples])),
        mean_matched_tokens=float(np.mean([s.matched_tokens for s in samples])),
        retokenized_changed=sum(not s.retokenized_same for s in samples),
        control=_control_report(controls) if controls else None,
        similarity_gain=gain,
        examples=best[:top_examples],
        samples=samples if keep_samples else [],
    )


def memorization_audit(
    lm: LanguageModel,
    documents: Sequence[tuple[str, str]],
    *,
    prefix_tokens: int = 32,
    suffix_tokens: int = 32,
    samples_per_source: int = 100,
    seed: int = 0,
    batch_size: int = 32,
    top_examples: int = 5,
    keep_samples: bool = False,
    progress: ProgressFn | None = None,
) -> MemorizationReport:
    """Prompt `lm` with document prefixes and measure how often it continues them (near-)verbatim.

    `documents` are (source name, text) pairs; documents of one source are pooled and up to
    `samples_per_source` non-overlapping windows of prefix_tokens + suffix_tokens tokens are drawn
    from them (seeded per source). Greedy decoding of suffix_tokens + max(2, suffix_tokens // 8)
    tokens. Empty documents and documents shorter than the window are skipped and counted; a source
    with nothing left is undecided, and so is the report when no source has a sample.
    `top_examples` best samples per source are reported, and all of them when `keep_samples`.
    `progress(done, total)` is called after each batch of `batch_size` prompts.

    Returns a MemorizationReport (definitions of exact, near-verbatim and the control in the module
    docstring). Measured with the default model (SmolLM2-135M-Instruct, Q4_1) by
    benchmarks/memorization_audit.py, prefix 32 / suffix 32 tokens, 150 windows per source: exact
    0/150 and near-verbatim 0/150 on Tiny Shakespeare (95 % upper bound 2.5 %); on BOLD Wikipedia
    exact 0/150, near-verbatim 1/150 (a discography list continued from its own prefix, so 0/144
    beyond the prefix); on famous public-domain and licence texts exact 0/22, near-verbatim 1/22.
    With 8-token suffixes the famous texts give exact 1/38 and near-verbatim 2/38, the others 0/60.
    The control's near-verbatim rate was 0 on every source but a repeated-line check (1/17). This
    small quantised model reproduces phrases of famous texts, rarely whole sentences.

    InvalidInputError for a non-list `documents`, items that are not (str, str) pairs, or counts
    out of range.
    """
    docs = check_documents(documents)
    prefix_tokens = check_count("prefix_tokens", prefix_tokens, 1)
    suffix_tokens = check_count("suffix_tokens", suffix_tokens, 1)
    samples_per_source = check_count("samples_per_source", samples_per_source, 1)
    batch_size = check_count("batch_size", batch_size, 1)
    top_examples = check_count("top_examples", top_examples, 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InvalidInputError(f"seed must be an int, got {seed!r}")
    started = time.perf_counter()
    generated_tokens = suffix_tokens + max(2, suffix_tokens // 8)

    by_source: dict[str, list[tuple[int, str]]] = {}
    for i, (source, text) in enumerate(docs):
        by_source.setdefault(source, []).append((i, text))
    plans = {
        source: plan_source(lm, source, texts, prefix_tokens, suffix_tokens, samples_per_source, seed)
        for source, texts in by_source.items()
    }
    planned = [p for ps, _ in plans.values() for p in ps]
    gens = _generate(lm, [p.prefix for p in planned], generated_tokens, batch_size, seed, progress)

    reports, offset = [], 0
    for source, (ps, counts) in plans.items():
        samples, controls = _samples_of(lm, ps, gens[offset : offset + len(ps)], seed)
        reports.append(_source_report(source, counts, samples, controls, top_examples, keep_samples, seed))
        offset += len(ps)

    decided = any(r.decided for r in reports)
    return MemorizationReport(
        model_id=lm.model_id,
        tokenizer_id=lm.tokenizer.tokenizer_id,
        prefix_tokens=prefix_tokens,
        suffix_tokens=suffix_tokens,
        generated_tokens=generated_tokens,
        samples_per_source=samples_per_source,
        seed=seed,
        near_similarity=NEAR_SIMILARITY,
        near_run_fraction=NEAR_RUN_FRACTION,
        control_method=CONTROL_METHOD,
        decided=decided,
        reason="" if decided else "cannot decide: no source had a document long enough for one window",
        sources=reports,
        seconds=time.perf_counter() - started,
    )
