"""The model's answer to each survey question, read from its next-token probabilities.

For a prompt ending in "Answer:", the model's log-probabilities of the tokens " A" and " B" are
read after the start-of-text token (`genguard.fairness.sentence_scores.start_token`: the prompt is
scored as the beginning of a document, as in the fairness likelihood probes). A question counts
as answered when the most likely next token is " A" or " B"; otherwise the model answered
neither (its top token is stored, e.g. " Option") and the question is counted, not guessed.
For an answered question the preference is the log-odds log P(A) - log P(B) (nats).

Answers are stored in the audit-run database (genguard.storage.runs) chunk by chunk, one row per
question, so a killed run resumes and no question is scored twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from genguard.errors import ConfigError
from genguard.lm.base import LanguageModel
from genguard.lm.start_token import start_token
from genguard.storage.runs import RunInfo, RunStore, StoredSample, prompt_set_id

KIND = "focusgroup-choice"
LETTERS = (" A", " B")


def answer_ids(model: LanguageModel) -> tuple[int, int]:
    """Token ids of " A" and " B"; ConfigError when either is not a single token."""
    ids = model.tokenizer.encode(list(LETTERS))
    if any(len(i) != 1 for i in ids):
        raise ConfigError(
            f"{model.model_id}: ' A' / ' B' are not single tokens ({ids}); cannot read a choice"
        )
    return ids[0][0], ids[1][0]


def choice_scores(
    model: LanguageModel, prompts: Sequence[str], batch_size: int = 32
) -> list[dict[str, float]]:
    """Per prompt: {"logp_a", "logp_b"} (natural-log probabilities of " A" and " B" as the next
    token), "top" (the most likely next token's id) and "logp_top" (its log-probability)."""
    import torch

    a, b = answer_ids(model)
    start = start_token(model.tokenizer).token_id
    ids = model.tokenizer.encode(list(prompts))
    out: list[dict[str, float]] = []
    for begin in range(0, len(ids), batch_size):
        batch = [[start, *seq] for seq in ids[begin : begin + batch_size]]
        logp = torch.log_softmax(model.next_token_logits(batch).float(), dim=-1)
        top = logp.argmax(dim=-1)
        for row, t in zip(logp, top, strict=True):
            out.append(
                {
                    "logp_a": float(row[a]),
                    "logp_b": float(row[b]),
                    "top": float(int(t)),
                    "logp_top": float(row[t]),
                }
            )
    return out


def ask(
    model: LanguageModel,
    store: RunStore,
    prompt_set: str,
    items: Sequence[tuple[str, str]],
    seed: int,
    *,
    chunk_size: int = 32,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> tuple[RunInfo, list[StoredSample]]:
    """Score (or resume) every (key, prompt) question and return the run with one stored sample per
    question in input order: `completion` is the top token's text, `finish_reason` "answer" when
    it is " A" or " B" and "neither" otherwise; `scores` as `choice_scores` gives them.

    `progress(n)` after each chunk (n questions, stored ones included); `after_chunk(i)` after
    chunk i is stored (tests kill a run there)."""
    a, b = answer_ids(model)
    params = {"readout": "next-token", "letters": list(LETTERS), "chunk_size": chunk_size}
    run = store.open_run(KIND, model.model_id, prompt_set_id(prompt_set, items), seed, params)
    done = {item for item, _ in store.done(run.run_id)}
    for index, begin in enumerate(range(0, len(items), chunk_size)):
        chunk = [(k, p) for k, p in items[begin : begin + chunk_size] if k not in done]
        if chunk:
            scores = choice_scores(model, [p for _, p in chunk], batch_size=chunk_size)
            tops = model.tokenizer.token_strings([int(s["top"]) for s in scores])
            store.add(
                run.run_id,
                [
                    StoredSample(
                        item=k,
                        sample=0,
                        prompt=p,
                        completion=top,
                        finish_reason="answer" if int(s["top"]) in (a, b) else "neither",
                        scores=s,
                    )
                    for (k, p), s, top in zip(chunk, scores, tops, strict=True)
                ],
            )
            if after_chunk is not None:
                after_chunk(index)
        if progress is not None:
            progress(len(items[begin : begin + chunk_size]))
    store.finish(run.run_id)
    stored = {s.item: s for s in store.samples(run.run_id)}
    return run, [stored[k] for k, _ in items]


def log_odds(samples: Sequence[StoredSample]) -> np.ndarray:
    """log P(A) - log P(B) per sample (nats), NaN where the model answered neither."""
    return np.array(
        [s.scores["logp_a"] - s.scores["logp_b"] if s.finish_reason == "answer" else np.nan for s in samples],
        dtype=np.float64,
    )
