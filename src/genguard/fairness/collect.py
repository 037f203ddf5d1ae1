"""Sampling completions for an audit, stored as they go so that an interrupted audit resumes.

Work is a fixed list of (item, prompt) pairs times `samples` draws each, cut into chunks of
`chunk_size` in that order. Each chunk is generated, scored and stored in one transaction, so
after a crash every stored sample is complete and nothing stored is generated again; a re-run
skips the stored ones and generates only the rest. Each draw is seeded by (seed, seed key,
sample number), not by its position, and the chunks are the same on every run, so a resumed
audit stores exactly what an uninterrupted one would (float rounding included: the padded
batches are the same).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from genguard.errors import InvalidInputError
from genguard.lm.base import LanguageModel
from genguard.storage.runs import RunInfo, RunStore, StoredSample, prompt_set_id
from genguard.types import Result

# Scores of a batch of completions given their prompts: one {name: value} dict per completion.
ScoreFn = Callable[[list[str], list[str]], list[dict[str, float]]]


class SamplingSettings(Result):
    """How a sampled audit draws its completions: `samples` per prompt, up to `max_new_tokens`
    each, at `temperature` and `top_p`, `chunk_size` generated and stored together, every draw
    seeded from `seed` (the audits' bootstrap and permutation tests reuse it). Each audit module
    has its defaults as `SAMPLING`; `replace` changes some of them."""

    samples: int = 1
    max_new_tokens: int = 32
    temperature: float = 0.7
    top_p: float = 0.9
    seed: int = 0
    chunk_size: int = 32

    def replace(self, **changes: Any) -> SamplingSettings:
        """These settings with `changes` applied (validated like the constructor's arguments)."""
        return self.model_validate(self.model_dump() | changes)

    def params(self, **extra: Any) -> dict[str, Any]:
        """The generation settings `collect` reads from a run, plus `extra` (e.g. scorer ids) that
        also decide the stored numbers; all of them key the run, so changing any starts a new one.
        The seed is not among them: the run store keys it separately."""
        return {
            "samples": self.samples,
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "chat": False,
            "chunk_size": self.chunk_size,
            **extra,
        }


class SampledAudit(Result):
    """The fields every sampled audit's result starts with: which model, which stored run (its id
    and prompt set), the seed and the params that key the run."""

    model_id: str
    run_id: str
    prompt_set: str
    seed: int
    params: dict[str, Any]


@dataclass(frozen=True)
class SampledRun:
    """A finished run of a sampled audit: the stored run, the params that key it (in the order the
    audit wrote them) and every sample in work order."""

    run: RunInfo
    params: dict[str, Any]
    samples: list[StoredSample]

    def header(self) -> dict[str, Any]:
        """The fields of `SampledAudit` for this run, to build an audit's result with."""
        run = self.run
        return {
            "model_id": run.model_id,
            "run_id": run.run_id,
            "prompt_set": run.prompt_set,
            "seed": run.seed,
            "params": self.params,
        }


def run_sampled(
    kind: str,
    model: LanguageModel,
    store: RunStore,
    prompt_set: str,
    items: Sequence[tuple[str, str]],
    sampling: SamplingSettings,
    *,
    score: ScoreFn | None = None,
    scorer_ids: dict[str, str] | None = None,
    seed_key: Callable[[str], str] = lambda item: item,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> SampledRun:
    """Open (or resume) the `kind` run of `model` on the prompt set named `prompt_set` with these
    `items` and settings, `collect` its samples and mark it finished. `scorer_ids` (which scorer
    versions produced the stored scores) key the run with the settings; the other arguments are
    `collect`'s. Returns the run with its samples in work order."""
    params = sampling.params(**({"scorers": scorer_ids} if scorer_ids is not None else {}))
    run = store.open_run(kind, model.model_id, prompt_set_id(prompt_set, items), sampling.seed, params)
    stored = collect(
        model,
        store,
        run,
        items,
        score=score,
        seed_key=seed_key,
        progress=progress,
        after_chunk=after_chunk,
    )
    store.finish(run.run_id)
    return SampledRun(run=run, params=params, samples=stored)


def draw_seed(seed: int, seed_key: str, sample: int) -> int:
    """A 63-bit seed for one draw, from the run seed, the prompt's seed key and the sample number."""
    digest = hashlib.sha256(f"genguard-audit:{seed}:{seed_key}:{sample}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def collect(
    model: LanguageModel,
    store: RunStore,
    run: RunInfo,
    items: Sequence[tuple[str, str]],
    *,
    score: ScoreFn | None = None,
    seed_key: Callable[[str], str] = lambda item: item,
    progress: Callable[[int], None] | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> list[StoredSample]:
    """All samples of `run` for `items`, generating (and storing) only those not stored yet.

    Generation settings come from `run.params`: samples, max_new_tokens, temperature, top_p,
    chat and chunk_size. `seed_key(item)` groups items that must share random numbers (the two
    sides of a counterfactual pair). `progress(n)` is called with the number of draws finished
    in each chunk (stored ones included); `after_chunk(i)` after chunk i is stored.
    Returns the stored samples in work order.
    """
    params: dict[str, Any] = run.params
    samples = int(params.get("samples", 1))
    chunk_size = int(params.get("chunk_size", 32))
    if samples < 1 or chunk_size < 1:
        raise InvalidInputError("samples and chunk_size must be >= 1")
    keys = [k for k, _ in items]
    if len(set(keys)) != len(keys):
        raise InvalidInputError("item keys must be unique")
    work = [(key, prompt, s) for key, prompt in items for s in range(samples)]
    done = store.done(run.run_id)
    for index, start in enumerate(range(0, len(work), chunk_size)):
        chunk = [w for w in work[start : start + chunk_size] if (w[0], w[2]) not in done]
        if chunk:
            outputs = model.generate(
                [p for _, p, _ in chunk],
                max_new_tokens=int(params["max_new_tokens"]),
                temperature=float(params["temperature"]),
                top_p=float(params.get("top_p", 1.0)),
                chat=bool(params.get("chat", False)),
                batch_size=chunk_size,
                row_seeds=[draw_seed(run.seed, seed_key(k), s) for k, _, s in chunk],
            )
            texts = [o.text for o in outputs]
            scores = score([p for _, p, _ in chunk], texts) if score else [{} for _ in chunk]
            store.add(
                run.run_id,
                [
                    StoredSample(
                        item=k,
                        sample=s,
                        prompt=p,
                        completion=o.text,
                        finish_reason=o.finish_reason,
                        scores=sc,
                    )
                    for (k, p, s), o, sc in zip(chunk, outputs, scores, strict=True)
                ],
            )
            if after_chunk is not None:
                after_chunk(index)
        if progress is not None:
            progress(len(work[start : start + chunk_size]))
    stored = {(s.item, s.sample): s for s in store.samples(run.run_id)}
    return [stored[(k, s)] for k, _, s in work]
