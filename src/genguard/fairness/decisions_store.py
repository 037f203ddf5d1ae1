"""Answer probabilities of decision prompts, stored as they are computed so that an audit resumes.

Prompts are scored in chunks; each chunk is stored in one transaction of the run database
(genguard.storage.runs), so a killed audit keeps every finished chunk, and a re-run scores only
the prompts not stored yet: nothing is scored twice. A stored row is keyed by a hash of the
prompt's text within a run that fixes the model, the answer options, chat mode, the start token
and the batch size, so two audits that render the same prompt (another row sample, a later
mitigation pass) share its score.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from genguard.fairness.decisions_model import answer_logprobs, answer_token_ids
from genguard.fairness.decisions_prompts import AnswerOptions
from genguard.lm.base import LanguageModel
from genguard.lm.start_token import start_token
from genguard.storage.runs import RunInfo, RunStore, StoredSample

KIND = "llm-decisions"
PROMPT_SET = "decision-prompts"  # items are keyed by prompt hash, so any prompt list fits one run


def prompt_key(prompt: str) -> str:
    """The stored item key of a prompt: 24 hex digits of its SHA-256."""
    return hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class ScoredPrompts:
    """Answer log-probabilities [n, 2] in the order asked, the run they are stored in, how many
    prompts this call scored (the rest were stored already) and its seconds of model time."""

    logprobs: np.ndarray
    run: RunInfo
    scored_now: int
    seconds: float


def open_decision_run(
    store: RunStore, model: LanguageModel, answers: AnswerOptions, chat: bool, batch_size: int
) -> RunInfo:
    """The run of `model` with these settings (what decides the stored numbers), opened or resumed."""
    fav, unfav = answer_token_ids(model.tokenizer, answers)
    params = {
        "answers": answers.model_dump(mode="json"),
        "answer_token_ids": [fav, unfav],
        "chat": chat,
        "start_token_id": None if chat else start_token(model.tokenizer).token_id,
        "batch_size": batch_size,
    }
    return store.open_run(KIND, model.model_id, PROMPT_SET, 0, params)


def score_stored(
    model: LanguageModel,
    store: RunStore,
    prompts: Sequence[str],
    answers: AnswerOptions,
    *,
    chat: bool = False,
    batch_size: int = 16,
    chunk_size: int = 64,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> ScoredPrompts:
    """Answer log-probabilities of `prompts`, scoring (and storing) only those not stored yet.

    Work is cut into chunks of `chunk_size` prompts in the given order (duplicates scored once);
    each chunk is scored in batches of `batch_size` and stored in one transaction.
    `progress(n)` is called with the prompts finished per chunk (stored ones included);
    `after_chunk(i)` after chunk i is stored (tests use it to interrupt). Returns ScoredPrompts.
    """
    run = open_decision_run(store, model, answers, chat, batch_size)
    keys = [prompt_key(p) for p in prompts]
    todo: dict[str, str] = {}
    done = {item for item, _ in store.done(run.run_id)}
    for key, prompt in zip(keys, prompts, strict=True):
        if key not in done:
            todo.setdefault(key, prompt)
    work = list(todo.items())
    seconds, scored = 0.0, 0
    if progress is not None and len(prompts) > len(work):
        progress(len(prompts) - len(work))
    for index, begin in enumerate(range(0, len(work), chunk_size)):
        chunk = work[begin : begin + chunk_size]
        started = time.perf_counter()
        lp = answer_logprobs(model, [p for _, p in chunk], answers, chat=chat, batch_size=batch_size)
        seconds += time.perf_counter() - started
        scored += len(chunk)
        store.add(
            run.run_id,
            [
                StoredSample(
                    item=key,
                    sample=0,
                    prompt=prompt,
                    completion=answers.names[0] if row[0] >= row[1] else answers.names[1],
                    finish_reason="scored",
                    scores={"favourable": float(row[0]), "unfavourable": float(row[1])},
                )
                for (key, prompt), row in zip(chunk, lp, strict=True)
            ],
        )
        if after_chunk is not None:
            after_chunk(index)
        if progress is not None:
            progress(len(chunk))
    stored = {s.item: s.scores for s in store.samples(run.run_id)}
    out = np.array([[stored[k]["favourable"], stored[k]["unfavourable"]] for k in keys], dtype=np.float64)
    return ScoredPrompts(logprobs=out.reshape(-1, 2), run=run, scored_now=scored, seconds=seconds)
